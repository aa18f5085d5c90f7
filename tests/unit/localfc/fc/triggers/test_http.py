"""Route matching, event building and response mapping of the local FC's HTTP triggers."""

from __future__ import annotations

import base64
import json

import pytest

from localfc.fc.instances.outcome import CallOutcome
from localfc.fc.invocations import Invocation
from localfc.fc.triggers.http import HttpRoutes, build_event, canonical_header_name, to_response
from localfc.fc.wire import Request
from localfc.project.syaml import load_project
from tests.fixtures.paths import REPO as REPO_ROOT

BASIC = (REPO_ROOT / "tests") / "e2e" / "apps" / "basic" / "s.yaml"


@pytest.fixture(scope="module")
def routes():
    return HttpRoutes(load_project(BASIC))


@pytest.mark.parametrize(
    ("path", "function", "trigger", "rest"),
    [
        ("/echo/check", "echo", "http", "/check"),
        ("/echo", "echo", "http", "/"),
        ("/echo/", "echo", "http", "/"),
        ("/echo/a%20b/c", "echo", "http", "/a%20b/c"),
        ("/echo@signed/x", "echo", "signed", "/x"),
        ("/echo%40signed/x", "echo", "signed", "/x"),
        ("/slow/", "slow", "http", "/"),
    ],
)
def test_route_matching_strips_the_prefix(routes, path, function, trigger, rest):
    route, raw = routes.match(path)
    assert (route.function_name, route.trigger_name, raw) == (function, trigger, rest)


@pytest.mark.parametrize("path", ["/", "/nope/x", "/echo@nope/x", "/hog/x", "/echoes/x"])
def test_paths_without_a_trigger_do_not_match(routes, path):
    assert routes.match(path) is None


def test_first_http_trigger_is_the_default_route_and_each_has_a_named_one(routes):
    assert [(r.prefix, sorted(r.methods), r.auth_type) for r in routes.routes if r.function_name == "echo"] == [
        ("/echo", ["GET", "POST", "PUT"], "anonymous"),
        ("/echo@signed", ["GET", "POST"], "function"),
    ]


def test_header_names_are_canonicalised_like_fcs_gateway():
    assert canonical_header_name("content-type") == "Content-Type"
    assert canonical_header_name("X-FC-TRACE") == "X-Fc-Trace"


def make_request(**kw) -> Request:
    defaults = {
        "method": "POST",
        "path": "/echo/p",
        "query_string": "",
        "headers": [],
        "body": b"",
        "source_ip": "10.0.0.1",
    }
    return Request(**{**defaults, **kw})


def test_event_joins_repeated_headers_and_query_values(routes):
    route, raw = routes.match("/echo/a%2Fb%20c")
    request = make_request(
        query_string="k=1&k=2&e=",
        headers=[("x-multi", "a"), ("X-Multi", "b"), ("content-type", "text/plain")],
        body="héllo".encode(),
    )
    event = json.loads(build_event(request, route, raw, "req-1"))
    assert event["rawPath"] == "/a%2Fb%20c"
    assert event["requestContext"]["http"]["path"] == "/a/b c"
    assert event["queryParameters"] == {"k": "1,2", "e": ""}
    assert event["headers"] == {"X-Multi": "a,b", "Content-Type": "text/plain"}
    assert (event["body"], event["isBase64Encoded"]) == ("héllo", False)
    assert event["requestContext"]["requestId"] == "req-1"
    assert event["requestContext"]["http"]["sourceIp"] == "10.0.0.1"


def test_event_base64_encodes_binary_bodies_and_invents_no_headers(routes):
    route, raw = routes.match("/echo/")
    event = json.loads(build_event(make_request(body=b"\xff\x00\xfe"), route, raw, "r"))
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\x00\xfe"
    assert event["headers"] == {}


def invocation(kind: str = "ok", body: bytes = b"", message: str = "") -> Invocation:
    outcome = CallOutcome(
        kind, body=body, error_type="" if kind == "ok" else "UnhandledInvocationError", error_message=message
    )
    return Invocation("rid", "echo", "LATEST", "", "i-1", "http", outcome, 1.0)


def test_response_struct_is_mapped_back_to_http():
    struct = {
        "statusCode": 201,
        "headers": {"X-A": "1", "Set-Cookie": ["a=1", "b=2"], "Content-Length": "999"},
        "body": "hi",
    }
    response = to_response(invocation(body=json.dumps(struct).encode()))
    assert response.status == 201 and response.body == b"hi"
    assert response.headers["X-A"] == "1" and response.headers["Set-Cookie"] == ["a=1", "b=2"]
    assert "Content-Length" not in response.headers  # framing headers are the server's
    assert response.headers["x-fc-request-id"] == "rid"


def test_base64_body_is_decoded():
    struct = {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01").decode()}
    assert to_response(invocation(body=json.dumps(struct).encode())).body == b"\x00\x01"


@pytest.mark.parametrize(
    "struct",
    [
        {"statusCode": 99},
        {"statusCode": "abc"},
        {"statusCode": 200, "isBase64Encoded": True, "body": "***"},
        {"statusCode": 200, "headers": []},
        {"statusCode": "²"},  # str.isdigit() is true, int() is not
        {"statusCode": 200, "headers": {"X-Split": "a\r\nSet-Cookie: injected=1"}},  # response splitting
        {"statusCode": 200, "headers": {"X-List": ["ok", "bad\nline"]}},
        {"statusCode": 200, "headers": {"Bad Name": "x"}},
    ],
)
def test_invalid_struct_is_a_502_not_a_crash(struct):
    response = to_response(invocation(body=json.dumps(struct).encode()))
    assert response.status == 502
    assert "invalid HTTP response" in json.loads(response.body)["errorMessage"]


def test_non_struct_answers_are_sent_as_the_body():
    assert to_response(invocation(body=b"plain text")).body == b"plain text"
    assert to_response(invocation(body=b'{"a": 1}')).headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(("kind", "status"), [("error", 502), ("timeout", 504), ("memory", 502), ("crash", 502)])
def test_failed_invocations_map_to_gateway_errors(kind, status):
    response = to_response(invocation(kind, message="Function timed out after 1 seconds"))
    assert response.status == status
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(response.body)["errorMessage"] == "Function timed out after 1 seconds"
