"""``local_invoke.py logs`` over what the local FC collected: serve's instance logs (written
with serve's own ``log_record``) and the local SLS receiver's journal (filled through the
official SDK). "Which version is failing, and how slow is it?" must be answerable."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aliyun.log import LogClient, LogItem, PutLogsRequest

from localfc.cli import main
from localfc.commands.logs import follow, picker
from localfc.fc.instances.logs import InstanceLogs, log_record
from localfc.logstore.files import LogFiles
from localfc.logstore.selection import Selection
from localfc.services.sls import SlsReceiver

if TYPE_CHECKING:
    from localfc.logstore.entries import Entry

REPO = Path(__file__).resolve().parents[2]
FUNCTION = "prime-checker"
# version -> (durations of its calls in ms, statuses): version 4 is the failing, slow canary.
CALLS = {"3": ([2.0, 3.0, 4.0, 5.0], [200, 200, 422, 200]), "4": ([10.0, 30.0], [500, 200])}


def summary_line(request_id: str, version: str, duration: float, status: int, cold: bool) -> str:
    return json.dumps(
        {
            "time": "2024-05-01T08:00:00.000Z",
            "level": "ERROR" if status >= 500 else "INFO",
            "logger": "runtime",
            "message": "invocation finished",
            "request_id": request_id,
            "function": FUNCTION,
            "qualifier": "prod",
            "version": version,
            "cold_start": cold,
            "event": "invocation",
            "duration_ms": duration,
            "status": status,
            "trigger": "http",
            "algorithm": "prime_checker",
            "operation": "run",
        }
    )


def stamp(second: int) -> str:
    return f"2024-05-01T08:00:{second:02d}.000Z"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A state directory as serve and its SLS receiver leave it."""
    root = tmp_path / ".localfc"
    logs = InstanceLogs(root / "logs")
    second = 0
    for version, (durations, statuses) in CALLS.items():
        for number, (duration, status) in enumerate(zip(durations, statuses, strict=True)):
            rid = f"req-v{version}-{number}"
            lines = [
                ("stdout", f"FC Invoke Start RequestId: {rid}"),
                ("stdout", summary_line(rid, version, duration, status, cold=number == 0)),
                ("stdout", f"FC Invoke End RequestId: {rid}"),
            ]
            records = []
            for stream, line in lines:
                records.append(
                    log_record(
                        function=FUNCTION,
                        qualifier="prod",
                        version=version,
                        request_id=rid,
                        instance_id=f"i-{version}",
                        stream=stream,
                        line=line,
                        time=stamp(second),
                    )
                )
                second += 1
            logs.write(FUNCTION, records)
    died = [
        ("stdout", "FC Invoke Start RequestId: req-died"),
        ("stderr", "Traceback (most recent call last):"),
        ("stdout", "FC Invoke End RequestId: req-died, Error: Unhandled function error"),
    ]
    logs.write(
        FUNCTION,
        [
            log_record(
                function=FUNCTION,
                qualifier="prod",
                version="4",
                request_id="req-died",
                instance_id="i-4",
                stream=stream,
                line=line,
                time=stamp(second + n),
            )
            for n, (stream, line) in enumerate(died)
        ],
    )
    logs.write(
        "language-detector",
        [
            log_record(
                function="language-detector",
                qualifier="LATEST",
                version="LATEST",
                request_id="req-lang",
                instance_id="i-l",
                stream="stdout",
                line="plain text from the function",
                time=stamp(59),
            )
        ],
    )
    logs.close()
    with SlsReceiver(store_dir=root / "sls") as sls:
        client = LogClient(sls.endpoint, "ak", "secret", source="i-3")
        client._isRowIp = True  # type: ignore[attr-defined]  # an IP endpoint with a port
        contents = [
            ("event", "prime_checked"),
            ("number", "97"),
            ("request_id", "req-v3-0"),
            ("function", FUNCTION),
            ("qualifier", "prod"),
            ("version", "3"),
        ]
        client.put_logs(
            PutLogsRequest(
                "audit-project", "business-events", FUNCTION, "i-3", [LogItem(timestamp=1714550401, contents=contents)]
            )
        )
    return root


