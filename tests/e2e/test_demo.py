"""The main job, ``local_invoke.py demo`` (what ``./dev demo`` runs): every flow, end to end,
in a scratch copy, as a user runs it. Each of its steps checks its own outcome and the demo
exits non-zero at the first that fails, so this test asserts on that and on each step's mark."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.fixtures.packages import WHEELS_TIMEOUT_S
from tests.fixtures.paths import REPO

# Its last step builds a package: the wheels come from the session's download.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fc_wheels"), pytest.mark.timeout(WHEELS_TIMEOUT_S)]

STEPS = (
    "== Direct invoke",
    "== HTTP triggers through serve",
    "== FC 3.0 API with the official SDK",
    "== OSS uploads fire the OSS triggers",
    "== Canary release through an alias",
    "== Logs of the local FC",
    "== Package and deploy like `s deploy`",
)


def test_the_demo_runs_every_flow_and_leaves_the_working_tree_alone() -> None:
    algorithm = REPO / "algorithms" / "prime_checker.py"
    before = algorithm.read_bytes()
    done = subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "demo", "--invokes", "100"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WHEELS_TIMEOUT_S - 60,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for step in STEPS:
        assert step in done.stdout, step
    assert "served from the deployed zip" in done.stdout
    assert done.stdout.rstrip().endswith("Demo finished: every flow did what it says.")
    # The demo changes the algorithm twice, in its scratch copy only.
    assert algorithm.read_bytes() == before
