"""``logs --stats``, ``logs --type fail``, ``release status`` and the progressive canary count
the same calls the same way: one reader, one failure rule (issue 12)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from localfc.cli import main
from localfc.logstore.metrics import InvocationLog, count_invocations, log_file
from tests.fixtures.versions import PROBE_FUNCTION, framing_record, invocation_record, write_invocation_log

if TYPE_CHECKING:
    from pathlib import Path


TIMED_OUT = "Function timed out after 5 s"


def calls() -> list[dict[str, Any]]:
    """Every way an invocation of version 2 can end, as serve logs it."""
    unhandled = invocation_record("2", request_id="unhandled")
    unhandled["line"] = json.dumps({"event": "invocation", "error_type": "UnhandledInvocationError"})
    return [
        invocation_record("2", 200, request_id="ok"),
        framing_record("FC Invoke End RequestId: ok", "2", request_id="ok"),
        invocation_record("2", 503, request_id="five-hundred"),
        framing_record("FC Invoke End RequestId: five-hundred", "2", request_id="five-hundred"),
        invocation_record("2", 422, request_id="rejected"),
        framing_record("FC Invoke End RequestId: rejected", "2", request_id="rejected"),
        unhandled,
        framing_record(
            "FC Invoke End RequestId: timeout, Error: Function timed out after 5 s", "2", request_id="timeout"
        ),
        framing_record("FC Initialize End RequestId: init, Error: Unhandled function error", "2", request_id="init"),
        framing_record("FC Initialize End RequestId: warm", "2", request_id="warm"),
        framing_record("FC Invoke Start RequestId: warm", "2", request_id="warm"),
        invocation_record("2", 200, request_id="warm"),
        framing_record("FC Invoke End RequestId: warm", "2", request_id="warm"),
        invocation_record("1", 200, request_id="stable"),
    ]


FAILED = {"five-hundred", "unhandled", "timeout", "init"}


def logs_command(capsys: pytest.CaptureFixture[str], state: Path, *flags: str) -> list[str]:
    assert main(["logs", PROBE_FUNCTION, "--state-dir", str(state), *flags]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    write_invocation_log(log_file(tmp_path, PROBE_FUNCTION), calls())
    return tmp_path


def test_logs_stats_type_fail_and_the_canary_agree(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    canary = InvocationLog(log_file(state, PROBE_FUNCTION), qualifier="prod").poll()["2"]
    status = count_invocations(log_file(state, PROBE_FUNCTION))["2"]
    rows = {row["version"]: row for row in map(json.loads, logs_command(capsys, state, "--stats", "--json"))}
    failed_lines = [json.loads(line) for line in logs_command(capsys, state, "--type", "fail", "--json")]
    assert (canary.invocations, canary.errors) == (status.invocations, status.errors) == (7, 4)
    assert (rows["2"]["invocations"], rows["2"]["errors"], rows["2"]["errors_4xx"]) == (7, 4, 1)
    assert {record["request_id"] for record in failed_lines} == FAILED
    succeeded = {json.loads(line)["request_id"] for line in logs_command(capsys, state, "--type", "success", "--json")}
    assert succeeded == {"ok", "rejected", "warm", "stable"}


def test_a_rotated_log_is_read_whole_and_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    current = log_file(tmp_path, PROBE_FUNCTION)
    records = calls()
    write_invocation_log(current.with_name(current.name + ".2"), records[:4])
    write_invocation_log(current.with_name(current.name + ".1"), records[4:9])
    write_invocation_log(current, records[9:])
    assert (count_invocations(current)["2"].invocations, count_invocations(current)["2"].errors) == (7, 4)
    rows = {row["version"]: row for row in map(json.loads, logs_command(capsys, tmp_path, "--stats", "--json"))}
    assert (rows["2"]["invocations"], rows["2"]["errors"]) == (7, 4)


def test_a_rotation_between_two_polls_loses_and_repeats_nothing(tmp_path: Path) -> None:
    current = log_file(tmp_path, PROBE_FUNCTION)
    records = calls()
    write_invocation_log(current, records[:6])
    log = InvocationLog(current)
    assert (log.poll()["2"].invocations, log.poll()["2"].errors) == (3, 1)
    write_invocation_log(current, records[6:8])  # written before the rotation, not yet polled
    current.rename(current.with_name(current.name + ".1"))  # what a size-based rotation does
    write_invocation_log(current, records[8:])
    counts = log.poll()["2"]
    assert (counts.invocations, counts.errors) == (7, 4)
