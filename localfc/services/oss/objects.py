"""Per-object facts OSS reports and S3 does not: object type and CRC-64."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.services.oss import moto_s3
from localfc.services.oss.crc64 import crc64, crc64_of_chunks
from localfc.services.oss.translate import to_oss_storage_class

if TYPE_CHECKING:
    from localfc.services.oss.messages import Reply
    from localfc.services.oss.moto_s3 import ObjectView

__all__ = ["add_object_headers", "object_crc64", "remember_body_crc64"]


def object_crc64(obj: ObjectView) -> int:
    """The object's CRC-64, computed once per stored version."""
    if obj.crc64 is not None:
        return obj.crc64
    value = crc64_of_chunks(obj.iter_chunks())
    moto_s3.remember_crc64(obj, value)
    return value


def remember_body_crc64(bucket: str, key: str, body: bytes, etag: str | None) -> int:
    """CRC of bytes just written; cached on the stored object if it still holds them."""
    value = crc64(body)
    obj = moto_s3.get_object(bucket, key)
    if obj is not None and etag is not None and obj.etag.lower() == etag.strip('"').lower():
        moto_s3.remember_crc64(obj, value)
    return value


def add_object_headers(reply: Reply, obj: ObjectView, body_is_whole_object: bool) -> None:
    """x-oss-object-type, x-oss-storage-class and x-oss-hash-crc64ecma of a GET/HEAD."""
    reply.set_header("x-oss-object-type", obj.object_type)
    reply.set_header("x-oss-storage-class", to_oss_storage_class(obj.storage_class))
    if obj.object_type == "Appendable":
        reply.set_header("x-oss-next-append-position", str(obj.size))
    # The body comes from moto before ``obj`` was looked up: trust it only for the same version.
    same_version = (reply.header("ETag") or "").strip('"').lower() == obj.etag.lower()
    if body_is_whole_object and obj.crc64 is None and same_version:
        crc = crc64(reply.body)
        moto_s3.remember_crc64(obj, crc)
    else:
        crc = object_crc64(obj)
    reply.set_header("x-oss-hash-crc64ecma", str(crc))
