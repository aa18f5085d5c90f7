"""``s deploy`` of the repository's four functions against ``serve``, through the FC 3.0 API.

``serve`` runs in this process on the repository's s.yaml (state in a temporary directory);
the client is the official ``alibabacloud_fc20230330`` SDK, sending per function what the
fc3 component sends (shared/reference/fc3-deploy-wire.md): GetFunction, GetTrigger per
trigger, GetAsyncInvokeConfig, tempBucketToken, the zip's PUT to the local OSS, UpdateFunction
(which receives, checks and unpacks the zip), UpdateTrigger per trigger,
PutAsyncInvokeConfig + GetAsyncInvokeConfig where s.yaml sets one. Measured in the same run:

- the baseline: building the four zips with ``localfc.project.package`` (dependencies and
  bytecode for FC's python3.10, wheels from its cache, warmed first), per function and in total;
- a deploy of each function (the API sequence above), and the deploy of all four, each as a
  ratio to building that function's zip;
- a redeploy with unchanged zips: the checksum GetFunction answers equals the zip's CRC-64,
  so fc3 skips the upload (UpdateFunction without code).

    python -m bench deploy
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from alibabacloud_fc20230330 import models

from localfc.fc.api.functions import log_config
from localfc.fc.options import ServeOptions
from localfc.fc.server import LocalFC
from localfc.project.package.builder import build_package
from localfc.project.syaml import load_project
from localfc.services.oss.crc64 import crc64  # fc3 computes the zip's CRC-64 locally
from tests.fixtures.deploy import upload_code
from tests.fixtures.serve import fc_client

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3
_CONFIG_KEYS = (
    "description",
    "runtime",
    "handler",
    "memorySize",
    "cpu",
    "diskSize",
    "timeout",
    "instanceConcurrency",
    "environmentVariables",
    "instanceLifecycleConfig",
    "role",
)


def _update_input(props: Any, code: dict[str, str] | None) -> Any:
    doc = props.model_dump(mode="json", exclude_none=True)
    body = {k: doc[k] for k in _CONFIG_KEYS if k in doc}
    body["logConfig"] = log_config(props)
    body["internetAccess"] = True
    if code is not None:
        body["code"] = code
    return models.UpdateFunctionInput().from_map(body)


def _deploy(fc: LocalFC, client: Any, props: Any, zip_bytes: bytes, checksum: str) -> bool:
    """fc3's sequence for one function; returns whether the zip was uploaded."""
    name = props.functionName
    remote = client.get_function(name, models.GetFunctionRequest()).body
    for trigger in props.triggers:
        client.get_trigger(name, trigger.triggerName)
    if props.asyncInvokeConfig is not None:
        client.get_async_invoke_config(name, models.GetAsyncInvokeConfigRequest(qualifier="LATEST"))
    code = None
    if remote.code_checksum != checksum:
        bucket, key = upload_code(fc, zip_bytes)
        code = {"ossBucketName": bucket, "ossObjectName": key}
    client.update_function(name, models.UpdateFunctionRequest(body=_update_input(props, code)))
    for trigger in props.triggers:
        body = models.UpdateTriggerInput(
            trigger_config=json.dumps(trigger.triggerConfig),
            qualifier=trigger.qualifier,
            description=trigger.description,
            invocation_role=trigger.invocationRole,
        )
        client.update_trigger(name, trigger.triggerName, models.UpdateTriggerRequest(body=body))
    if props.asyncInvokeConfig is not None:
        doc = props.asyncInvokeConfig.model_dump(mode="json", exclude_none=True, exclude={"qualifier"})
        body = models.PutAsyncInvokeConfigInput().from_map(doc)
        client.put_async_invoke_config(name, models.PutAsyncInvokeConfigRequest(qualifier="LATEST", body=body))
        client.get_async_invoke_config(name, models.GetAsyncInvokeConfigRequest(qualifier="LATEST"))
    return code is not None


def main() -> None:
    project = load_project(ROOT / "s.yaml")
    functions = [props for _, props in project.functions()]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        for props in functions:  # warm the dependency cache: the baseline is a rebuild
            build_package(project, props.functionName, out, log=lambda _m: None)
        build_ms: dict[str, list[float]] = {p.functionName: [] for p in functions}
        deploy_ms: dict[str, list[float]] = {p.functionName: [] for p in functions}
        redeploy_ms: dict[str, list[float]] = {p.functionName: [] for p in functions}
        sizes: dict[str, int] = {}
        for _ in range(ROUNDS):
            options = ServeOptions(port=0, state_dir=Path(tmp) / "state", console=None, run_timers=False, run_sls=False)
            with LocalFC(project, options) as fc:
                client = fc_client(fc)
                for props in functions:
                    name = props.functionName
                    started = time.perf_counter()
                    result = build_package(project, name, out, log=lambda _m: None)
                    build_ms[name].append((time.perf_counter() - started) * 1000)
                    zip_bytes = result.zip_path.read_bytes()
                    sizes[name] = len(zip_bytes)
                    checksum = str(crc64(zip_bytes))
                    started = time.perf_counter()
                    uploaded = _deploy(fc, client, props, zip_bytes, checksum)
                    deploy_ms[name].append((time.perf_counter() - started) * 1000)
                    assert uploaded, f"{name}: a deploy to a fresh serve must upload the zip"
                    started = time.perf_counter()
                    assert not _deploy(fc, client, props, zip_bytes, checksum), f"{name}: unchanged zip uploaded"
                    redeploy_ms[name].append((time.perf_counter() - started) * 1000)
            # The next round starts from a fresh state: every deploy uploads and unpacks.
            shutil.rmtree(Path(tmp) / "state")
        print(f"   {'function':<19} {'zip':>9} {'build':>9} {'deploy':>9} {'ratio':>6} {'unchanged':>10} {'ratio':>6}")
        totals = [0.0, 0.0, 0.0]
        for props in functions:
            name = props.functionName
            build, deploy, again = (statistics.median(v[name]) for v in (build_ms, deploy_ms, redeploy_ms))
            totals = [totals[0] + build, totals[1] + deploy, totals[2] + again]
            print(
                f"   {name:<19} {sizes[name] / 1e6:>7.2f}MB {build:>7.0f}ms {deploy:>7.0f}ms {deploy / build:>5.2f}x"
                f" {again:>8.0f}ms {again / build:>5.2f}x"
            )
        build, deploy, again = totals
        print(
            f"   {'all four':<19} {sum(sizes.values()) / 1e6:>7.2f}MB {build:>7.0f}ms {deploy:>7.0f}ms"
            f" {deploy / build:>5.2f}x {again:>8.0f}ms {again / build:>5.2f}x"
        )
        print(f"   (medians of {ROUNDS} rounds; deploy = fc3's API sequence incl. upload and unpack, zip built before)")


if __name__ == "__main__":
    main()
