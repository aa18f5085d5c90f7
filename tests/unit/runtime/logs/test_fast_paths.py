"""The per-invocation shortcuts of the log lines (encoded scope and summary fields kept per
value, reused credentials) write exactly what the general path writes, and never keep a
stale value."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest

from algorithms.prime_checker import PrimeChecker
from runtime import AlgorithmFunction, Route, logs
from runtime.context import InvocationContext
from tests.fixtures.invocation import STS_SECRET, call, http_event, json_lines, legacy_context

if TYPE_CHECKING:
    from runtime.events import Event
    from runtime.function import Answer

pytestmark = pytest.mark.usefixtures("clean_fc_env")
LOG = logging.getLogger("tests.fast")
SECRET = "s3cr3t-value-0123456789"


def line_in(scope: logs.LogScope, **kwargs: Any) -> str:
    with scope:
        return logs.render_line(0.0, "INFO", "tests.fast", "m", dict(kwargs.pop("extras", {})), **kwargs)


@pytest.mark.parametrize("phase", ["", "initialize"])
@pytest.mark.parametrize("cold_start", [True, False])
def test_invocation_scope_writes_what_a_plain_scope_writes(phase: str, cold_start: bool) -> None:
    fields: dict[str, Any] = {"request_id": "r-1", "function": "f", "qualifier": "prod", "version": "3"}
    fields["cold_start"] = cold_start
    if phase:
        fields["phase"] = phase
    fast = logs.invocation_scope("r-1", "f", "prod", "3", cold_start=cold_start, secrets=(SECRET,), phase=phase)
    plain = logs.scope(dict(fields), (SECRET,))
    for extras in ({}, {"n": 1, "note": f"has {SECRET}"}, {"version": "override"}):
        assert line_in(fast, extras=extras) == line_in(plain, extras=extras)
    assert fast.fields == fields


def test_invocation_scope_follows_changed_values_and_escapes_them() -> None:
    first = logs.invocation_scope("r-1", "f", "LATEST", "LATEST", cold_start=True)
    second = logs.invocation_scope('r-"2', "g", "prod", "7", cold_start=False)
    assert json.loads(line_in(first))["function"] == "f"
    parsed = json.loads(line_in(second))
    assert (parsed["request_id"], parsed["function"], parsed["version"], parsed["cold_start"]) == (
        'r-"2',
        "g",
        "7",
        False,
    )


def test_encoded_fields_are_written_as_the_same_fields_would_be() -> None:
    scope = logs.invocation_scope("r-1", "f", "LATEST", "LATEST", cold_start=False, secrets=(SECRET,))
    fields = {"status": 200, "note": f"about {SECRET}", "api_token": "abc"}
    encoded = logs.encode_fields(fields)
    assert line_in(scope, encoded=encoded, extras={"n": 1}) == line_in(scope, extras={**fields, "n": 1})
    # An extra that overrides a scope field takes the general path, encoded fields included.
    assert line_in(scope, encoded=encoded, extras={"function": "x"}) == line_in(
        scope, extras={**fields, "function": "x"}
    )


def test_a_long_line_with_encoded_fields_is_cut_whole() -> None:
    scope = logs.invocation_scope("r-1", "f", "LATEST", "LATEST", cold_start=False)
    with scope:
        line = logs.render_line(0.0, "INFO", "x", "y" * 200_000, {}, encoded=logs.encode_fields({"status": 200}))
    parsed = json.loads(line)
    assert parsed["truncated"] is True and parsed["status"] == 200 and len(line) <= logs.MAX_LINE_CHARS


class Overriding(AlgorithmFunction):
    """Puts fields of its own into the summary, one of them a field of the runtime."""

    def handle(self, event: Event, ctx: InvocationContext, operation: str) -> Answer:
        return super().handle(event, ctx, operation)._replace(fields={"objects": 2, "status": 207})


def test_summary_fields_of_a_subclass_come_last_or_replace_a_field_in_place(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Overriding(PrimeChecker(), routes=[Route("POST", "/check")])
    call(app.handler, http_event("POST", "/check", '{"number": 97}'))
    (summary,) = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "invocation"]
    names = list(summary)
    assert names.count("status") == 1 and summary["status"] == 207
    assert names.index("status") == names.index("duration_ms") + 1
    assert names[-1] == "objects"


def test_summary_lines_change_with_the_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check")])
    for number in ("97", "-1", "98"):
        call(app.handler, http_event("POST", "/check", f'{{"number": {number}}}'))
    call(app.handler, http_event("POST", "/check", '{"number": 5}'), legacy_context(retry_count="3"))
    found = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "invocation"]
    assert [(s["status"], s.get("error_code"), s.get("retry_count")) for s in found] == [
        (200, None, None),
        (422, "ValidationError", None),
        (200, None, None),
        (200, None, 3),
    ]


def test_equal_context_keys_are_one_credentials_object_and_changed_keys_a_new_one() -> None:
    first = InvocationContext.from_fc(legacy_context()).credentials
    again = InvocationContext.from_fc(legacy_context()).credentials
    rotated = InvocationContext.from_fc(
        legacy_context(credentials=("STS.other-key-id", "other-secret", "t"))
    ).credentials
    assert first is again and first is not None and first.access_key_secret == STS_SECRET
    assert rotated is not None and rotated.access_key_secret == "other-secret"


def test_rotated_keys_are_masked_from_the_next_invocation_on(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker())
    rotated = ("STS.rotated-key-id-0001", "rotated-secret-0000000001", "rotated-token-0000000001")
    call(app.handler, {"number": 4})
    call(app.handler, {"number": "rotated-secret-0000000001"}, legacy_context(credentials=rotated))
    out = capsys.readouterr().out
    assert "rotated-secret-0000000001" not in out
