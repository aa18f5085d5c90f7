"""`local_invoke.py invoke|event` run as a user runs them: a subprocess of the project's
interpreter, from the repository root, on the event fixtures in tests/events/."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localfc.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
START = re.compile(r"^FC Invoke Start RequestId: (\S+)$")
END = re.compile(r"^FC Invoke End RequestId: (\S+?)(, Error: .*)?$")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def result(self) -> Any:
        """stdout holds the result and nothing else: exactly one line of JSON."""
        lines = self.out.splitlines()
        assert len(lines) == 1, f"stdout should hold only the result, got {lines!r}"
        return json.loads(lines[0])

    def invocation_logs(self) -> tuple[str, list[dict[str, Any]]]:
        """The request id and the JSON log lines between FC Invoke Start and End on stderr."""
        lines = self.err.splitlines()
        starts = [i for i, line in enumerate(lines) if START.match(line)]
        ends = [i for i, line in enumerate(lines) if END.match(line)]
        assert len(starts) == len(ends) == 1, self.err
        request_id = START.match(lines[starts[0]]).group(1)  # type: ignore[union-attr]
        assert END.match(lines[ends[0]]).group(1) == request_id  # type: ignore[union-attr]
        inside = [json.loads(line) for line in lines[starts[0] + 1 : ends[0]] if line.strip()]
        return request_id, inside


def local_invoke(*args: str, stdin: str | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "local_invoke.py", *args],
        cwd=REPO,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def summary_of(run: Run) -> dict[str, Any]:
    request_id, lines = run.invocation_logs()
    found = [line for line in lines if line.get("event") == "invocation"]
    assert len(found) == 1, lines
    assert found[0]["request_id"] == request_id
    return found[0]


# --- the README's commands -----------------------------------------------------------------------
def test_invoke_with_an_inline_event() -> None:
    run = local_invoke("invoke", "prime-checker", "-e", '{"number": 97}', "--request-id", "req-inline")
    assert run.code == 0, run.err
    assert run.result == {
        "number": 97,
        "is_prime": True,
        "factors": [],
        "reason": "97 has no divisors other than 1 and itself",
    }
    request_id, lines = run.invocation_logs()
    assert request_id == "req-inline"
    assert lines, "the function's log lines belong between the FC Invoke Start/End lines"
    summary = summary_of(run)
    assert (summary["status"], summary["trigger"], summary["algorithm"]) == (200, "invoke", "prime_checker")
    assert "FC Initialize Start RequestId: req-inline" in run.err.splitlines()


def test_invoke_with_an_http_event_file() -> None:
    run = local_invoke("invoke", "prime-checker", "-f", "tests/events/http-post-prime.json")
    assert run.code == 0, run.err
    result = run.result
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is False
    assert json.loads(result["body"])["is_prime"] is True
    assert summary_of(run)["trigger"] == "http"


def test_invoke_reads_the_event_from_standard_input() -> None:
    run = local_invoke("invoke", "prime-checker", stdin='{"number": 12}\n')
    assert run.code == 0, run.err
    assert run.result["factors"] == [2, 2, 3]


def test_a_sample_event_piped_back_into_invoke() -> None:
    event = local_invoke("event", "http", "--method", "POST", "--path", "/check", "--body", '{"number": 7}')
    assert event.code == 0, event.err
    sample = json.loads(event.out)
    assert sample["version"] == "v1"
    assert sample["requestContext"]["http"]["method"] == "POST"
    assert sample["requestContext"]["http"]["path"] == "/check"

    run = local_invoke("invoke", "prime-checker", stdin=event.out)
    assert run.code == 0, run.err
    assert run.result["statusCode"] == 200
    assert json.loads(run.result["body"])["is_prime"] is True


# --- options ------------------------------------------------------------------------------------
@pytest.mark.parametrize("runtime", ["python3.10", "python3.12"])
def test_runtime_and_qualifier_reach_the_function(runtime: str) -> None:
    run = local_invoke(
        "invoke", "prime-checker", "-f", "tests/events/invoke-prime.json", "--runtime", runtime, "--qualifier", "prod"
    )
    assert run.code == 0, run.err
    assert run.result["factors"] == [7, 11, 13]
    _, lines = run.invocation_logs()
    assert {line["qualifier"] for line in lines} == {"prod"}
    assert {line["function"] for line in lines} == {"prime-checker"}


def test_function_found_by_resource_name_and_other_fixtures() -> None:
    run = local_invoke("invoke", "language-detector", "-f", "tests/events/http-post-detect.json")
    assert run.code == 0, run.err
    assert json.loads(run.result["body"])["language"] == "fr"


def test_timer_event_file() -> None:
    run = local_invoke("invoke", "prime-checker", "-f", "tests/events/timer.json")
    assert run.code == 0, run.err
    assert run.result["is_prime"] is True
    assert summary_of(run)["trigger"] == "timer"


def test_silent_prints_only_the_result() -> None:
    run = local_invoke("invoke", "prime-checker", "-e", '{"number": 4}', "--silent")
    assert run.code == 0
    assert run.result["factors"] == [2, 2]
    assert run.err == ""


# --- failures -----------------------------------------------------------------------------------
def test_unknown_function_exits_2_with_a_clear_message() -> None:
    run = local_invoke("invoke", "no-such-function", "-e", "{}")
    assert run.code == 2
    assert run.out == ""
    assert "no function 'no-such-function'" in run.err
    assert "prime-checker" in run.err  # says which functions exist
    assert "Traceback" not in run.err


def test_function_error_exits_1_and_prints_the_error_answer() -> None:
    run = local_invoke("invoke", "prime-checker", "-e", '{"number": -5}')
    assert run.code == 1
    error = run.result["error"]
    assert error["code"] == "ValidationError"
    assert "negative" in error["details"][0]["message"]
    assert summary_of(run)["status"] == 422
    assert "Traceback" not in run.out + run.err


def test_malformed_http_event_exits_1_with_a_400() -> None:
    run = local_invoke("invoke", "prime-checker", "-f", "tests/events/http-post-malformed.json")
    assert run.code == 1
    assert run.result["statusCode"] == 400
    assert json.loads(run.result["body"])["error"]["code"] == "MalformedJSON"


def test_missing_event_file_exits_2() -> None:
    run = local_invoke("invoke", "prime-checker", "-f", "tests/events/does-not-exist.json")
    assert run.code == 2
    assert "does-not-exist.json" in run.err


# --- help -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["t1", "Upper", "ends-with-dash-", "a" * 64])
def test_oss_with_an_invalid_bucket_name_exits_2_with_the_rule(name: str) -> None:
    run = local_invoke("oss", "--bucket", name)  # it used to print a traceback
    assert run.code == 2
    assert "Traceback" not in run.err
    assert "is not a valid OSS bucket name: 3 to 63 lowercase letters" in run.err


def test_top_level_help_lists_every_command() -> None:
    run = local_invoke("--help")
    assert run.code == 0
    for name in COMMANDS:
        assert name in run.out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_of_every_command(command: str) -> None:
    module, _ = COMMANDS[command]
    run = local_invoke(command, "--help")
    assert "Traceback" not in run.err
    if importlib.util.find_spec(module) is None:  # registered, not written yet: a clear refusal
        assert run.code == 2
        assert f"the {command!r} command is not part of this checkout" in run.err
        return
    assert run.code == 0, run.err
    assert f"usage: local_invoke.py {command}" in run.out


def test_help_of_event_kinds() -> None:
    run = local_invoke("event", "http", "--help")
    assert run.code == 0
    assert "--method" in run.out and "--body" in run.out
