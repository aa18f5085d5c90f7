"""The PutLogs wire format, read with the SLS SDK's own pieces.

``LogClient.put_logs`` sends ``POST /logstores/{logstore}/shards/lb`` (or ``/shards/route``)
to ``{project}.{endpoint}``; the body is a protobuf ``LogGroup`` (``aliyun.log.proto``),
lz4 block-compressed by default (``x-log-compresstype: lz4``, raw size in
``x-log-bodyrawsize``), with ``Content-MD5`` and ``Authorization: LOG <key id>:<signature>``
(HMAC-SHA1 over the method, MD5, type, date, ``x-log-*``/``x-acs-*`` headers and resource).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

# SLS naming rules; they also keep names safe to use as file names.
PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
LOGSTORE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
PUT_LOGS_PATH = re.compile(r"/logstores/(?P<logstore>[^/]+)/shards/(?:lb|route)")


class PutLogsError(Exception):
    """A request SLS would refuse: ``status`` and ``code`` as SLS answers them."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReceivedLog:
    """One log of a PutLogs call: its fields (``contents``) and the group's metadata."""

    project: str
    logstore: str
    time: float  # seconds since the epoch, with the nanosecond part if sent
    contents: dict[str, str]
    topic: str = ""
    source: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Authorization:
    """Who signed a request (never the secret or the token itself)."""

    scheme: str  # "LOG" (v1), "SLS4-HMAC-SHA256" (v4) or "" (anonymous)
    access_key_id: str
    has_security_token: bool
    verified: bool | None  # None: not checked (no keys configured, or v4)


def decompress(body: bytes, compress_type: str, raw_size: int | None) -> bytes:
    """The protobuf bytes of a PutLogs body, whatever the ``x-log-compresstype``."""
    kind = compress_type.strip().lower()
    try:
        if kind == "lz4":
            if raw_size is None:
                raise PutLogsError(400, "PostBodyInvalid", "lz4 body without x-log-bodyrawsize")
            import lz4.block  # noqa: PLC0415 - only this receiver needs it

            data = bytes(lz4.block.decompress(body, uncompressed_size=raw_size))
        elif kind == "deflate":
            data = zlib.decompress(body)
        elif kind in ("", "none"):
            data = body
        else:
            raise PutLogsError(400, "PostBodyInvalid", f"compress type {compress_type!r} is not supported locally")
    except PutLogsError:
        raise
    except Exception as exc:
        raise PutLogsError(400, "PostBodyInvalid", f"cannot decompress the {kind} body: {exc}") from None
    if raw_size is not None and len(data) != raw_size:
        raise PutLogsError(400, "PostBodyInvalid", f"body is {len(data)} bytes, x-log-bodyrawsize says {raw_size}")
    return data


def decode_log_group(data: bytes, project: str, logstore: str) -> list[ReceivedLog]:
    """The logs of a serialized ``LogGroup`` (the SDK's own protobuf class)."""
    from aliyun.log.proto import LogGroup  # noqa: PLC0415 - ~200 ms, only when receiving

    group = LogGroup()
    try:
        group.ParseFromString(data)
    except Exception as exc:
        raise PutLogsError(400, "PostBodyInvalid", f"body is not a LogGroup: {exc}") from None
    tags = {tag.Key: tag.Value for tag in group.LogTags}
    return [
        ReceivedLog(
            project=project,
            logstore=logstore,
            time=log.Time + (log.Time_ns / 1e9 if log.HasField("Time_ns") else 0.0),
            contents={c.Key: _text(c.Value) for c in log.Contents},
            topic=group.Topic,
            source=group.Source,
            tags=tags,
        )
        for log in group.Logs
    ]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def check_md5(body: bytes, declared: str | None) -> None:
    if declared and hashlib.md5(body).hexdigest().upper() != declared.strip().upper():
        raise PutLogsError(400, "InvalidContentMD5", "Content-MD5 does not match the body")


def authorization(
    method: str,
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    access_keys: Mapping[str, str] | None,
) -> Authorization:
    """Read (and, when ``access_keys`` maps key ids to secrets, check) the signature.

    ``headers`` must have lower-case names. A v1 signature that does not match answers
    401 ``SignatureNotMatch``, an unknown key 401 ``Unauthorized``, as SLS does.
    """
    value = headers.get("authorization", "")
    token = bool(headers.get("x-acs-security-token"))
    scheme, _, credential = value.partition(" ")
    if scheme == "LOG":
        key_id, _, signature = credential.partition(":")
    elif scheme.startswith("SLS4"):
        key_id = credential.partition("Credential=")[2].partition("/")[0]
        return Authorization(scheme, key_id, token, None)
    else:
        if access_keys is not None:
            raise PutLogsError(401, "Unauthorized", "request is not signed")
        return Authorization("", "", token, None)
    if access_keys is None:
        return Authorization(scheme, key_id, token, None)
    secret = access_keys.get(key_id)
    if secret is None:
        raise PutLogsError(401, "Unauthorized", f"AccessKeyId {key_id!r} is unknown to this receiver")
    if not hmac.compare_digest(signature, sign_v1(method, path, params, headers, secret)):
        raise PutLogsError(401, "SignatureNotMatch", "signature does not match the request")
    return Authorization(scheme, key_id, token, True)


def sign_v1(method: str, path: str, params: Mapping[str, str], headers: Mapping[str, str], secret: str) -> str:
    """The SDK's v1 signature, computed with its own helpers (``aliyun.log.util.Util``).

    The SDK adds ``x-log-date`` after signing (a copy of ``Date``), so it is left out.
    """
    from aliyun.log.util import Util  # noqa: PLC0415 - ~200 ms, only when receiving

    signed = {k: v for k, v in headers.items() if k != "x-log-date"}
    content = "\n".join(
        (method, headers.get("content-md5", ""), headers.get("content-type", ""), headers.get("date", ""), "")
    )
    content += Util.canonicalized_log_headers(signed) + Util.canonicalized_resource(path, dict(params))
    return str(Util.hmac_sha1(content, secret))
