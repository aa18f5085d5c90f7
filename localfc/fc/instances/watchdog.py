"""FC's timeouts for a call run in this very process (``local_invoke.py invoke``).

FC kills an instance whose initializer or handler outlasts its timeout and answers the call
with ``FunctionTimeoutError``. In one process that means: when the clock runs out, print
FC's end line and its error answer, then end the process at once (the handler's thread
cannot be stopped any other way). A ``breakpoint()`` stops the clock, as the debuggers of
``sam local invoke -d`` and ``s local invoke -d`` do: nobody debugs against a 3 s timeout.

``call_within_timeouts`` runs one call of an in-process instance that way: the initializer
under its own timeout, then the handler under the function's.

>>> with Watchdog(3.0, on_timeout=lambda message: None):   # doctest: +SKIP
...     handler(event, context)
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from localfc.fc.instances.in_process import FunctionInstance, InvocationResult
    from localfc.project.syaml.model import FunctionProps

TIMEOUT_ERROR_TYPE = "FunctionTimeoutError"


def timeout_message(phase: str, seconds: float) -> str:
    """FC's words: ``Function timed out after 3 seconds`` (or ``Initializer ...``)."""
    what = "Initializer" if phase == "initialize" else "Function"
    return f"{what} timed out after {seconds:g} seconds"


class Watchdog:
    """Calls ``on_timeout(message)`` (which should end the process) when ``seconds`` pass
    before the ``with`` block ends; ``seconds <= 0`` never fires."""

    def __init__(self, seconds: float, on_timeout: Callable[[str], None], phase: str = "invoke") -> None:
        self.seconds = seconds
        self.on_timeout = on_timeout
        self.phase = phase
        self._timer: threading.Timer | None = None
        self._hook: Any = None

    def __enter__(self) -> Watchdog:
        if self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
            self._hook = sys.breakpointhook
            sys.breakpointhook = self._breakpoint
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.cancel()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._hook is not None:
            sys.breakpointhook = self._hook
            self._hook = None

    def _fire(self) -> None:
        self.on_timeout(timeout_message(self.phase, self.seconds))

    def _breakpoint(self, *args: Any, **kwargs: Any) -> Any:
        hook = self._hook or sys.__breakpointhook__
        self.cancel()  # the debugger owns the clock from here on
        return hook(*args, **kwargs)


def call_within_timeouts(
    instance: FunctionInstance,
    props: FunctionProps,
    event: bytes,
    *,
    request_id: str,
    qualifier: str,
    timeout_s: float | None,
    answer_fd: int,
    log: TextIO,
) -> InvocationResult:
    """Initialize, then invoke, each under FC's time limit for it. ``timeout_s`` replaces both
    limits (None: the function's and its initializer's from ``props``; 0: none). On a timeout,
    FC's end line goes to ``log``, its error answer to ``answer_fd``, and the process ends."""

    def timed_out(phase: str) -> Callable[[str], None]:
        def end(message: str) -> None:
            frame = "Initialize" if phase == "initialize" else "Invoke"
            print(f"FC {frame} End RequestId: {request_id}, Error: {message}", file=log, flush=True)
            answer = {"errorMessage": message, "errorType": TIMEOUT_ERROR_TYPE}
            os.write(answer_fd, (json.dumps(answer) + "\n").encode())
            os._exit(1)  # FC stops the instance: the handler's thread cannot be stopped otherwise

        return end

    limit = float(props.timeout) if timeout_s is None else timeout_s
    hook = props.instanceLifecycleConfig.initializer if props.instanceLifecycleConfig else None
    init_limit = float(hook.timeout) if hook is not None and timeout_s is None else limit
    with Watchdog(init_limit, timed_out("initialize"), "initialize"):
        failed = instance.initialize(request_id, qualifier=qualifier)
    if failed is not None:
        return failed
    with Watchdog(limit, timed_out("invoke")):
        return instance.invoke(event, request_id, qualifier=qualifier)
