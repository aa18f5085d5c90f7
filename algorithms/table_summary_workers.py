"""Forked worker processes that reduce the table summariser's blocks in parallel.

The summariser is compute-bound in pure Python, so more than one vCPU only helps with more
than one process. :class:`BlockWorkers` keeps ``count`` processes; per object the parent sends
each a ``begin`` message (the worker builds its state with the ``factory`` given at creation),
then hands out items round robin and gets their results back in the order it submitted them.
A worker processes its items in order, so item ``n`` is done by worker ``n % count`` after
every earlier item of that worker.

Design choices, and why:

- **fork**, explicitly (``multiprocessing.get_context("fork")``): the summariser's distinct
  counts hash cells with the builtin ``hash()``, whose str/bytes hashes are randomised per
  interpreter. Sketches built in the workers are merged in the parent, so every process must
  share the hash secret: a forked child inherits it; spawn and forkserver start a new
  interpreter with a new secret (and would need the code importable and picklable).
- Forked in ``setup()`` (FC's initializer, once per instance) while the process has no other
  thread, and reused for every object: Python 3.12 warns when forking a multi-threaded
  process (the runtime's read-ahead thread runs during an invocation). A worker that died is
  replaced at the next object, which then forks during an invocation: the children only
  compute on the bytes they receive (no logging, no locks, no imports), which is what makes
  that safe.
- **Plain pipes**, no ``multiprocessing.Queue``/``Pool``: those need POSIX semaphores in
  /dev/shm, which some serverless sandboxes lack (AWS Lambda does; whether FC has /dev/shm
  is UNCONFIRMED). Messages are length-prefixed pickles. The parent never blocks on a write:
  its ends are non-blocking and unsent bytes wait in an outbox that is flushed whenever the
  parent waits for a result, so a busy worker cannot stall the others.
- A worker that dies or stops answering surfaces as :class:`WorkerFailed` (its sentinel and a
  timeout are watched, never an unbounded wait); the pool is stopped then, and the next
  object gets fresh workers. If processes cannot be created at all, :meth:`start` logs it
  once and answers False: the caller runs sequentially.

Not thread-safe: one object at a time. ``TableSummariser`` holds a lock while it uses the
pool; an object that finds it busy (``instanceConcurrency`` above 1) is summarised in its
own thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import pickle
import select
import signal
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0  # for one result; a block takes tens of milliseconds
_PIPE_BYTES = 1 << 20  # a whole block fits in the pipe: the worker reads it without waiting for the parent
_HEADER = 8  # bytes of the length prefix
_STOP_WAIT_S = 2.0


class WorkerFailed(RuntimeError):
    """A worker process died, raised, or did not answer in time."""


@dataclass(slots=True, eq=False)
class _Worker:
    process: BaseProcess
    to_child: int  # non-blocking write end
    from_child: int  # blocking read end, read only once poll() says it is readable
    outbox: deque[memoryview] = field(default_factory=deque)


class BlockWorkers:
    """``count`` forked processes, each running ``factory(*args)`` per object and that
    state's ``__call__`` per item. See the module docstring."""

    def __init__(
        self, count: int, factory: Callable[..., Callable[[Any], Any]], timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        if count < 2:
            raise ValueError("BlockWorkers needs at least 2 workers; run sequentially otherwise")
        self.count = count
        self.factory = factory
        self.timeout_s = timeout_s
        self._workers: list[_Worker] = []
        self._unavailable = False  # creating processes failed once: stay sequential
        self._submitted = 0
        self._received = 0

    @property
    def running(self) -> bool:
        return bool(self._workers)

    @property
    def outstanding(self) -> int:
        """Items submitted whose result has not been taken yet."""
        return self._submitted - self._received

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def start(self) -> bool:
        """Fork the workers unless they all run already (one that died since the last object
        is replaced with the others); False (logged once) if that is impossible."""
        if self._workers and all(w.process.is_alive() for w in self._workers):
            return True
        self.stop()  # reaps a dead worker and closes its pipes; no-op when none were started
        if self._unavailable:
            return False
        try:
            context = multiprocessing.get_context("fork")  # why fork: see the module docstring
            for _ in range(self.count):
                self._workers.append(self._fork(context))
        except (OSError, ValueError, RuntimeError) as exc:
            self.stop()
            self._unavailable = True
            log.warning(
                "table summary: cannot start %d worker processes (%s: %s); summarising sequentially",
                self.count,
                type(exc).__name__,
                exc,
            )
            return False
        return True

    def _fork(self, context: Any) -> _Worker:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        for fd in (to_write, from_write):
            _grow_pipe(fd)
        # The child must not keep the other workers' pipes open (a worker would then not see
        # end-of-file when the parent goes away) nor the parent's ends of its own.
        inherited = [fd for w in self._workers for fd in (w.to_child, w.from_child)]
        process = context.Process(
            target=_worker_main,
            args=(to_read, from_write, self.factory, [to_write, from_read, *inherited]),
            name="table-summary-worker",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            os.close(to_write)  # this side's ends: no _Worker holds them for stop() to close
            os.close(from_read)
            raise
        finally:
            os.close(to_read)
            os.close(from_write)
        os.set_blocking(to_write, False)
        return _Worker(process, to_write, from_read)

    def begin(self, *args: Any) -> None:
        """Start a new object: every worker builds ``factory(*args)``."""
        if self.outstanding:
            raise RuntimeError("begin() with results still outstanding; drain() first")
        self._submitted = self._received = 0
        message = _frame(("begin", args))
        for worker in self._workers:
            worker.outbox.append(message)
        self._flush()

    def submit(self, item: Any) -> None:
        """Hand ``item`` to the next worker (round robin); never blocks."""
        worker = self._workers[self._submitted % len(self._workers)]
        worker.outbox.append(_frame(("item", item)))
        self._submitted += 1
        self._flush()

    def result(self) -> Any:
        """The result of the oldest item whose result has not been taken yet."""
        if not self.outstanding:
            raise RuntimeError("no result outstanding")
        worker = self._workers[self._received % len(self._workers)]
        deadline = time.monotonic() + self.timeout_s
        while not self._wait_readable(worker, deadline):
            pass
        message = _receive(worker.from_child)
        if message is None:
            self._fail(f"a worker (pid {worker.process.pid}) closed its pipe without answering")
        self._received += 1
        kind, value = message
        if kind != "ok":
            self._fail(f"a worker (pid {worker.process.pid}) raised:\n{value}")
        return value

    def drain(self) -> None:
        """Take and drop the outstanding results (an object ended early): the workers are then
        ready for the next object. Stops them if that fails."""
        try:
            while self.outstanding:
                self.result()
        except WorkerFailed:
            pass  # already stopped; the next object starts fresh workers

    def stop(self) -> None:
        """Stop the workers: closing their input makes them exit; stragglers are killed."""
        workers, self._workers = self._workers, []
        self._submitted = self._received = 0
        for worker in workers:
            for fd in (worker.to_child, worker.from_child):
                with contextlib.suppress(OSError):
                    os.close(fd)
        deadline = time.monotonic() + _STOP_WAIT_S
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(_STOP_WAIT_S)

    def _fail(self, reason: str) -> None:
        self.stop()
        raise WorkerFailed(f"table summary worker failed: {reason}")

    def _wait_readable(self, worker: _Worker, deadline: float) -> bool:
        """Flush outboxes until ``worker`` has something to read (True) or a poll round ends
        without it (False); raises WorkerFailed if it died or the deadline passed."""
        self._flush()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self._fail(f"no answer from pid {worker.process.pid} within {self.timeout_s:.0f} s")
        poller = select.poll()
        poller.register(worker.from_child, select.POLLIN)
        sentinel = worker.process.sentinel
        poller.register(sentinel, select.POLLIN)
        for other in self._workers:
            if other.outbox:
                poller.register(other.to_child, select.POLLOUT)
        ready = {fd for fd, _ in poller.poll(remaining * 1000)}
        if worker.from_child in ready:
            return True  # also after an exit: a result written before it is still read
        if sentinel in ready:
            worker.process.join(_STOP_WAIT_S)  # it has exited: reap it, or its exit code is None
            self._fail(f"pid {worker.process.pid} exited with code {worker.process.exitcode}")
        return False

    def _flush(self) -> None:
        for worker in self._workers:
            outbox = worker.outbox
            while outbox:
                try:
                    written = os.write(worker.to_child, outbox[0])
                except BlockingIOError:
                    break
                except OSError as exc:  # EPIPE: the worker is gone
                    self._fail(f"pid {worker.process.pid} does not take input ({exc})")
                if written == len(outbox[0]):
                    outbox.popleft()
                else:
                    outbox[0] = outbox[0][written:]
                    break


def _grow_pipe(fd: int) -> None:
    """Best effort: a 1 MiB pipe (Linux allows it unprivileged) instead of 64 KiB."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setpipe, _PIPE_BYTES)


def _frame(message: Any) -> memoryview:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return memoryview(len(payload).to_bytes(_HEADER, "little") + payload)


def _read_exact(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return None
        got += n
    return buffer


def _receive(fd: int) -> Any:
    """One message, or None at end of file."""
    header = _read_exact(fd, _HEADER)
    if header is None:
        return None
    payload = _read_exact(fd, int.from_bytes(header, "little"))
    return None if payload is None else pickle.loads(payload)


def _send_blocking(fd: int, message: Any) -> None:
    view = _frame(message)
    while view:
        view = view[os.write(fd, view) :]


def _worker_main(
    from_parent: int, to_parent: int, factory: Callable[..., Callable[[Any], Any]], close: list[int]
) -> None:
    """The child: pure computation on what it receives. It exits at end of file on its input
    (the parent stopped it, or exited)."""
    for fd in close:
        os.close(fd)
    # Signals are for the parent (FC's runtime): a Ctrl-C in a terminal reaches the whole
    # process group, and the parent's handlers must not run in the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.set_blocking(from_parent, True)
    state: Callable[[Any], Any] | None = None
    setup_error = ""
    while True:
        message = _receive(from_parent)
        if message is None:
            return
        kind, payload = message
        if kind == "begin":
            try:
                state, setup_error = factory(*payload), ""
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
            _send_blocking(to_parent, answer)
        except OSError:
            return  # the parent closed its end (stop()): nobody wants the answer
