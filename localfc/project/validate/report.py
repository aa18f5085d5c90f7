"""A problem found in s.yaml, and how ``validate`` prints it: one line each, compiler style.

>>> Problem("error", "prime-checker", "memorySize", "must be a multiple of 64", "prop-range", 24).render("s.yaml")
's.yaml:24: error: prime-checker: memorySize: must be a multiple of 64 [prop-range]'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """``path`` is the prop path under the resource's ``props`` (``triggers[0].triggerConfig``);
    for the document itself ``resource`` is "" and ``path`` the top-level key (``edition``).
    ``rule`` is a short stable id a user can search for (and tests assert on)."""

    severity: Severity
    resource: str
    path: str
    message: str
    rule: str
    line: int | None = None
    # For a problem reported once at a var: the (resource, prop path) values that use it.
    uses: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, file_name: str) -> str:
        where = f"{file_name}:{self.line}" if self.line else file_name
        subject = ": ".join(part for part in (self.resource, self.path) if part)
        subject = f"{subject}: " if subject else ""
        return f"{where}: {self.severity}: {subject}{self.message} [{self.rule}]"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order (by line), then resource and path, so the output reads like the file."""
    return sorted(problems, key=lambda p: (p.line or 1 << 30, p.resource, p.path, p.severity, p.message))


def summary(file_name: str, problems: list[Problem], functions: int, triggers: int) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    checked = f"{functions} function{'s' * (functions != 1)}, {triggers} trigger{'s' * (triggers != 1)}"
    if not problems:
        return f"{file_name}: OK ({checked} checked)"
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{file_name}: {counts} ({checked} checked)"
