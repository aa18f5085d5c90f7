"""Where OSS's documentation says otherwise than moto (which follows S3), OSS wins: what a
request must look like, checked or rewritten before moto sees it. Each rule names its source.

- Bucket names ("HTTP status code 400": InvalidBucketName): 3 to 63 lowercase letters,
  digits and ``-``, starting and ending with a letter or digit. Checked before a bucket is
  created on first use (moto's refusal used to surface as a 500).
- Object names (OSS "Object naming conventions"; error pages 0016-00000001/2/4/5, and "HTTP
  status code 400": InvalidObjectName): UTF-8, 1 to 1,023 bytes, not starting with ``/`` or
  ``\\``. moto takes all three. UNCONFIRMED: control characters. OSS does not document them;
  an XML listing cannot carry them (XML 1.0), so they are refused here, the safe side: a
  name that works locally works on OSS.
- User metadata names (error pages 0011-00000004 and 0011-00000002): ``x-oss-meta-`` then
  letters, digits and ``-`` only; "underscores (_) and other characters are not supported".
  S3 and moto store them. The error code is UNCONFIRMED (the pages give the EC only);
  ``InvalidArgument`` is OSS's code for a bad request parameter.
- UploadPart ``partNumber`` (error page 0017-00000220): an integer from 1 to 10,000, else
  ``InvalidArgument`` "Part number must be an integer between 1 and 10000, inclusive.";
  moto answers part 0 with 404 NoSuchUpload.
- CompleteMultipartUpload (error page 0042-00000209): the parts in ascending PartNumber order,
  else ``InvalidPartOrder``; moto sorts them and completes.
- ``max-keys`` of ListObjects (V1, V2) and ListBuckets (error pages 0015-00000402 and
  0017-00000289): 1 to 1,000, default 100, else ``InvalidArgument``; S3 caps silently and
  defaults to 1,000.
- GetObject ``Range`` ("How to obtain OSS resources by segmenting HTTP Range requests", and
  "HTTP status code 416"): an invalid range (malformed, or beyond the object) is ignored and
  the whole object comes back with 200, unless ``x-oss-range-behavior: standard``, which
  clamps an end beyond the object (206) and answers 416 InvalidRange for a start beyond it.
  Several ranges: the range guide says OSS returns the first one; the 416 page lists them
  as a cause of InvalidRange. Both are followed: the first range by default, 416 in
  standard mode. moto (S3) serves a clamped 206 by default and ignores multi-range.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from localfc.services.http_server import RAW_HEADERS
from localfc.services.oss.errors import OssError
from localfc.services.oss.xml import parse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from localfc.services.oss.messages import OssRequest

__all__ = ["bucket_name_problem", "check", "check_user_meta_name", "keys_touched", "normalise_range"]

MAX_NAME_BYTES = 1023
MAX_KEYS = 1000
DEFAULT_MAX_KEYS = 100
MAX_PART_NUMBER = 10000
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_META_NAME = re.compile(r"[A-Za-z0-9-]+")
_DIGITS = re.compile(r"[0-9]{1,9}")
_RANGE = re.compile(r"bytes=(?P<first>[0-9]*)-(?P<last>[0-9]*)(?P<more>,.*)?")
_LISTINGS = frozenset({"ListObjects", "ListObjectsV2", "ListBuckets"})
_META_PREFIX = "x-oss-meta-"


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an OSS bucket, or None when it can."""
    if _BUCKET_NAME.fullmatch(name):
        return None
    return (
        f"{name!r} is not a valid OSS bucket name: 3 to 63 lowercase letters, digits and '-',"
        " starting and ending with a letter or digit"
    )


def check(request: OssRequest, operation: str) -> None:
    """Raise the OssError OSS would answer for ``request``; fill in OSS's defaults."""
    if request.bucket and bucket_name_problem(request.bucket):
        details = {"BucketName": request.bucket[:255]}
        raise OssError(400, "InvalidBucketName", "The specified bucket is not valid.", details=details)
    if request.key:
        _check_object_name(request)
    for name, _ in request.environ.get(RAW_HEADERS) or ():
        if name.lower().startswith(_META_PREFIX):
            check_user_meta_name(name[len(_META_PREFIX) :])
    if operation in ("UploadPart", "UploadPartCopy"):
        _check_part_number(request.param("partNumber") or "")
    elif operation == "CompleteMultipartUpload" and request.body.strip():
        _check_part_order(request.body)
    elif operation in _LISTINGS:
        _max_keys(request)


def check_user_meta_name(name: str) -> None:
    """``name`` is what follows ``x-oss-meta-`` (in a header or a PostObject form field)."""
    if not _META_NAME.fullmatch(name):
        raise OssError(
            400,
            "InvalidArgument",
            f"The user metadata name x-oss-meta-{name} is invalid: only letters, digits and '-' are allowed.",
            details={"EC": "0011-00000004"},
        )


