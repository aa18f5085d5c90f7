"""Messages between the pool and its workers: length-prefixed pickles on plain pipes.

Plain pipes rather than ``multiprocessing.Queue``: those need POSIX semaphores in
/dev/shm, which some serverless sandboxes lack (AWS Lambda does; whether FC has /dev/shm is
UNCONFIRMED).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
from typing import Any

PIPE_BYTES = 1 << 20  # a whole ~1 MiB item fits in the pipe: a worker reads it without waiting
_HEADER = 8  # bytes of the length prefix


def grow_pipe(fd: int) -> None:
    """Best effort: a 1 MiB pipe (Linux allows it unprivileged) instead of 64 KiB."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setpipe, PIPE_BYTES)


def frame(message: Any) -> memoryview:
    """``message`` as the bytes to write: its length, then its pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return memoryview(len(payload).to_bytes(_HEADER, "little") + payload)


def receive(fd: int) -> Any:
    """One message from a blocking ``fd``, or None at end of file."""
    header = _read_exact(fd, _HEADER)
    if header is None:
        return None
    payload = _read_exact(fd, int.from_bytes(header, "little"))
    return None if payload is None else pickle.loads(payload)


def send_blocking(fd: int, message: Any) -> None:
    view = frame(message)
    while view:
        view = view[os.write(fd, view) :]


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
