"""Which OSS API operation a request is, and which query parameters it may carry.

A request with a parameter we do not know (an OSS sub-resource such as ``symlink`` or
``restore``) is refused with 501 rather than passed to moto, which would ignore the
parameter and, for a GET, silently answer with the object's bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.services.oss.errors import OssError, not_implemented

if TYPE_CHECKING:
    from collections.abc import Mapping

    from localfc.services.oss.messages import OssRequest

__all__ = ["MUTATIONS", "classify"]

_RESPONSE_OVERRIDES = frozenset(
    {
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
    }
)
_LISTING = frozenset({"prefix", "delimiter", "marker", "max-keys", "encoding-type"})
_LISTING_V2 = frozenset(
    {"list-type", "prefix", "delimiter", "continuation-token", "start-after", "fetch-owner"}
    | {"max-keys", "encoding-type"}
)

# operation -> query parameters it accepts (its sub-resource included)
_PARAMS: dict[str, frozenset[str]] = {
    "ListBuckets": frozenset({"prefix", "marker", "max-keys"}),
    "ListObjects": _LISTING,
    "ListObjectsV2": _LISTING_V2,
    "ListMultipartUploads": frozenset(
        {"uploads", "prefix", "delimiter", "key-marker", "upload-id-marker", "max-uploads"} | {"encoding-type"}
    ),
    "GetBucketInfo": frozenset({"bucketInfo"}),
    "GetBucketLocation": frozenset({"location"}),
    "GetBucketAcl": frozenset({"acl"}),
    "PutBucketAcl": frozenset({"acl"}),
    "PutBucket": frozenset(),
    "HeadBucket": frozenset(),
    "DeleteBucket": frozenset(),
    "DeleteObjects": frozenset({"delete", "encoding-type"}),
    "PostObject": frozenset(),
    "GetObject": _RESPONSE_OVERRIDES | {"versionId"},
    "HeadObject": frozenset({"versionId"}),
    "GetObjectMeta": frozenset({"objectMeta", "versionId"}),
    "PutObject": frozenset(),
    "CopyObject": frozenset(),
    "AppendObject": frozenset({"append", "position"}),
    "DeleteObject": frozenset({"versionId"}),
    "GetObjectAcl": frozenset({"acl", "versionId"}),
    "PutObjectAcl": frozenset({"acl", "versionId"}),
    "GetObjectTagging": frozenset({"tagging", "versionId"}),
    "PutObjectTagging": frozenset({"tagging", "versionId"}),
    "DeleteObjectTagging": frozenset({"tagging", "versionId"}),
    "InitiateMultipartUpload": frozenset({"uploads", "sequential"}),
    "UploadPart": frozenset({"uploadId", "partNumber"}),
    "UploadPartCopy": frozenset({"uploadId", "partNumber"}),
    "CompleteMultipartUpload": frozenset({"uploadId", "encoding-type"}),
    "AbortMultipartUpload": frozenset({"uploadId"}),
    "ListParts": frozenset({"uploadId", "max-parts", "part-number-marker", "encoding-type"}),
}

# Operations that change stored objects (and so may fire OSS trigger events).
MUTATIONS = frozenset(
    {
        "PutObject",
        "PostObject",
        "CopyObject",
        "AppendObject",
        "InitiateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "DeleteObject",
        "DeleteObjects",
        "AbortMultipartUpload",
    }
)


# Per method: (sub-resource, operation) in order of precedence, then the default operation.
_BUCKET_RULES: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "GET": (
        (
            ("acl", "GetBucketAcl"),
            ("bucketInfo", "GetBucketInfo"),
            ("location", "GetBucketLocation"),
            ("uploads", "ListMultipartUploads"),
        ),
        "ListObjects",
    ),
    "PUT": ((("acl", "PutBucketAcl"),), "PutBucket"),
    "POST": ((("delete", "DeleteObjects"),), "PostObject"),
    "HEAD": ((), "HeadBucket"),
    "DELETE": ((), "DeleteBucket"),
}
_OBJECT_RULES: dict[str, tuple[tuple[tuple[str, str], ...], str | None]] = {
    "GET": (
        (
            ("acl", "GetObjectAcl"),
            ("tagging", "GetObjectTagging"),
            ("uploadId", "ListParts"),
            ("objectMeta", "GetObjectMeta"),
        ),
        "GetObject",
    ),
    "HEAD": ((("objectMeta", "GetObjectMeta"),), "HeadObject"),
    "PUT": (
        (
            ("acl", "PutObjectAcl"),
            ("tagging", "PutObjectTagging"),
            ("uploadId", "UploadPart"),
            ("partNumber", "UploadPart"),
        ),
        "PutObject",
    ),
    "POST": (
        (
            ("uploads", "InitiateMultipartUpload"),
            ("uploadId", "CompleteMultipartUpload"),
            ("append", "AppendObject"),
        ),
        None,
    ),
    "DELETE": ((("uploadId", "AbortMultipartUpload"), ("tagging", "DeleteObjectTagging")), "DeleteObject"),
}
# With an x-oss-copy-source header, a PUT copies instead of uploading.
_COPIES = {"PutObject": "CopyObject", "UploadPart": "UploadPartCopy"}


def classify(request: OssRequest) -> str:
    """The OSS operation name of ``request``; raises OssError(501) for what is not emulated."""
    if request.has("x-oss-process") or request.has("x-oss-async-process"):
        raise not_implemented("Data processing (x-oss-process)")
    if request.header("x-oss-callback"):
        # Ignoring it would leave the caller waiting for a callback that never comes.
        raise not_implemented("Upload callback (x-oss-callback)")
    if not request.bucket:
        name = "ListBuckets" if request.method == "GET" else None
    elif not request.key:
        name = _match(_BUCKET_RULES, request)
        if name == "ListObjects" and request.param("list-type") == "2":
            name = "ListObjectsV2"
    else:
        name = _match(_OBJECT_RULES, request)
        if name in _COPIES and request.header("x-oss-copy-source") is not None:
            name = _COPIES[name]
    if name is None:
        raise OssError(405, "MethodNotAllowed", f"{request.method} is not allowed here.")
    unknown = sorted({k for k, _ in request.query} - _PARAMS[name])
    if unknown:
        raise not_implemented(f"{name} with query parameter {unknown[0]!r}")
    return name


def _match(rules: Mapping[str, tuple[tuple[tuple[str, str], ...], str | None]], request: OssRequest) -> str | None:
    subresources, default = rules.get(request.method, ((), None))
    for subresource, name in subresources:
        if request.has(subresource):
            return name
    return default
