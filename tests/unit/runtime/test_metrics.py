"""Metrics and business events from algorithm code: the pure APIs in algorithms/, and what
the runtime makes of them (the summary line's ``metrics``, business-event log lines)."""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from algorithms import business_events, metrics
from algorithms.base import Algorithm
from algorithms.language_detector import DetectInput, LanguageDetector
from runtime import AlgorithmFunction, Route
from runtime.metrics import MAX_METRICS, InvocationMetrics
from tests.fixtures.invocation import call, http_event, json_lines, legacy_context, py312_context

pytestmark = pytest.mark.usefixtures("clean_fc_env")


def summaries(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "invocation"]


# --- algorithms.metrics -------------------------------------------------------------------------


def test_outside_an_invocation_adding_a_metric_does_nothing() -> None:
    metrics.add("text_chars", 5)  # no recorder bound: no error, nothing kept anywhere
    with metrics.capture() as recorded:
        pass
    assert recorded == {}


def test_capture_sums_what_an_algorithm_adds() -> None:
    with metrics.capture() as recorded:
        metrics.add("factors", 2)
        metrics.add("factors", 1)
        metrics.add("decode_ms", 1.5)
    assert recorded == {"factors": 3, "decode_ms": 1.5}


@pytest.mark.parametrize(
    ("name", "value"),
    [("Text", 1), ("text chars", 1), ("9lives", 1), ("x" * 65, 1), ("ok", float("nan")), ("ok", True), ("ok", "3")],
)
def test_capture_refuses_what_the_runtime_would_drop(name: str, value: Any) -> None:
    with metrics.capture() as recorded, pytest.raises(metrics.MetricError):
        metrics.add(name, value)
    with metrics.capture(strict=False) as lenient:
        metrics.add(name, value)
    assert lenient == {} and len(lenient.rejected) == 1 and recorded == {}


def test_the_sample_language_detector_records_text_size() -> None:
    detector = LanguageDetector()
    detector.setup()
    with metrics.capture() as recorded:
        detector.run(DetectInput(text="where is the train station"))
    assert recorded == {"text_chars": 26, "trigrams": 26}


# --- the runtime's recorder ---------------------------------------------------------------------


def test_invocation_metrics_drop_bad_values_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    recorder = InvocationMetrics()
    with caplog.at_level(logging.WARNING, logger="runtime.metrics"):
        for _ in range(3):
            recorder.add("Bad", 1)
        recorder.add("good", float("inf"))
        recorder.add("good", 2)
    assert recorder.values == {"good": 2}
    assert len(caplog.records) == 1 and "Bad" in caplog.records[0].getMessage()


def test_invocation_metrics_keep_at_most_the_limit() -> None:
    recorder = InvocationMetrics()
    for number in range(MAX_METRICS + 5):
        recorder.add(f"m{number}", 1)
    recorder.add("m0", 1)  # an existing name still adds up
    assert len(recorder.values) == MAX_METRICS and recorder.values["m0"] == 2


class In(BaseModel):
    n: int = 1


class Out(BaseModel):
    n: int


class Counting(Algorithm[In, Out]):
    name: ClassVar[str] = "counting"

    def setup(self) -> None:
        metrics.add("during_setup", 1)  # in FC's initializer: part of no invocation, ignored

    def run(self, data: In) -> Out:
        metrics.add("items", data.n)
        if data.n < 0:
            raise RuntimeError("negative")
        return Out(n=data.n)


def test_the_summary_line_carries_the_invocation_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(Counting(), routes=[Route("POST", "/count")])
    app.initialize(legacy_context())
    call(app.handler, http_event("POST", "/count", '{"n": 4}'), legacy_context(request_id="a"))
    call(app.handler, {"n": 2}, py312_context(request_id="b"))
    call(app.handler, {"n": -3}, legacy_context(request_id="c"))  # fails, but counted first
    first, second, failed = summaries(capsys)
    assert first["metrics"] == {"items": 4} and first["cold_start"] is True
    assert second["metrics"] == {"items": 2}, "a fresh recorder per invocation"
    assert (failed["status"], failed["metrics"]) == (500, {"items": -3})
    assert all(line["algorithm"] == "counting" and "duration_ms" in line for line in (first, second, failed))


def test_no_metrics_field_when_the_algorithm_adds_none(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(Counting())
    app.initialize(legacy_context())
    call(app.handler, "{not json", legacy_context())
    (line,) = summaries(capsys)
    assert line["status"] == 400 and "metrics" not in line


def test_concurrent_invocations_keep_their_own_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(Counting())
    app.initialize(legacy_context())
    start = threading.Barrier(8)

    def invoke(n: int) -> None:
        start.wait()
        call(app.handler, {"n": n}, legacy_context(request_id=f"req-{n}"))

    threads = [threading.Thread(target=invoke, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_request = {line["request_id"]: line["metrics"]["items"] for line in summaries(capsys)}
    assert by_request == {f"req-{n}": n for n in range(1, 9)}


# --- algorithms.business_events -----------------------------------------------------------------


class Auditing(Algorithm[In, Out]):
    name: ClassVar[str] = "auditing"

    def run(self, data: In) -> Out:
        business_events.emit("counted", n=data.n, tags={"source": "test"})
        return Out(n=data.n)


def test_business_events_capture_and_checks() -> None:
    with business_events.capture() as sent:
        Auditing().run(In(n=3))
    assert sent == [("counted", {"n": 3, "tags": {"source": "test"}})]
    with business_events.capture() as strict, pytest.raises(business_events.BusinessEventError):
        business_events.emit("counted", request_id="mine")
    with business_events.capture() as loose, pytest.raises(business_events.BusinessEventError):
        business_events.emit("no spaces allowed")
    assert strict == [] and loose == []
    business_events.emit("outside", n=1)  # outside an invocation: nothing happens


def test_without_shipping_an_event_is_a_log_line_whatever_the_level(
    capsys: pytest.CaptureFixture[str], clean_fc_env: pytest.MonkeyPatch
) -> None:
    clean_fc_env.setenv("APP_LOG_LEVEL", "ERROR")
    try:
        app = AlgorithmFunction(Auditing())
        answer = call(app.handler, {"n": 5}, legacy_context(request_id="req-audit", version_id="7"))
    finally:
        logging.getLogger().setLevel(logging.INFO)
    assert answer.doc == {"n": 5}
    (line,) = json_lines(capsys.readouterr().out)  # the INFO summary is filtered, the event is not
    assert line["event"] == "business" and line["business_event"] == "counted"
    assert line["data"] == {"n": 5, "tags": {"source": "test"}}
    assert (line["request_id"], line["version"]) == ("req-audit", "7")


class Sloppy(Algorithm[In, Out]):
    name: ClassVar[str] = "sloppy"

    def run(self, data: In) -> Out:
        business_events.emit("fine", request_id="overridden", n=1)
        business_events.emit("bad name!", n=2)
        return Out(n=data.n)


def test_a_sloppy_event_is_fixed_or_dropped_with_a_warning_never_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = call(AlgorithmFunction(Sloppy()).handler, {"n": 1}, legacy_context(request_id="req-x"))
    assert answer.doc == {"n": 1}
    lines = json_lines(capsys.readouterr().out)
    (event,) = [line for line in lines if line.get("event") == "business"]
    assert event["data"] == {"n": 1} and event["request_id"] == "req-x"
    warnings = [line["message"] for line in lines if line["level"] == "WARNING"]
    assert any("request_id" in w for w in warnings) and any("bad name!" in w for w in warnings)
