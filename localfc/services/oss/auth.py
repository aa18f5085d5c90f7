"""How a request authenticated itself, and what an anonymous request may do.

Signatures are NOT verified: any Authorization header (OSS V1, V2 or V4, with or without
an STS token) or signed-URL query is accepted, so wrong keys still work locally. What is
enforced: an expired signed URL answers 403, and a request with no credentials at all only
gets what the bucket's or object's ACL grants to everyone, as on OSS.
"""

from __future__ import annotations

import time
from calendar import timegm
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.services.oss import moto_s3
from localfc.services.oss.errors import OssError

if TYPE_CHECKING:
    from localfc.services.oss.messages import OssRequest

__all__ = [
    "SIGNED_URL_PARAMS",
    "Credentials",
    "check_anonymous",
    "inspect",
    "strip_signed_url_params",
]

# Query parameters of V1, V2 and V4 signed URLs (and the STS token they may carry).
SIGNED_URL_PARAMS = frozenset(
    {
        "OSSAccessKeyId",
        "Expires",
        "Signature",
        "security-token",
        "x-oss-security-token",
        "x-oss-signature-version",
        "x-oss-access-key-id",
        "x-oss-credential",
        "x-oss-date",
        "x-oss-expires",
        "x-oss-additional-headers",
        "x-oss-signature",
    }
)

_READS = frozenset({"GetObject", "HeadObject", "GetObjectMeta"})
_LISTS = frozenset({"ListObjects", "ListObjectsV2", "HeadBucket"})
_WRITES = frozenset(
    {
        "PutObject",
        "PostObject",
        "AppendObject",
        "DeleteObject",
        "InitiateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    }
)


@dataclass(frozen=True)
class Credentials:
    """How the request claims to be signed: "header", "url", "form" or "anonymous"."""

    scheme: str

    @property
    def anonymous(self) -> bool:
        return self.scheme == "anonymous"


def inspect(request: OssRequest, now: float | None = None) -> Credentials:
    """Classify the request's credentials; raise 403 for an expired signed URL."""
    if request.header("Authorization"):
        return Credentials("header")
    expires_at = _url_expiry(request)
    if expires_at is None:
        return Credentials("anonymous")
    if (time.time() if now is None else now) > expires_at:
        raise OssError(403, "AccessDenied", "Request has expired.")
    return Credentials("url")


def strip_signed_url_params(request: OssRequest) -> None:
    request.query = [(k, v) for k, v in request.query if k not in SIGNED_URL_PARAMS]


def _url_expiry(request: OssRequest) -> float | None:
    """Unix time a signed URL expires at; None when the URL is not signed."""
    version = request.param("x-oss-signature-version")
    try:
        if version == "OSS4-HMAC-SHA256":
            signed_at = time.strptime(request.param("x-oss-date") or "", "%Y%m%dT%H%M%SZ")
            return timegm(signed_at) + int(request.param("x-oss-expires") or 0)
        if version is not None:  # OSS2: x-oss-expires is an absolute time
            return float(request.param("x-oss-expires") or 0)
        if request.has("Signature") or request.has("OSSAccessKeyId"):
            return float(request.param("Expires") or 0)
    except ValueError:
        raise OssError(400, "InvalidArgument", "Malformed signed URL expiry.") from None
    return None


def check_anonymous(request: OssRequest, operation: str) -> None:
    """Refuse an unsigned request unless the ACLs grant the operation to everyone.

    The object ACL moto gives a key by default is "private"; it is read as OSS's "default"
    (inherit the bucket ACL), since oss2 only sends an object ACL when asked to.
    """
    bucket_acl = moto_s3.bucket_acl(request.bucket) if request.bucket else None
    if request.bucket and bucket_acl is None:
        return  # let moto answer NoSuchBucket, as OSS does for anyone
    obj = moto_s3.get_object(request.bucket, request.key) if request.key else None
    granted = {bucket_acl, obj.acl if obj else None}
    if operation in _READS or operation in _LISTS:
        allowed = bool(granted & {"public-read", "public-read-write"})
    elif operation in _WRITES:
        allowed = "public-read-write" in granted
    else:
        allowed = False
    if not allowed:
        raise OssError(403, "AccessDenied", "You have no right to access this object.")
