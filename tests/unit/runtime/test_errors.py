"""Errors are data: every failure becomes a status and the JSON body
``{"error": {"code", "message", "details"}, "request_id"}`` — never a stack trace."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from pydantic import BaseModel

from algorithms.base import Algorithm
from algorithms.prime_checker import PrimeChecker
from handlers import language_detector, prime_checker
from runtime import AlgorithmFunction, Route
from runtime.errors import (
    BadRequestError,
    FunctionError,
    InitializationError,
    InternalError,
    MalformedJSONError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)
from runtime.settings import RuntimeSettings
from tests.fixtures.invocation import STS_SECRET, Answer, call, event_file, http_event, legacy_context

pytestmark = pytest.mark.usefixtures("clean_fc_env")


class EchoIn(BaseModel):
    text: str


class EchoOut(BaseModel):
    text: str


class Exploding(Algorithm[EchoIn, EchoOut]):
    """Fails the way real code fails: an exception whose message holds internal detail."""

    name: ClassVar[str] = "exploding"

    def run(self, data: EchoIn) -> EchoOut:
        raise RuntimeError(f"database password={STS_SECRET} at /srv/app/db.py line 42")


def assert_error_shape(answer: Answer, status: int, code: str, request_id: str) -> None:
    assert answer.doc.keys() == {"error", "request_id"}
    assert answer.doc["request_id"] == request_id
    assert set(answer.error) <= {"code", "message", "details"}
    assert answer.error["code"] == code
    assert isinstance(answer.error["message"], str) and answer.error["message"]
    if answer.is_http:
        assert answer.status == status
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.raw["isBase64Encoded"] is False
    assert_no_stack_trace(answer.text)


def assert_no_stack_trace(text: str) -> None:
    for marker in ("Traceback (most recent call last)", 'File "', '.py", line'):
        assert marker not in text, f"{marker!r} in response {text!r}"


# --- the status table ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (BadRequestError("x"), 400, "BadRequest"),
        (MalformedJSONError("x"), 400, "MalformedJSON"),
        (NotFoundError("x"), 404, "NotFound"),
        (MethodNotAllowedError("x", ["GET"]), 405, "MethodNotAllowed"),
        (PayloadTooLargeError("x"), 413, "PayloadTooLarge"),
        (ValidationError("x"), 422, "ValidationError"),
        (InitializationError("x"), 503, "InitializationFailed"),
        (InternalError(), 500, "InternalError"),
    ],
)
def test_every_error_class_has_its_status_and_code(error: FunctionError, status: int, code: str) -> None:
    assert (error.status, error.code) == (status, code)
    body = error.to_body("req-9")
    assert body["request_id"] == "req-9"
    assert body["error"]["code"] == code


def test_malformed_json_is_400() -> None:
    answer = call(prime_checker.handler, event_file("http-post-malformed.json"), legacy_context(request_id="r-400"))
    assert_error_shape(answer, 400, "MalformedJSON", "r-400")


def test_unknown_path_is_404_and_lists_the_paths_served() -> None:
    answer = call(
        prime_checker.handler, http_event("POST", "/nope", '{"number": 7}'), legacy_context(request_id="r-404")
    )
    assert_error_shape(answer, 404, "NotFound", "r-404")
    assert "/check" in answer.error["message"]


def test_wrong_method_is_405_with_an_allow_header() -> None:
    answer = call(language_detector.handler, http_event("GET", "/detect"), legacy_context(request_id="r-405"))
    assert_error_shape(answer, 405, "MethodNotAllowed", "r-405")
    assert answer.headers["Allow"] == "POST"
    assert answer.error["details"] == {"allowed": ["POST"]}


def test_405_allow_header_lists_every_method_of_the_path() -> None:
    answer = call(prime_checker.handler, http_event("PUT", "/check", '{"number": 7}'))
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET, POST"


def test_body_over_the_limit_is_413() -> None:
    app = AlgorithmFunction(
        PrimeChecker(), routes=[Route("POST", "/check")], settings=RuntimeSettings(max_body_bytes=100)
    )
    answer = call(app.handler, http_event("POST", "/check", json.dumps({"number": 7, "pad": "x" * 200})))
    assert_error_shape(answer, 413, "PayloadTooLarge", "req-legacy-1")
    assert answer.error["details"] == {"limit_bytes": 100}


def test_validation_error_is_422_with_field_paths() -> None:
    event = http_event("POST", "/detect", json.dumps({"text": "", "top": 99, "colour": "red"}))
    answer = call(language_detector.handler, event, legacy_context(request_id="r-422"))
    assert_error_shape(answer, 422, "ValidationError", "r-422")
    fields = {d["field"] for d in answer.error["details"]}
    assert fields == {"text", "top", "colour"}
    for detail in answer.error["details"]:
        assert detail.keys() == {"field", "message", "type"}
    assert "text" in answer.error["message"]


class Point(BaseModel):
    x: int


class ShapeIn(BaseModel):
    points: list[Point]


class Shape(Algorithm[ShapeIn, EchoOut]):
    name: ClassVar[str] = "shape"

    def run(self, data: ShapeIn) -> EchoOut:
        return EchoOut(text="ok")


def test_nested_field_paths_are_dotted() -> None:
    app = AlgorithmFunction(Shape())
    answer = call(app.handler, {"points": [{"x": 1}, {"x": "no"}]})
    assert [d["field"] for d in answer.error["details"]] == ["points.1.x"]


def test_validation_error_does_not_echo_the_input_value() -> None:
    answer = call(prime_checker.handler, {"number": "abc-very-private-value"})
    assert answer.error["code"] == "ValidationError"
    assert "abc-very-private-value" not in answer.text


def test_unexpected_exception_is_500_with_a_generic_message(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(Exploding())
    answer = call(app.handler, http_event("POST", "/", '{"text": "hi"}'), legacy_context(request_id="r-500"))
    assert_error_shape(answer, 500, "InternalError", "r-500")
    assert answer.error["message"] == InternalError().message
    assert "password" not in answer.text
    assert STS_SECRET not in answer.text
    # The detail is in the function's log, under the same request id (and masked).
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    failure = next(line for line in lines if line.get("level") == "ERROR")
    assert failure["request_id"] == "r-500"
    assert "RuntimeError" in failure["exc_info"]
    assert STS_SECRET not in json.dumps(lines)


def test_direct_invoke_errors_are_json_text_with_the_same_shape() -> None:
    answer = call(prime_checker.handler, {"number": -1}, legacy_context(request_id="r-direct"))
    assert not answer.is_http
    assert_error_shape(answer, 422, "ValidationError", "r-direct")


def test_handler_never_raises_for_an_unexpected_error() -> None:
    app = AlgorithmFunction(Exploding())
    result = app.handler(b'{"text": "hi"}', None)
    assert json.loads(result)["error"]["code"] == "InternalError"


class Flaky(Algorithm[EchoIn, EchoOut]):
    name: ClassVar[str] = "flaky"

    def __init__(self) -> None:
        self.broken = True

    def setup(self) -> None:
        if self.broken:
            raise OSError("model file missing")

    def run(self, data: EchoIn) -> EchoOut:
        return EchoOut(text=data.text)


def test_initialization_failure_answers_503_until_setup_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    algorithm = Flaky()
    app = AlgorithmFunction(algorithm)
    answer = call(app.handler, http_event("POST", "/", '{"text": "hi"}'))
    assert_error_shape(answer, 503, "InitializationFailed", "req-legacy-1")
    assert "flaky" in answer.error["message"]
    assert "model file missing" not in answer.text
    assert "model file missing" in capsys.readouterr().out  # the detail is in the log

    algorithm.broken = False
    assert call(app.handler, http_event("POST", "/", '{"text": "hi"}')).doc == {"text": "hi"}
