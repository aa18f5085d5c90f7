"""Custom metrics from algorithm code, with no knowledge of FC or SLS.

An algorithm calls ``metrics.add(name, value)`` while it runs; the runtime collects the
values of one invocation and writes them into that invocation's summary log line
(``"metrics": {"text_chars": 26}``), where SLS can chart them. Outside an invocation (plain
unit tests, ``setup`` run by FC's initializer) ``add`` does nothing, so algorithms stay
testable with plain pytest:

    from algorithms import metrics

    def run(self, data):
        metrics.add("text_chars", len(data.text))

    # in a unit test
    with metrics.capture() as recorded:
        detector.run(DetectInput(text="hello"))
    assert recorded == {"text_chars": 5}

A name is lower-case letters, digits and ``_`` (starting with a letter, at most 64
characters); a value is a finite number. Adding to a name twice in one invocation sums the
values (a counter); call it once for a measurement. Put the unit in the name
(``decode_ms``, ``image_pixels``). The runtime drops an invalid metric with a warning
instead of failing the invocation; ``capture(strict=True)`` (the default) raises instead,
so a unit test finds the mistake.
"""

from __future__ import annotations

import math
import re
from contextvars import ContextVar
from typing import Protocol

MAX_NAME_CHARS = 64
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class MetricError(ValueError):
    """A metric name or value that cannot be recorded."""


class Recorder(Protocol):
    """What the runtime binds for the length of one invocation."""

    def add(self, name: str, value: float) -> None: ...


#: The recorder of the current invocation; set by the runtime (or ``binding``) for its length.
RECORDER: ContextVar[Recorder | None] = ContextVar("algorithm_metrics", default=None)


def add(name: str, value: float) -> None:
    """Add ``value`` to the metric ``name`` of the current invocation (no-op outside one).

    >>> add("text_chars", 26)  # outside an invocation: nothing happens
    """
    recorder = RECORDER.get()
    if recorder is not None:
        recorder.add(name, value)


def problem(name: object, value: object) -> str | None:
    """Why ``name``/``value`` cannot be recorded, or None when they can.

    >>> problem("text_chars", 3) is None
    True
    >>> problem("n", float("nan"))
    'metric n: value nan is not a finite number'
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return f"metric name {name!r} must match [a-z][a-z0-9_]*, at most {MAX_NAME_CHARS} characters"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"metric {name}: value {value!r} is not a number"
    if not math.isfinite(value):
        return f"metric {name}: value {value!r} is not a finite number"
    return None


class binding:
    """Bind ``recorder`` for the block: every ``add`` inside goes to it (runtime use)."""

    __slots__ = ("_recorder", "_token")

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    def __enter__(self) -> Recorder:
        self._token = RECORDER.set(self._recorder)
        return self._recorder

    def __exit__(self, *_exc: object) -> None:
        RECORDER.reset(self._token)


class CapturedMetrics(dict[str, float]):
    """The metrics added inside ``capture()``: a plain ``{name: total}`` dict."""

    def __init__(self, strict: bool) -> None:
        super().__init__()
        self.strict = strict
        self.rejected: list[str] = []

    def add(self, name: str, value: float) -> None:
        reason = problem(name, value)
        if reason is not None:
            if self.strict:
                raise MetricError(reason)
            self.rejected.append(reason)
            return
        self[name] = self.get(name, 0) + value


class capture:
    """Collect the metrics added inside the block, for unit tests of an algorithm.

    >>> with capture() as recorded:
    ...     add("factors", 2); add("factors", 1)
    >>> recorded
    {'factors': 3}
    """

    __slots__ = ("_binding", "_captured")

    def __init__(self, strict: bool = True) -> None:
        self._captured = CapturedMetrics(strict)
        self._binding = binding(self._captured)

    def __enter__(self) -> CapturedMetrics:
        self._binding.__enter__()
        return self._captured

    def __exit__(self, *exc: object) -> None:
        self._binding.__exit__(*exc)
