"""``local_invoke.py demo``: every flow of the project, end to end, on this machine.

It copies the deployable code and s.yaml to a scratch directory (so that "changing the code"
for a canary never touches your working tree), then runs, as a user would:

1. ``local_invoke.py invoke`` — a direct invoke, like ``s invoke -e``;
2. ``local_invoke.py serve`` — HTTP triggers with ``requests``, the FC 3.0 API with the
   official ``alibabacloud_fc20230330`` client;
3. uploads with the official ``oss2`` client that fire the OSS triggers (summary, thumbnails);
4. ``local_invoke.py release`` — publish, canary 20 %, measure the split, roll back;
5. ``local_invoke.py logs --stats`` — calls, errors and latency per version;
6. ``local_invoke.py package`` and the requests ``s deploy`` sends for an existing function
   (GetFunction, tempBucketToken, the zip PUT to the OSS bucket it names, UpdateFunction),
   with the official clients; the function then answers from its zip, not the working tree.

Every step prints the command or call it makes and what came back; the demo exits non-zero
as soon as a step does not do what it says.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from localfc.fc.context import LOCAL_ACCOUNT_ID
from localfc.project.package.builder import CACHE_DIR
from localfc.terminal import bold

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

HELP = "run the end-to-end demo of every flow on this machine"
REPO = Path(__file__).resolve().parents[2]
DEPLOYED = ("handlers", "runtime", "algorithms", "s.yaml", "requirements.txt", ".fcignore")
T = TypeVar("T")


class DemoError(RuntimeError):
    """A step did not do what it says."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and print its path")
    parser.add_argument("--invokes", type=int, default=300, help="calls through the canary alias (default 300)")


def _say(title: str) -> None:
    print("\n" + bold(f"== {title}", sys.stdout), flush=True)


def _show(text: str) -> None:
    print(f"   {text}", flush=True)


def _cli(workdir: Path, *args: str, stdin: bytes | None = None, check: bool = True, timeout: float = 120) -> str:
    """Run ``local_invoke.py ARGS`` in the scratch copy, print it and its stdout."""
    shown = " ".join(a if " " not in a and "{" not in a else f"'{a}'" for a in args)
    print(f"   $ python local_invoke.py {shown}", flush=True)
    done = subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), *args],
        cwd=workdir,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    out = done.stdout.decode("utf-8", "replace").rstrip()
    for line in out.splitlines():
        _show(line)
    if check and done.returncode != 0:
        raise DemoError(f"`{shown}` exited {done.returncode}: {done.stderr.decode('utf-8', 'replace')[-800:]}")
    return out


def _eventually(what: str, probe: Callable[[], T | None], seconds: float = 30.0) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise DemoError(f"timed out after {seconds:.0f} s waiting for {what}")


def _scratch_copy(target: Path) -> None:
    for name in DEPLOYED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    # The scratch copy shares the repository's wheel cache: FC's wheels are downloaded once,
    # by the first demo or `package`, not at every demo.
    cache = REPO / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    (target / CACHE_DIR).parent.mkdir(parents=True, exist_ok=True)
    (target / CACHE_DIR).symlink_to(cache, target_is_directory=True)