def keys_touched(request: OssRequest, operation: str) -> list[tuple[str, str]]:
    """The stored objects ``request`` reads or replaces (for ``KeyLocks``); none for the
    part operations of a multipart upload, which touch no object until it completes."""
    if operation in ("InitiateMultipartUpload", "UploadPart", "ListParts", "AbortMultipartUpload"):
        return []
    keys = [(request.bucket, request.key)] if request.key else []
    source = request.header("x-oss-copy-source")
    if source:
        bucket, _, key = unquote(source.split("?", 1)[0]).lstrip("/").partition("/")
        keys.append((bucket, key))
    if operation == "DeleteObjects":
        keys.extend((request.bucket, key) for key in _deleted_keys(request.body))
    return keys


def normalise_range(request: OssRequest, size: int) -> None:
    """Rewrite (or drop) the Range header of a GetObject on an object of ``size`` bytes, so
    that moto answers what OSS does; raise 416 where OSS would."""
    raw = request.header("Range")
    if raw is None:
        return
    standard = (request.header("x-oss-range-behavior") or "").lower() == "standard"
    match = _RANGE.fullmatch(raw.replace(" ", ""))
    if match is None or not (match["first"] or match["last"]):
        request.set_header("Range", None)  # malformed: ignored
        return
    if match["more"] and standard:
        raise _invalid_range(size)
    first, last = match["first"], match["last"]
    if first:
        start, end = int(first), int(last) if last else size - 1
        if last and end < start:
            request.set_header("Range", None)  # backwards: malformed, ignored
            return
        unsatisfiable, beyond = start >= size, end >= size
    else:  # the last N bytes
        count = int(last)
        start, end = max(0, size - count), size - 1
        unsatisfiable, beyond = count == 0 or size == 0, count > size
    if unsatisfiable and standard:
        raise _invalid_range(size)
    if unsatisfiable or (beyond and not standard):
        request.set_header("Range", None)  # OSS's default: the whole object, 200
        return
    request.set_header("Range", f"bytes={start}-{min(end, size - 1)}")


def _check_object_name(request: OssRequest) -> None:
    key = request.key
    try:
        request.environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise _invalid_name("The specified object is not valid: its name is not UTF-8.", "0016-00000004") from None
    if len(key.encode("utf-8")) > MAX_NAME_BYTES:
        raise _invalid_name("The Length of Object name must be less than 1024.", "0016-00000002")
    if key.startswith(("/", "\\")):
        raise _invalid_name("The specified object is not valid: it starts with / or \\.", "0016-00000005")
    if _CONTROL.search(key):
        raise _invalid_name("The specified object is not valid: it holds a control character.", "")


def _invalid_name(message: str, ec: str) -> OssError:
    return OssError(400, "InvalidObjectName", message, details={"EC": ec} if ec else None)


def _check_part_number(raw: str) -> None:
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PART_NUMBER:
        raise OssError(
            400,
            "InvalidArgument",
            "Part number must be an integer between 1 and 10000, inclusive.",
            details={"ArgumentName": "PartNumber", "ArgumentValue": raw[:64]},
        )


def _check_part_order(body: bytes) -> None:
    try:
        numbers = [(node.text or "").strip() for node in parse(body).iter("PartNumber")]
    except SyntaxError:  # ElementTree.ParseError
        raise OssError(400, "MalformedXML", "The XML you provided was not well-formed.") from None
    for raw in numbers:
        _check_part_number(raw)
    values = [int(raw) for raw in numbers]
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise OssError(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts list must specified in order by part number.",
            details={"EC": "0042-00000209"},
        )


def _max_keys(request: OssRequest) -> None:
    raw = request.param("max-keys")
    if raw is None or raw == "":
        request.query = [(k, v) for k, v in request.query if k != "max-keys"] + [("max-keys", str(DEFAULT_MAX_KEYS))]
        return
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_KEYS:
        raise OssError(
            400,
            "InvalidArgument",
            f"max-keys must be an integer from 1 to {MAX_KEYS}.",
            details={"ArgumentName": "max-keys", "ArgumentValue": raw[:64]},
        )


def _deleted_keys(body: bytes) -> Iterable[str]:
    try:
        return [node.text or "" for node in parse(body).iter("Key")]
    except SyntaxError:
        return []  # moto answers MalformedXML


def _invalid_range(size: int) -> OssError:
    return OssError(
        416,
        "InvalidRange",
        "The requested range cannot be satisfied",
        headers={"Content-Range": f"bytes */{size}"},
    )
