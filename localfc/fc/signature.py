"""Check an ``ACS3-HMAC-SHA256`` signature, the scheme of FC 3.0's HTTP triggers with
``authType: function`` (and of the OpenAPI the SDKs call).

What FC documents ("Configure signature authentication for HTTP triggers"; the V3 request
and signature mechanism it points to): the gateway checks the signature before the function
runs; the caller signs method, path, canonical query, the headers it lists in
``SignedHeaders`` and the SHA-256 of the body with its AccessKey secret; ``x-acs-date`` (UTC,
ISO 8601, within 15 minutes of the server's clock) is required, ``x-acs-security-token``
with STS keys; every common header present (``host``, ``x-acs-*``) must be signed;
``x-acs-signature-nonce`` is a unique random number against replays::

    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=host;x-acs-date,Signature=<hex>

Where FC's behaviour is UNCONFIRMED this module takes the safe side, so that what passes
locally is never less protected than it looks:
- the signature covers every query value the function sees: a repeated parameter signs all
  its ``name=value`` pairs, sorted (the official SDKs sign a dict, one value per name, so
  with them a signed trigger takes each parameter once; a hand-written V3 signer that
  signs every pair also passes);
- a reused ``x-acs-signature-nonce`` is refused (403 ``SignatureNonceUsed``) while its
  date is within the window; a request without a nonce cannot be replayed either: the
  same signature twice within the window is refused, so send a nonce (as the SDKs do)
  to repeat an identical request;
- ``host`` and every ``x-acs-*`` header present must be among the signed ones.

Here the secret comes from the keys ``serve`` knows (the local fake pair, the environment's
``ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET``, or ``--access-key``). Locally the path may be signed
either as the client sent it (``/prime-checker/check``) or as the function sees it (``/check``,
what a client of the real trigger domain signs).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

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


class ReplayGuard:
    """Nonces (and nonce-less signatures) seen while their ``x-acs-date`` is still accepted.

    Bounded: past ``capacity`` entries the oldest are forgotten (a flood of distinct nonces
    cannot exhaust memory; an entry that old has usually expired anyway).
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()  # token -> when it stops mattering
        self._lock = threading.Lock()

    def first_use(self, token: str, expires_at: float, now: float) -> bool:
        """Record ``token``; False if it was already used and has not expired."""
        with self._lock:
            while self._seen and (next(iter(self._seen.values())) <= now or len(self._seen) >= self.capacity):
                self._seen.popitem(last=False)
            if token in self._seen and self._seen[token] > now:
                return False
            self._seen[token] = expires_at
            self._seen.move_to_end(token)
            return True


def canonical_query(query: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    """Sorted ``key=value`` pairs, values percent-encoded except ``~`` (the SDK's rule).

    Given pairs, every one is signed, repeated names included (see the module docstring).
    """
    pairs = sorted(query.items() if hasattr(query, "items") else query)
    return "&".join(f"{key}={quote(value, safe='~')}" for key, value in pairs)


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
    query: Mapping[str, str] | Sequence[tuple[str, str]],
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
    query: Mapping[str, str] | Sequence[tuple[str, str]],
    headers: list[tuple[str, str]],
    body: bytes,
    secrets: Mapping[str, str],
    now: datetime | None = None,
    replays: ReplayGuard | None = None,
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
    now = now or datetime.now(timezone.utc)
    signed_at = _check_date(date, now)
    names = [n for n in match["signed"].lower().split(";") if n]
    unsigned = sorted(n for n in header if (n == "host" or n.startswith("x-acs-")) and n not in names)
    if "x-acs-date" not in names or unsigned:
        missing = ", ".join(unsigned or ["x-acs-date"])
        raise SignatureError("SignatureNotMatch", f"{missing} must be among the SignedHeaders")
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
            _check_replay(replays, header.get("x-acs-signature-nonce", ""), expected, signed_at, now)
            return access_key_id
    raise SignatureError(
        "SignatureNotMatch",
        "The request signature we calculated does not match the signature you provided."
        " Check your access key and signing method",
    )


def _check_replay(replays: ReplayGuard | None, nonce: str, signature: str, signed_at: float, now: datetime) -> None:
    if replays is None:
        return
    token = f"nonce:{nonce}" if nonce else f"signature:{signature}"
    if not replays.first_use(token, signed_at + MAX_CLOCK_SKEW_S, now.timestamp()):
        what = "x-acs-signature-nonce" if nonce else "signature (send x-acs-signature-nonce to repeat a request)"
        raise SignatureError("SignatureNonceUsed", f"this {what} was already used: a replayed request is refused")


def _check_date(text: str, now: datetime) -> float:
    try:
        when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError(
            "InvalidArgument", f"x-acs-date {text!r} is not of the form 2024-05-01T08:00:00Z"
        ) from None
    if abs((now - when).total_seconds()) > MAX_CLOCK_SKEW_S:
        raise SignatureError("RequestTimeTooSkewed", "x-acs-date differs from the server time by more than 15 minutes")
    return when.timestamp()
