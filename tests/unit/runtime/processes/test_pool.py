"""The runtime's worker processes: results in order, early stops and input errors that leave
the workers usable, failures that surface as errors instead of hangs, one object at a time."""

from __future__ import annotations

import os
import time
from contextlib import closing
from typing import TYPE_CHECKING

import pytest

from runtime.processes import ProcessPool, WorkerFailed

if TYPE_CHECKING:
    from collections.abc import Iterator


class _Square:
    """A pure task: per-object state (an offset), then one call per item."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __call__(self, item: int) -> tuple[int, int]:
        return item * item + self.offset, os.getpid()


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPool]:
    started = ProcessPool(3, name="squares")
    assert started.start()
    yield started
    started.stop()
    assert not started.running


def test_results_come_in_order_from_every_worker(pool: ProcessPool) -> None:
    results = list(pool.map(_Square, (1,), range(50)))
    assert [value for value, _ in results] == [i * i + 1 for i in range(50)]
    assert {pid for _, pid in results} == set(pool.pids())  # round robin over the three
    assert os.getpid() not in pool.pids()


def test_an_early_stop_drops_the_rest_and_the_next_object_starts_clean(pool: ProcessPool) -> None:
    taken = []
    with closing(pool.map(_Square, (0,), range(100))) as results:
        for value, _ in results:
            taken.append(value)
            if len(taken) == 3:
                break
    assert taken == [0, 1, 4]
    assert [v for v, _ in pool.map(_Square, (5,), range(4))] == [5, 6, 9, 14]


def test_an_error_from_the_items_is_passed_on_and_the_workers_stay_usable(pool: ProcessPool) -> None:
    def items() -> Iterator[int]:
        yield from range(10)
        raise ValueError("the input broke midway")

    with pytest.raises(ValueError, match="broke midway"):
        list(pool.map(_Square, (0,), items()))
    assert pool.running
    assert [v for v, _ in pool.map(_Square, (2,), [3])] == [11]


def test_items_are_taken_only_as_the_workers_have_room(pool: ProcessPool) -> None:
    pulled = []

    def items() -> Iterator[int]:
        for i in range(100):
            pulled.append(i)
            yield i

    results = pool.map(_Square, (0,), items())
    next(results)
    assert len(pulled) <= 2 * 3 + 1  # two per worker in flight, plus the one whose result came back
    results.close()


def test_one_object_at_a_time(pool: ProcessPool) -> None:
    with pool.lease() as first, pool.lease() as second:
        assert first is pool and second is None
    with pool.lease() as again:
        assert again is pool


def test_fewer_than_two_workers_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        ProcessPool(1)


class _Crashy:
    """A worker state that dies, raises or hangs on request."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __call__(self, item: str) -> str:
        if item == "exit":
            os._exit(3)
        if item == "raise":
            raise ValueError("bad item")
        if item == "hang":
            time.sleep(60)
        return f"{self.tag}:{item}"


def test_a_worker_dying_midway_raises_instead_of_hanging_and_the_next_object_gets_fresh_workers() -> None:
    pool = ProcessPool(2, timeout_s=20)
    assert pool.start()
    try:
        results = pool.map(_Crashy, ("a",), ["1", "2", "exit", "4"])
        assert [next(results), next(results)] == ["a:1", "a:2"]
        started = time.monotonic()
        with pytest.raises(WorkerFailed, match=r"exited with code 3|closed its pipe"):
            next(results)
        assert time.monotonic() - started < 10
        assert not pool.running
        assert pool.start()
        assert list(pool.map(_Crashy, ("b",), ["5"])) == ["b:5"]
    finally:
        pool.stop()


def test_a_worker_exception_is_raised_in_the_parent_with_its_traceback() -> None:
    pool = ProcessPool(2)
    assert pool.start()
    try:
        with pytest.raises(WorkerFailed, match="ValueError: bad item"):
            list(pool.map(_Crashy, ("a",), ["raise"]))
    finally:
        pool.stop()


def test_a_worker_that_does_not_answer_times_out() -> None:
    pool = ProcessPool(2, timeout_s=0.5)
    assert pool.start()
    try:
        started = time.monotonic()
        with pytest.raises(WorkerFailed, match="no answer"):
            list(pool.map(_Crashy, ("a",), ["hang"]))
        assert time.monotonic() - started < 5
        assert not pool.running  # stopped (the hung one killed)
    finally:
        pool.stop()
