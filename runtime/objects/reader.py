"""Stream one version of an object: file-like, chunked, resumable, verified.

The body is read in chunks straight from the HTTP response, so memory stays bounded whatever
the object size. Every GET names the version read (``If-Match: <ETag>``) and a byte range, so
when a connection breaks or times out mid-stream the read resumes where it stopped — with
backoff, up to the retry policy — and an object overwritten meanwhile is noticed (412)
instead of silently mixing two versions. At the end, the CRC-64 of everything delivered is
compared with the one OSS stored for the object.

The CRC is computed once per response (a resume starts a new one) and the per-response
CRCs are combined. With liblzma at hand (see :mod:`runtime.objects.crc64`) the reader computes
it at several GB/s without the GIL, and asks oss2 not to compute its own (crcmod, ~350 MB/s,
GIL held); otherwise it takes the CRC oss2 computes anyway (``GetObjectResult.client_crc``).
"""

from __future__ import annotations

import copy
import io
import logging
import time
from typing import TYPE_CHECKING, Any

from runtime.objects import crc64 as crc
from runtime.objects.errors import IntegrityError, StoreUnavailableError
from runtime.objects.read_ahead import ReadAhead
from runtime.objects.retry import classify

if TYPE_CHECKING:
    from runtime.objects.retry import RetryPolicy

log = logging.getLogger("runtime.objects")


class ObjectReader(io.RawIOBase):
    """A raw, read-only stream of ``key`` at ``etag``; wrap it with :func:`open_stream`.

    ``crc64`` is OSS's ``x-oss-hash-crc64ecma`` of the object (None: not verified).
    """

    def __init__(self, bucket: Any, key: str, *, size: int, etag: str, crc64: int | None, policy: RetryPolicy) -> None:
        super().__init__()
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
        self.expected_crc = crc64
        self.policy = policy
        self.position = 0
        self.resumes = 0  # connections re-opened after a failure mid-stream
        self._body: Any = None
        self._body_start = 0  # offset of the open body's first byte
        self._body_digest: crc.Digest | None = None  # our CRC of the open body (None: oss2's)
        self._verifying = crc64 is not None and crc.can_verify()
        self._source = _without_oss2_crc(bucket) if self._verifying and crc.liblzma_crc64() else bucket
        self._crc_value = 0  # CRC-64 of the bytes of the bodies already closed ...
        self._crc_length = 0  # ... and how many bytes that is
        self._verified = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._next(len(buffer))
        count = len(data)
        buffer[:count] = data
        return count

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to ``size`` bytes (one response read, no copy); ``b""`` at the end, after the CRC check."""
        if size is None or size < 0:
            return self.readall()
        return self._next(size)

    def _next(self, size: int) -> bytes:
        remaining = self.size - self.position
        if remaining <= 0:
            self._verify()
            return b""
        if size == 0:
            return b""
        data = self._read_with_retries(min(size, remaining))
        self.position += len(data)
        if self._body_digest is not None:
            self._body_digest.update(data)
        return data

    def _read_with_retries(self, want: int) -> bytes:
        what = f"GET {self.key}"
        attempt = 0
        while True:
            attempt += 1
            try:
                if self._body is None:
                    self._body = self._open()
                data: bytes = self._body.read(want)
                if not data:
                    raise StoreUnavailableError(f"{what}: connection closed after {self.position} of {self.size} bytes")
                return data
            except Exception as exc:
                error = classify(exc, what)
                self._close_body()
                if not isinstance(error, StoreUnavailableError) or attempt >= self.policy.attempts:
                    raise error from None
                pause = self.policy.delay(attempt)
                if self.policy.deadline is not None and time.monotonic() + pause >= self.policy.deadline:
                    raise error from None
                self.resumes += 1
                log.warning(
                    "reading the object failed, resuming",
                    extra={
                        "event": "oss_retry",
                        "operation": what,
                        "attempt": attempt,
                        "offset": self.position,
                        "error": error.message,
                    },
                )
                time.sleep(pause)

    def _open(self) -> Any:
        # Always a ranged GET, also at offset 0: one code path for first read and resume.
        body = self._source.get_object(
            self.key, byte_range=(self.position, None), headers={"If-Match": f'"{self.etag}"'}
        )
        self._body_start = self.position
        if self._verifying and _client_crc(body) is None:
            self._body_digest = crc.new_digest()
        return body

    def _verify(self) -> None:
        if self._verified:
            return
        self._verified = True
        self._close_body()
        if self._verifying and self._crc_value != self.expected_crc:
            raise IntegrityError(f"GET {self.key}: CRC-64 of the bytes read does not match the object's")

    def _close_body(self) -> None:
        body, self._body = self._body, None
        if body is not None:
            self._fold_crc(body)
            try:
                body.close()
            except Exception:  # closing a broken connection may fail again
                log.debug("closing a GET response failed", exc_info=True)

    def _fold_crc(self, body: Any) -> None:
        """Add the CRC of the bytes delivered from ``body`` to the CRC of those before it."""
        own, self._body_digest = self._body_digest, None
        length = self.position - self._body_start
        if not self._verifying or length == 0:
            return
        body_crc = own.crc if own is not None else _client_crc(body)
        if body_crc is None:  # cannot happen: _open gave such a body a digest of our own
            raise IntegrityError(f"GET {self.key}: no CRC-64 was computed for a response")
        self._crc_value = body_crc if self._crc_length == 0 else crc.combine(self._crc_value, body_crc, length)
        self._crc_length += length

    def close(self) -> None:
        self._close_body()
        super().close()


def open_stream(reader: ObjectReader, buffer_size: int, read_ahead: int = 0) -> io.BufferedReader:
    """A buffered file object over ``reader``; large ``read(n)`` calls bypass the buffer.

    With ``read_ahead`` > 0, a background thread keeps up to that many ``buffer_size`` chunks
    read ahead (see :mod:`runtime.objects.read_ahead`), so I/O overlaps the algorithm.
    """
    raw: io.RawIOBase = reader
    if read_ahead > 0:
        raw = ReadAhead(reader, chunk_size=buffer_size, depth=read_ahead)
    return io.BufferedReader(raw, buffer_size=buffer_size)


def _client_crc(body: Any) -> int | None:
    """The CRC-64 oss2 computed over what ``body`` returned so far; None when it computes none."""
    crc = getattr(body, "client_crc", None)
    return crc if isinstance(crc, int) else None


def _without_oss2_crc(bucket: Any) -> Any:
    """A shallow copy of an ``oss2.Bucket`` (same session, auth and endpoint) whose GETs oss2
    does not CRC, because the reader does. oss2 has no per-request switch for it."""
    if getattr(bucket, "enable_crc", None) is not True:
        return bucket
    clone = copy.copy(bucket)
    clone.enable_crc = False
    return clone
