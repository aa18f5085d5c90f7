"""The log schema holds: every field the runtime writes is declared in sls/index.json with a
type SLS can index it as, and documented in docs/log-schema.md; the index is one the SLS SDK
reads; the documented queries use declared fields only.

The lines come from real invocations through as many code paths as a unit test reaches
(object processing lines are checked in tests/functional/test_sls_schema_objects.py).
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel

from algorithms import business_events, metrics
from algorithms.base import Algorithm
from algorithms.language_detector import LanguageDetector
from algorithms.prime_checker import PrimeChecker
from runtime import AlgorithmFunction, Route
from runtime.errors import RetryInvocation
from tests.fixtures.invocation import call, event_file, http_event, json_lines, legacy_context, py312_context
from tests.fixtures.paths import REPO as REPO_ROOT
from tests.fixtures.sls import (
    INDEX_FILE,
    SHIP_INDEX_FILE,
    compatible,
    documented_fields,
    leaves,
    load_index,
    message_fields,
    unindexed,
)

if TYPE_CHECKING:
    from runtime.context import InvocationContext
    from runtime.events import Event
    from runtime.function import Answer

pytestmark = pytest.mark.usefixtures("clean_fc_env")
REPO = REPO_ROOT
LOGS_DOC = REPO / "docs" / "logs.md"


class In(BaseModel):
    how: str = "ok"


class Out(BaseModel):
    ok: bool


class Busy(Algorithm[In, Out]):
    """Takes the runtime down its side roads: metrics, events, failures, long lines."""

    name: ClassVar[str] = "busy"

    def run(self, data: In) -> Out:
        log = logging.getLogger("algorithms.busy")
        if data.how == "crash":
            raise RuntimeError("crashed")
        if data.how == "metrics":
            metrics.add("Bad Name", 1)
        if data.how == "events":
            business_events.emit("thing_done", size=3, label="x", nested={"a": 1})
            business_events.emit("bad name!", size=1)
            business_events.emit("clashing", request_id="mine")
        if data.how == "long":
            log.info("long line", extra={"blob": "x" * 200_000})
        if data.how == "stack":
            log.info("where am I", stack_info=True)
        return Out(ok=True)


class NeverReady(Algorithm[In, Out]):
    name: ClassVar[str] = "never_ready"

    def setup(self) -> None:
        raise OSError("model file missing")

    def run(self, data: In) -> Out:
        return Out(ok=True)


class Retrying(AlgorithmFunction):
    def handle(self, event: Event, ctx: InvocationContext, operation: str) -> Answer:
        raise RetryInvocation("OSS answered 503; FC will retry")


def emitted_lines(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Run invocations through every path a unit test reaches; return the lines written."""
    monkeypatch.setenv("FC_INSTANCE_ID", "c-65f1e2d3-instance")
    prime = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check"), Route("GET", "/check")])
    prime.initialize(legacy_context(qualifier="prod", version_id="3"))
    for event in (
        http_event("POST", "/check", '{"number": 97}'),
        http_event("POST", "/check", '{"number": -1}'),
        http_event("POST", "/check", "{not json"),
        http_event("PUT", "/check", "{}"),
        http_event("POST", "/elsewhere", "{}"),
        http_event("POST", "/check", "x" * (7 * 1024 * 1024)),
        {"number": 12},
    ):
        call(prime.handler, event, legacy_context(retry_count="2"))
    for name in ("timer.json", "oss-put-object.json", "http-post-malformed.json"):
        call(prime.handler, event_file(name), py312_context())
    prime.pre_stop(legacy_context())

    detector = AlgorithmFunction(LanguageDetector(), routes=[Route("POST", "/detect")])
    detector.initialize(py312_context())
    call(detector.handler, http_event("POST", "/detect", '{"text": "where is the train station"}'), py312_context())
    call(detector.handler, http_event("POST", "/detect", '{"text": "1234"}'), py312_context())

    busy = AlgorithmFunction(Busy())
    for how in ("ok", "crash", "metrics", "events", "long", "stack"):
        call(busy.handler, {"how": how}, legacy_context())
    with pytest.raises(RetryInvocation):
        Retrying(Busy()).handler(b'{"how": "ok"}', legacy_context())
    never = AlgorithmFunction(NeverReady())
    call(never.handler, {"how": "ok"}, legacy_context())

    monkeypatch.setenv("APP_SHIP_PROJECT", "only-the-project")  # no logstore: misconfigured
    call(AlgorithmFunction(Busy()).handler, {"how": "events"}, legacy_context())
    return json_lines(capsys.readouterr().out)


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return emitted_lines(capsys, monkeypatch)


