"""FC function ``table-summary``: a summary.json for every CSV/TSV/JSONL export uploaded."""

from __future__ import annotations

import os

from algorithms.table_summary import DEFAULT_MAX_LINE_BYTES, SummaryOptions, TableSummariser
from runtime import constants
from runtime.objects import ObjectFunction

MAX_WORKERS = 16  # FC's largest cpu setting


def build() -> TableSummariser:
    return TableSummariser(
        SummaryOptions(
            max_line_bytes=_whole_number(constants.APP_SUMMARY_MAX_LINE_BYTES, DEFAULT_MAX_LINE_BYTES, "bytes"),
            workers=_whole_number(constants.APP_SUMMARY_WORKERS, 1, "processes", bounds=(1, MAX_WORKERS)),
        )
    )


def _whole_number(name: str, default: int, unit: str, bounds: tuple[int, int] | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a whole number of {unit}") from None
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name}={raw!r}: expected {bounds[0]} to {bounds[1]} {unit}")
    return value


app = ObjectFunction(build, name=TableSummariser.name)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
