"""``local_invoke.py invoke`` next to a running ``serve``: an object function takes serve's
local OSS when no endpoint is set (and is refused up front when there is neither), a missing
object exits non-zero with its record's status, and ``--invocation-type async`` queues the
event on serve as FC would (or says in one line that serve is not there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.fixtures.paths import REPO
from tests.fixtures.serve import eventually, start_serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fixtures.serve import ServeHandle

pytestmark = pytest.mark.slow  # the object functions import oss2 and Pillow at cold start

BUCKET = "fc-algorithms-data"


def invoke(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("APP_OSS_ENDPOINT", "FC_ENDPOINT", "FC_DEPLOY_BUCKET")}
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "invoke", *args, "--state-dir", str(state)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture(scope="module")
def serve_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeHandle, Path]]:
    state = tmp_path_factory.mktemp("invoke-serve")
    saved = os.environ.pop("FC_DEPLOY_BUCKET", None)
    try:
        with start_serve(REPO / "s.yaml", state, run_oss=True, run_timers=False) as handle:
            yield handle, state
    finally:
        if saved is not None:
            os.environ["FC_DEPLOY_BUCKET"] = saved


def test_without_serve_an_object_function_is_refused_up_front(tmp_path: Path) -> None:
    done = invoke(tmp_path, "thumbnailer", "-e", json.dumps({"bucket": BUCKET, "key": "uploads/a.jpg"}))
    assert (done.returncode, done.stdout) == (2, "")
    assert "--oss-endpoint" in done.stderr and "APP_OSS_ENDPOINT" in done.stderr and "serve" in done.stderr
    assert "FC Invoke Start" not in done.stderr  # refused before running anything


def test_a_missing_object_exits_1_with_its_status(serve_state: tuple[ServeHandle, Path]) -> None:
    handle, state = serve_state
    done = invoke(state, "table-summary", "-e", json.dumps({"bucket": BUCKET, "key": "exports/none.csv"}))
    assert f"using the local OSS of the running serve: {handle.fc.oss_endpoint}" in done.stderr
    assert done.returncode == 1
    assert json.loads(done.stdout)["records"][0]["status"] == "missing"
    assert f"error: {BUCKET}/exports/none.csv: missing" in done.stderr


def test_async_invocation_is_queued_on_serve(serve_state: tuple[ServeHandle, Path]) -> None:
    _, state = serve_state
    done = invoke(state, "prime-checker", "--invocation-type", "async", "-e", '{"number": 91}')
    assert done.returncode == 0, done.stderr
    request_id = done.stdout.strip()
    assert request_id and f"--request-id {request_id}" in done.stderr
    log = state / "logs" / "prime-checker.jsonl"

    def ran() -> bool:
        return log.exists() and f"FC Invoke End RequestId: {request_id}" in log.read_text(encoding="utf-8")

    eventually(ran, timeout=60)


def test_async_invocation_without_serve_is_one_line(tmp_path: Path) -> None:
    done = invoke(tmp_path, "prime-checker", "--invocation-type", "async", "-e", "{}")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "local_invoke.py serve" in done.stderr
