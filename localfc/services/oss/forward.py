"""One request through moto: translated to S3, answered, translated back to OSS.

On success the OSS-only parts are added (CRC-64, object type, listing tags, upper-case
ETags); on failure moto's S3 error becomes an OSS error answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.test import run_wsgi_app

from localfc.services.oss import listing, moto_s3
from localfc.services.oss.crc64 import crc64
from localfc.services.oss.errors import OssError, error_reply
from localfc.services.oss.messages import Reply
from localfc.services.oss.objects import add_object_headers, object_crc64, remember_body_crc64
from localfc.services.oss.translate import to_oss_reply, to_s3_request
from localfc.services.oss.xml import parse, serialize, text_of, upper_etags

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from localfc.services.oss.messages import OssRequest

__all__ = ["forward"]

_OBJECT_READS = frozenset({"GetObject", "HeadObject", "GetObjectMeta"})
# oss2 reads the ETag of these from the header, S3 only puts it in the XML body.
_ETAG_IN_BODY = frozenset({"CopyObject", "UploadPartCopy", "CompleteMultipartUpload"})
_HEAD_ERRORS = {
    403: ("AccessDenied", "You have no right to access this object."),
    404: ("NoSuchKey", "The specified key does not exist."),
    412: ("PreconditionFailed", "At least one of the pre-conditions you specified did not hold."),
}


def forward(app: WSGIApplication, request: OssRequest, operation: str, region: str) -> Reply:
    """Send ``request`` to moto's S3 ``app`` and return the OSS answer."""
    if operation == "CompleteMultipartUpload" and request.body:
        request.body = _lower_etags(request.body)
    to_s3_request(request, operation)
    reply = _call(app, request)  # a GetObject's Range is already what OSS reads (admission.py)
    to_oss_reply(reply, request.request_id)
    if reply.ok:
        _finish_success(request, operation, reply, region)
        return reply
    if reply.status == 304:
        reply.body = b""
        return reply
    return error_reply(request, _oss_error(request, reply))


def _call(app: WSGIApplication, request: OssRequest) -> Reply:
    app_iter, status, headers = run_wsgi_app(app, request.environ, buffered=True)
    return Reply(int(status.split(" ", 1)[0]), list(headers.to_wsgi_list()), b"".join(app_iter))


def _finish_success(request: OssRequest, operation: str, reply: Reply, region: str) -> None:
    bucket, key = request.bucket, request.key
    if operation in _OBJECT_READS:
        obj = moto_s3.get_object(bucket, key)
        if obj is not None:
            add_object_headers(reply, obj, body_is_whole_object=operation == "GetObject" and reply.status == 200)
        return  # an object body is never rewritten
    if operation == "PutObject":
        crc = remember_body_crc64(bucket, key, request.body, reply.header("ETag"))
        reply.set_header("x-oss-hash-crc64ecma", str(crc))
    elif operation == "UploadPart":
        reply.set_header("x-oss-hash-crc64ecma", str(crc64(request.body)))
    elif operation in ("CopyObject", "CompleteMultipartUpload"):
        obj = moto_s3.get_object(bucket, key)
        if obj is not None:
            moto_s3.set_object_type(obj, "Multipart" if "-" in obj.etag else "Normal")
            reply.set_header("x-oss-hash-crc64ecma", str(object_crc64(obj)))
    if reply.body.lstrip().startswith(b"<"):
        reply.body = _fix_xml(request, operation, reply, region)


def _fix_xml(request: OssRequest, operation: str, reply: Reply, region: str) -> bytes:
    root = parse(reply.body)
    if operation in ("ListObjects", "ListObjectsV2"):
        listing.fix_list_objects(root, request.bucket, 2 if operation == "ListObjectsV2" else 1)
    elif operation == "ListParts":
        listing.fix_list_parts(root)
    elif operation == "ListMultipartUploads":
        listing.fix_list_uploads(root)
    elif operation == "ListBuckets":
        listing.fix_list_buckets(root, region, request.host)
    else:
        upper_etags(root)
    etag = text_of(root, "ETag")
    if etag and operation in _ETAG_IN_BODY:
        reply.set_header("ETag", etag)
    return serialize(root)


def _oss_error(request: OssRequest, reply: Reply) -> OssError:
    """moto's S3 error (XML body, or just a status for HEAD) as the OSS error."""
    code, message = _HEAD_ERRORS.get(reply.status, ("UnknownError", ""))
    details: dict[str, str] = {}
    if reply.body.lstrip().startswith(b"<"):
        root = parse(reply.body)
        code = text_of(root, "Code") or code
        message = text_of(root, "Message") or message
        skipped = ("Code", "Message", "RequestID", "RequestId", "HostId")
        details = {child.tag: child.text or "" for child in root if child.tag not in skipped}
    if reply.status == 404 and request.bucket and moto_s3.get_bucket(request.bucket) is None:
        code, message = "NoSuchBucket", "The specified bucket does not exist."
    return OssError(reply.status, code, message or code, details=details)


def _lower_etags(body: bytes) -> bytes:
    """Part ETags come back as this server gave them (upper-case); moto compares lower-case."""
    root = parse(body)
    for node in root.iter("ETag"):
        node.text = (node.text or "").lower()
    return serialize(root)
