"""Per-invocation metrics, written as fields of the invocation's summary log line.

Like Powertools' EMF, metrics are structured log records rather than calls to a metrics
API: the summary line of every invocation (``"event":"invocation"``) carries
``duration_ms``, ``status``, ``cold_start``, ``algorithm``, ``function``, ``version``
and, under ``metrics``, what the algorithm added through ``algorithms.metrics.add``. One
line per invocation, no extra request, and SLS computes rates and percentiles from it
(see docs/logs.md for the queries).

    recorder = InvocationMetrics()
    with algorithms.metrics.binding(recorder):
        algorithms.metrics.add("text_chars", 26)
    recorder.values  # {"text_chars": 26}
"""

from __future__ import annotations

import logging

from algorithms.metrics import problem

#: More names than this in one invocation are dropped: the summary line must stay small.
MAX_METRICS = 50

log = logging.getLogger("runtime.metrics")


class InvocationMetrics:
    """The ``algorithms.metrics.Recorder`` of one invocation: lenient, it never raises."""

    __slots__ = ("_warned", "values")

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self._warned = False

    def add(self, name: str, value: float) -> None:
        values = self.values
        reason = problem(name, value)
        if reason is None and name not in values and len(values) >= MAX_METRICS:
            reason = f"metric {name}: more than {MAX_METRICS} metrics in one invocation"
        if reason is not None:
            # One warning per invocation: a metric added in a loop must not flood the logs.
            if not self._warned:
                self._warned = True
                log.warning("metric dropped: %s", reason, extra={"event": "metric_dropped"})
            return
        values[name] = values.get(name, 0) + value
