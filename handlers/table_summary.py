"""FC function ``table-summary``: a summary.json for every CSV/TSV/JSONL export uploaded.

Settings from s.yaml ``environmentVariables`` (the ``APP_SUMMARY_*`` names below); a bad value
fails the initializer with a log line naming it.
"""

from __future__ import annotations

import os

from algorithms.table_summary import DEFAULT_MAX_LINE_BYTES, SummaryOptions, TableSummariser
from runtime.objects import ObjectFunction
from runtime.settings import whole_number_from

MAX_LINE_BYTES = "APP_SUMMARY_MAX_LINE_BYTES"  # longer lines make the input unreadable
# Processes reducing CSV blocks: the function's `cpu` (os.cpu_count() in FC is the host's).
WORKERS = "APP_SUMMARY_WORKERS"
MAX_WORKERS = 16  # FC's largest cpu setting


def build() -> TableSummariser:
    env = os.environ
    return TableSummariser(
        SummaryOptions(
            max_line_bytes=whole_number_from(env, MAX_LINE_BYTES, DEFAULT_MAX_LINE_BYTES, low=1, unit="bytes"),
            workers=whole_number_from(env, WORKERS, 1, low=1, high=MAX_WORKERS, unit="processes"),
        )
    )


app = ObjectFunction(build, name=TableSummariser.name)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
