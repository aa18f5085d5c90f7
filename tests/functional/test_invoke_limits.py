"""``local_invoke.py invoke`` keeps FC's limits as a user meets them: the function's timeout
(and its initializer's) ends the call with FC's ``FunctionTimeoutError``, ``breakpoint()``
stops that clock, memory is reported against ``memorySize``; bad input is one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

HANDLER = """
import time

def initialize(context):
    time.sleep(float(__import__("os").environ.get("INIT_SLEEP", "0")))

def handler(event, context):
    doc = __import__("json").loads(event or b"{}")
    if doc.get("breakpoint"):
        breakpoint()
    time.sleep(doc.get("sleep", 0))
    return {"slept": doc.get("sleep", 0)}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "sleeper.py").write_text(textwrap.dedent(HANDLER), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        textwrap.dedent(
            """\
            edition: 3.0.0
            name: limits
            resources:
              sleeper:
                component: fc3
                props:
                  region: cn-hangzhou
                  functionName: sleeper
                  runtime: python3.10
                  code: ./
                  handler: sleeper.handler
                  timeout: 1
                  memorySize: 128
                  instanceLifecycleConfig:
                    initializer: {handler: sleeper.initialize, timeout: 1}
                  triggers:
                    - triggerName: nightly
                      triggerType: timer
                      triggerConfig: {cronExpression: '0 0 4 * * *', enable: true}
            """
        ),
        encoding="utf-8",
    )
    return tmp_path / "s.yaml"


def invoke(s_yaml: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "invoke", "sleeper", "-t", str(s_yaml), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_a_call_over_the_timeout_ends_with_fcs_timeout_error(project: Path) -> None:
    done = invoke(project, "-e", '{"sleep": 30}')
    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "errorMessage": "Function timed out after 1 seconds",
        "errorType": "FunctionTimeoutError",
    }
    assert done.stderr.splitlines()[-1].endswith(", Error: Function timed out after 1 seconds")
    assert done.stderr.splitlines()[-1].startswith("FC Invoke End RequestId: ")


def test_the_initializer_has_its_own_timeout(project: Path) -> None:
    done = invoke(project, "-e", "{}", INIT_SLEEP="30")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errorMessage"] == "Initializer timed out after 1 seconds"
    assert "FC Initialize End RequestId: " in done.stderr


def test_timeout_flag_overrides_and_a_quick_call_reports_its_memory(project: Path) -> None:
    done = invoke(project, "-e", '{"sleep": 1.5}', "--timeout", "0")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"slept": 1.5})
    memory = done.stderr.splitlines()[-1]
    assert " MB peak of 128 MB (this process, not limited here; serve enforces memorySize)" in memory


def test_timeout_zero_means_none_also_when_run_from_the_package(project: Path) -> None:
    """The package runs in an instance process of FC's Python, with its own deadlines."""
    try:
        find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))
    done = invoke(project, "-e", '{"sleep": 1.5}', "--timeout", "0", "--code-from", "package")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"slept": 1.5}), done.stderr[-2000:]
    over = invoke(project, "-e", '{"sleep": 30}', "--code-from", "package")
    assert json.loads(over.stdout)["errorMessage"] == "Function timed out after 1 seconds"
    # --state-dir is where the built package (and the layers) are kept, not only the async state.
    state = project.parent / "elsewhere"
    done = invoke(project, "-e", "{}", "--code-from", "package", "--state-dir", str(state))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (state / "packages" / "sleeper").is_dir()


def test_breakpoint_stops_the_clock(project: Path) -> None:
    # PYTHONBREAKPOINT=0 makes breakpoint() return at once, as if the developer pressed `c`.
    done = invoke(project, "-e", '{"sleep": 1.5, "breakpoint": true}', PYTHONBREAKPOINT="0")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"slept": 1.5})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "no/such/event.json"], "error: -f no/such/event.json: file not found"),
        (["-f", "."], "error: -f .: is a directory, not an event file"),
        (
            ["--timer", "nigthly"],
            "error: sleeper has no timer trigger 'nigthly'; did you mean 'nightly'? (timers: nightly)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(project: Path, args: list[str], message: str) -> None:
    done = invoke(project, *args)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", message)
