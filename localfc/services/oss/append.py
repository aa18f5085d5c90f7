"""AppendObject (``POST /bucket/key?append&position=N``), which S3 does not have.

Emulated as a PUT of the old bytes plus the new ones, under one lock so that concurrent
appends keep OSS's ordering rules. The first append's headers set the content type, user
metadata and ACL; later appends keep them, as on OSS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from localfc.services.oss import moto_s3
from localfc.services.oss.crc64 import crc64
from localfc.services.oss.errors import OssError
from localfc.services.oss.objects import object_crc64

if TYPE_CHECKING:
    from localfc.services.oss.messages import OssRequest, Reply

__all__ = ["append_object"]

ForwardPut = Callable[["OssRequest"], "Reply"]


def append_object(request: OssRequest, forward_put: ForwardPut) -> Reply:
    """Append ``request.body``; ``forward_put`` stores a whole object through moto."""
    position = _position(request)
    with moto_s3.append_lock:
        current = moto_s3.get_object(request.bucket, request.key)
        if current is not None and current.object_type != "Appendable":
            raise OssError(409, "ObjectNotAppendable", "The object is not appendable.")
        length = current.size if current is not None else 0
        if position != length:
            raise OssError(
                409,
                "PositionNotEqualToLength",
                "Position is not equal to file length.",
                headers={"x-oss-next-append-position": str(length)},
            )
        added = request.body
        if current is not None:
            previous_crc = object_crc64(current)
            request.body = b"".join(current.iter_chunks()) + added
        else:
            previous_crc = 0
        request.query = []
        request.method = "PUT"
        reply = forward_put(request)
        if not reply.ok:
            return reply
        stored = moto_s3.get_object(request.bucket, request.key)
        if stored is None:
            raise OssError(500, "InternalError", "The appended object vanished.")
        moto_s3.set_object_type(stored, "Appendable")
        if current is not None:
            moto_s3.restore_metadata(stored, current.metadata, current.acl)
        # CRC-64 continues over appended bytes: no need to re-read the whole object.
        crc = crc64(added, previous_crc)
        moto_s3.remember_crc64(stored, crc)
    reply.set_header("x-oss-next-append-position", str(stored.size))
    reply.set_header("x-oss-hash-crc64ecma", str(crc))
    return reply


def _position(request: OssRequest) -> int:
    raw = request.param("position")
    if raw is None or not (raw.isascii() and raw.isdigit()):
        raise OssError(400, "InvalidArgument", "Append needs a non-negative integer position.")
    return int(raw)
