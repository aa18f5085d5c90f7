"""Requests on the same object, one at a time.

moto replaces an object by storing the new key and disposing of the old one (its body buffer
is closed), and reads the new key's body afterwards to compute its ETag. Two PUTs to one key
at once, or a GET while a PUT replaces the object, then read a closed buffer: a 500 for the
loser (32 to 49 of 100 concurrent PUTs did). OSS answers each of them, the last writer wins.
So every request that reads or replaces a stored object holds its key's lock while moto
works; requests on other keys go on in parallel.

Locks are striped (a fixed set, chosen by hash) so memory stays bounded whatever the keys,
and taken in stripe order so that a request holding two keys (a copy, a batch delete)
cannot deadlock with another.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["KeyLocks"]


class KeyLocks:
    """``with locks.hold([("bucket", "key")]): ...`` — exclusive use of those objects."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def hold(self, keys: Iterable[tuple[str, str]]) -> Iterator[None]:
        stripes = sorted({hash(key) % len(self._locks) for key in keys})
        taken: list[threading.Lock] = []
        try:
            for stripe in stripes:
                lock = self._locks[stripe]
                lock.acquire()
                taken.append(lock)
            yield
        finally:
            for lock in reversed(taken):
                lock.release()
