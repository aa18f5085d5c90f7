"""A worker process: pure computation on what the pool sends it, until its input closes."""

from __future__ import annotations

import os
import signal
import traceback
from typing import Any

from runtime.processes.wire import receive, send_blocking


def serve(from_parent: int, to_parent: int, close: list[int]) -> None:
    """Answer the pool: a ``begin`` message builds the state of a new object (``task(*args)``),
    each ``item`` is answered with ``("ok", state(item))`` or ``("error", traceback)``. Exits at
    end of file on its input (the pool stopped it, or the function's process exited)."""
    for fd in close:
        os.close(fd)
    # Signals are for the parent (FC's runtime): a Ctrl-C in a terminal reaches the whole
    # process group, and the parent's handlers must not run in the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.set_blocking(from_parent, True)
    state: Any = None
    setup_error = ""
    while True:
        message = receive(from_parent)
        if message is None:
            return
        kind, payload = message
        if kind == "begin":
            task, args = payload
            try:
                state, setup_error = task(*args), ""
            except Exception:  # reported with the next item's answer
                state, setup_error = None, traceback.format_exc()
            continue
        try:
            if state is None:
                raise RuntimeError(f"no state for this object:\n{setup_error}")
            answer: tuple[str, Any] = ("ok", state(payload))
        except Exception:  # the parent raises it
            answer = ("error", traceback.format_exc())
        try:
            send_blocking(to_parent, answer)
        except OSError:
            return  # the parent closed its end (stop()): nobody wants the answer