def run(capsys: pytest.CaptureFixture[str], state: Path, *args: str) -> tuple[int, list[str], str]:
    code = main(["logs", "--state-dir", str(state), "-t", str(REPO / "s.yaml"), *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_all_lines_readable_in_time_order(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    code, lines, _ = run(capsys, state)
    assert code == 0 and len(lines) == 6 * 3 + 3 + 1 + 1
    assert lines[0].startswith("2024-05-01T08:00:00.000Z  prime-checker  prod@3  -")
    assert "FC Invoke Start RequestId: req-v3-0" in lines[0]
    assert "ERROR" in next(line for line in lines if "req-v4-0" in line and "status=500" in line)
    assert lines[-1].endswith("plain text from the function  [req-lang]")


def test_one_request_across_instance_logs_and_shipped_events(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, FUNCTION, "--request-id", "req-v3-0")
    assert len(lines) == 4
    assert any("EVENT" in line and "prime_checked (audit-project/business-events) number=97" in line for line in lines)
    assert any("status=200 duration_ms=2.0" in line and "cold_start=True" in line for line in lines)


def test_filters_by_version_or_qualifier(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, version_4, _ = run(capsys, state, "--qualifier", "4")
    assert version_4 and all("prod@4" in line for line in version_4)
    _, prod, _ = run(capsys, state, "--qualifier", "prod")
    assert len(prod) == 6 * 3 + 3 + 1


def test_a_qualifier_no_call_went_through_gets_a_suggestion(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    code, lines, err = run(capsys, state, "--qualifier", "prdo")
    assert (code, lines) == (0, [])
    assert "no calls through qualifier 'prdo' in the logs; did you mean 'prod'?" in err
    assert "(seen: 3, 4, LATEST, prod)" in err
    _, _, err = run(capsys, state, "--qualifier", "prod", "--search", "nothing like this")
    assert err == ""  # a qualifier that was used: nothing to suggest


def test_errors_only(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, "--errors")
    assert len(lines) == 4, lines  # the 500, the 422, the traceback, FC's End ... Error
    assert sum("status=500" in line for line in lines) == 1 and sum("STDERR" in line for line in lines) == 1


def test_since_and_limit(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, "--since", "2024-05-01T08:00:19Z")
    assert lines and all(line >= "2024-05-01T08:00:19" for line in lines)
    _, last_two, _ = run(capsys, state, "--limit", "2")
    assert len(last_two) == 2 and "req-lang" in last_two[-1]


def test_json_gives_back_the_stored_records(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, "language-detector", "--json")
    assert [json.loads(line) for line in lines] == [
        json.loads(line) for line in (state / "logs" / "language-detector.jsonl").read_text().splitlines()
    ]


def test_stats_answer_which_version_fails_and_how_slow(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, "--stats", "--json")
    rows: dict[str, dict[str, Any]] = {row["version"]: row for row in map(json.loads, lines)}
    assert set(rows) == {"3", "4"}
    stable, canary = rows["3"], rows["4"]
    assert (stable["invocations"], stable["errors"], stable["errors_4xx"], stable["error_rate"]) == (4, 0, 1, 0.0)
    assert (stable["p50_ms"], stable["p99_ms"], stable["cold_starts"]) == (3.0, 5.0, 1)
    # the 500 and the invocation that died without a summary
    assert (canary["invocations"], canary["errors"], canary["error_rate"]) == (3, 2, round(2 / 3, 4))
    assert (canary["p50_ms"], canary["p99_ms"], canary["qualifiers"]) == (10.0, 30.0, ["prod"])
    _, table, _ = run(capsys, state, "--stats")
    assert table[0].split()[:6] == ["FUNCTION", "VERSION", "QUALIFIERS", "CALLS", "ERRORS", "ERROR%"]
    assert table[2].split()[:6] == [FUNCTION, "4", "prod", "3", "2", "66.7"]


def test_bad_usage_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    code, _, err = run(capsys, state, "no-such-function")
    assert code == 2 and "no function 'no-such-function'" in err and "prime-checker" in err
    code, _, err = run(capsys, state, "--since", "yesterday-ish")
    assert code == 2 and err.startswith("error: --since") and "Traceback" not in err


def test_an_empty_state_directory_says_where_it_looked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines, err = run(capsys, tmp_path / "nothing-here")
    assert code == 0 and lines == [] and "nothing-here" in err


def test_tail_follows_new_lines_including_ones_written_in_pieces(state: Path) -> None:
    files = LogFiles(state, ["language-detector"])
    files.read_new()  # what --tail skips (it shows the last lines, then follows)
    shown: list[Entry] = []
    target = state / "logs" / "language-detector.jsonl"
    record = json.dumps(
        log_record(
            function="language-detector",
            qualifier="LATEST",
            version="LATEST",
            request_id="req-new",
            instance_id="i",
            stream="stdout",
            line="fresh line",
        )
    )

    def write_in_pieces() -> None:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(record[:20])
            handle.flush()
            time.sleep(0.4)  # the follower polls meanwhile and must not emit half a line
            handle.write(record[20:] + "\n")

    writer = threading.Thread(target=write_in_pieces)
    writer.start()
    deadline = time.monotonic() + 5
    follow(files, picker(Selection(), None)[0], shown.append, stop=lambda: bool(shown) or time.monotonic() > deadline)
    writer.join()
    assert [(e.request_id, e.line) for e in shown] == [("req-new", "fresh line")]


def test_start_and_end_time_as_s_logs_takes_them(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    # 08:00:12Z to 08:00:14Z: the three lines of req-v4-0, given in epoch ms and with an offset
    _, lines, _ = run(capsys, state, "-s", "1714550412000", "-e", "2024-05-01T16:00:14+08:00")
    assert len(lines) == 3 and all("req-v4-0" in line for line in lines)
    code, _, err = run(capsys, state, "-s", "2024-05-01T08:00:14Z", "-e", "2024-05-01T08:00:12Z")
    assert code == 2 and "before the start" in err


def test_search_instance_id_and_type_fail(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, found, _ = run(capsys, state, "--search", "TRACEBACK")
    assert len(found) == 1 and "Traceback (most recent call last):" in found[0]
    _, instance, _ = run(capsys, state, "--instance-id", "i-4")
    assert len(instance) == 9 and all("prod@4" in line for line in instance)
    # the 500 and the call that died; not the 422 (the caller's fault), not the healthy ones
    _, failed, _ = run(capsys, state, FUNCTION, "--type", "fail")
    assert {line.rsplit("[", 1)[-1].rstrip("]") for line in failed if "[" in line} <= {"req-v4-0", "req-died"}
    assert len(failed) == 6 and sum("req-died" in line for line in failed) == 3


def test_match_highlights_only_on_a_terminal(capsys: pytest.CaptureFixture[str], state: Path) -> None:
    _, lines, _ = run(capsys, state, "--match", "traceback", "--search", "traceback")
    assert lines == [line for line in lines if "\033[" not in line] and len(lines) == 1  # piped: plain text
