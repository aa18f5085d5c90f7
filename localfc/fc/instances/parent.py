"""One instance of a function = one worker process, seen from ``serve``.

``Instance`` starts ``localfc.fc.instances.child`` in a fresh interpreter (``process.py``),
sends it calls over a socket pair and waits for them under the initializer and function
timeouts, runs preStop before the end, and turns the frames it sends back into outcomes
(``outcome.py``). Its one I/O thread (``io_loop.py``) reads frames and output together;
output becomes log records attributed to the calls in flight (``output.py``, ``calls.py``).

The instance never decides policy: the pool says when to start, reuse, retire or reap it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from localfc.fc.instances import outcome as outcomes
from localfc.fc.instances.calls import CallsInFlight, PendingCall
from localfc.fc.instances.io_loop import read_until_closed
from localfc.fc.instances.output import InstanceOutput
from localfc.fc.instances.process import KILL_GRACE_S, ResidentMemory, reap, spawn, terminate, worker_environment
from localfc.fc.instances.protocol import send_frame
from localfc.fc.instances.spec import InstanceStartError

if TYPE_CHECKING:
    import socket
    import subprocess
    from collections.abc import Callable

    from localfc.fc.instances.logs import InstanceLogs
    from localfc.fc.instances.outcome import CallOutcome
    from localfc.fc.instances.spec import InstanceSpec


class Instance:
    """A worker process running one function version; thread-safe.

    >>> inst = Instance(spec, "i-1", logs)   # doctest: +SKIP
    >>> inst.start(); inst.wait_ready(30)    # doctest: +SKIP
    >>> inst.call(b'{}', "req-1", "LATEST").kind   # doctest: +SKIP
    'ok'
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        spec: InstanceSpec,
        instance_id: str,
        logs: InstanceLogs,
        on_exit: Callable[[Instance], None] | None = None,
    ) -> None:
        self.spec = spec
        self.instance_id = instance_id
        self.logs = logs
        self.on_exit = on_exit
        self.process: subprocess.Popen[bytes] | None = None
        self.initialized = False
        self.started_at = time.monotonic()
        self.ready_at: float | None = None
        self.last_used = time.monotonic()
        self.kill_reason = ""
        self.kill_detail = ""
        self.exited = threading.Event()
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        # Its lock also guards kill_reason: a call is taken, or refused, under it.
        self._calls = CallsInFlight()
        self._output = InstanceOutput(spec, instance_id, logs, self._calls)
        self._ready = threading.Event()
        self._start_error = ""
        self._io_thread: threading.Thread | None = None
        self._initialized_at = 0.0
        self._memory = ResidentMemory()

    # --- lifecycle ----------------------------------------------------------------
    def start(self) -> None:
        """Spawn the process and send it its configuration (returns at once)."""
        source = self.spec.code_source
        env = worker_environment(self.spec, source)
        self.process, self._sock = spawn(source, env)
        self._send(
            {
                "op": "configure",
                "props": self.spec.props.model_dump(mode="json"),
                "code_dir": str(source.code_dir),
                "python_path": source.python_path(env),
                "runtime": self.spec.runtime,
                "concurrency": self.spec.concurrency,
            }
        )
        self._io_thread = threading.Thread(target=self._io_loop, name=f"fc-io-{self.instance_id}", daemon=True)
        self._io_thread.start()

    def wait_ready(self, timeout: float | None) -> None:
        """Block until the handler is imported (``timeout=None``: however long it takes);
        raise InstanceStartError otherwise."""
        if not self._ready.wait(timeout):
            self.kill("start-timeout")
            raise InstanceStartError(f"the instance did not start within {timeout or 0:g} s")
        if self._start_error:
            raise InstanceStartError(self._start_error)

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    @property
    def alive(self) -> bool:
        return not self.exited.is_set() and not self.kill_reason

    @property
    def busy(self) -> int:
        return self._calls.count()

    def rss_bytes(self) -> int:
        """Resident memory of the process (0 if it is gone)."""
        return self._memory.bytes_of(self.pid)

    def kill(self, reason: str, detail: str = "") -> None:
        """Terminate now (SIGTERM, then SIGKILL after a grace period); pending calls fail with
        an outcome that names ``reason``."""
        with self._calls.lock:
            if not self.kill_reason:
                self.kill_reason, self.kill_detail = reason, detail
        process = self.process
        if process is None or self.exited.is_set():
            return
        terminate(process, self.exited, f"fc-kill-{self.instance_id}")

    def stop(self) -> None:
        """Graceful end: run preStop (bounded by its timeout), then make sure the process is gone."""
        if self.exited.is_set():
            return
        if self.kill_reason or not self._ready.is_set() or self._start_error:
            self.kill(self.kill_reason or "stopped")
            self.exited.wait(KILL_GRACE_S + 1)
            return
        with contextlib.suppress(OSError):
            self._send({"op": "stop", "request_id": f"prestop-{self.instance_id}"})
        if not self.exited.wait(self.spec.prestop_timeout_s + 1):
            self.kill("prestop-timeout")
            self.exited.wait(KILL_GRACE_S + 1)
        if self._io_thread is not None and self._io_thread is not threading.current_thread():
            self._io_thread.join(timeout=2)

    # --- calls --------------------------------------------------------------------
    def call(
        self,
        event: bytes,
        request_id: str,
        qualifier: str,
        retry_count: int | None = None,
    ) -> CallOutcome:
        """Run one invocation and wait for it, enforcing the initializer and function timeouts."""
        pending = PendingCall(next(self._ids), request_id, qualifier)
        with self._calls.lock:
            if self.kill_reason or self.exited.is_set():
                return self._gone_outcome()
            self._calls.add(pending)
        meta: dict[str, Any] = {
            "op": "invoke",
            "id": pending.call_id,
            "request_id": request_id,
            "qualifier": qualifier,
            "version_id": self.spec.version_id,
        }
        if retry_count is not None:
            meta["retry_count"] = retry_count
        sent_at = time.monotonic()
        try:
            self._send(meta, event)
        except OSError:  # the process is gone (its end of the socket closed): never delivered
            self._calls.forget(pending)
            return replace(self._gone_outcome(), started=False)
        outcome = self._wait(pending, sent_at)
        self.last_used = time.monotonic()
        return outcome

    def _wait(self, pending: PendingCall, sent_at: float) -> CallOutcome:
        while True:
            initializing = not self.initialized
            if initializing:
                deadline = sent_at + self.spec.init_timeout_s + self.spec.timeout_s
                slice_ = min(0.05, max(0.0, deadline - time.monotonic()))
            else:
                deadline = max(sent_at, self.ready_at or sent_at, self._initialized_at) + self.spec.timeout_s
                slice_ = max(0.0, deadline - time.monotonic())
            if pending.done.wait(slice_):
                assert pending.outcome is not None
                return pending.outcome
            if initializing and time.monotonic() - sent_at > self.spec.init_timeout_s and not self.initialized:
                return self._time_out(pending, "init")
            if time.monotonic() >= deadline:
                return self._time_out(pending, "invoke")

    def _time_out(self, pending: PendingCall, phase: str) -> CallOutcome:
        with self._calls.lock:
            if pending.outcome is not None:  # the result won the race
                return pending.outcome
            self._calls.forget_locked(pending)
        limit = self.spec.init_timeout_s if phase == "init" else self.spec.timeout_s
        outcome = outcomes.timed_out(phase, limit, pending.log_lines)
        self.kill("timeout", outcome.error_message)
        self._output.call_failed(pending, outcome.error_message)
        return outcome

    def _gone_outcome(self, pending: PendingCall | None = None) -> CallOutcome:
        exit_status = self.process.poll() if self.process is not None and not self.kill_reason else None
        lines = pending.log_lines if pending is not None else []
        return outcomes.instance_gone(self.kill_reason, self.kill_detail, exit_status, lines)

    def _send(self, meta: dict[str, Any], body: bytes = b"") -> None:
        sock = self._sock
        if sock is None:
            raise OSError("instance not started")
        with self._send_lock:
            send_frame(sock, meta, body)

    # --- I/O thread ---------------------------------------------------------------
    def _io_loop(self) -> None:
        assert self.process is not None and self._sock is not None
        try:
            read_until_closed(self.process, self._sock, self._output.feed, self._on_frame)
        finally:
            self._finish_exit()  # fail whatever is still pending

    def _on_frame(self, meta: dict[str, Any], body: bytes) -> None:
        op = meta.get("op")
        if op == "result":
            pending = self._calls.pop(int(meta.get("id", 0)))
            if pending is None:
                return  # the caller already gave up on it (timeout)
            pending.outcome = outcomes.from_result(meta, body, pending.log_lines)
            pending.done.set()
        elif op == "initialized":
            self._initialized_at = time.monotonic()
            self.initialized = True
        elif op == "ready":
            self.ready_at = time.monotonic()
            self._ready.set()
        elif op == "start_failed":
            self._start_error = str(meta.get("message") or "the handler could not be loaded")
            self._ready.set()
        # "stopped" (preStop ran, the child exits next) needs nothing: stop() waits for the exit.

    def _finish_exit(self) -> None:
        process = self.process
        if process is not None:
            reap(process)
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        if not self._ready.is_set():
            code = process.returncode if process is not None else None
            self._start_error = self._start_error or f"the instance process exited while starting (status {code})"
            self._ready.set()
        pending = self._calls.take_all()
        self.exited.set()
        for call in pending:
            call.outcome = self._gone_outcome(call)
            if call.outcome.kind == "crash" and call.outcome.started and not self.kill_reason:
                self._output.call_failed(call, call.outcome.error_message)
            call.done.set()
        if self.on_exit is not None:
            self.on_exit(self)
