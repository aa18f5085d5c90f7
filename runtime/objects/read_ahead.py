"""Read a stream ahead in a background thread, so that I/O overlaps the algorithm's work.

An object function alternates between waiting for the network and computing: while the
algorithm reduces one chunk, nothing is fetched, and while a chunk is fetched (and its
CRC-64 updated), the algorithm waits. :class:`ReadAhead` moves the reads to a thread that
stays a few chunks ahead. Socket reads release the GIL, so the transfer (and the local
server's work) really runs alongside the algorithm; the CRC and oss2's Python code still
take turns with it for the GIL.

What does not change: the source's own semantics (retries, resume at the same offset,
ETag pinning, CRC verification at the end) all stay in the source, now running on the
thread. Errors reach the consumer in order — every chunk read before the failure first,
then the exception, raised by the ``read`` that would have returned the next bytes.
Memory is bounded: at most ``depth`` chunks wait in the queue, plus the one being read
and the one being consumed.
"""

from __future__ import annotations

import contextvars
import io
import logging
import queue
import threading
from typing import Any, Protocol

log = logging.getLogger("runtime.objects")


class ChunkSource(Protocol):
    """What :class:`ReadAhead` reads from: ``read(n)`` returns up to ``n`` bytes, ``b""`` at the end."""

    def read(self, size: int = -1, /) -> bytes | None: ...

    def close(self) -> None: ...


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()  # the source is exhausted


class ReadAhead(io.RawIOBase):
    """A raw stream that reads ``source`` up to ``depth`` chunks ahead, in a thread of its own.

    The thread starts at the first read and owns ``source`` from then on (it closes it when
    it stops). Closing the stream stops the thread; a read in flight is waited for up to
    ``join_timeout_s``, after which the thread finishes it on its own.

    >>> with io.BufferedReader(ReadAhead(io.BytesIO(b"x" * 5000), chunk_size=1024)) as stream:
    ...     len(stream.read())
    5000
    """

    def __init__(self, source: ChunkSource, chunk_size: int, depth: int = 4, join_timeout_s: float = 10.0) -> None:
        super().__init__()
        if chunk_size < 1 or depth < 1:
            raise ValueError("chunk_size and depth must be at least 1")
        self.source = source
        self.chunk_size = chunk_size
        self.join_timeout_s = join_timeout_s
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._chunk = memoryview(b"")  # the rest of the chunk being consumed
        self._final: object = None  # _END or a _Failure, once the consumer has met it

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._chunk:
            self._chunk = self._next_chunk()
        count = min(len(buffer), len(self._chunk))
        buffer[:count] = self._chunk[:count]
        self._chunk = self._chunk[count:]
        return count

    def _next_chunk(self) -> memoryview:
        if self.closed:
            raise ValueError("read from a closed ReadAhead")
        if self._final is None:
            if self._thread is None:
                self._start()
            item = self._queue.get()
            if isinstance(item, bytes | bytearray):
                return memoryview(item)
            self._final = item
        if isinstance(self._final, _Failure):
            # Raised again by any later read: the stream cannot continue past a failure.
            raise self._final.error
        return memoryview(b"")

    def _start(self) -> None:
        # The thread runs in a copy of this context, so that lines it logs (a read
        # resuming after a broken connection) carry the invocation's fields.
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._produce,), name="object-read-ahead", daemon=True
        )
        self._thread.start()

    def _produce(self) -> None:
        try:
            while not self._stopping.is_set():
                chunk = self.source.read(self.chunk_size)
                if not chunk:
                    self._put(_END)
                    return
                self._put(chunk)
        except BaseException as exc:  # delivered to the consumer, after the chunks before it
            self._put(_Failure(exc))
        finally:
            try:
                self.source.close()
            except Exception:  # closing after a failure may fail again; the read error matters
                log.debug("closing the read-ahead source failed", exc_info=True)

    def _put(self, item: object) -> None:
        # Blocks while the queue is full; close() drains the queue, so a stopping thread
        # never stays blocked here (it is the only producer).
        if not self._stopping.is_set():
            self._queue.put(item)

    def close(self) -> None:
        if self.closed:
            return
        self._stopping.set()
        self._chunk = memoryview(b"")
        thread = self._thread
        if thread is None:
            self.source.close()  # never started: the source is still ours to close
        else:
            self._drain()
            thread.join(self.join_timeout_s)
            self._drain()  # a chunk put between the first drain and the thread's stop check
            if thread.is_alive():
                log.debug("a read-ahead read is still in flight; it closes its source when done")
        super().close()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
