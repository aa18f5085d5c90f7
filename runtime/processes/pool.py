"""``ProcessPool``: forked worker processes that run an algorithm's pure tasks in parallel.

Per object the pool sends every worker a ``begin`` message (each builds its state with
``task(*args)``), then hands out items round robin and gives the results back in the order of
the items. A worker answers its items in order, so item ``n`` is done by worker ``n % count``
after every earlier item of that worker. See ``algorithms.parallel`` for the algorithm's side.

Design choices, and why:

- **fork**, explicitly (``multiprocessing.get_context("fork")``): workers must compute what
  the function's process would, and some results depend on interpreter state — the table
  summariser's distinct counts hash cells with the builtin ``hash()``, whose str/bytes hashes
  are randomised per interpreter, and merges the workers' sketches in the parent. A forked
  child inherits the hash secret and every imported module (so tasks are pickled by
  reference); spawn and forkserver start a new interpreter with a new secret.
- Forked in the function's setup (FC's initializer, once per instance) while the process has
  no other thread, and reused for every object: Python 3.12 warns when forking a
  multi-threaded process (the runtime's read-ahead thread runs during an invocation). A
  worker that died is replaced at the next object, which then forks during an invocation:
  the children only compute on the bytes they receive (no logging, no locks, no imports),
  which is what makes that safe.
- **Plain pipes** (``wire``), no ``multiprocessing.Queue``/``Pool`` and their /dev/shm. The
  parent never blocks on a write: its ends are non-blocking and unsent bytes wait in an
  outbox that is flushed whenever the parent waits for a result, so a busy worker cannot
  stall the others.
- A worker that dies or stops answering surfaces as :class:`WorkerFailed` (its sentinel and a
  timeout are watched, never an unbounded wait); the pool is stopped then, and the next
  object gets fresh workers. If processes cannot be created at all, :meth:`start` logs it
  once and answers False: the algorithm runs in its own process.

One object at a time: ``lease`` hands the pool to one object and None to any other that asks
meanwhile (``instanceConcurrency`` above 1), which then computes in its own thread.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import select
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.processes import child
from runtime.processes.wire import frame, grow_pipe, receive

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator
    from multiprocessing.process import BaseProcess

log = logging.getLogger("runtime.processes")

DEFAULT_TIMEOUT_S = 300.0  # for one result; an item takes tens of milliseconds
_STOP_WAIT_S = 2.0
_IN_FLIGHT_PER_WORKER = 2  # one being computed, the next one already in its pipe


class WorkerFailed(RuntimeError):
    """A worker process died, raised, or did not answer in time."""


@dataclass(slots=True, eq=False)
class _Worker:
    process: BaseProcess
    to_child: int  # non-blocking write end
    from_child: int  # blocking read end, read only once poll() says it is readable
    outbox: deque[memoryview] = field(default_factory=deque)


class ProcessPool:
    """``count`` forked worker processes (see the module docstring).

    >>> pool = ProcessPool(2, name="squares")
    >>> pool.start()  # doctest: +SKIP
    True
    >>> list(pool.map(Squares, (1,), range(4)))  # doctest: +SKIP
    [1, 2, 5, 10]
    """

    def __init__(self, count: int, name: str = "algorithm", timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        if count < 2:
            raise ValueError("a ProcessPool needs at least 2 workers; compute in this process otherwise")
        self.count = count
        self.name = name
        self.timeout_s = timeout_s
        self._workers: list[_Worker] = []
        self._unavailable = False  # creating processes failed once: stay in one process
        self._submitted = 0
        self._received = 0
        self._free = threading.Lock()

    @property
    def running(self) -> bool:
        return bool(self._workers)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    # --- lifecycle ----------------------------------------------------------------------------
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
                "%s: cannot start %d worker processes (%s: %s); computing in one process",
                self.name,
                self.count,
                type(exc).__name__,
                exc,
            )
            return False
        return True

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

    @contextmanager
    def lease(self) -> Iterator[ProcessPool | None]:
        """The pool for one object (started, a dead worker replaced), or None while another
        object holds it or when no process can be started."""
        if not self._free.acquire(blocking=False):
            yield None
            return
        try:
            yield self if self.start() else None
        finally:
            self._free.release()

    # --- work ---------------------------------------------------------------------------------
    def map(
        self, task: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...], items: Iterable[Any]
    ) -> Generator[Any, None, None]:
        """``task(*args)(item)`` for every item, computed in the workers, in the items' order.

        Items are taken only as the workers have room (two per worker in flight). Closing the
        iterator early drops the results not taken; so does an exception raised by ``items``,
        which is passed on. Either way the workers stay ready for the next object. A worker
        that fails raises ``WorkerFailed`` and stops the pool.
        """
        self._begin(task, args)
        source = iter(items)
        limit = _IN_FLIGHT_PER_WORKER * self.count
        more = True
        try:
            while True:
                while more and self._outstanding < limit:
                    for item in source:
                        self._submit(item)
                        break
                    else:
                        more = False
                if not self._outstanding:
                    return
                yield self._result()
        except WorkerFailed:
            raise  # stopped already; the next object starts fresh workers
        except (GeneratorExit, Exception):
            self._drain()  # results of items after the last one taken: not wanted
            raise
        except BaseException:
            self.stop()
            raise

    @property
    def _outstanding(self) -> int:
        """Items submitted whose result has not been taken yet."""
        return self._submitted - self._received

    def _fork(self, context: Any) -> _Worker:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        for fd in (to_write, from_write):
            grow_pipe(fd)
        # The child must not keep the other workers' pipes open (a worker would then not see
        # end-of-file when the parent goes away) nor the parent's ends of its own.
        inherited = [fd for w in self._workers for fd in (w.to_child, w.from_child)]
        process = context.Process(
            target=child.serve,
            args=(to_read, from_write, [to_write, from_read, *inherited]),
            name=f"{self.name}-worker",
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

    def _begin(self, task: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...]) -> None:
        """Start a new object: every worker builds ``task(*args)``."""
        if not self._workers:
            raise RuntimeError("the pool is not running; start() it (lease() does)")
        if self._outstanding:
            raise RuntimeError("a new object with results still outstanding")
        self._submitted = self._received = 0
        message = frame(("begin", (task, args)))
        for worker in self._workers:
            worker.outbox.append(message)
        self._flush()

    def _submit(self, item: Any) -> None:
        """Hand ``item`` to the next worker (round robin); never blocks."""
        worker = self._workers[self._submitted % len(self._workers)]
        worker.outbox.append(frame(("item", item)))
        self._submitted += 1
        self._flush()

    def _result(self) -> Any:
        """The result of the oldest item whose result has not been taken yet."""
        worker = self._workers[self._received % len(self._workers)]
        deadline = time.monotonic() + self.timeout_s
        while not self._wait_readable(worker, deadline):
            pass
        message = receive(worker.from_child)
        if message is None:
            self._fail(f"a worker (pid {worker.process.pid}) closed its pipe without answering")
        self._received += 1
        kind, value = message
        if kind != "ok":
            self._fail(f"a worker (pid {worker.process.pid}) raised:\n{value}")
        return value

    def _drain(self) -> None:
        """Take and drop the outstanding results: the workers are then ready for the next
        object. Stops them if that fails."""
        try:
            while self._outstanding:
                self._result()
        except WorkerFailed:
            pass  # already stopped; the next object starts fresh workers

    def _fail(self, reason: str) -> None:
        self.stop()
        raise WorkerFailed(f"{self.name} worker failed: {reason}")

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