def _start_serve(workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    print("   $ python local_invoke.py serve --port 0 --quiet --no-timers", flush=True)
    process = subprocess.Popen(
        [sys.executable, str(REPO / "local_invoke.py"), "serve", "--port", "0", "--quiet", "--no-timers"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    announcement = workdir / ".localfc" / "serve.json"

    def ready() -> dict[str, Any] | None:
        if process.poll() is not None:
            err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            raise DemoError(f"serve exited {process.returncode}: {err[-800:]}")
        if not announcement.exists():
            return None
        doc: dict[str, Any] = json.loads(announcement.read_text(encoding="utf-8"))
        return doc if doc.get("pid") == process.pid else None

    doc = _eventually("serve to start", ready, 60.0)
    _show(f"serving {doc['url']}  (OSS at {doc.get('oss_endpoint')})")
    return process, doc


def _stop_serve(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _http_flows(url: str) -> None:
    import requests  # noqa: PLC0415 - dev-only, imported when the demo runs

    _say("HTTP triggers through serve (requests)")
    answer = requests.post(f"{url}/prime-checker/check", json={"number": 97}, timeout=30)
    _show(f"POST /prime-checker/check {{'number': 97}} -> {answer.status_code} {answer.text}")
    if answer.status_code != 200 or answer.json()["is_prime"] is not True:
        raise DemoError("prime-checker did not say 97 is prime")
    answer = requests.get(f"{url}/prime-checker/check", params={"number": "-5"}, timeout=30)
    _show(f"GET /prime-checker/check?number=-5 -> {answer.status_code} {answer.text}")
    if answer.status_code != 422:
        raise DemoError("a negative number should be refused with 422")
    answer = requests.post(f"{url}/language-detector/detect", json={"text": "Où est la gare ?"}, timeout=30)
    _show(f"POST /language-detector/detect -> {answer.status_code} {answer.text}")
    if answer.status_code != 200 or answer.json()["language"] != "fr":
        raise DemoError("language-detector did not recognise French")


def _sdk_flow(endpoint: str) -> None:
    from alibabacloud_fc20230330 import models  # noqa: PLC0415 - 0.4 s import, demo only
    from alibabacloud_fc20230330.client import Client  # noqa: PLC0415
    from alibabacloud_tea_openapi.models import Config  # noqa: PLC0415

    _say("FC 3.0 API with the official SDK (alibabacloud_fc20230330)")
    client = Client(
        Config(
            access_key_id="demo", access_key_secret="demo", endpoint=endpoint, protocol="http", region_id="cn-hangzhou"
        )
    )
    answer = client.invoke_function("prime-checker", models.InvokeFunctionRequest(body=b'{"number": 1000000007}'))
    body = answer.body.read() if hasattr(answer.body, "read") else answer.body
    _show(f"invoke_function('prime-checker', {{'number': 1000000007}}) -> {body.decode()}")
    if json.loads(body)["is_prime"] is not True:
        raise DemoError("the SDK invoke did not return the algorithm's output")


def _oss_flows(oss_endpoint: str, bucket_name: str) -> None:
    import oss2  # noqa: PLC0415 - dev-only path of the demo
    from PIL import Image  # noqa: PLC0415

    _say(f"OSS uploads fire the OSS triggers (oss2 -> {oss_endpoint})")
    bucket = oss2.Bucket(oss2.Auth("demo-key-id", "demo-key-secret"), oss_endpoint, bucket_name)
    rows = "region,amount,units\n" + "".join(
        f"{r},{i * 1.5:.2f},{i % 7}\n" for i, r in enumerate(["east", "west"] * 500)
    )
    bucket.put_object("exports/sales.csv", rows.encode())
    _show(f"put_object exports/sales.csv ({len(rows)} bytes)")
    summary_key = "summaries/exports/sales.csv/summary.json"
    _eventually(summary_key, lambda: bucket.object_exists(summary_key))
    summary = json.loads(bucket.get_object(summary_key).read())
    _show(f"{summary_key}: {json.dumps(summary, ensure_ascii=False)[:300]}...")

    photo = io.BytesIO()
    Image.linear_gradient("L").resize((1600, 1200)).convert("RGB").save(photo, "JPEG", quality=90)
    bucket.put_object("uploads/holiday photo.jpg", photo.getvalue())
    _show(f"put_object 'uploads/holiday photo.jpg' ({photo.tell()} bytes)")

    def thumbnails() -> list[str]:
        return [o.key for o in oss2.ObjectIteratorV2(bucket, prefix="thumbnails/") if not o.key.endswith("/")]

    # s.yaml asks for two sizes (APP_THUMBNAIL_SIZES): wait for both.
    keys = _eventually("thumbnails", lambda: (found := [k for k in thumbnails() if k.endswith(".jpg")])[1:] and found)
    for key in keys:
        _show(f"{key}: {bucket.head_object(key).content_length} bytes")


def _canary_flow(workdir: Path, url: str, invokes: int) -> None:
    import requests  # noqa: PLC0415

    _say("Canary release through an alias (official SDK inside `release`)")
    _cli(workdir, "release", "publish", "prime-checker", "--description", "first release")
    _cli(workdir, "release", "alias", "prime-checker", "--alias", "prod", "--version", "1")
    algorithm = workdir / "algorithms" / "prime_checker.py"
    algorithm.write_text(algorithm.read_text(encoding="utf-8").replace("has no divisors", "has no divisors (v2)"))
    _show("(changed algorithms/prime_checker.py in the scratch copy)")
    _cli(workdir, "release", "publish", "prime-checker", "--description", "new wording")
    _cli(workdir, "release", "canary", "prime-checker", "--alias", "prod", "--version", "2", "--weight", "0.2")
    versions: Counter[str] = Counter()
    for _ in range(invokes):
        answer = requests.post(
            f"{url}/2023-03-30/functions/prime-checker/invocations",
            params={"qualifier": "prod"},
            data=b'{"number": 7}',
            timeout=30,
        )
        versions[answer.headers.get("x-fc-function-version", "?")] += 1
    share = versions["2"] / max(1, invokes)
    _show(f"{invokes} calls through 'prod': {dict(versions)} -> version 2 got {share:.0%} (asked for 20%)")
    if not 0.1 <= share <= 0.3:
        raise DemoError("the canary share is far from 20 %")
    _cli(workdir, "release", "status", "prime-checker", "--alias", "prod")
    _cli(workdir, "release", "rollback", "prime-checker", "--alias", "prod")


def run(args: argparse.Namespace) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="fc-demo-"))
    serve: subprocess.Popen[bytes] | None = None
    try:
        _scratch_copy(scratch)
        _say(f"Direct invoke, like `s invoke` (scratch copy: {scratch})")
        _cli(scratch, "invoke", "prime-checker", "-e", '{"number": 97}', "--silent")
        _cli(scratch, "invoke", "prime-checker", "--silent", stdin=b'{"number": 600851475143}')
        _cli(scratch, "invoke", "language-detector", "-e", '{"text": "Wo ist der Bahnhof?"}', "--silent")
        _cli(scratch, "validate")

        _say("Local FC: serve the whole s.yaml")
        serve, doc = _start_serve(scratch)
        _http_flows(str(doc["url"]))
        _sdk_flow(str(doc["endpoint"]))
        if doc.get("oss_endpoint"):
            bucket = _bucket_name(scratch)
            _oss_flows(str(doc["oss_endpoint"]), bucket)
        _canary_flow(scratch, str(doc["url"]), args.invokes)

        _say("Logs of the local FC: which version ran, how it did")
        _cli(scratch, "logs", "--stats")
        _deploy_flow(scratch, str(doc["url"]), str(doc["endpoint"]), str(doc.get("oss_endpoint") or ""))
        print("\nDemo finished: every flow did what it says.")
        return 0
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an SDK's or oss2's error in any step: one line, not a traceback
        message = getattr(exc, "message", None) or str(exc)
        print(f"\ndemo failed: {type(exc).__name__}: {message}"[:2000], file=sys.stderr)
        return 1
    finally:
        if serve is not None:
            _stop_serve(serve)
        if args.keep:
            print(f"scratch directory kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _bucket_name(workdir: Path) -> str:
    from localfc.project.syaml import load_project  # noqa: PLC0415

    project = load_project(workdir / "s.yaml", environ=dict(os.environ))
    for _, props in project.functions():
        for trigger in props.triggers:
            if trigger.triggerType == "oss":
                return trigger.oss_bucket
    raise DemoError("s.yaml declares no OSS trigger")


def _deploy_flow(workdir: Path, url: str, endpoint: str, oss_endpoint: str) -> None:
    """``package``, then what ``s deploy`` sends for a function that exists (the sequence in
    docs/local-fc.md): the deployed zip replaces the working tree's code of prime-checker."""
    import oss2  # noqa: PLC0415 - dev-only path of the demo
    import requests  # noqa: PLC0415
    from alibabacloud_fc20230330 import models  # noqa: PLC0415
    from alibabacloud_fc20230330.client import Client  # noqa: PLC0415
    from alibabacloud_tea_openapi.models import Config  # noqa: PLC0415

    _say("Package and deploy like `s deploy` (package, then the official SDK and oss2)")
    # The first package of a fresh clone downloads FC's wheels for python3.10 (1-3 minutes).
    _cli(workdir, "package", "prime-checker", timeout=1500)
    zip_path = workdir / "dist" / "prime-checker.zip"
    if not oss_endpoint:
        raise DemoError("serve runs without its OSS: s deploy's upload needs it")
    client = Client(
        Config(
            access_key_id="demo", access_key_secret="demo", endpoint=endpoint, protocol="http", region_id="cn-hangzhou"
        )
    )
    before = client.get_function("prime-checker", models.GetFunctionRequest()).body
    _show(f"get_function('prime-checker') -> {before.state}, served from s.yaml: s deploy updates it")
    answer = requests.get(f"{url}/2016-08-15/tempBucketToken", timeout=30)
    if answer.status_code != 200:
        raise DemoError(f"tempBucketToken answered {answer.status_code}: {answer.text[:300]}")
    token = answer.json()
    credentials = token["credentials"]
    auth = oss2.StsAuth(credentials["AccessKeyId"], credentials["AccessKeySecret"], credentials["SecurityToken"])
    key = f"{LOCAL_ACCOUNT_ID}/{token['objectName']}"
    oss2.Bucket(auth, oss_endpoint, token["ossBucket"]).put_object_from_file(key, str(zip_path))
    _show(f"tempBucketToken -> put_object oss://{token['ossBucket']}/{key} ({zip_path.stat().st_size} bytes)")
    code = models.InputCodeLocation(oss_bucket_name=token["ossBucket"], oss_object_name=key)
    updated = client.update_function(
        "prime-checker", models.UpdateFunctionRequest(body=models.UpdateFunctionInput(code=code))
    ).body
    _show(
        f"update_function(code=oss) -> state {updated.state}, lastUpdateStatus {updated.last_update_status}, "
        f"codeChecksum {updated.code_checksum}, codeSize {updated.code_size}"
    )
    if updated.state != "Active" or updated.last_update_status != "Successful":
        raise DemoError(f"the deployed package was not accepted: {updated.last_update_status_reason}")
    # The package holds the canary step's "(v2)" wording. Change the scratch copy once more:
    # the instances the update starts run the unpacked zip, so they must not see "(v3)".
    algorithm = workdir / "algorithms" / "prime_checker.py"
    algorithm.write_text(algorithm.read_text(encoding="utf-8").replace("(v2)", "(v3)"))
    _show("(changed algorithms/prime_checker.py in the scratch copy again: v3, not deployed)")
    answer = requests.post(f"{url}/prime-checker/check", json={"number": 13}, timeout=60)
    _show(f"POST /prime-checker/check {{'number': 13}} -> {answer.status_code} {answer.text}")
    if answer.status_code != 200 or "(v2)" not in answer.text:
        raise DemoError("the deployed package did not answer with its own code")
    unpacked = workdir / ".localfc" / "functions" / "prime-checker" / "code" / str(updated.code_checksum)
    if not (unpacked / "handlers" / "prime_checker.py").is_file():
        raise DemoError(f"the deployed code is not where serve keeps it: {unpacked}")
    _show(f"(served from the deployed zip, unpacked in {unpacked.relative_to(workdir)}/)")
