"""Structured logs: one JSON object per line on stdout, which FC ships to SLS.

Every line carries the invocation scope (request_id, function, qualifier, version,
cold_start) from a context variable, so algorithm code can log with plain
``logging.getLogger(__name__)`` and still be searchable per request. Values that look like
credentials are replaced by ``***`` before a line is written: the invocation's own STS keys
wherever they appear, string fields whose name says secret/token/password, and Alibaba
Cloud AccessKey-shaped strings. The fields are documented in docs/log-schema.md and indexed
by sls/index.json; a test keeps the three in step.

    import logging
    log = logging.getLogger(__name__)
    log.info("model loaded", extra={"rows": 1200})
    # {"time":"2024-05-01T08:00:00.123Z","level":"INFO","logger":"algorithms.x",
    #  "message":"model loaded","request_id":"...","function":"...",...,"rows":1200}
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import sys
import threading
import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import IO, Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonEncoder, JsonFormatter

MASK = "***"
# FC cuts a single log write at 128 KB, which would leave SLS half a JSON object.
MAX_LINE_CHARS = 120_000
_LONG_FIELDS = ("message", "exc_info", "stack_info")
_CORE_FIELDS = ("time", "level", "logger", "message", "request_id", "function", "qualifier", "version", "event")

# Names are split into words (snake, kebab, dotted and camelCase) so that "security_token"
# and "accessKeySecret" are masked while "tokens" or "token_count" (a number) are not.
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SENSITIVE_WORDS = frozenset(
    {"secret", "secrets", "token", "password", "passwd", "passphrase", "pwd", "credential", "credentials"}
    | {"authorization", "signature", "sk"}
)
# Checked against the words joined together: "access_key_id", "AccessKey", "api-key".
_SENSITIVE_JOINED = ("accesskey", "apikey", "passw")
# Long-term AccessKey ids start with LTAI; STS ids with "STS.". Secrets have no prefix, so
# the invocation's own values are masked by equality instead (see LogScope.secrets).
_KEY_SHAPED = re.compile(r"\b(?:LTAI[0-9A-Za-z]{12,30}|STS\.[0-9A-Za-z]{16,})\b")
_KEY_PREFIXES = ("LTAI", "STS.")
_RESERVED = frozenset(RESERVED_ATTRS) | {"message", "asctime"}
# LogRecord.__init__ sets this many attributes; ``extra`` fields are added after them.
_STANDARD_ATTRS = len(logging.LogRecord("", 0, "", 0, "", None, None).__dict__)

_encoder_defaults = JsonEncoder()
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_encoder_defaults.default).encode
_quote = json.encoder.encode_basestring
# json's C encoder, built once: ``JSONEncoder.encode`` builds a new one per call, which is
# half the cost of encoding a small dict. Without a circular-reference check (markers=None)
# a self-containing value raises RecursionError, and ``_encode`` takes over.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_fast_chunks = (
    _c_make_encoder(None, _encoder_defaults.default, _quote, None, ":", ",", False, False, False)
    if _c_make_encoder is not None
    else None
)
_MAX_DEPTH = 32


def _encode_fields(fields: dict[str, Any]) -> str:
    """``fields`` as ``"k":v,...`` (a JSON object without its braces).

    NaN and infinity (not JSON: SLS would drop the line) become text, and a value that
    contains itself is cut, rather than losing the line.
    """
    try:
        if _fast_chunks is not None:
            return "".join(_fast_chunks(fields, 0))[1:-1]
        return _encode(fields)[1:-1]
    except (RecursionError, ValueError):
        return _encode(_plain(fields, 0))[1:-1]


def _plain(value: Any, depth: int) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if depth > _MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    return value


#: The scope of the current invocation; set by ``LogScope`` (or the runtime) for its length.
SCOPE: ContextVar[LogScope | None] = ContextVar("fc_log_scope", default=None)


def encode_json(value: Any) -> str:
    """Compact JSON as the log lines use it (non-ASCII kept, odd types as text)."""
    return _encode(value)


class LogScope:
    """Fields stamped on every line logged during one invocation; a context manager.

    The fields are encoded once, at the first line; change them through ``update``.

    >>> with LogScope({"request_id": "r-1"}) as active:
    ...     current_scope() is active
    True
    """

    __slots__ = ("_fragment", "_token", "fields", "secrets", "tells")

    def __init__(self, fields: dict[str, Any], secrets: tuple[str, ...] = (), fragment: str | None = None) -> None:
        """``fragment``: ``fields`` already encoded (see ``invocation_scope``); None: encoded
        at the first line."""
        self.fields = fields
        self.secrets, self.tells = _secret_forms(secrets)
        self._fragment = fragment

    def update(self, **fields: Any) -> None:
        """Add or change fields for the following lines of this scope."""
        self.fields.update(fields)
        self._fragment = None

    @property
    def fragment(self) -> str:
        """The fields as ``,"key":value...``, ready to splice into a line."""
        if self._fragment is None:
            self._fragment = "," + encode_fields(self.fields) if self.fields else ""
        return self._fragment

    def __enter__(self) -> LogScope:
        self._token = SCOPE.set(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        SCOPE.reset(self._token)


def scope(fields: dict[str, Any], secrets: tuple[str, ...] = ()) -> LogScope:
    """Bind ``fields`` to every log line written inside the block (thread- and task-local).

    A class-based context manager rather than ``@contextmanager``: it runs on every
    invocation, and the generator machinery costs several microseconds.
    """
    return LogScope(fields, secrets)


# The shared part of the last invocation scope: (its values and secrets, its fields, their
# encoding, the secrets' forms); "\0" is no phase, so the first call fills it.
_shared_scope: tuple[
    tuple[str, str, str, bool, str, tuple[str, ...]], dict[str, Any], str, tuple[tuple[str, ...], tuple[str, ...]]
] = (("", "", "", False, "\0", ()), {}, "", ((), ()))


def invocation_scope(
    request_id: str,
    function: str,
    qualifier: str,
    version: str,
    *,
    cold_start: bool,
    secrets: tuple[str, ...] = (),
    phase: str = "",
) -> LogScope:
    """The scope of one FC call: the fields of docs/log-schema.md, "Invocation scope".

    From one invocation of a warm instance to the next only ``request_id`` changes, so the
    other fields are encoded once per value (a one-entry cache) and only the request id is
    encoded per invocation (and no field is checked for credentials again).

    >>> invocation_scope("r-1", "f", "LATEST", "LATEST", cold_start=False)._fragment
    ',"request_id":"r-1","function":"f","qualifier":"LATEST","version":"LATEST","cold_start":false'
    """
    global _shared_scope  # noqa: PLW0603 - a one-entry cache, replaced atomically
    values = (function, qualifier, version, cold_start, phase, secrets)
    cached_values, shared, encoded, forms = _shared_scope
    if values != cached_values:
        shared = {"function": function, "qualifier": qualifier, "version": version, "cold_start": cold_start}
        if phase:
            shared["phase"] = phase
        encoded = "," + encode_fields(shared)
        forms = _secret_forms(secrets)
        _shared_scope = (values, shared, encoded, forms)
    # Built without __init__, whose work on the secrets is cached here too.
    scope = LogScope.__new__(LogScope)
    scope.fields = {"request_id": request_id, **shared}
    scope.secrets, scope.tells = forms
    scope._fragment = ',"request_id":' + _quote(request_id) + encoded
    return scope


def current_scope() -> LogScope | None:
    return SCOPE.get()


_sensitive_cache: dict[str, bool] = {}


def sensitive_name(name: str) -> bool:
    """True when a field called ``name`` holds a credential (``security_token``, ``apiKey``).

    >>> sensitive_name("accessKeySecret"), sensitive_name("token_count")
    (True, True)
    >>> sensitive_name("tokens")
    False
    """
    hit = _sensitive_cache.get(name)
    if hit is None:
        words = [w.lower() for w in _WORDS.findall(name)]
        joined = "".join(words)
        hit = bool(_SENSITIVE_WORDS.intersection(words)) or any(part in joined for part in _SENSITIVE_JOINED)
        if len(_sensitive_cache) > 4096:  # user-chosen names are unbounded; keep the cache small
            _sensitive_cache.clear()
        _sensitive_cache[name] = hit
    return hit


def redact(value: Any, secrets: tuple[str, ...], _depth: int = 0) -> Any:
    """Mask credentials inside ``value`` (strings, dicts and lists, recursively).

    A credential-named field is masked only when it holds text, so ``token_count: 5`` stays.
    Values that JSON cannot hold (objects, bytes, exceptions) are turned into JSON here,
    before masking, so a secret inside an object's ``str()`` is masked too.

    >>> redact({"security_token": "abc", "note": "key s3cr3t-value"}, ("s3cr3t-value",))
    {'security_token': '***', 'note': 'key ***'}
    """
    if isinstance(value, str):
        return _mask_text(value, secrets)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if _depth > _MAX_DEPTH:
        return "[too deep]"
    depth = _depth + 1
    if isinstance(value, Mapping):  # dict, and read-only views such as MappingProxyType
        return {
            k: (
                MASK
                if isinstance(v, (str, bytes)) and v and isinstance(k, str) and sensitive_name(k)
                else redact(v, secrets, depth)
            )
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(v, secrets, depth) for v in value]
    if isinstance(value, (bytes, bytearray)):
        plain = bytes(value).decode("utf-8", "replace")
    else:
        plain = _encoder_defaults.default(value)
    return redact(plain, secrets, depth)


def _mask_text(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPED.sub(MASK, text) if ("LTAI" in text or "STS." in text) else text


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_safe_names: set[str] = set()  # field names known not to name a credential


def _needs_redaction(data: dict[Any, Any], depth: int = 0) -> bool:
    """Whether ``redact`` must run before encoding: a credential-named text field, or a
    value JSON cannot hold (its text form is made and checked by ``redact``)."""
    # The common case in two set operations done in C: known names, plain values.
    if data.keys() <= _safe_names and _PLAIN_TYPES.issuperset(map(type, data.values())):
        return False
    if depth > _MAX_DEPTH:
        return True
    for key, value in data.items():
        named = isinstance(key, str) and sensitive_name(key)
        if isinstance(key, str) and not named:
            if len(_safe_names) > 4096:  # user-chosen names are unbounded; keep the set small
                _safe_names.clear()
            _safe_names.add(key)
        if _value_needs_redaction(value, named, depth):
            return True
    return False


def _value_needs_redaction(value: Any, named: bool, depth: int) -> bool:
    kind = type(value)
    if kind is str:
        return bool(value) and named
    if kind is dict:
        return _needs_redaction(value, depth + 1)
    if kind is list or kind is tuple:
        return _needs_redaction(dict(enumerate(value)), depth + 1)
    return kind not in _PLAIN_TYPES


_time_cache: tuple[int, str] = (-1, "")
# ".000Z" to ".999Z", looked up rather than formatted (formatting costs ~0.5 µs a line);
# one more ".999Z" for a float product that rounds up to 1000.
_MILLIS = (*(f".{ms:03d}Z" for ms in range(1000)), ".999Z")


def iso_time(created: float) -> str:
    """``2024-05-01T08:00:00.123Z``: UTC, milliseconds (the date part is cached per second).

    >>> iso_time(1714550400.5)
    '2024-05-01T08:00:00.500Z'
    """
    global _time_cache  # noqa: PLW0603 - a one-entry cache, replaced atomically
    second = math.floor(created)
    cached_second, prefix = _time_cache
    if cached_second != second:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _time_cache = (second, prefix)
    return prefix + _MILLIS[int((created - second) * 1000)]


class FcJsonFormatter(JsonFormatter):
    """python-json-logger formatter that adds the scope and masks credentials.

    Fields come in a fixed order: time, level, logger, message, the scope, then the
    record's ``extra`` fields (and ``exc_info`` / ``stack_info``). ``format`` is
    reimplemented for speed because it runs for every line and FC bills the time: the
    scope is encoded once per invocation, and secrets are looked for in the finished line
    (a few substring tests) instead of in every value.
    """

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
            record.exc_text = logging.Formatter.formatException(self, record.exc_info)
        if record.exc_text:
            extras["exc_info"] = record.exc_text
        if record.stack_info:
            extras["stack_info"] = logging.Formatter.formatStack(self, record.stack_info)
        return extras


def render_line(
    created: float, level: str, logger: str, message: str, extras: dict[str, Any], *, encoded: str = ""
) -> str:
    """One JSON log line: the fixed fields, the active scope, ``encoded``, then ``extras``;
    masked. ``encoded`` holds fields already encoded as ``"key":value,...`` (see ``emit``).

    >>> render_line(0.0, "INFO", "x", "hi", {"n": 1})
    '{"time":"1970-01-01T00:00:00.000Z","level":"INFO","logger":"x","message":"hi","n":1}'
    """
    active = SCOPE.get()
    if extras and _needs_redaction(extras):
        extras = redact(extras, ())
    if active is not None and extras and not active.fields.keys().isdisjoint(extras):
        # An extra field overrides a scope field: merge, so no key appears twice.
        rest = {**active.fields, **_decoded(encoded), **extras}
        line = _encode(_all_fields(created, level, logger, message, rest))
    else:
        if active is not None and active._fragment is None and extras and not encoded:
            # The scope's first line (often its only one) encodes scope and extras in one
            # call, which is the same text as the two parts joined.
            fields = active.fields
            if _needs_redaction(fields):
                fields = redact(fields, ())
            body = "," + _encode_fields({**fields, **extras}) if fields else "," + _encode_fields(extras)
        else:
            body = active.fragment if active is not None else ""
            if encoded:
                body += "," + encoded
            if extras:
                body += "," + _encode_fields(extras)
        line = "".join(
            (
                '{"time":"',
                iso_time(created),
                '","level":',
                _quote(level),
                ',"logger":',
                _quote(logger),
                ',"message":',
                _quote(message),
                body,
                "}",
            )
        )
    if len(line) > MAX_LINE_CHARS:
        # Mask before cutting: a cut through a secret would leave half of it.
        rest = {**(active.fields if active is not None else {}), **_decoded(encoded), **extras}
        data = _all_fields(created, level, logger, message, rest)
        line = _shorten(redact(data, active.secrets if active is not None else ()))
    # A plain loop: any() over a generator costs more than the few substring tests.
    for tell in active.tells if active is not None else _KEY_PREFIXES:
        if tell in line:
            return _mask_line(line, active.tells if active is not None else _KEY_PREFIXES)
    return line


def encode_fields(fields: dict[str, Any]) -> str:
    """``fields`` as ``"key":value,...`` for ``emit(encoded=...)``, credential-named ones masked.

    >>> encode_fields({"status": 200, "api_token": "abc"})
    '"status":200,"api_token":"***"'
    """
    return _encode_fields(redact(fields, ()) if _needs_redaction(fields) else fields)


def _decoded(encoded: str) -> dict[str, Any]:
    return json.loads("{" + encoded + "}") if encoded else {}


def _all_fields(created: float, level: str, logger: str, message: str, rest: dict[str, Any]) -> dict[str, Any]:
    head = {"time": iso_time(created), "level": level, "logger": logger, "message": message}
    safe: dict[str, Any] = redact(rest, ())
    return head | safe


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


_forms_cache: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), _KEY_PREFIXES)


def _secret_forms(secrets: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The secrets worth masking, and how they appear in an encoded line (JSON escapes
    some characters), longest first so that a secret containing another is masked whole.
    A warm instance sees the same keys invocation after invocation: the last answer is kept.
    """
    global _forms_cache  # noqa: PLW0603 - a one-entry cache, replaced atomically
    cached_secrets, kept, tells = _forms_cache
    if secrets != cached_secrets:
        # Only values long enough to be real keys: masking "" or "a" would mangle every line.
        kept = tuple(s for s in secrets if len(s) >= 6)
        forms = sorted({*kept, *(_quote(s)[1:-1] for s in kept)}, key=len, reverse=True)
        tells = (*forms, *_KEY_PREFIXES)
        _forms_cache = (secrets, kept, tells)
    return kept, tells


def _mask_line(line: str, tells: tuple[str, ...]) -> str:
    # The mask holds no quote or backslash, so the line stays valid JSON.
    for tell in tells[: len(tells) - len(_KEY_PREFIXES)]:
        line = line.replace(tell, MASK)
    return _KEY_SHAPED.sub(MASK, line)


def _shorten(data: dict[str, Any]) -> str:
    """Cut the long text fields so the line survives FC's 128 KB write limit whole."""
    data["truncated"] = True
    budget = MAX_LINE_CHARS // (2 * len(_LONG_FIELDS))
    for key in _LONG_FIELDS:
        text = data.get(key)
        if isinstance(text, str) and len(text) > budget:
            data[key] = text[:budget] + f"... [{len(text) - budget} characters cut]"
    line = _encode(data)
    if len(line) <= MAX_LINE_CHARS:
        return line
    # Huge extra fields: keep only what identifies the line.
    return _encode({k: data[k] for k in _CORE_FIELDS if k in data} | {"truncated": True})


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
            handler.setFormatter(FcJsonFormatter())
            root.addHandler(handler)
            _Installed.handler = handler
    root.setLevel(level if isinstance(level, int) else level.upper())
