"""Translation of requests from OSS to S3 for moto (headers, query, auth) and of answers back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.services.oss import moto_s3

if TYPE_CHECKING:
    from localfc.services.oss.messages import OssRequest, Reply

__all__ = ["to_oss_reply", "to_oss_storage_class", "to_s3_request"]

# What moto must see for a request that OSS would accept as signed: any SigV4 header will do,
# since moto does not verify signatures.
_PRESENTED_AS_SIGNED = (
    f"AWS4-HMAC-SHA256 Credential=LOCALOSS/20000101/{moto_s3.MOTO_REGION}/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)

_RENAMED = {
    "x-oss-copy-source": "x-amz-copy-source",
    "x-oss-copy-source-range": "x-amz-copy-source-range",
    "x-oss-copy-source-if-match": "x-amz-copy-source-if-match",
    "x-oss-copy-source-if-none-match": "x-amz-copy-source-if-none-match",
    "x-oss-copy-source-if-modified-since": "x-amz-copy-source-if-modified-since",
    "x-oss-copy-source-if-unmodified-since": "x-amz-copy-source-if-unmodified-since",
    "x-oss-metadata-directive": "x-amz-metadata-directive",
    "x-oss-tagging": "x-amz-tagging",
    "x-oss-tagging-directive": "x-amz-tagging-directive",
    "x-oss-server-side-encryption-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
}
# Conditions compare ETags, which this server hands out upper-case and moto stores lower-case.
_ETAG_CONDITIONS = (
    "If-Match",
    "If-None-Match",
    "x-amz-copy-source-if-match",
    "x-amz-copy-source-if-none-match",
)
_ENCRYPTION = {"AES256": "AES256", "KMS": "aws:kms", "SM4": "AES256"}
_TO_S3_STORAGE = {
    "Standard": "STANDARD",
    "IA": "STANDARD_IA",
    "Archive": "GLACIER",
    "ColdArchive": "DEEP_ARCHIVE",
    "DeepColdArchive": "DEEP_ARCHIVE",
}
_TO_OSS_STORAGE = {
    "STANDARD": "Standard",
    "STANDARD_IA": "IA",
    "ONEZONE_IA": "IA",
    "GLACIER": "Archive",
    "DEEP_ARCHIVE": "ColdArchive",
}
_DROPPED_OUT = frozenset({"x-amz-request-id", "x-amz-id-2", "x-amzn-requestid", "server"})
# Sub-resources are flags without a value; any other parameter sent empty (oss2 sends
# continuation-token= and part-number-marker= on first pages) means "not given" to OSS,
# while moto rejects it.
_FLAGS = frozenset({"uploads", "delete", "append", "acl", "tagging", "objectMeta", "bucketInfo", "location"})


def to_oss_storage_class(s3_name: str) -> str:
    return _TO_OSS_STORAGE.get(s3_name, "Standard")


def to_s3_request(request: OssRequest, operation: str) -> None:
    """Rewrite ``request.environ`` in place into the S3 request moto understands."""
    for oss_name, s3_name in _RENAMED.items():
        request.set_header(s3_name, request.header(oss_name))
    for key in [k for k in request.environ if k.startswith("HTTP_X_OSS_META_")]:
        request.environ["HTTP_X_AMZ_META_" + key[len("HTTP_X_OSS_META_") :]] = request.environ.pop(key)
    acl = request.header("x-oss-object-acl") or request.header("x-oss-acl")
    # "default" means "inherit the bucket ACL", which is what no ACL header means to moto.
    request.set_header("x-amz-acl", acl if acl and acl != "default" else None)
    storage = request.header("x-oss-storage-class")
    if storage:
        request.set_header("x-amz-storage-class", _TO_S3_STORAGE.get(storage, storage))
    encryption = request.header("x-oss-server-side-encryption")
    if encryption:
        request.set_header("x-amz-server-side-encryption", _ENCRYPTION.get(encryption, encryption))
    for name in _ETAG_CONDITIONS:
        value = request.header(name)
        if value:
            request.set_header(name, value.lower())
    if operation in ("PutObject", "AppendObject") and not request.header("Content-Type"):
        request.set_header("Content-Type", "application/octet-stream")  # OSS's default
    if operation == "GetObjectMeta":
        request.method = "HEAD"  # older oss2 versions send it as a GET; it never has a body
    if operation == "PutBucket":
        request.body = b""  # OSS's CreateBucketConfiguration is not S3's; only the ACL matters
    request.query = [(k, v) for k, v in request.query if v or k in _FLAGS]
    request.set_header("Authorization", _PRESENTED_AS_SIGNED)
    # moto reads a dotted Host ("127.0.0.1:port") as virtual-hosted style, bucket "127".
    request.environ["HTTP_HOST"] = "localhost"
    request.environ["SERVER_NAME"] = "localhost"
    request.sync_environ()


def to_oss_reply(reply: Reply, request_id: str) -> None:
    """Rename S3 response headers to their OSS spelling, in place."""
    headers: list[tuple[str, str]] = []
    for name, value in reply.headers:
        lower = name.lower()
        if lower in _DROPPED_OUT or lower.startswith("x-amz-checksum-"):
            continue
        if lower == "etag":
            headers.append(("ETag", value.upper()))
        elif lower == "x-amz-server-side-encryption":
            headers.append(("x-oss-server-side-encryption", "KMS" if value == "aws:kms" else value))
        elif lower == "x-amz-storage-class":
            headers.append(("x-oss-storage-class", to_oss_storage_class(value)))
        elif lower.startswith("x-amz-"):
            headers.append(("x-oss-" + lower[len("x-amz-") :], value))
        else:
            headers.append((name, value))
    headers.append(("x-oss-request-id", request_id))
    reply.headers = headers
