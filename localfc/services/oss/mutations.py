"""Which ObjectEvents a successful mutation produced, read back from the stored state."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from localfc.services.oss import moto_s3
from localfc.services.oss.events import ObjectEvent
from localfc.services.oss.xml import parse, text_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.services.oss.messages import OssRequest, Reply

__all__ = ["events_for"]

_NAMES = {
    "PutObject": "ObjectCreated:PutObject",
    "PostObject": "ObjectCreated:PostObject",
    "CopyObject": "ObjectCreated:CopyObject",
    "AppendObject": "ObjectCreated:AppendObject",
    "InitiateMultipartUpload": "ObjectCreated:InitiateMultipartUpload",
    "UploadPart": "ObjectCreated:UploadPart",
    "UploadPartCopy": "ObjectCreated:UploadPartCopy",
    "CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
    "DeleteObject": "ObjectRemoved:DeleteObject",
    "DeleteObjects": "ObjectRemoved:DeleteObjects",
    "AbortMultipartUpload": "ObjectRemoved:AbortMultipartUpload",
}


class _Touched(NamedTuple):
    key: str
    size: int = 0
    etag: str = ""
    content_type: str = ""
    user_meta: dict[str, str] = {}  # noqa: RUF012 - never mutated


def events_for(operation: str, request: OssRequest, reply: Reply) -> list[ObjectEvent]:
    """The events a successful ``operation`` produced (none for reads or failures)."""
    name = _NAMES.get(operation)
    if name is None or not reply.ok:
        return []
    touched = _TOUCHED.get(operation, _key_only)(request, reply)
    return [
        ObjectEvent(
            event_name=name,
            bucket=request.bucket,
            key=t.key,
            size=t.size,
            etag=t.etag.strip('"').upper(),
            content_type=t.content_type,
            user_meta=dict(t.user_meta),
            request_id=request.request_id,
            source_ip=request.source_ip,
        )
        for t in touched
    ]


def _stored_object(request: OssRequest, reply: Reply) -> list[_Touched]:
    obj = moto_s3.get_object(request.bucket, request.key)
    if obj is None:  # removed again by a concurrent request
        return [_Touched(request.key, etag=reply.header("ETag") or "")]
    return [_Touched(obj.key, obj.size, obj.etag, obj.content_type, obj.user_meta)]


def _initiated(request: OssRequest, reply: Reply) -> list[_Touched]:
    content_type = request.header("Content-Type") or "application/octet-stream"
    return [_Touched(request.key, content_type=content_type, user_meta=_request_user_meta(request))]


def _part(request: OssRequest, reply: Reply) -> list[_Touched]:
    return [_Touched(request.key, len(request.body), reply.header("ETag") or "")]


def _part_copy(request: OssRequest, reply: Reply) -> list[_Touched]:
    etag = text_of(parse(reply.body), "ETag") or ""
    return [_Touched(request.key, _copied_size(request), etag)]


def _deleted_keys(request: OssRequest, reply: Reply) -> list[_Touched]:
    root = parse(reply.body)
    encoded = text_of(root, "EncodingType") == "url"
    return [_Touched(unquote(n.text or "") if encoded else n.text or "") for n in root.findall("Deleted/Key")]


def _key_only(request: OssRequest, reply: Reply) -> list[_Touched]:
    return [_Touched(request.key)]  # DeleteObject, AbortMultipartUpload


_TOUCHED: dict[str, Callable[[OssRequest, Reply], list[_Touched]]] = {
    "PutObject": _stored_object,
    "PostObject": _stored_object,
    "CopyObject": _stored_object,
    "AppendObject": _stored_object,
    "CompleteMultipartUpload": _stored_object,
    "InitiateMultipartUpload": _initiated,
    "UploadPart": _part,
    "UploadPartCopy": _part_copy,
    "DeleteObjects": _deleted_keys,
}


def _request_user_meta(request: OssRequest) -> dict[str, str]:
    # to_s3_request renamed x-oss-meta-* to x-amz-meta-*; names hold no "_" (admission.py).
    prefix = "HTTP_X_AMZ_META_"
    return {
        key[len(prefix) :].replace("_", "-").lower(): str(value)
        for key, value in request.environ.items()
        if key.startswith(prefix)
    }


def _copied_size(request: OssRequest) -> int:
    byte_range = request.header("x-oss-copy-source-range") or ""
    if byte_range.startswith("bytes="):
        first, _, last = byte_range[len("bytes=") :].partition("-")
        if first.isascii() and last.isascii() and first.isdigit() and last.isdigit():
            return int(last) - int(first) + 1
    source = unquote(request.header("x-oss-copy-source") or "").split("?")[0].lstrip("/")
    bucket, _, key = source.partition("/")
    obj = moto_s3.get_object(bucket, key)
    return obj.size if obj else 0
