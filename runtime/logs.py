"""Structured logs: one JSON object per line on stdout, which FC ships to SLS.

Every line carries the invocation scope (request_id, function, qualifier, version,
cold_start) from a context variable, so algorithm code can log with plain
``logging.getLogger(__name__)`` and still be searchable per request. Values that look like
credentials are replaced by ``***`` before a line is written: the invocation's own STS keys
wherever they appear, fields whose name says secret/token/password, and Alibaba Cloud
AccessKey-shaped strings.
"""

from __future__ import annotations

import logging
import re
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from collections.abc import Iterator

MASK = "***"
_SENSITIVE_NAME = re.compile(r"secret|token|passw|credential|access_?key|authorization|signature", re.I)
# Long-term AccessKey ids start with LTAI; STS ids with "STS.". Secrets have no prefix, so
# the invocation's own values are masked by equality instead (see LogScope.secrets).
_KEY_SHAPED = re.compile(r"\b(?:LTAI[0-9A-Za-z]{12,30}|STS\.[0-9A-Za-z]{16,})\b")

_scope: ContextVar[LogScope | None] = ContextVar("fc_log_scope", default=None)


class LogScope:
    """Fields stamped on every line logged during one invocation."""

    __slots__ = ("fields", "secrets")

    def __init__(self, fields: dict[str, Any], secrets: tuple[str, ...] = ()) -> None:
        self.fields = fields
        # Only values long enough to be real keys: masking "" or "a" would mangle every line.
        self.secrets = tuple(s for s in secrets if len(s) >= 6)


@contextmanager
def scope(fields: dict[str, Any], secrets: tuple[str, ...] = ()) -> Iterator[LogScope]:
    """Bind ``fields`` to every log line written inside the block (thread- and task-local)."""
    token = _scope.set(LogScope(fields, secrets))
    try:
        yield _scope.get()  # type: ignore[misc]
    finally:
        _scope.reset(token)


def current_scope() -> LogScope | None:
    return _scope.get()


def redact(value: Any, secrets: tuple[str, ...]) -> Any:
    """Mask credentials inside ``value`` (strings, dicts and lists, recursively)."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return _KEY_SHAPED.sub(MASK, value) if ("LTAI" in value or "STS." in value) else value
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and _SENSITIVE_NAME.search(k) and v else redact(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    return value


class FcJsonFormatter(JsonFormatter):
    """python-json-logger formatter that adds the scope and masks credentials."""

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        active = _scope.get()
        if active is not None:
            log_data.update(active.fields)
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        active = _scope.get()
        return redact(log_data, active.secrets if active is not None else ())  # type: ignore[no-any-return]


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is now, so redirections (tests, local tools) apply."""

    @property
    def stream(self) -> IO[str]:
        return sys.stdout

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


class _Installed:
    handler: logging.Handler | None = None


def configure(level: str | int = "INFO") -> None:
    """Send the root logger's records to stdout as JSON lines. Idempotent.

    FC's Python runtime installs its own plain-text handler on the root logger; it is
    replaced so every line is JSON that SLS can index.
    """
    root = logging.getLogger()
    if _Installed.handler is None or _Installed.handler not in root.handlers:
        for existing in list(root.handlers):
            root.removeHandler(existing)
        handler = _StdoutHandler()
        # Fields are added by add_fields in a fixed order; fmt stays empty on purpose.
        handler.setFormatter(FcJsonFormatter(fmt=None, json_ensure_ascii=False))
        root.addHandler(handler)
        _Installed.handler = handler
    root.setLevel(level if isinstance(level, int) else level.upper())
