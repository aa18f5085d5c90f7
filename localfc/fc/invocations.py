"""Run one invocation of ``function:qualifier``: resolve the version, take a slot in its pool,
call the instance (another one if it was already dead), report to the live view. Every
trigger (HTTP, API, async, OSS, timer) goes through ``Invoker.invoke``; the pools themselves
are ``version_pools.py``.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.fc.instances.outcome import CallOutcome
from localfc.fc.instances.spec import InstanceStartError
from localfc.fc.instances.watchdog import TIMEOUT_ERROR_TYPE
from localfc.fc.version_pools import VersionPools

if TYPE_CHECKING:
    from localfc.fc.instances.parent import Instance
    from localfc.fc.instances.pool import InstancePool
    from localfc.fc.qualifiers import Resolved

# How long a synchronous caller may wait for a free slot beyond the function's own timeout.
_QUEUE_SLACK_S = 30.0
# A call that found its instance already dead goes to another one, at most this many times.
_REROUTES = 3
_LOG_TAIL_BYTES = 4096


@dataclass
class Invocation:
    """One finished invocation, whatever triggered it."""

    request_id: str
    function_name: str
    qualifier: str
    version_id: str
    instance_id: str
    trigger: str
    outcome: CallOutcome
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.outcome.kind == "ok"

    @property
    def version_label(self) -> str:
        return self.version_id or "LATEST"

    def log_tail(self) -> str:
        """Base64 of the last 4 KB of the call's log, as FC's ``x-fc-log-result``."""
        text = "\n".join(self.outcome.log_lines).encode("utf-8", "replace")[-_LOG_TAIL_BYTES:]
        return base64.b64encode(text).decode("ascii")

    def error_document(self) -> dict[str, str]:
        """FC's error body for a failed call (the stack trace stays in the log)."""
        return {"errorMessage": self.outcome.error_message, "errorType": _error_type_name(self.outcome)}


def _error_type_name(outcome: CallOutcome) -> str:
    names = {"timeout": TIMEOUT_ERROR_TYPE, "memory": "MemoryLimitExceeded", "crash": "InstanceCrashed"}
    if outcome.kind in names:
        return names[outcome.kind]
    if outcome.kind == "init":
        return "InitializationError"
    # "ValueError: bad input" -> "ValueError", as FC's errorType is the exception class.
    head = outcome.error_message.split(":", 1)[0]
    return head if head.isidentifier() else "UnhandledInvocationError"


class Invoker(VersionPools):
    """Instances of every function version (``VersionPools``), and the one way to invoke them.

    >>> invoker.invoke("prime-checker", b'{"number": 7}').outcome.body   # doctest: +SKIP
    b'{"number":7,"is_prime":true,...}'
    """

    def resolve(self, function_name: str, qualifier: str) -> Resolved:
        """Raises ``ApiError`` (FC's 404) when the function or qualifier is unknown."""
        return self.resolver.resolve(function_name, qualifier or "LATEST")

    def invoke(
        self,
        function_name: str,
        event: bytes,
        *,
        qualifier: str = "LATEST",
        resolved: Resolved | None = None,
        trigger: str = "api",
        retry_count: int | None = None,
        request_id: str | None = None,
        wait_for_slot: bool = True,
        detail: str = "",
    ) -> Invocation:
        """Invoke synchronously and return how it ended (never raises for function failures;
        raises for an unknown function/qualifier, ``ThrottledError``, ``PoolClosedError``)."""
        resolved = resolved or self.resolve(function_name, qualifier)
        request_id = request_id or str(uuid.uuid4())
        started = time.perf_counter()
        try:
            pool = self.pool_for(resolved)
            deadline = None if not wait_for_slot else time.monotonic() + pool.spec.timeout_s + _QUEUE_SLACK_S
            instance = pool.acquire(deadline)
        except InstanceStartError as exc:
            outcome = CallOutcome(
                "start", error_type="UnhandledInvocationError", error_message=f"the function could not start: {exc}"
            )
            return self._finish(
                resolved=resolved,
                request_id=request_id,
                instance_id="",
                trigger=trigger,
                outcome=outcome,
                started=started,
                detail=detail,
            )
        instance, call = self._call(
            pool,
            instance,
            deadline=deadline,
            event=event,
            request_id=request_id,
            qualifier=resolved.qualifier,
            retry_count=retry_count,
        )
        return self._finish(
            resolved=resolved,
            request_id=request_id,
            instance_id=instance.instance_id,
            trigger=trigger,
            outcome=call,
            started=started,
            detail=detail,
        )

    @staticmethod
    def _call(
        pool: InstancePool,
        instance: Instance,
        *,
        deadline: float | None,
        event: bytes,
        request_id: str,
        qualifier: str,
        retry_count: int | None,
    ) -> tuple[Instance, CallOutcome]:
        """Run the call on ``instance``. A call that found its instance already dead (it died
        while idle, before the call reached it) goes to a live or new instance, as on FC."""
        for reroute in range(_REROUTES + 1):
            try:
                call = instance.call(event, request_id, qualifier, retry_count)
            except BaseException:
                pool.release(instance, None)
                raise
            pool.release(instance, call)  # a dead instance is removed here
            if call.started or reroute == _REROUTES:
                break
            try:
                instance = pool.acquire(deadline)
            except InstanceStartError:
                break
        return instance, call

    def _finish(
        self,
        *,
        resolved: Resolved,
        request_id: str,
        instance_id: str,
        trigger: str,
        outcome: CallOutcome,
        started: float,
        detail: str,
    ) -> Invocation:
        duration = round((time.perf_counter() - started) * 1000, 3)
        invocation = Invocation(
            request_id=request_id,
            function_name=resolved.props.functionName,
            qualifier=resolved.qualifier,
            version_id=resolved.version_id,
            instance_id=instance_id,
            trigger=trigger,
            outcome=outcome,
            duration_ms=duration,
        )
        if trigger != "http":  # HTTP triggers report with the status code they answered
            status = "ok" if outcome.kind == "ok" else outcome.kind
            extra = detail or ("" if outcome.kind == "ok" else outcome.error_message[:120])
            self.report(invocation, status, extra)
        return invocation

    def report(self, invocation: Invocation, status: str, detail: str = "") -> None:
        self.console.invocation(
            invocation.function_name,
            invocation.qualifier,
            invocation.version_id,
            trigger=invocation.trigger,
            status=status,
            duration_ms=invocation.duration_ms,
            detail=detail,
        )
