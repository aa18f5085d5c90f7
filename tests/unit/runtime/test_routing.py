"""Routing of HTTP requests to an algorithm's operations by method and path."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel

from algorithms.base import Algorithm
from handlers import language_detector, prime_checker
from runtime import AlgorithmFunction, Route
from runtime.errors import MethodNotAllowedError, NotFoundError
from runtime.routing import Router, normalise_path
from tests.fixtures.invocation import call, http_event

pytestmark = pytest.mark.usefixtures("clean_fc_env")


def test_route_normalises_method_and_path() -> None:
    assert Route("get", "languages/", "languages") == Route("GET", "/languages", "languages")


@pytest.mark.parametrize(("raw", "path"), [("", "/"), ("/", "/"), ("a", "/a"), ("/a/b/", "/a/b"), ("//a", "/a")])
def test_normalise_path(raw: str, path: str) -> None:
    assert normalise_path(raw) == path


def test_router_matches_method_and_path() -> None:
    router = Router([Route("POST", "/detect"), Route("GET", "/languages", "languages")])
    assert router.match("POST", "/detect") == "run"
    assert router.match("GET", "/languages/") == "languages"
    assert sorted(router.routes, key=lambda r: r.path) == [
        Route("POST", "/detect"),
        Route("GET", "/languages", "languages"),
    ]


def test_unknown_path_is_not_found_and_names_the_known_paths() -> None:
    router = Router([Route("POST", "/detect"), Route("GET", "/languages", "languages")])
    with pytest.raises(NotFoundError) as caught:
        router.match("GET", "/nope")
    assert "/detect" in caught.value.message
    assert "/languages" in caught.value.message


def test_wrong_method_lists_the_allowed_ones_sorted() -> None:
    router = Router([Route("POST", "/check"), Route("GET", "/check")])
    with pytest.raises(MethodNotAllowedError) as caught:
        router.match("DELETE", "/check")
    assert caught.value.allowed == ["GET", "POST"]


def test_head_falls_back_to_get() -> None:
    router = Router([Route("GET", "/languages", "languages")])
    assert router.match("HEAD", "/languages") == "languages"


def test_no_routes_sends_everything_to_the_default_operation() -> None:
    router = Router([], default="run")
    assert router.match("PATCH", "/any/path") == "run"


# --- through the handlers ---------------------------------------------------------------------
def test_language_detector_routes_to_two_operations() -> None:
    detect = call(language_detector.handler, http_event("POST", "/detect", '{"text": "where is the station"}'))
    assert detect.status == 200
    assert detect.doc["language"] == "en"

    languages = call(language_detector.handler, http_event("GET", "/languages"))
    assert languages.status == 200
    assert "en" in languages.doc["languages"]


def test_trailing_slash_reaches_the_same_operation() -> None:
    answer = call(prime_checker.handler, http_event("POST", "/check/", '{"number": 9}'))
    assert answer.status == 200
    assert answer.doc["factors"] == [3, 3]


def test_prime_checker_serves_get_with_query_and_post_with_body_alike() -> None:
    by_get = call(prime_checker.handler, http_event("GET", "/check", query={"number": "91"}))
    by_post = call(prime_checker.handler, http_event("POST", "/check", '{"number": 91}'))
    assert by_get.status == by_post.status == 200
    assert by_get.doc == by_post.doc


def test_direct_invoke_uses_the_default_operation_whatever_the_routes() -> None:
    answer = call(language_detector.handler, {"text": "wo ist der Bahnhof"})
    assert not answer.is_http
    assert answer.doc["language"] == "de"


# --- declaring operations ---------------------------------------------------------------------
class In(BaseModel):
    value: int


class Out(BaseModel):
    value: int


class Doubler(Algorithm[In, Out]):
    name: ClassVar[str] = "doubler"

    def run(self, data: In) -> Out:
        return Out(value=data.value * 2)

    def untyped(self, data):  # type: ignore[no-untyped-def]
        return data


def test_a_route_to_a_missing_operation_fails_at_import_time() -> None:
    with pytest.raises(TypeError, match="no operation 'triple'"):
        AlgorithmFunction(Doubler(), routes=[Route("POST", "/triple", "triple")])


def test_an_operation_without_a_model_argument_fails_at_import_time() -> None:
    with pytest.raises(TypeError, match="pydantic model"):
        AlgorithmFunction(Doubler(), routes=[Route("POST", "/x", "untyped")])


def test_function_without_routes_answers_any_path() -> None:
    app = AlgorithmFunction(Doubler())
    answer = call(app.handler, http_event("POST", "/whatever/path", '{"value": 21}'))
    assert answer.status == 200
    assert answer.doc == {"value": 42}
