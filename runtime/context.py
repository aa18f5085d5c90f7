"""One view of the FC invocation context, whatever the runtime's shape.

python3.9/3.10 put the qualifier, version and log store under ``context.service`` and the
role's keys under ``context.credentials``; python3.12 moves qualifier and version to
``context.function``, log settings to the top level, and drops credentials (they are in the
environment). Some fields arrive as strings (``function.timeout``, ``retry_count``), so every
number is coerced here, once.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

from runtime import constants
from runtime.credentials import Credentials, from_context

LATEST = "LATEST"


@dataclass(frozen=True, slots=True)
class InvocationContext:
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
    credentials: Credentials | None = field(default=None, repr=False)
    started_at: float = field(default_factory=time.monotonic)

    @property
    def version(self) -> str:
        """The version that runs: its number, or LATEST."""
        return self.version_id or LATEST

    @property
    def deadline(self) -> float | None:
        """``time.monotonic()`` value at which FC kills the instance (no timeout: None)."""
        return self.started_at + self.timeout_s if self.timeout_s > 0 else None

    def remaining_ms(self) -> int | None:
        """Milliseconds left before the function timeout; FC has no get_remaining_time."""
        deadline = self.deadline
        return None if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))

    @classmethod
    def from_fc(cls, raw: Any) -> InvocationContext:
        """Normalise either FC context shape (or None, for plain unit tests)."""
        function = getattr(raw, "function", None)
        service = getattr(raw, "service", None)  # python3.9/3.10 only
        env = os.environ
        qualifier = _text(getattr(function, "qualifier", None)) or _text(getattr(service, "qualifier", None))
        # The environment is read only when the context lacks a value: this runs on every
        # invocation and each os.environ lookup costs about a microsecond.
        version_id = (
            _text(getattr(function, "version_id", None))
            or _text(getattr(service, "version_id", None))
            or _text(env.get(constants.FC_FUNCTION_VERSION))
            or _text(env.get(constants.FC_VER_ID))
        )
        if version_id == LATEST:
            version_id = ""
        return cls(
            request_id=_text(getattr(raw, "request_id", None)) or "local",
            function_name=_text(getattr(function, "name", None)) or _text(env.get(constants.FC_FUNCTION_NAME)),
            handler=_text(getattr(function, "handler", None)) or _text(env.get(constants.FC_FUNCTION_HANDLER)),
            memory_mb=_to_int(getattr(function, "memory", None) or env.get(constants.FC_FUNCTION_MEMORY_SIZE)),
            timeout_s=_to_float(getattr(function, "timeout", None)),
            region=_text(getattr(raw, "region", None)) or _text(env.get(constants.FC_REGION)),
            account_id=_text(getattr(raw, "account_id", None)) or _text(env.get(constants.FC_ACCOUNT_ID)),
            qualifier=qualifier or LATEST,
            version_id=version_id,
            retry_count=_to_int(getattr(raw, "retry_count", None)),
            log_project=_text(getattr(raw, "log_project", None)) or _text(getattr(service, "log_project", None)),
            log_store=_text(getattr(raw, "log_store", None)) or _text(getattr(service, "log_store", None)),
            instance_id=env.get(constants.FC_INSTANCE_ID, ""),
            credentials=from_context(raw),
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
