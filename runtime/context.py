"""One view of the FC invocation context, whatever the runtime's shape.

python3.9/3.10 put the qualifier, version and log store under ``context.service`` and the
role's keys under ``context.credentials``; python3.12 moves qualifier and version to
``context.function``, log settings to the top level, and drops credentials (they are in the
environment). Some fields arrive as strings (``function.timeout``, ``retry_count``), so every
number is coerced here, once.

This runs on every invocation, so it is built for speed: the ``FC_*`` variables FC sets at
instance start are read once per instance (``InstanceEnvironment``), and the context is a
named tuple (built several times faster than a frozen dataclass).
"""

from __future__ import annotations

import math
import os
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from runtime import constants
from runtime.credentials import Credentials, from_context

if TYPE_CHECKING:
    from collections.abc import Mapping

LATEST = "LATEST"


class InstanceEnvironment(NamedTuple):
    """The ``FC_*`` variables of an instance: fixed when FC starts it, so read once.

    They fill what a context lacks (python3.12 has no ``service``; local tools may pass
    None). Each ``os.environ`` lookup costs about a microsecond, per invocation.

    >>> InstanceEnvironment.read({"FC_FUNCTION_NAME": "f", "FC_VER_ID": "3"}).version_id
    '3'
    """

    function_name: str = ""
    handler: str = ""
    memory_mb: int = 0
    region: str = ""
    account_id: str = ""
    version_id: str = ""
    instance_id: str = ""

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> InstanceEnvironment:
        env = os.environ if environ is None else environ
        return cls(
            function_name=_text(env.get(constants.FC_FUNCTION_NAME)),
            handler=_text(env.get(constants.FC_FUNCTION_HANDLER)),
            memory_mb=_to_int(env.get(constants.FC_FUNCTION_MEMORY_SIZE)),
            region=_text(env.get(constants.FC_REGION)),
            account_id=_text(env.get(constants.FC_ACCOUNT_ID)),
            # python3.12 names it FC_FUNCTION_VERSION, python3.9/3.10 FC_VER_ID.
            version_id=_text(env.get(constants.FC_FUNCTION_VERSION)) or _text(env.get(constants.FC_VER_ID)),
            instance_id=_text(env.get(constants.FC_INSTANCE_ID)),
        )


class InvocationContext(NamedTuple):
    """What the runtime knows about the current invocation.

    >>> from types import SimpleNamespace as NS
    >>> raw = NS(request_id="r-1", function=NS(name="f", timeout="30", memory=512))
    >>> ctx = InvocationContext.from_fc(raw)
    >>> (ctx.function_name, ctx.timeout_s, ctx.qualifier)
    ('f', 30.0, 'LATEST')
    """

    request_id: str
    function_name: str
    handler: str = ""
    memory_mb: int = 0
    timeout_s: float = 0.0
    region: str = ""
    account_id: str = ""
    qualifier: str = LATEST
    version_id: str = ""
    retry_count: int = 0
    log_project: str = ""
    log_store: str = ""
    instance_id: str = ""
    credentials: Credentials | None = None  # its repr masks the secret and the token
    started_at: float = 0.0  # time.monotonic() when the invocation started; 0: unknown

    @property
    def version(self) -> str:
        """The version that runs: its number, or LATEST."""
        return self.version_id or LATEST

    @property
    def deadline(self) -> float | None:
        """``time.monotonic()`` value at which FC kills the instance (no timeout: None)."""
        return self.started_at + self.timeout_s if self.timeout_s > 0 and self.started_at > 0 else None

    def remaining_ms(self) -> int | None:
        """Milliseconds left before the function timeout; FC has no get_remaining_time."""
        deadline = self.deadline
        return None if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))

    @classmethod
    def from_fc(cls, raw: Any, instance: InstanceEnvironment | None = None) -> InvocationContext:
        """Normalise either FC context shape (or None, for plain unit tests).

        ``instance`` is the instance's environment, read once by the caller; without it the
        environment is read now.
        """
        env = InstanceEnvironment.read() if instance is None else instance
        function = getattr(raw, "function", None)
        service = getattr(raw, "service", None)  # python3.9/3.10 only
        version_id = (
            _text(getattr(function, "version_id", None))
            or _text(getattr(service, "version_id", None))
            or env.version_id
        )
        qualifier = _text(getattr(function, "qualifier", None)) or _text(getattr(service, "qualifier", None))
        # Positional: keyword arguments double the cost of building the tuple, per invocation.
        return cls(
            _text(getattr(raw, "request_id", None)) or "local",  # request_id
            _text(getattr(function, "name", None)) or env.function_name,  # function_name
            _text(getattr(function, "handler", None)) or env.handler,  # handler
            _to_int(getattr(function, "memory", None)) or env.memory_mb,  # memory_mb
            _to_float(getattr(function, "timeout", None)),  # timeout_s
            _text(getattr(raw, "region", None)) or env.region,  # region
            _text(getattr(raw, "account_id", None)) or env.account_id,  # account_id
            qualifier or LATEST,  # qualifier
            "" if version_id == LATEST else version_id,  # version_id
            _to_int(getattr(raw, "retry_count", None)),  # retry_count
            _text(getattr(raw, "log_project", None)) or _text(getattr(service, "log_project", None)),  # log_project
            _text(getattr(raw, "log_store", None)) or _text(getattr(service, "log_store", None)),  # log_store
            env.instance_id,  # instance_id
            from_context(raw),  # credentials
            time.monotonic(),  # started_at
        )


def _text(value: object) -> str:
    """``value`` as stripped text; None and booleans (never meaningful here) are empty."""
    if type(value) is str:  # the common case, kept cheap: this runs ~10 times per invocation
        return value.strip()
    return "" if value is None or isinstance(value, bool) else str(value).strip()


def _to_int(value: object) -> int:
    if type(value) is int:
        return value
    try:
        return int(float(str(value))) if value not in (None, "") else 0
    except (ValueError, OverflowError):  # "abc", "inf", "1e400"
        return 0


def _to_float(value: object) -> float:
    if type(value) is int:
        return float(value)
    try:
        number = float(str(value)) if value not in (None, "") else 0.0
    except ValueError:
        return 0.0
    # "inf" or "nan" would make the deadline arithmetic fail or lie: treat as no timeout.
    return number if math.isfinite(number) else 0.0
