"""One instance of a function = one worker process, seen from ``serve``.

``Instance`` starts ``localfc.fc.instances.child`` in a fresh interpreter (own session, so Ctrl-C
in the terminal reaches ``serve`` only), sends it calls over a socket pair, and reads its
stdout/stderr pipes. One I/O thread per instance reads the three of them; when a result
frame arrives it first drains the pipes, so the call's log lines are all collected before
the caller gets its answer (that is what makes ``x-fc-log-type: Tail`` exact).

The instance never decides policy: the pool says when to start, reuse, retire or reap it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import selectors
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psutil

from localfc.fc.instances.code_source import CodeSource
from localfc.fc.instances.logs import log_record
from localfc.fc.instances.protocol import FrameBuffer, send_frame

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.fc.instances.logs import InstanceLogs
    from localfc.project.syaml.model import FunctionProps

_FRAME_LINE = re.compile(r"^FC (?:Invoke|Initialize|PreStop) (?:Start|End) RequestId: ([^,\s]+)")
_JSON_REQUEST_ID = re.compile(r'"request_id"\s*:\s*"([^"\\]+)"')
_KILL_GRACE_S = 1.0
_READ_SIZE = 65536


class InstanceStartError(RuntimeError):
    """The worker could not import the handler (or died while starting)."""


@dataclass(frozen=True)
class InstanceSpec:
    """Everything needed to start instances of one function version."""

    function_name: str
    version_id: str  # "" for LATEST
    props: FunctionProps
    code_dir: Path
    runtime: str
    environment: dict[str, str]
    concurrency: int
    timeout_s: float
    init_timeout_s: float
    prestop_timeout_s: float
    memory_mb: int
    # Which Python runs the code, and from where (an unpacked package, layers); None: the code
    # directory above, run by the dev venv's interpreter.
    source: CodeSource | None = None

    @property
    def version_label(self) -> str:
        return self.version_id or "LATEST"

    @property
    def code_source(self) -> CodeSource:
        return self.source or CodeSource.for_dev_venv(self.code_dir)


@dataclass
class CallOutcome:
    """How one call on an instance ended. ``kind``: ok, error (the handler raised), init
    (initializer failed), timeout, memory, crash."""

    kind: str
    body: bytes = b""
    error_type: str = ""
    error_message: str = ""
    duration_ms: float = 0.0
    log_lines: list[str] = field(default_factory=list)

    @property
    def retires_instance(self) -> bool:
        return self.kind in ("init", "timeout", "memory", "crash")


@dataclass
class _PendingCall:
    call_id: int
    request_id: str
    qualifier: str
    done: threading.Event = field(default_factory=threading.Event)
    outcome: CallOutcome | None = None
    log_lines: list[str] = field(default_factory=list)
    log_bytes: int = 0


# The call's own lines kept in memory for the log tail; the file has them all.
_TAIL_KEEP_BYTES = 16 * 1024


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
        self._lock = threading.Lock()
        self._pending: dict[int, _PendingCall] = {}
        self._by_request: dict[str, _PendingCall] = {}
        self._ready = threading.Event()
        self._start_error = ""
        self._stopped = threading.Event()
        self._partial: dict[str, bytes] = {"stdout": b"", "stderr": b""}
        # Lines no call printed (preStop, a background thread) get the last call's qualifier.
        self._last_qualifier = ""
        self._io_thread: threading.Thread | None = None
        self._initialized_at = 0.0
        self._psutil: psutil.Process | None = None

    # --- lifecycle ----------------------------------------------------------------
    def start(self) -> None:
        """Spawn the process and send it its configuration (returns at once)."""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        source = self.spec.code_source
        env = source.environment(self.spec.environment)
        env["PYTHONUNBUFFERED"] = "1"  # the log order must be the order things were printed
        try:
            self.process = subprocess.Popen(
                source.command(str(child.fileno())),
                cwd=str(source.code_dir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(child.fileno(),),
                start_new_session=True,
            )
        except OSError as exc:
            parent.close()
            raise InstanceStartError(f"cannot start a worker process: {exc}") from None
        finally:
            child.close()
        self._sock = parent
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

    def wait_ready(self, timeout: float) -> None:
        """Block until the handler is imported; raise InstanceStartError otherwise."""
        if not self._ready.wait(timeout):
            self.kill("start-timeout")
            raise InstanceStartError(f"the instance did not start within {timeout:g} s")
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
        with self._lock:
            return len(self._pending)

    def rss_bytes(self) -> int:
        """Resident memory of the process (0 if it is gone)."""
        try:
            if self._psutil is None or self._psutil.pid != self.pid:
                self._psutil = psutil.Process(self.pid)
            return int(self._psutil.memory_info().rss)
        except (psutil.Error, OSError):
            return 0

    def kill(self, reason: str, detail: str = "") -> None:
        """Terminate now (SIGTERM, then SIGKILL after a grace period); pending calls fail with
        an outcome that names ``reason``."""
        with self._lock:
            if not self.kill_reason:
                self.kill_reason, self.kill_detail = reason, detail
        process = self.process
        if process is None or self.exited.is_set():
            return
        _signal_group(process, signal.SIGTERM)

        def _finish() -> None:
            if not self.exited.wait(_KILL_GRACE_S):
                _signal_group(process, signal.SIGKILL)

        threading.Thread(target=_finish, name=f"fc-kill-{self.instance_id}", daemon=True).start()

    def stop(self) -> None:
        """Graceful end: run preStop (bounded by its timeout), then make sure the process is gone."""
        if self.exited.is_set():
            return
        if self.kill_reason or not self._ready.is_set() or self._start_error:
            self.kill(self.kill_reason or "stopped")
            self.exited.wait(_KILL_GRACE_S + 1)
            return
        with contextlib.suppress(OSError):
            self._send({"op": "stop", "request_id": f"prestop-{self.instance_id}"})
        if not self.exited.wait(self.spec.prestop_timeout_s + 1):
            self.kill("prestop-timeout")
            self.exited.wait(_KILL_GRACE_S + 1)
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
        pending = _PendingCall(next(self._ids), request_id, qualifier)
        with self._lock:
            if self.kill_reason or self.exited.is_set():
                return self._dead_outcome()
            self._pending[pending.call_id] = pending
            self._by_request[request_id] = pending
            self._last_qualifier = qualifier
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
        except OSError:
            self._forget(pending)
            return self._dead_outcome()
        outcome = self._wait(pending, sent_at)
        self.last_used = time.monotonic()
        return outcome

    def _wait(self, pending: _PendingCall, sent_at: float) -> CallOutcome:
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

    def _time_out(self, pending: _PendingCall, phase: str) -> CallOutcome:
        with self._lock:
            if pending.outcome is not None:  # the result won the race
                return pending.outcome
            self._forget_locked(pending)
        if phase == "init":
            limit = self.spec.init_timeout_s
            message = f"Initializer timed out after {limit:g} seconds"
        else:
            limit = self.spec.timeout_s
            message = f"Function timed out after {limit:g} seconds"
        self.kill("timeout", message)
        self._platform_line(pending, f"FC Invoke End RequestId: {pending.request_id}, Error: {message}")
        return CallOutcome(
            "timeout",
            error_type="UnhandledInvocationError",
            error_message=message,
            duration_ms=round(limit * 1000, 3),
            log_lines=pending.log_lines,
        )

    def _dead_outcome(self, pending: _PendingCall | None = None) -> CallOutcome:
        lines = pending.log_lines if pending is not None else []
        if self.kill_reason == "memory":
            return CallOutcome(
                "memory",
                error_type="UnhandledInvocationError",
                error_message=self.kill_detail or "Function exceeded its memory limit",
                log_lines=lines,
            )
        if self.kill_reason == "timeout":
            message = "the instance was killed because another invocation on it timed out"
        elif self.kill_reason:
            message = f"the instance was stopped ({self.kill_reason}) before the invocation finished"
        else:
            code = self.process.poll() if self.process is not None else None
            message = "the instance process exited unexpectedly" + (
                f" (exit status {code})" if code is not None else ""
            )
        return CallOutcome("crash", error_type="UnhandledInvocationError", error_message=message, log_lines=lines)

    def _forget(self, pending: _PendingCall) -> None:
        with self._lock:
            self._forget_locked(pending)

    def _forget_locked(self, pending: _PendingCall) -> None:
        self._pending.pop(pending.call_id, None)
        if self._by_request.get(pending.request_id) is pending:
            del self._by_request[pending.request_id]

    def _send(self, meta: dict[str, Any], body: bytes = b"") -> None:
        sock = self._sock
        if sock is None:
            raise OSError("instance not started")
        with self._send_lock:
            send_frame(sock, meta, body)

    # --- I/O thread ---------------------------------------------------------------
    def _io_loop(self) -> None:
        assert self.process is not None and self._sock is not None
        process, sock = self.process, self._sock
        assert process.stdout is not None and process.stderr is not None
        pipes = {process.stdout.fileno(): "stdout", process.stderr.fileno(): "stderr"}
        for fd in pipes:
            os.set_blocking(fd, False)
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ, "ctrl")
        for fd, name in pipes.items():
            selector.register(fd, selectors.EVENT_READ, name)
        frames = FrameBuffer()
        open_pipes = dict(pipes)
        try:
            while True:
                ctrl_closed = False
                for key, _ in selector.select():
                    if key.data == "ctrl":
                        try:
                            data = sock.recv(_READ_SIZE)
                        except OSError:
                            data = b""
                        if not data:
                            ctrl_closed = True
                            break
                        parsed = frames.feed(data)
                        if parsed:
                            self._drain(open_pipes, selector)
                            for meta, body in parsed:
                                self._on_frame(meta, body)
                    elif int(key.fd) in open_pipes:  # _drain may have closed it in this round
                        self._read_pipe(int(key.fd), open_pipes, selector)
                if ctrl_closed:
                    break
        finally:
            # The process is gone (or closing): take what is left in the pipes without waiting
            # for EOF (a grandchild may hold them open), then fail whatever is still pending.
            with contextlib.suppress(Exception):
                self._drain(open_pipes, selector, final=True)
            selector.close()
            self._finish_exit()

    def _read_pipe(self, fd: int, open_pipes: dict[int, str], selector: selectors.BaseSelector) -> bool:
        """Read what the pipe has now; False when it has nothing more for now or has ended."""
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        stream = open_pipes[fd]
        if not data:
            _forget(selector, fd)
            del open_pipes[fd]
            self._on_output(stream, b"", final=True)
            return False
        self._on_output(stream, data)
        return True

    def _drain(self, open_pipes: dict[int, str], selector: selectors.BaseSelector, final: bool = False) -> None:
        """Take everything the pipes hold now, so output lands before the frame that follows it."""
        for fd in list(open_pipes):
            while fd in open_pipes and self._read_pipe(fd, open_pipes, selector):
                pass
            if final and fd in open_pipes:
                # The instance is gone but a grandchild holds the pipe: flush the partial line.
                self._on_output(open_pipes[fd], b"", final=True)

    def _on_output(self, stream: str, data: bytes, final: bool = False) -> None:
        chunk = self._partial[stream] + data
        if final:
            lines, self._partial[stream] = ([chunk] if chunk else []), b""
        else:
            *lines, self._partial[stream] = chunk.split(b"\n")
        if not lines:
            return
        records = []
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            records.append(self._record(stream, line))
        self.logs.write(self.spec.function_name, records)

    def _record(self, stream: str, line: str) -> dict[str, Any]:
        pending = self._attribute(line)
        request_id = pending.request_id if pending is not None else ""
        if pending is None:
            match = _FRAME_LINE.match(line)
            request_id = match.group(1) if match else ""
        else:
            self._keep(pending, line)
        return log_record(
            function=self.spec.function_name,
            qualifier=pending.qualifier if pending is not None else self._last_qualifier,
            version=self.spec.version_label,
            request_id=request_id,
            instance_id=self.instance_id,
            stream=stream,
            line=line,
        )

    def _attribute(self, line: str) -> _PendingCall | None:
        """Which call printed ``line``: named in FC's framing, in our JSON log line, or the only
        call in flight (with instanceConcurrency > 1 an unnamed line may stay unattributed)."""
        with self._lock:
            match = _FRAME_LINE.match(line)
            if match:
                return self._by_request.get(match.group(1))
            if line.startswith("{"):
                # A regex, not json.loads: this runs for every line the function prints.
                named = _JSON_REQUEST_ID.search(line)
                found = self._by_request.get(named.group(1)) if named else None
                if found is not None:
                    return found
            if len(self._pending) == 1:
                return next(iter(self._pending.values()))
            return None

    @staticmethod
    def _keep(pending: _PendingCall, line: str) -> None:
        pending.log_lines.append(line)
        pending.log_bytes += len(line) + 1
        while pending.log_bytes > _TAIL_KEEP_BYTES and len(pending.log_lines) > 1:
            pending.log_bytes -= len(pending.log_lines.pop(0)) + 1

    def _platform_line(self, pending: _PendingCall, line: str) -> None:
        """A line FC itself writes into the function's log (e.g. when it kills a timed-out call)."""
        self._keep(pending, line)
        record = log_record(
            function=self.spec.function_name,
            qualifier=pending.qualifier,
            version=self.spec.version_label,
            request_id=pending.request_id,
            instance_id=self.instance_id,
            stream="stdout",
            line=line,
        )
        self.logs.write(self.spec.function_name, [record])

    def _on_frame(self, meta: dict[str, Any], body: bytes) -> None:
        op = meta.get("op")
        if op == "result":
            with self._lock:
                pending = self._pending.pop(int(meta.get("id", 0)), None)
                if pending is not None and self._by_request.get(pending.request_id) is pending:
                    del self._by_request[pending.request_id]
            if pending is None:
                return  # the caller already gave up on it (timeout)
            kind = "ok"
            if meta.get("init_failed"):
                kind = "init"
            elif meta.get("memory_error"):
                kind = "memory"
            elif meta.get("error_type"):
                kind = "error"
            pending.outcome = CallOutcome(
                kind,
                body=body,
                error_type=str(meta.get("error_type") or ""),
                error_message=str(meta.get("error_message") or ""),
                duration_ms=float(meta.get("duration_ms") or 0.0),
                log_lines=pending.log_lines,
            )
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
        elif op == "stopped":
            self._stopped.set()

    def _finish_exit(self) -> None:
        process = self.process
        if process is not None:
            try:
                process.wait(timeout=_KILL_GRACE_S + 1)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=2)
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        if not self._ready.is_set():
            code = process.returncode if process is not None else None
            self._start_error = self._start_error or f"the instance process exited while starting (status {code})"
            self._ready.set()
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
            self._by_request.clear()
        self.exited.set()
        for call in pending:
            call.outcome = self._dead_outcome(call)
            if call.outcome.kind == "crash" and not self.kill_reason:
                self._platform_line(
                    call, f"FC Invoke End RequestId: {call.request_id}, Error: {call.outcome.error_message}"
                )
            call.done.set()
        if self.on_exit is not None:
            self.on_exit(self)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    # The worker leads its own session: signal the group so helper processes it spawned go too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        process.send_signal(sig)


def _forget(selector: selectors.BaseSelector, fd: int) -> None:
    """Unregister a pipe at EOF; it may already be gone when the I/O loop and the final drain
    both see the same EOF (seen as ``KeyError: 'N is not registered'`` in e2e runs)."""
    with contextlib.suppress(KeyError, ValueError):
        selector.unregister(fd)
