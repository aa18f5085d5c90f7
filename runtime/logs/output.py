"""Where lines go: the root logger's JSON handler on stdout, and ``emit`` for lines the
runtime writes itself.

FC ships a function's stdout to its logstore, one line per record. ``configure`` replaces
FC's own plain-text handler with ours; ``emit`` writes a line without the ``logging``
machinery, for the summary line every invocation writes.

No JSON-logging library: python-json-logger was used only as a base class whose ``format``
was replaced for speed (the scope encoded once per invocation, secrets looked for in the
finished line), so what it still gave was its list of LogRecord attributes and its encoder's
fallback for odd values, both a few lines here (``runtime.logs.encoding.json_value``). Used
as the formatter it is (``add_fields`` + its ``format``), its stock formatter alone costs
more per invocation than these lines with the scope and masking (``python -m bench
logging_cost`` prints the ratio), and it was one more dependency in every code package.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import time
from typing import IO, Any

from runtime.logs.lines import render_line

# LogRecord.__init__ sets these attributes; ``extra`` fields are added after them, and
# formatting adds "message" (and "asctime", with a formatter that uses it).
_STANDARD = logging.LogRecord("", 0, "", 0, "", None, None).__dict__
_STANDARD_ATTRS = len(_STANDARD)
_RESERVED = frozenset(_STANDARD) | {"message", "asctime", "taskName"}


class JsonLineFormatter(logging.Formatter):
    """A ``logging`` record as one JSON line (``render_line``), with its ``extra`` fields,
    a dict message's items, and its traceback as ``exc_info``."""

    def format(self, record: logging.LogRecord) -> str:
        extras = self._extras(record)
        return render_line(record.created, record.levelname, record.name, record.message, extras)

    def _extras(self, record: logging.LogRecord) -> dict[str, Any]:
        """The record's own fields: ``extra=...``, a dict message, the traceback."""
        extras: dict[str, Any] = {}
        if isinstance(record.msg, dict):
            record.message = ""
            extras.update(record.msg)
        else:
            record.message = record.getMessage()
        attrs = record.__dict__
        if len(attrs) > _STANDARD_ATTRS:
            for key, value in itertools.islice(attrs.items(), _STANDARD_ATTRS, None):
                if key not in _RESERVED and key[:1] != "_":
                    extras[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            extras["exc_info"] = record.exc_text
        if record.stack_info:
            extras["stack_info"] = self.formatStack(record.stack_info)
        return extras


_write_lock = threading.Lock()


def emit(
    logger: logging.Logger,
    level: int,
    message: str,
    fields: dict[str, Any],
    *,
    always: bool = False,
    encoded: str = "",
) -> None:
    """Write one line straight to stdout, as ``logger`` would at ``level`` (or whatever the
    level, with ``always``: business events are records, not chatter).

    ``encoded`` holds fields already encoded by ``encode_fields`` (written before ``fields``;
    none of them may be a scope field): for a line written again and again whose fields
    mostly repeat, like the summary line, which keeps their encoding.

    Like Powertools' metrics flush, this bypasses the ``logging`` machinery: no LogRecord,
    no caller lookup, no handler chain — a third of the cost of ``logger.info`` for the
    summary line every invocation writes. The line is the same as a logged one (scope,
    masking, field order).

    >>> emit(logging.getLogger("runtime"), logging.INFO, "invocation finished", {"status": 200})  # doctest: +SKIP
    """
    if not always and not logger.isEnabledFor(level):
        return
    line = render_line(time.time(), logging.getLevelName(level), logger.name, message, fields, encoded=encoded)
    handler = _Installed.handler
    lock = handler.lock if handler is not None and handler.lock is not None else _write_lock
    with lock:
        stream = sys.stdout
        stream.write(line + "\n")
        stream.flush()


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


_configure_lock = threading.Lock()


def configure(level: str | int = "INFO") -> None:
    """Send the root logger's records to stdout as JSON lines. Idempotent.

    FC's Python runtime installs its own plain-text handler on the root logger; it is
    replaced so every line is JSON that SLS can index.
    """
    root = logging.getLogger()
    # Under a lock: the first invocations of an instance may run at once (instance
    # concurrency), and two handlers installed side by side would write every line twice.
    with _configure_lock:
        if _Installed.handler is None or _Installed.handler not in root.handlers:
            for existing in list(root.handlers):
                root.removeHandler(existing)
            handler = _StdoutHandler()
            handler.setFormatter(JsonLineFormatter())
            root.addHandler(handler)
            _Installed.handler = handler
    root.setLevel(level if isinstance(level, int) else level.upper())
