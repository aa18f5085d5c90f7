"""An OSS trigger qualified ``prod`` in s.yaml follows the alias: uploads with the official
``oss2`` client run whichever version ``prod`` points at when the event fires."""

from __future__ import annotations

import importlib
import random
import time
from typing import TYPE_CHECKING, Any

import pytest

from localfc.cli import main
from localfc.logstore.metrics import count_invocations, log_file
from tests.fixtures.versions import PROBE_BUCKET, PROBE_FUNCTION

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localfc.logstore.stats import VersionStats
    from tests.fixtures.versions import ProbeApp

pytestmark = pytest.mark.slow


@pytest.fixture
def fc_with_oss(probe_app: ProbeApp) -> Iterator[Any]:
    server = importlib.import_module("localfc.fc.server")
    options = importlib.import_module("localfc.fc.options")
    fc = server.LocalFC(
        probe_app.load(),
        options.ServeOptions(port=0, console=None, run_sls=False, run_timers=False, reload_interval_s=0),
    )
    fc.start()
    fc.resolver.rng = random.Random(1)
    try:
        if not fc.oss_endpoint:
            pytest.fail(f"serve did not start its local OSS: {fc.notes}")
        yield fc
    finally:
        fc.stop(drain_s=5)


def oss_calls(probe_app: ProbeApp, expected: int, timeout: float = 30.0) -> dict[str, VersionStats]:
    """Per-version counts of calls through ``prod`` once ``expected`` of them are logged."""
    path = log_file(probe_app.state_dir, PROBE_FUNCTION)
    deadline = time.monotonic() + timeout
    while True:
        counts = count_invocations(path, qualifier="prod")
        if sum(c.invocations for c in counts.values()) >= expected:
            return counts
        assert time.monotonic() < deadline, f"only {counts} after {timeout} s"
        time.sleep(0.05)


def test_uploads_run_the_version_the_alias_points_at(probe_app: ProbeApp, fc_with_oss: Any) -> None:
    oss2 = importlib.import_module("oss2")
    endpoint = f"127.0.0.1:{fc_with_oss.port}"
    release = ["-t", str(probe_app.s_yaml), "--endpoint", endpoint]
    assert main(["release", "publish", PROBE_FUNCTION, *release]) == 0
    assert main(["release", "alias", PROBE_FUNCTION, "--alias", "prod", "--version", "1", *release]) == 0
    bucket = oss2.Bucket(oss2.Auth("LOCAL-FAKE-ACCESS-KEY-ID", "LOCAL-FAKE"), fc_with_oss.oss_endpoint, PROBE_BUCKET)

    bucket.put_object("in/a.txt", b"a")
    bucket.put_object("in/b.txt", b"b")
    bucket.put_object("elsewhere/c.txt", b"no trigger for this prefix")
    counts = oss_calls(probe_app, 2)
    assert {v: c.invocations for v, c in counts.items()} == {"1": 2}

    probe_app.set_build("v2")
    assert main(["release", "publish", PROBE_FUNCTION, *release]) == 0
    assert main(["release", "alias", PROBE_FUNCTION, "--alias", "prod", "--version", "2", *release]) == 0
    bucket.put_object("in/c.txt", b"c")
    counts = oss_calls(probe_app, 3)
    assert {v: c.invocations for v, c in counts.items()} == {"1": 2, "2": 1}
    assert all(c.errors == 0 for c in counts.values())
