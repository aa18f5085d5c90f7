"""Worker processes for CPU-bound algorithms, with no knowledge of how they are run.

Pure Python uses one core per process, so an algorithm that wants more than one vCPU hands
work to other processes. It supplies only pure code: a *task*, a picklable module-level
callable that builds per-object state from a few arguments and returns a function of one
item (``task(*args)(item) -> result``); the runtime owns the processes (``runtime.processes``:
starting, feeding, reaping, restarting them). It binds them for the length of each object;
an algorithm asks for them with ``workers()``:

    from algorithms import parallel

    class Squares:                      # the task: per-object state, then one call per item
        def __init__(self, offset):
            self.offset = offset
        def __call__(self, item):
            return item * item + self.offset

    with parallel.workers() as pool:
        if pool is None:                # no processes: outside FC, busy, or unavailable
            results = map(Squares(1), items)
        else:
            results = pool.map(Squares, (1,), items)

``pool.map`` returns the results in the order of ``items``, taking items only as the workers
have room for them (memory stays bounded). Close it early (``contextlib.closing``) and the
results not taken are dropped. Every process must compute the same figures from the same
item: the workers are forked from the function's process, so they share its state at
instance start (imported modules, ``hash()``'s secret) and nothing after.

``processes`` on an ``ObjectAlgorithm`` says how many worker processes it can keep busy.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator
    from contextlib import AbstractContextManager

    #: ``task(*args)`` builds a worker's state for one object; calling that state reduces one item.
    Task = Callable[..., Callable[[Any], Any]]


class Workers(Protocol):
    """Worker processes, leased to one object at a time."""

    def map(self, task: Task, args: tuple[Any, ...], items: Iterable[Any]) -> Generator[Any, None, None]:
        """``task(*args)(item)`` for every item, computed in the workers, in order."""
        ...


class Provider(Protocol):
    """What the runtime binds for the length of one object."""

    def lease(self) -> AbstractContextManager[Workers | None]: ...


#: The worker processes of the current object; set by the runtime (or ``binding``) for its length.
PROVIDER: ContextVar[Provider | None] = ContextVar("algorithm_workers", default=None)


@contextmanager
def workers() -> Iterator[Workers | None]:
    """The worker processes for this object, or None: none bound (plain unit tests, one
    process configured), busy with another object (instance concurrency), or unavailable."""
    provider = PROVIDER.get()
    if provider is None:
        yield None
        return
    with provider.lease() as leased:
        yield leased


@contextmanager
def binding(provider: Provider | None) -> Iterator[None]:
    """Make ``provider`` the source of ``workers()`` inside the block (the runtime's job; tests
    use it with a ``runtime.processes.ProcessPool``)."""
    token = PROVIDER.set(provider)
    try:
        yield
    finally:
        PROVIDER.reset(token)
