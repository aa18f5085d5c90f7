"""Write one output object so that it appears only when it is complete.

Bytes are buffered up to ``part_size``. An output that never grows past it is sent with one
PutObject when it is committed; a larger one becomes a multipart upload whose parts go out
as the buffer fills, and is completed on commit. Either way OSS shows nothing under the key
until the single PUT or the CompleteMultipartUpload succeeds, so a failure midway leaves no
half-written output; ``abort`` also cancels the multipart upload so its parts are not billed.
Memory stays at about one part whatever the output size.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

from runtime.objects import retry

if TYPE_CHECKING:
    from runtime.objects.retry import RetryPolicy

log = logging.getLogger("runtime.objects")


class ObjectWriter(io.RawIOBase):
    """Writable stream for one output; call ``commit()`` or ``abort()`` exactly once.

    ``headers`` (content type and ``x-oss-meta-*``) are sent with the PUT or the initiate
    request of a multipart upload.
    """

    def __init__(self, bucket: Any, key: str, headers: dict[str, str], part_size: int, policy: RetryPolicy) -> None:
        super().__init__()
        self.bucket = bucket
        self.key = key
        self.headers = headers
        self.part_size = part_size
        self.policy = policy
        self.size = 0
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[Any] = []
        self._done = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._done:
            raise ValueError(f"output {self.key} is already committed or aborted")
        view = memoryview(data).cast("B")
        self._buffer += view
        self.size += len(view)
        while len(self._buffer) >= self.part_size:
            part = bytes(self._buffer[: self.part_size])
            del self._buffer[: self.part_size]
            self._upload_part(part)
        return len(view)

    @property
    def multipart(self) -> bool:
        return self._upload_id is not None

    def commit(self) -> None:
        """Make the output visible: one PUT, or the last part and CompleteMultipartUpload."""
        if self._done:
            return
        self._done = True
        if self._upload_id is None:
            body = bytes(self._buffer)
            self._buffer = bytearray()
            retry.call(
                lambda: self.bucket.put_object(self.key, body, headers=self.headers), f"PUT {self.key}", self.policy
            )
            return
        if self._buffer:
            self._upload_part(bytes(self._buffer))
            self._buffer = bytearray()
        upload_id, parts = self._upload_id, list(self._parts)
        retry.call(
            lambda: self.bucket.complete_multipart_upload(self.key, upload_id, parts),
            f"complete multipart upload of {self.key}",
            self.policy,
        )

    def abort(self) -> None:
        """Discard everything written; best effort (a leftover upload is cleaned by OSS lifecycle rules)."""
        if self._done:
            return
        self._done = True
        self._buffer = bytearray()
        if self._upload_id is None:
            return
        upload_id = self._upload_id
        try:
            retry.call(
                lambda: self.bucket.abort_multipart_upload(self.key, upload_id),
                f"abort multipart upload of {self.key}",
                self.policy,
            )
        except Exception as exc:  # the original failure matters more
            log.warning(
                "could not abort a multipart upload; it stays invisible and is removed by lifecycle rules",
                extra={"event": "oss_abort_failed", "key": self.key, "error": str(exc)},
            )

    def _upload_part(self, part: bytes) -> None:
        import oss2  # noqa: PLC0415 - object functions only

        if self._upload_id is None:
            result = retry.call(
                lambda: self.bucket.init_multipart_upload(self.key, headers=self.headers),
                f"start multipart upload of {self.key}",
                self.policy,
            )
            self._upload_id = str(result.upload_id)
        number = len(self._parts) + 1
        upload_id = self._upload_id
        result = retry.call(
            lambda: self.bucket.upload_part(self.key, upload_id, number, part),
            f"upload part {number} of {self.key}",
            self.policy,
        )
        self._parts.append(oss2.models.PartInfo(number, result.etag, size=len(part), part_crc=result.crc))

    def close(self) -> None:
        # Closing without commit() is an abort: never publish an output implicitly.
        if not self._done:
            self.abort()
        super().close()
