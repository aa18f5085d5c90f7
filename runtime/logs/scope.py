"""The invocation scope: fields stamped on every line logged during one invocation.

The scope lives in a context variable, so algorithm code logs with plain
``logging.getLogger(__name__)`` and its lines still carry request_id, function, qualifier,
version and cold_start (docs/log-schema.md, "Invocation scope"). A scope keeps its fields
encoded once, ready to splice into each line, and the secrets of its invocation, to mask.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from runtime.logs.encoding import quote
from runtime.logs.masking import encode_fields, secret_forms

#: The scope of the current invocation; set by ``LogScope`` (or the runtime) for its length.
SCOPE: ContextVar[LogScope | None] = ContextVar("fc_log_scope", default=None)


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
        self.secrets, self.tells = secret_forms(secrets)
        self._fragment = fragment

    def update(self, **fields: Any) -> None:
        """Add or change fields for the following lines of this scope."""
        self.fields.update(fields)
        self._fragment = None

    @property
    def encoded(self) -> bool:
        """Whether the fields are encoded already (``fragment`` costs nothing then)."""
        return self._fragment is not None

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

    >>> invocation_scope("r-1", "f", "LATEST", "LATEST", cold_start=False).fragment
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
        forms = secret_forms(secrets)
        _shared_scope = (values, shared, encoded, forms)
    # Built without __init__, whose work on the secrets is cached here too.
    active = LogScope.__new__(LogScope)
    active.fields = {"request_id": request_id, **shared}
    active.secrets, active.tells = forms
    active._fragment = ',"request_id":' + quote(request_id) + encoded
    return active


def current_scope() -> LogScope | None:
    return SCOPE.get()
