"""Check an ``ACS3-HMAC-SHA256`` signature, the scheme of FC 3.0's HTTP triggers with
``authType: function`` (and of the OpenAPI the SDKs call).

The caller signs: method, path, canonical query, the headers it lists in ``SignedHeaders``,
and the SHA-256 of the body, with the AccessKey secret; ``x-acs-date`` is required::

    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=host;x-acs-date,Signature=<hex>

Here the secret comes from the keys ``serve`` knows (the local fake pair, the environment's
``ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET``, or ``--access-key``). Locally the path may be signed
either as the client sent it (``/prime-checker/check``) or as the function sees it (``/check``,
what a client of the real trigger domain signs).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ALGORITHM = "ACS3-HMAC-SHA256"
MAX_CLOCK_SKEW_S = 15 * 60
_AUTH = re.compile(
    r"^ACS3-HMAC-SHA256\s+Credential=(?P<ak>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]*)\s*,\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


class SignatureError(Exception):
    """The request is not signed, or not signed right; ``code`` is FC's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def canonical_query(query: Mapping[str, str]) -> str:
    """Sorted ``key=value`` pairs, values percent-encoded except ``~`` (the SDK's rule)."""
    return "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))


def canonical_headers(headers: Iterable[tuple[str, str]], names: list[str]) -> str:
    values: dict[str, list[str]] = {name: [] for name in names}
    for key, value in headers:
        lowered = key.lower()
        if lowered in values:
            values[lowered].append(value.strip())
    return "".join(f"{name}:{','.join(sorted(values[name]))}\n" for name in names)


def string_to_sign(
    method: str,
    path: str,
    *,
    query: Mapping[str, str],
    headers: Iterable[tuple[str, str]],
    names: list[str],
    body: bytes,
) -> str:
    canonical = "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query(query),
            canonical_headers(headers, names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    *,
    method: str,
    paths: Iterable[str],
    query: Mapping[str, str],
    headers: list[tuple[str, str]],
    body: bytes,
    secrets: Mapping[str, str],
    now: datetime | None = None,
) -> str:
    """Return the AccessKey id that signed the request, or raise ``SignatureError``.

    >>> verify(method="GET", paths=["/"], query={}, headers=[], body=b"", secrets={})
    Traceback (most recent call last):
    ...
    localfc.fc.signature.SignatureError: required HTTP header Authorization was not specified
    """
    header = {k.lower(): v for k, v in headers}
    authorization = header.get("authorization", "")
    if not authorization:
        raise SignatureError("MissingRequiredHeader", "required HTTP header Authorization was not specified")
    match = _AUTH.match(authorization.strip())
    if match is None:
        raise SignatureError(
            "InvalidArgument",
            f"Authorization must be of the form {ALGORITHM} Credential=...,SignedHeaders=...,Signature=...",
        )
    date = header.get("x-acs-date", "")
    if not date:
        raise SignatureError("MissingRequiredHeader", "required HTTP header x-acs-date was not specified")
    _check_date(date, now or datetime.now(timezone.utc))
    names = [n for n in match["signed"].lower().split(";") if n]
    if "x-acs-date" not in names:
        raise SignatureError("SignatureNotMatch", "x-acs-date must be one of the SignedHeaders")
    access_key_id = match["ak"]
    secret = secrets.get(access_key_id)
    if secret is None:
        raise SignatureError("InvalidAccessKeyID", f"invalid access key ID '{access_key_id}'")
    declared = header.get("x-acs-content-sha256")
    if declared and declared.lower() != hashlib.sha256(body).hexdigest():
        raise SignatureError("SignatureNotMatch", "x-acs-content-sha256 does not match the request body")
    for path in paths:
        expected = sign(secret, string_to_sign(method, path, query=query, headers=headers, names=names, body=body))
        if hmac.compare_digest(expected, match["sig"].lower()):
            return access_key_id
    raise SignatureError(
        "SignatureNotMatch",
        "The request signature we calculated does not match the signature you provided."
        " Check your access key and signing method",
    )


def _check_date(text: str, now: datetime) -> None:
    try:
        when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError(
            "InvalidArgument", f"x-acs-date {text!r} is not of the form 2024-05-01T08:00:00Z"
        ) from None
    if abs((now - when).total_seconds()) > MAX_CLOCK_SKEW_S:
        raise SignatureError("RequestTimeTooSkewed", "x-acs-date differs from the server time by more than 15 minutes")
