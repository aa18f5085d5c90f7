"""Which collected lines ``local_invoke.py logs`` shows: the filters of ``s logs`` (function,
``--request-id``, ``--instance-id``, ``--qualifier``, ``-s/-e``, ``--search``, ``--type``)
plus ``--errors``.

``--type fail|success`` is about invocations, not lines: every line of a request is shown
once the request's outcome is known (by ``outcomes.py``'s rule, the one ``--stats`` and the
canary use), so ``OutcomeGate`` holds a request's lines until its ``FC Invoke End`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from localfc.logstore.outcomes import Outcomes
from localfc.timeparse import TimeWindow

if TYPE_CHECKING:
    from localfc.logstore.entries import Entry

_DECIDED = re.compile(r"^FC (?:Invoke End|Initialize End RequestId: \S+, Error)")


@dataclass
class Selection:
    """Line filters; empty fields select everything."""

    functions: frozenset[str] = frozenset()
    request_id: str = ""
    instance_id: str = ""
    qualifier: str = ""
    window: TimeWindow = field(default_factory=TimeWindow)
    search: str = ""  # a case-insensitive keyword
    errors_only: bool = False

    def matches(self, entry: Entry) -> bool:
        checks = (
            not self.functions or entry.function in self.functions,
            not self.request_id or entry.request_id == self.request_id,
            not self.instance_id or entry.instance_id == self.instance_id,
            not self.qualifier or self.qualifier in (entry.qualifier, entry.version),
            entry.time in self.window,
            not self.search or self.search.casefold() in entry.line.casefold(),
            not self.errors_only or entry.is_error,
        )
        return all(checks)


class OutcomeGate:
    """Lets through the lines of requests that ended as asked (``fail`` or ``success``).

    >>> gate = OutcomeGate("fail")                                       # doctest: +SKIP
    >>> gate.feed(start_line), gate.feed(end_with_error_line)           # doctest: +SKIP
    ([], [start_line, end_with_error_line])
    """

    def __init__(self, wanted: str) -> None:
        if wanted not in ("fail", "success"):
            raise ValueError(f"--type is success or fail, got {wanted!r}")
        self.wanted_failed = wanted == "fail"
        self.outcomes = Outcomes()
        self._held: dict[str, list[Entry]] = {}
        self._decided: dict[str, bool] = {}  # request id -> shown

    def feed(self, entry: Entry) -> list[Entry]:
        """The entries that can be shown now (this one, held ones, or none)."""
        request_id = entry.request_id
        if not request_id:
            return []  # a line no invocation owns has no outcome
        outcome = self.outcomes.add(entry)
        if request_id in self._decided:
            return [entry] if self._decided[request_id] else []
        self._held.setdefault(request_id, []).append(entry)
        if entry.origin != "fc" or outcome is None or not _DECIDED.match(entry.line):
            return []
        return self._decide(request_id, outcome.failed)

    def flush(self) -> list[Entry]:
        """At the end of a read: the held lines of requests whose summary line told their
        outcome although FC's end line is missing (a file cut short, a hand-written log)."""
        released: list[Entry] = []
        for request_id in list(self._held):
            outcome = self.outcomes.by_request.get(request_id)
            if outcome is not None:
                released += self._decide(request_id, outcome.failed)
        return sorted(released, key=lambda e: e.time)

    def _decide(self, request_id: str, failed: bool) -> list[Entry]:
        shown = failed == self.wanted_failed
        self._decided[request_id] = shown
        held = self._held.pop(request_id)
        return held if shown else []
