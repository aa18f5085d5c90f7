"""Figures per function version — calls, failures, 4xx, cold starts, p50/p99 — computed from
the invocations' outcomes (``outcomes.py``), for ``logs --stats``, ``release status`` and the
progressive canary alike.

>>> from localfc.logstore.entries import fc_entry
>>> from localfc.logstore.outcomes import Outcomes
>>> book = Outcomes().extend([fc_entry({"request_id": "a", "version": "2", "line": "FC Invoke End RequestId: a"})])
>>> [(s.version, s.invocations, s.errors) for s in version_stats(book)]
[('2', 1, 0)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from localfc.terminal import aligned

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from localfc.logstore.outcomes import Outcome


@dataclass
class VersionStats:
    """Figures for one function version."""

    function: str = ""
    version: str = ""
    qualifiers: set[str] = field(default_factory=set)
    durations: list[float] = field(default_factory=list)
    invocations: int = 0
    errors: int = 0  # failed by the one rule: 5xx, unhandled, timeout, crash, initializer
    rejected: int = 0  # 4xx: the caller's input was refused
    cold_starts: int = 0

    @property
    def error_rate(self) -> float:
        return self.errors / self.invocations if self.invocations else 0.0

    def add(self, outcome: Outcome) -> None:
        self.invocations += 1
        self.errors += outcome.failed
        self.rejected += outcome.rejected and not outcome.failed
        self.cold_starts += outcome.cold_start
        if outcome.duration_ms is not None:
            self.durations.append(outcome.duration_ms)
        if outcome.qualifier:
            self.qualifiers.add(outcome.qualifier)

    def percentile(self, fraction: float) -> float | None:
        """Nearest-rank percentile of the durations (None without any)."""
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "version": self.version,
            "qualifiers": sorted(self.qualifiers),
            "invocations": self.invocations,
            "errors": self.errors,
            "errors_4xx": self.rejected,
            "error_rate": round(self.error_rate, 4),
            "cold_starts": self.cold_starts,
            "p50_ms": self.percentile(0.5),
            "p99_ms": self.percentile(0.99),
            "max_ms": max(self.durations) if self.durations else None,
        }


def version_stats(outcomes: Iterable[Outcome]) -> list[VersionStats]:
    """One row per (function, version), sorted by function then version number."""
    table: dict[tuple[str, str], VersionStats] = {}
    for outcome in outcomes:
        key = (outcome.function, outcome.version)
        row = table.get(key)
        if row is None:
            row = table[key] = VersionStats(*key)
        row.add(outcome)
    return sorted(table.values(), key=lambda s: (s.function, _version_order(s.version)))


def _version_order(version: str) -> tuple[int, int, str]:
    return (0, int(version), "") if version.isdigit() else (1, 0, version)


def stats_table(rows: list[VersionStats]) -> Iterator[str]:
    """The rows as an aligned text table."""
    header = ("FUNCTION", "VERSION", "QUALIFIERS", "CALLS", "ERRORS", "ERROR%", "4XX", "COLD", "P50_MS", "P99_MS")
    body = [
        (
            r.function,
            r.version,
            ",".join(sorted(r.qualifiers)) or "-",
            str(r.invocations),
            str(r.errors),
            f"{r.error_rate * 100:.1f}",
            str(r.rejected),
            str(r.cold_starts),
            _ms(r.percentile(0.5)),
            _ms(r.percentile(0.99)),
        )
        for r in rows
    ]
    yield from aligned(header, body)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
