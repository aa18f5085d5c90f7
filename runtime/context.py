"""One view of the FC invocation context, whatever the runtime's shape.

python3.9/3.10 put the qualifier, version and log store under ``context.service`` and the
role's keys under ``context.credentials``; python3.12 moves qualifier and version to
``context.function``, log settings to the top level, and drops credentials (they are in the
environment). Some fields arrive as strings (``function.timeout``, ``retry_count``), so every
number is coerced here, once.

This runs on every invocation, so it is built for speed: the ``FC_*`` variables FC sets at
instance start are read once per instance (``InstanceEnvironment``), and the fields an
invocation seldom needs are read only when asked for (``FunctionDetails``).
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


class FunctionDetails(NamedTuple):
    """The parts of the context an invocation rarely needs (only object functions and user
    code read them), so ``InvocationContext`` reads them from FC's context on first use."""

    handler: str = ""
    memory_mb: int = 0
    timeout_s: float = 0.0
    region: str = ""
    account_id: str = ""
    log_project: str = ""
    log_store: str = ""

    @classmethod
    def read(cls, raw: Any, env: InstanceEnvironment) -> FunctionDetails:
        function = getattr(raw, "function", None)
        service = getattr(raw, "service", None)  # python3.9/3.10 only
        return cls(
            _text(getattr(function, "handler", None)) or env.handler,
            _to_int(getattr(function, "memory", None)) or env.memory_mb,
            _to_float(getattr(function, "timeout", None)),
            _text(getattr(raw, "region", None)) or env.region,
            _text(getattr(raw, "account_id", None)) or env.account_id,
            _text(getattr(raw, "log_project", None)) or _text(getattr(service, "log_project", None)),
            _text(getattr(raw, "log_store", None)) or _text(getattr(service, "log_store", None)),
        )


class InvocationContext:
    """What the runtime knows about the current invocation.

    The fields every invocation uses (its log scope and summary line) are read when the
    context is built; the others (``FunctionDetails``) when first asked for, which saves
    ~3 µs of every warm invocation (bench/warm_overhead.py).

    >>> from types import SimpleNamespace as NS
    >>> raw = NS(request_id="r-1", function=NS(name="f", timeout="30", memory=512))
    >>> ctx = InvocationContext.from_fc(raw)
    >>> (ctx.function_name, ctx.timeout_s, ctx.qualifier)
    ('f', 30.0, 'LATEST')
    """

    __slots__ = (
        "_details",
        "_source",
        "credentials",
        "function_name",
        "instance_id",
        "qualifier",
        "request_id",
        "retry_count",
        "started_at",
        "version_id",
    )

    def __init__(
        self,
        request_id: str,
        function_name: str,
        *,
        handler: str = "",
        memory_mb: int = 0,
        timeout_s: float = 0.0,
        region: str = "",
        account_id: str = "",
        qualifier: str = LATEST,
        version_id: str = "",
        retry_count: int = 0,
        log_project: str = "",
        log_store: str = "",
        instance_id: str = "",
        credentials: Credentials | None = None,  # its repr masks the secret and the token
        started_at: float = 0.0,  # time.monotonic() when the invocation started; 0: unknown
    ) -> None:
        self.request_id = request_id
        self.function_name = function_name
        self.qualifier = qualifier
        self.version_id = version_id
        self.retry_count = retry_count
        self.instance_id = instance_id
        self.credentials = credentials
        self.started_at = started_at
        self._details: FunctionDetails | None = FunctionDetails(
            handler, memory_mb, timeout_s, region, account_id, log_project, log_store
        )
        self._source: tuple[Any, InstanceEnvironment] | None = None

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
        ctx = cls.__new__(cls)  # without __init__: its keyword defaults cost more than the work
        ctx.request_id = _text(getattr(raw, "request_id", None)) or "local"
        ctx.function_name = _text(getattr(function, "name", None)) or env.function_name
        ctx.qualifier = (
            _text(getattr(function, "qualifier", None)) or _text(getattr(service, "qualifier", None)) or LATEST
        )
        ctx.version_id = "" if version_id == LATEST else version_id
        ctx.retry_count = _to_int(getattr(raw, "retry_count", None))
        ctx.instance_id = env.instance_id
        ctx.credentials = from_context(raw)
        ctx.started_at = time.monotonic()
        ctx._details = None
        ctx._source = (raw, env)
        return ctx

    @property
    def details(self) -> FunctionDetails:
        """Handler, memory, timeout, region, account and log settings, read once."""
        details = self._details
        if details is None:
            # _source stays: threads of one invocation that ask at once read the same values.
            raw, env = self._source or (None, InstanceEnvironment())
            details = self._details = FunctionDetails.read(raw, env)
        return details

    @property
    def handler(self) -> str:
        return self.details.handler

    @property
    def memory_mb(self) -> int:
        return self.details.memory_mb

    @property
    def timeout_s(self) -> float:
        return self.details.timeout_s

    @property
    def region(self) -> str:
        return self.details.region

    @property
    def account_id(self) -> str:
        return self.details.account_id

    @property
    def log_project(self) -> str:
        return self.details.log_project

    @property
    def log_store(self) -> str:
        return self.details.log_store

    @property
    def version(self) -> str:
        """The version that runs: its number, or LATEST."""
        return self.version_id or LATEST

    @property
    def deadline(self) -> float | None:
        """``time.monotonic()`` value at which FC kills the instance (no timeout: None)."""
        timeout_s = self.timeout_s
        return self.started_at + timeout_s if timeout_s > 0 and self.started_at > 0 else None

    def remaining_ms(self) -> int | None:
        """Milliseconds left before the function timeout; FC has no get_remaining_time."""
        deadline = self.deadline
        return None if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("request_id", "function_name", "qualifier", "version_id", "retry_count", "instance_id")
        )
        return f"InvocationContext({fields}, credentials={self.credentials!r}, details={self.details!r})"


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
