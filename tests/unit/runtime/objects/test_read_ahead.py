"""ReadAhead: the same bytes as reading directly, failures in order, bounded memory, clean stops."""

from __future__ import annotations

import contextvars
import io
import threading
import time
from typing import Any

import pytest

from runtime.objects.read_ahead import ReadAhead

DATA = bytes(range(256)) * 400  # 100 KiB, every byte value, no repeating chunk alignment


class Source:
    """A chunk source over ``data`` that counts its reads and can fail after some of them."""

    def __init__(self, data: bytes = DATA, fail_after_reads: int | None = None) -> None:
        self.data = data
        self.offset = 0
        self.reads = 0
        self.fail_after_reads = fail_after_reads
        self.closed = threading.Event()
        self.reader_threads: set[str] = set()

    def read(self, size: int = -1, /) -> bytes:
        self.reader_threads.add(threading.current_thread().name)
        if self.fail_after_reads is not None and self.reads >= self.fail_after_reads:
            raise ConnectionError(f"broken after {self.offset} bytes")
        self.reads += 1
        chunk = self.data[self.offset : self.offset + size]
        self.offset += len(chunk)
        return chunk

    def close(self) -> None:
        self.closed.set()


def wait_for(condition: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.001)


@pytest.mark.parametrize(
    ("chunk_size", "read_size"),
    [(7, -1), (1000, 1), (1000, 777), (4096, 65536), (4096, -1), (len(DATA), 777), (10 * len(DATA), 65536)],
)
def test_the_stream_delivers_exactly_the_source_bytes_in_order(chunk_size: int, read_size: int) -> None:
    source = Source()
    with io.BufferedReader(ReadAhead(source, chunk_size=chunk_size), buffer_size=8192) as stream:
        received = stream.read() if read_size == -1 else b"".join(iter(lambda: stream.read(read_size), b""))
        assert stream.read(10) == b""  # the end stays the end
    assert received == DATA
    assert source.closed.is_set()
    assert source.reader_threads == {"object-read-ahead"}  # the reads really ran on the thread


def test_a_source_failure_arrives_after_every_chunk_read_before_it_and_again_after() -> None:
    source = Source(fail_after_reads=3)
    stream = ReadAhead(source, chunk_size=1000, depth=8)
    received = bytearray()
    buffer = bytearray(600)
    with pytest.raises(ConnectionError, match="broken after 3000 bytes"):
        while count := stream.readinto(buffer):
            received += buffer[:count]
    assert bytes(received) == DATA[:3000]  # nothing lost, nothing skipped before the error
    with pytest.raises(ConnectionError):
        stream.readinto(buffer)  # a failed stream does not pretend to continue
    stream.close()
    assert source.closed.is_set()


def test_the_thread_never_gets_more_than_depth_chunks_ahead() -> None:
    depth, chunk = 3, 1000
    source = Source()
    stream = ReadAhead(source, chunk_size=chunk, depth=depth)
    buffer = bytearray(chunk)
    total_chunks = -(-len(DATA) // chunk)
    consumed = 0
    while stream.readinto(buffer):
        consumed += 1
        # Let the thread run as far as it may: the queue (depth), plus the chunk it holds
        # while waiting for room. An unbounded queue would read everything right away.
        wait_for(lambda c=consumed: source.reads >= min(total_chunks, c + depth + 1))
        assert source.reads <= consumed + depth + 1
    stream.close()


def test_closing_midway_stops_the_thread_and_closes_the_source() -> None:
    source = Source()
    stream = ReadAhead(source, chunk_size=1000, depth=2)
    assert len(stream.read(10)) == 10
    thread = stream._thread
    assert thread is not None
    stream.close()
    assert not thread.is_alive()  # it was blocked on a full queue: closing freed it
    assert source.closed.is_set()
    assert source.reads < len(DATA) // 1000  # it stopped reading, well before the end
    with pytest.raises(ValueError, match="closed"):
        stream.read(10)


def test_closing_before_any_read_starts_no_thread() -> None:
    source = Source()
    stream = ReadAhead(source, chunk_size=1000)
    stream.close()
    assert source.closed.is_set() and source.reads == 0 and stream._thread is None


def test_the_source_runs_in_the_readers_context() -> None:
    # Log lines of the source (a read resuming) must carry the invocation's fields, which
    # live in context variables.
    request: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")
    seen: list[str] = []

    class Recording(Source):
        def read(self, size: int = -1, /) -> bytes:
            seen.append(request.get())
            return super().read(size)

    request.set("r-1")
    with io.BufferedReader(ReadAhead(Recording(), chunk_size=50_000)) as stream:
        stream.read()
    assert seen and set(seen) == {"r-1"}


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ReadAhead(Source(), chunk_size=0)