def test_the_paths_ran(lines: list[dict[str, Any]]) -> None:
    """The other tests mean something only if these lines were really written."""
    events = {line.get("event") for line in lines}
    assert {"invocation", "initialize", "pre_stop", "business", "metric_dropped", "ship_misconfigured"} <= events
    statuses = {line["status"] for line in lines if line.get("event") == "invocation"}
    assert {200, 400, 404, 405, 413, 422, 500, 503} <= statuses
    assert any("exc_info" in line for line in lines) and any(line.get("truncated") for line in lines)
    assert any("metrics" in line for line in lines) and any("retry_count" in line for line in lines)


def test_every_field_written_is_indexed_with_a_fitting_type(lines: list[dict[str, Any]]) -> None:
    assert unindexed(lines) == []


def test_every_field_written_is_documented(lines: list[dict[str, Any]]) -> None:
    documented = documented_fields()
    written = {path for line in lines for path, _ in leaves(line)} | {"data"}
    assert sorted(written - documented) == []


def test_every_indexed_field_is_documented_and_nothing_else() -> None:
    index = load_index()
    indexed = set(message_fields(index)) | set(index["keys"]) - {"message"}
    shipped = set(load_index(SHIP_INDEX_FILE)["keys"])
    generic = {"metrics.<name>", "data"}  # documented patterns, not single fields
    documented = documented_fields()
    assert sorted(indexed - documented) == []
    assert sorted(documented - indexed - shipped - generic) == []


def test_the_check_catches_what_it_is_for() -> None:
    """An undeclared field, a number where the index says text, an array: all reported."""
    problems = unindexed([{"status": "ok", "brand_new": 1, "level": "INFO", "duration_ms": [1, 2]}])
    assert len(problems) == 3, problems
    assert compatible(3, "double") and not compatible(2.5, "long") and compatible(True, "text")


def test_the_index_is_one_the_sls_sdk_reads() -> None:
    from aliyun.log.index_config import IndexConfig  # noqa: PLC0415 - 200 ms, this test only

    for path in (INDEX_FILE, SHIP_INDEX_FILE):
        doc = json.loads(path.read_text(encoding="utf-8"))
        config = IndexConfig()
        config.from_json(doc)
        assert config.to_json()["keys"] == doc["keys"], path.name
        assert doc["line"]["token"], "full-text search stays on (FC framing lines are plain text)"


def test_fields_the_queries_group_and_chart_keep_statistics() -> None:
    """SQL over a field needs doc_value (SLS calls it "enable analytics")."""
    keys = load_index()["keys"]["message"]["json_keys"]
    analytic = ("event", "status", "duration_ms", "function", "version", "qualifier", "cold_start", "error_code")
    assert all(keys[name]["doc_value"] for name in analytic)
    assert all(spec["type"] in ("text", "long", "double") for spec in keys.values())


def test_the_documented_queries_use_declared_fields() -> None:
    text = LOGS_DOC.read_text(encoding="utf-8")
    used = set(re.findall(r'"?message\.([a-z_]+(?:\.[a-z_]+)?)"?', text))
    assert used, "docs/logs.md has the example queries"
    assert sorted(used - set(message_fields())) == []
