"""Stream one version of an object: file-like, chunked, resumable, verified.

The body is read in chunks straight from the HTTP response, so memory stays bounded whatever
the object size. Every GET names the version read (``If-Match: <ETag>``) and a byte range, so
when a connection breaks or times out mid-stream the read resumes where it stopped — with
backoff, up to the retry policy — and an object overwritten meanwhile is noticed (412)
instead of silently mixing two versions. At the end, the CRC-64 of everything delivered is
compared with the one OSS stored for the object.
"""

from __future__ import annotations

import importlib
import io
import logging
import time
from typing import TYPE_CHECKING, Any

from runtime.objects.errors import IntegrityError, StoreUnavailableError
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
        self._crc = _crc64() if crc64 is not None else None
        self._verified = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.size - self.position
        if remaining <= 0:
            self._verify()
            return 0
        want = min(len(buffer), remaining)
        data = self._read_with_retries(want)
        count = len(data)
        buffer[:count] = data
        self.position += count
        if self._crc is not None:
            self._crc.update(data)
        return count

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
        return self.bucket.get_object(
            self.key, byte_range=(self.position, None), headers={"If-Match": f'"{self.etag}"'}
        )

    def _verify(self) -> None:
        if self._verified:
            return
        self._verified = True
        self._close_body()
        if self._crc is not None and self.expected_crc is not None and self._crc.crc != self.expected_crc:
            raise IntegrityError(f"GET {self.key}: CRC-64 of the bytes read does not match the object's")

    def _close_body(self) -> None:
        body, self._body = self._body, None
        if body is not None:
            try:
                body.close()
            except Exception:  # closing a broken connection may fail again
                log.debug("closing a GET response failed", exc_info=True)

    def close(self) -> None:
        self._close_body()
        super().close()


def open_stream(reader: ObjectReader, buffer_size: int) -> io.BufferedReader:
    """A buffered file object over ``reader``; large ``read(n)`` calls bypass the buffer."""
    return io.BufferedReader(reader, buffer_size=buffer_size)


def _crc64() -> Any:
    """oss2's CRC-64/ECMA, or None when crcmod has no C extension (pure Python crcmod runs at
    about 1 MB/s: verifying would cost more than the transfer)."""
    try:
        # import_module, not attribute access: crcmod's package namespace shadows the module.
        implementation = importlib.import_module("crcmod.crcmod")
        from oss2.utils import Crc64  # noqa: PLC0415
    except ImportError:
        return None
    if not getattr(implementation, "_usingExtension", False):
        log.warning("crcmod has no C extension; object reads are not CRC-verified")
        return None
    return Crc64()
