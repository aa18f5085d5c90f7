"""Business and audit events from algorithm code, with no knowledge of FC or SLS.

An algorithm calls ``business_events.emit(name, **fields)``; the runtime decides where the
event goes. With direct shipping configured (``APP_SHIP_PROJECT`` and ``APP_SHIP_LOGSTORE``
in s.yaml) the events of one invocation are sent together, at its end, to that logstore
with the invocation's own STS credentials; otherwise each becomes a JSON log line
(``"event":"business"``) in the function's logstore. Either way they carry the request id,
function, qualifier and version. Outside an invocation (plain unit tests) ``emit`` does
nothing:

    from algorithms import business_events

    def run(self, data):
        business_events.emit("language_detected", language="en", chars=26)

    # in a unit test
    with business_events.capture() as sent:
        detector.run(DetectInput(text="hello"))
    assert sent[0] == ("language_detected", {"language": "en", "chars": 5})

An event name is letters, digits and ``_ . : -`` (starting with a letter, at most 128
characters). Field values should be text, numbers, booleans or JSON-able lists and dicts;
anything else is stored as its ``str()``. The runtime's own fields (``request_id``,
``function``, ...) win over fields of the same name.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, Protocol

#: Fields the runtime adds to every event; an event's own field of the same name is dropped.
RESERVED_FIELDS = frozenset({"event", "request_id", "function", "qualifier", "version", "algorithm", "time"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,127}")


class BusinessEventError(ValueError):
    """An event name or field that cannot be sent."""


class Sink(Protocol):
    """What the runtime binds for the length of one invocation."""

    def emit(self, name: str, fields: dict[str, Any]) -> None: ...


#: The sink of the current invocation; set by the runtime (or ``binding``) for its length.
SINK: ContextVar[Sink | None] = ContextVar("algorithm_business_events", default=None)


def emit(name: str, /, **fields: Any) -> None:
    """Record the business event ``name`` of the current invocation (no-op outside one).

    >>> emit("prime_checked", number=97, prime=True)  # outside an invocation: nothing happens
    """
    sink = SINK.get()
    if sink is not None:
        sink.emit(name, fields)


def problem(name: object, fields: dict[str, Any]) -> str | None:
    """Why the event cannot be sent as given, or None.

    >>> problem("prime_checked", {"number": 7}), problem("9lives", {})
    (None, "event name '9lives' must match [A-Za-z][A-Za-z0-9_.:-]*, at most 128 characters")
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return f"event name {name!r} must match [A-Za-z][A-Za-z0-9_.:-]*, at most 128 characters"
    clash = RESERVED_FIELDS.intersection(fields)
    if clash:
        return f"event {name}: field(s) {', '.join(sorted(clash))} are set by the runtime; rename them"
    return None


class binding:
    """Bind ``sink`` for the block: every ``emit`` inside goes to it (runtime use)."""

    __slots__ = ("_sink", "_token")

    def __init__(self, sink: Sink) -> None:
        self._sink = sink

    def __enter__(self) -> Sink:
        self._token = SINK.set(self._sink)
        return self._sink

    def __exit__(self, *_exc: object) -> None:
        SINK.reset(self._token)


class CapturedEvents(list[tuple[str, dict[str, Any]]]):
    """The events emitted inside ``capture()``: ``[(name, fields), ...]`` in order."""

    def __init__(self, strict: bool) -> None:
        super().__init__()
        self.strict = strict

    def emit(self, name: str, fields: dict[str, Any]) -> None:
        reason = problem(name, fields)
        if reason is not None and self.strict:
            raise BusinessEventError(reason)
        self.append((name, fields))


class capture:
    """Collect the events emitted inside the block, for unit tests of an algorithm.

    >>> with capture() as sent:
    ...     emit("prime_checked", number=7)
    >>> sent
    [('prime_checked', {'number': 7})]
    """

    __slots__ = ("_binding", "_captured")

    def __init__(self, strict: bool = True) -> None:
        self._captured = CapturedEvents(strict)
        self._binding = binding(self._captured)

    def __enter__(self) -> CapturedEvents:
        self._binding.__enter__()
        return self._captured

    def __exit__(self, *exc: object) -> None:
        self._binding.__exit__(*exc)
