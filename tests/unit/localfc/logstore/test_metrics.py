"""Per-version invocation and error counts read from the log serve writes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from localfc.logstore.metrics import InvocationLog, count_invocations, log_file, sls_query
from tests.fixtures.versions import framing_record, invocation_record, write_invocation_log

if TYPE_CHECKING:
    from pathlib import Path


def test_counts_per_version_with_5xx_as_errors(tmp_path: Path) -> None:
    path = log_file(tmp_path, "canary-probe")
    write_invocation_log(
        path,
        [invocation_record("1") for _ in range(3)]
        + [invocation_record("2", 500), invocation_record("2", 200), invocation_record("2", 400)]
        + [invocation_record("", 200, qualifier="LATEST")],
    )
    counts = count_invocations(path)
    assert set(counts) == {"1", "2", "LATEST"}
    assert (counts["1"].invocations, counts["1"].errors) == (3, 0)
    # A 400 is the caller's bad input, not the version's fault.
    assert (counts["2"].invocations, counts["2"].errors) == (3, 1)
    assert abs(counts["2"].error_rate - 1 / 3) < 1e-9
    assert counts["LATEST"].invocations == 1


def test_only_summary_lines_count(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    other = invocation_record("1")
    other["line"] = json.dumps({"event": "initialize", "status": 500})
    plain = invocation_record("1")
    plain["line"] = "FC Invoke Start RequestId: r"
    write_invocation_log(path, [other, plain, invocation_record("1")])
    path.open("a").write("not json at all\n[1, 2]\n")
    assert count_invocations(path)["1"].invocations == 1


def test_unhandled_errors_count_as_errors(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    record = invocation_record("2")
    record["line"] = {"event": "invocation", "error_type": "UnhandledInvocationError"}
    write_invocation_log(path, [record])
    assert count_invocations(path)["2"].errors == 1


def test_filters_by_qualifier_and_time(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    write_invocation_log(
        path,
        [
            invocation_record("1", when="2024-05-01T08:00:00Z"),
            invocation_record("1", when="2024-05-01T09:00:00Z"),
            invocation_record("1", qualifier="1", when="2024-05-01T09:00:00Z"),
        ],
    )
    since = 1714550400 + 1800  # 08:30Z
    assert count_invocations(path, since=since, qualifier="prod")["1"].invocations == 1
    assert count_invocations(path, qualifier="prod")["1"].invocations == 2
    assert count_invocations(path)["1"].invocations == 3


def test_incremental_polls_wait_for_a_complete_line(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    log = InvocationLog(path)
    assert log.poll() == {}  # no file yet
    line = json.dumps(invocation_record("2", 503))
    path.write_text(line[:20])
    assert log.poll() == {}
    with path.open("a") as handle:
        handle.write(line[20:] + "\n")
    assert log.poll()["2"].errors == 1
    write_invocation_log(path, [invocation_record("2")])
    assert log.poll()["2"].invocations == 2
    path.write_text("")  # truncated (a new serve run): start over
    assert log.poll() == {}


def test_the_sls_query_names_the_function_and_the_summary_fields() -> None:
    query = sls_query("prime-checker")
    assert '"FCLogs:prime-checker"' in query
    assert "'$.event') = 'invocation'" in query and "'$.status'" in query and "GROUP BY version" in query


def test_a_request_counts_once_whether_seen_by_summary_or_framing_line(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    write_invocation_log(
        path,
        [
            # our runtime: summary then FC's end line, same request
            invocation_record("2", 200, request_id="a"),
            framing_record("FC Invoke End RequestId: a", "2", request_id="a"),
            # a handler that raised outside our runtime: only the end line
            framing_record("FC Invoke End RequestId: b, Error: Unhandled function error", "2", request_id="b"),
            # a timeout: serve writes the end line for the killed instance
            framing_record("FC Invoke End RequestId: c, Error: Function timed out after 5 s", "2", request_id="c"),
            # an initializer failure fails its invocation; a successful one is not a call
            framing_record("FC Initialize End RequestId: d, Error: Unhandled function error", "2", request_id="d"),
            framing_record("FC Initialize End RequestId: e", "2", request_id="e"),
            framing_record("FC Invoke Start RequestId: e", "2", request_id="e"),
        ],
    )
    counts = count_invocations(path)["2"]
    assert (counts.invocations, counts.errors) == (4, 3)
