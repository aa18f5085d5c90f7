"""What invoking through an alias costs over invoking a version directly.

1. In process: ``VersionStore.resolve(function, "prod")`` (an alias with a 10 % canary: one
   random draw) against ``resolve(function, "1")`` (the baseline), 50,000 calls each, taking
   turns in chunks so background load hits both alike.
2. Through ``serve``: InvokeFunction with the official FC 3.0 client, ``qualifier=prod``
   against ``qualifier=1`` (the baseline), 300 calls each, every instance warmed first.

The app is a copy of this repository's packaged code in a temporary directory; nothing here
writes to the repository.

    python -m bench alias_routing
"""

from __future__ import annotations

import importlib
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.fc.versions import VersionStore
from localfc.fc.versions.snapshot import package_files
from localfc.project.syaml import load_project

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
FUNCTION = "prime-checker"
CALLS = 50_000
CHUNK = 1_000
API_CALLS = 300
API_CHUNK = 25


def make_app(target: Path) -> Path:
    """Copy the packaged code and s.yaml of this repository into ``target``; return its s.yaml."""
    for rel in package_files(ROOT, exclude=[ROOT / ".localfc"]):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target / rel)
    shutil.copy2(ROOT / "s.yaml", target / "s.yaml")
    return target / "s.yaml"


def publish_two_versions(s_yaml: Path, state_dir: Path) -> VersionStore:
    store = VersionStore(state_dir, load_project(s_yaml, environ={}), random.Random(1))
    store.publish_function_version(FUNCTION, "baseline")
    marker = s_yaml.parent / "handlers" / "bench_marker.py"
    marker.write_text("CHANGED = True\n", encoding="utf-8")  # any change makes a new version
    store.publish_function_version(FUNCTION, "canary")
    store.create_alias(FUNCTION, "prod", "1", {"2": 0.1})
    return store


def per_call_ns(call: Callable[[], object], calls: int) -> float:
    started = time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.perf_counter_ns() - started) / calls


def in_process(store: VersionStore) -> None:
    direct: list[float] = []
    alias: list[float] = []
    for _ in range(CALLS // CHUNK):
        direct.append(per_call_ns(lambda: store.resolve(FUNCTION, "1"), CHUNK))
        alias.append(per_call_ns(lambda: store.resolve(FUNCTION, "prod"), CHUNK))
    d, a = statistics.median(direct), statistics.median(alias)
    print(f"   resolve, in process, {CALLS} calls each (median of {CALLS // CHUNK} chunks)")
    print(f"     version '1' (baseline)   {d / 1000:8.2f} µs/call")
    print(f"     alias 'prod' (10 % canary) {a / 1000:6.2f} µs/call")
    print(f"   ratio alias/version (in process): {a / d:.2f}")


def through_serve(s_yaml: Path) -> None:
    """InvokeFunction with the official client: ``qualifier=prod`` vs ``qualifier=1``."""
    try:
        server = importlib.import_module("localfc.fc.server")
        options = importlib.import_module("localfc.fc.options")
    except ImportError as exc:
        print(f"   through serve: not measured ({exc})")
        return
    sdk = importlib.import_module("alibabacloud_fc20230330.client")
    models = importlib.import_module("alibabacloud_fc20230330.models")
    open_api = importlib.import_module("alibabacloud_tea_openapi.models")
    util = importlib.import_module("alibabacloud_tea_util.models")
    project = load_project(s_yaml, environ={})
    serve_options = options.ServeOptions(port=0, console=None, run_oss=False, run_sls=False, run_timers=False)
    with server.LocalFC(project, serve_options) as fc:
        client = sdk.Client(
            open_api.Config(
                access_key_id="LOCAL-FAKE-ACCESS-KEY-ID",
                access_key_secret="LOCAL-FAKE-ACCESS-KEY-SECRET",
                endpoint=f"127.0.0.1:{fc.port}",
                protocol="http",
                region_id="cn-hangzhou",
            )
        )
        event = b'{"number": 1000003}'

        def call(qualifier: str) -> None:
            request = models.InvokeFunctionRequest(qualifier=qualifier, body=event)
            client.invoke_function_with_options(
                FUNCTION, request, models.InvokeFunctionHeaders(), util.RuntimeOptions()
            )

        for qualifier in ("1", "2", "prod"):  # warm every version's instance first
            for _ in range(20):
                call(qualifier)
        direct: list[float] = []
        alias: list[float] = []
        for _ in range(API_CALLS // API_CHUNK):
            direct.append(per_call_ns(lambda: call("1"), API_CHUNK))
            alias.append(per_call_ns(lambda: call("prod"), API_CHUNK))
    d, a = statistics.median(direct), statistics.median(alias)
    print(f"   InvokeFunction through serve with the official client, {API_CALLS} calls each")
    print(f"     qualifier=1 (baseline)   {d / 1e6:8.2f} ms/call")
    print(f"     qualifier=prod           {a / 1e6:8.2f} ms/call")
    print(f"   ratio alias/version (through serve): {a / d:.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-alias-") as tmp:
        s_yaml = make_app(Path(tmp) / "app")
        store = publish_two_versions(s_yaml, Path(tmp) / "app" / ".localfc")
        in_process(store)
        through_serve(s_yaml)


if __name__ == "__main__":
    main()
