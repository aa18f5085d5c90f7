"""Frames between ``serve`` and its instance processes, over a Unix socket pair.

A frame is an 8-byte header (JSON length, body length), a JSON object with an ``op`` field,
then raw bytes (the event or the result). Raw bytes stay raw: an image or a 32 MB body is
never base64-encoded or copied into JSON. The function's stdout/stderr are separate pipes,
so nothing the function prints can corrupt a frame.

    send_frame(sock, {"op": "invoke", "id": 1}, b'{"number": 7}')
"""

from __future__ import annotations

import json
import struct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket
    from typing import BinaryIO

HEADER = struct.Struct("!II")
# Small frames are sent with one syscall; big bodies are not copied into a joined buffer.
_JOIN_LIMIT = 64 * 1024


def encode_frame(meta: dict[str, Any], body: bytes = b"") -> list[bytes]:
    head = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    prefix = HEADER.pack(len(head), len(body))
    if len(body) <= _JOIN_LIMIT:
        return [prefix + head + body]
    return [prefix + head, body]


def send_frame(sock: socket.socket, meta: dict[str, Any], body: bytes = b"") -> None:
    """Send one frame (callers that share ``sock`` between threads hold a lock around this)."""
    for part in encode_frame(meta, body):
        sock.sendall(part)


def read_frame(stream: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
    """Read one frame from a blocking buffered stream; None at end of stream."""
    prefix = stream.read(HEADER.size)
    if len(prefix) < HEADER.size:
        return None
    head_len, body_len = HEADER.unpack(prefix)
    head = stream.read(head_len)
    body = stream.read(body_len) if body_len else b""
    if len(head) < head_len or len(body) < body_len:
        return None
    meta = json.loads(head)
    return (meta if isinstance(meta, dict) else {}), body


class FrameBuffer:
    """Incremental frame parser for a non-blocking reader: feed bytes, take complete frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[dict[str, Any], bytes]]:
        self._buffer += data
        frames: list[tuple[dict[str, Any], bytes]] = []
        while len(self._buffer) >= HEADER.size:
            head_len, body_len = HEADER.unpack_from(self._buffer)
            end = HEADER.size + head_len + body_len
            if len(self._buffer) < end:
                break
            meta = json.loads(bytes(self._buffer[HEADER.size : HEADER.size + head_len]))
            body = bytes(self._buffer[HEADER.size + head_len : end])
            del self._buffer[:end]
            frames.append((meta if isinstance(meta, dict) else {}, body))
        return frames
