"""FC function ``table-summary``: a summary.json for every CSV/TSV/JSONL export uploaded."""

from __future__ import annotations

import os

from algorithms.table_summary import DEFAULT_MAX_LINE_BYTES, SummaryOptions, TableSummariser
from runtime import constants
from runtime.objects import ObjectFunction


def build() -> TableSummariser:
    raw = os.environ.get(constants.APP_SUMMARY_MAX_LINE_BYTES, "").strip()
    try:
        max_line = int(raw) if raw else DEFAULT_MAX_LINE_BYTES
    except ValueError:
        raise ValueError(f"{constants.APP_SUMMARY_MAX_LINE_BYTES}={raw!r}: expected a whole number of bytes") from None
    return TableSummariser(SummaryOptions(max_line_bytes=max_line))


app = ObjectFunction(build, name=TableSummariser.name)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
