"""How one call on an instance ended (``CallOutcome``): from the instance's result frame, or
decided by ``serve`` when the instance never answered (timed out, killed, gone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localfc.fc.instances.watchdog import timeout_message


@dataclass
class CallOutcome:
    """How one call on an instance ended. ``kind``: ok, error (the handler raised), init
    (initializer failed), timeout, memory, crash; ``start`` when no instance could start."""

    kind: str
    body: bytes = b""
    error_type: str = ""
    error_message: str = ""
    duration_ms: float = 0.0
    log_lines: list[str] = field(default_factory=list)
    # False when the instance was gone before the call reached the function (it printed
    # nothing for it): FC sends such a call to another instance instead of failing it.
    started: bool = True

    @property
    def retires_instance(self) -> bool:
        return self.kind in ("init", "timeout", "memory", "crash")


def from_result(meta: dict[str, Any], body: bytes, log_lines: list[str]) -> CallOutcome:
    """The outcome the instance reported in its ``result`` frame."""
    kind = "ok"
    if meta.get("init_failed"):
        kind = "init"
    elif meta.get("memory_error"):
        kind = "memory"
    elif meta.get("error_type"):
        kind = "error"
    return CallOutcome(
        kind,
        body=body,
        error_type=str(meta.get("error_type") or ""),
        error_message=str(meta.get("error_message") or ""),
        duration_ms=float(meta.get("duration_ms") or 0.0),
        log_lines=log_lines,
    )


def timed_out(phase: str, limit_s: float, log_lines: list[str]) -> CallOutcome:
    """The call outlasted its initializer (``phase="init"``) or function timeout."""
    return CallOutcome(
        "timeout",
        error_type="UnhandledInvocationError",
        error_message=timeout_message("initialize" if phase == "init" else "invoke", limit_s),
        duration_ms=round(limit_s * 1000, 3),
        log_lines=log_lines,
    )


def instance_gone(kill_reason: str, kill_detail: str, exit_status: int | None, log_lines: list[str]) -> CallOutcome:
    """A call whose instance was killed (``kill_reason``) or exited before it answered."""
    # The instance writes "FC Invoke Start" (or "FC Initialize Start") before anything
    # else of a call, unbuffered, and the pipes are drained before pending calls fail.
    started = bool(log_lines)
    if kill_reason == "memory":
        return CallOutcome(
            "memory",
            error_type="UnhandledInvocationError",
            error_message=kill_detail or "Function exceeded its memory limit",
            log_lines=log_lines,
            started=started,
        )
    if kill_reason == "timeout":
        message = "the instance was killed because another invocation on it timed out"
    elif kill_reason:
        message = f"the instance was stopped ({kill_reason}) before the invocation finished"
    else:
        message = "the instance process exited unexpectedly" + (
            f" (exit status {exit_status})" if exit_status is not None else ""
        )
    return CallOutcome(
        "crash", error_type="UnhandledInvocationError", error_message=message, log_lines=log_lines, started=started
    )
