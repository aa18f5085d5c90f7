"""Object functions' log lines fit the SLS index too: per-object lines, OSS retries, the
summary's counts — written by real object processing against the local OSS."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from algorithms.table_summary import TableSummariser
from runtime.errors import RetryInvocation
from tests.fixtures.invocation import call, json_lines, legacy_context
from tests.fixtures.oss_processing import oss_event, oss_event_record
from tests.fixtures.sls import documented_fields, leaves, unindexed

if TYPE_CHECKING:
    from collections.abc import Callable

    from runtime.objects import ObjectFunction
    from tests.fixtures.oss_processing import FaultProxy, LocalBucket


def test_object_lines_are_indexed_and_documented(
    object_function: Callable[..., ObjectFunction],
    oss_bucket: LocalBucket,
    faults: FaultProxy,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = object_function(TableSummariser(), endpoint=faults.endpoint, output_prefix="summaries/")
    oss_bucket.client.put_object("exports/a.csv", b"city,temp\nOslo,3\nRome,18\n")
    oss_bucket.client.put_object("exports/binary.csv", b"\x00\x01\x02" * 100)
    faults.add("GET", "/exports/a.csv", status=503, times=1)
    context = legacy_context(function_name="table-summary", timeout="60")
    event = oss_event(
        oss_event_record(oss_bucket.name, "exports/a.csv"),
        oss_event_record(oss_bucket.name, "exports/binary.csv"),
        oss_event_record(oss_bucket.name, "exports/gone.csv"),
        oss_event_record(oss_bucket.name, "summaries/exports/a.csv/summary.json"),
    )
    call(app.handler, event, context)
    call(app.handler, event, context)  # again: already processed, skipped
    faults.add("GET", "/exports/big.csv", times=100, cut_after=10)
    oss_bucket.client.put_object("exports/big.csv", b"n\n" + b"1\n" * 5_000)
    with pytest.raises(RetryInvocation):
        app.handler(json.dumps({"bucket": oss_bucket.name, "key": "exports/big.csv"}).encode(), context)

    lines: list[dict[str, Any]] = json_lines(capsys.readouterr().out)
    events = {line.get("event") for line in lines}
    assert {"object", "oss_retry", "invocation"} <= events
    assert {line.get("object_status") for line in lines} >= {"processed", "skipped", "missing", "failed"}
    assert unindexed(lines) == []
    written = {path for line in lines for path, _ in leaves(line)}
    assert sorted(written - documented_fields()) == []
