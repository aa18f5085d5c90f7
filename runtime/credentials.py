"""STS credentials of the invocation, from the context (python3.9/3.10) or the environment.

python3.12 contexts carry no ``credentials``: FC puts the role's STS keys into
``ALIBABA_CLOUD_*`` instead. The context wins when it has keys, because it is refreshed per
invocation while the environment is fixed at instance start.
"""

from __future__ import annotations

import os
from typing import Any

from runtime import constants


class Credentials:
    """Access keys of the function's role. ``repr`` never shows the secret or the token.

    A plain class rather than a dataclass or named tuple: it is built every invocation and
    must not be iterable or JSON-encodable as a list (that would spell out the secret).

    >>> Credentials("LTAI-id", "s3cr3t", "tok").has_token
    True
    """

    __slots__ = ("access_key_id", "access_key_secret", "security_token")

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str = "") -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token

    def _values(self) -> tuple[str, str, str]:
        """(access key id, secret, security token): what equality and hashing compare."""
        return self.access_key_id, self.access_key_secret, self.security_token

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    @property
    def has_token(self) -> bool:
        return bool(self.security_token)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written to a log line or a response."""
        return tuple(filter(None, self._values()))

    def __repr__(self) -> str:
        token = "***" if self.security_token else "none"
        return f"Credentials(access_key_id='{_mask(self.access_key_id)}', secret=***, token={token})"

    __str__ = __repr__


def _mask(value: str) -> str:
    return value[:4] + "***" if len(value) > 8 else "***"


def from_context(raw: Any) -> Credentials | None:
    """Read ``context.credentials`` if present and non-empty, else the environment."""
    creds = getattr(raw, "credentials", None)
    if creds is not None:
        key_id = _text(getattr(creds, "access_key_id", None) or getattr(creds, "accessKeyId", None))
        secret = _text(getattr(creds, "access_key_secret", None) or getattr(creds, "accessKeySecret", None))
        token = _text(getattr(creds, "security_token", None) or getattr(creds, "securityToken", None))
        if key_id and secret:
            return _reused(key_id, secret, token)
    return from_environment()


_last: Credentials | None = None


def _reused(key_id: str, secret: str, token: str) -> Credentials:
    """The previous invocation's ``Credentials`` when the keys are the same (FC refreshes
    them rarely), so that what is derived from them per instance can be kept by identity."""
    global _last  # noqa: PLW0603 - a one-entry cache, replaced atomically
    last = _last
    if last is None or last._values() != (key_id, secret, token):
        last = _last = Credentials(key_id, secret, token)
    return last


def from_environment(environ: dict[str, str] | None = None) -> Credentials | None:
    env = os.environ if environ is None else environ
    key_id = env.get(constants.ACCESS_KEY_ID, "")
    secret = env.get(constants.ACCESS_KEY_SECRET, "")
    if not key_id or not secret:
        return None
    return Credentials(key_id, secret, env.get(constants.SECURITY_TOKEN, ""))


def _text(value: object) -> str:
    return "" if value is None else str(value)
