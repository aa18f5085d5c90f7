"""Event recognition: FC 3.0 HTTP trigger (v1), timer, direct invoke, and the bad inputs
that must come back as 400/413 answers instead of crashes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.prime_checker import PrimeChecker
from handlers import prime_checker
from runtime import AlgorithmFunction, Route
from runtime.errors import BadRequestError, MalformedJSONError, PayloadTooLargeError
from runtime.events import DirectInvoke, HttpRequest, OssEvent, TimerEvent, recognise
from runtime.settings import RuntimeSettings
from tests.fixtures.invocation import call, encode, event_file, http_event

pytestmark = pytest.mark.usefixtures("clean_fc_env")

LIMIT = 64 * 1024


def small_limit_prime_checker(limit: int) -> AlgorithmFunction:
    return AlgorithmFunction(
        PrimeChecker(),
        routes=[Route("POST", "/check"), Route("GET", "/check")],
        settings=RuntimeSettings(max_body_bytes=limit),
    )


# --- HTTP trigger v1 ---------------------------------------------------------------------
def test_http_json_body_from_the_documented_fixture() -> None:
    event = recognise(event_file("http-post-prime.json"), LIMIT)

    assert isinstance(event, HttpRequest)
    assert event.kind == "http"
    assert (event.method, event.path, event.raw_path) == ("POST", "/check", "/check")
    assert json.loads(event.body) == {"number": 97}
    assert event.header("content-type") == "application/json"
    assert event.header("Content-Type") == "application/json"  # case-insensitive lookup
    assert event.source_ip == "203.0.113.7"
    assert event.request_id == "1-6650f5a0-1f2e3d4c5b6a7988-0123456789ab"


def test_http_base64_body_is_decoded_and_answered() -> None:
    event = recognise(event_file("http-post-base64.json"), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.body == b'{"number": 12}'

    answer = call(prime_checker.handler, event_file("http-post-base64.json"))
    assert answer.status == 200
    assert answer.doc["factors"] == [2, 2, 3]


def test_http_binary_base64_body_keeps_every_byte() -> None:
    payload = bytes(range(256))
    event = recognise(encode(http_event("POST", "/upload", payload)), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.body == payload


def test_invalid_base64_is_a_400_that_says_so() -> None:
    doc = http_event("POST", "/check", "this is not base64!!")
    doc["isBase64Encoded"] = True

    with pytest.raises(BadRequestError, match="base64"):
        recognise(encode(doc), LIMIT)
    answer = call(prime_checker.handler, doc)
    assert answer.status == 400
    assert answer.error["code"] == "BadRequest"
    assert "base64" in answer.error["message"]


def test_query_parameters_feed_a_get_request() -> None:
    event = recognise(event_file("http-get-prime-query.json"), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.method == "GET"
    assert event.query == {"number": "97"}
    assert event.body == b""

    answer = call(prime_checker.handler, event_file("http-get-prime-query.json"))
    assert answer.status == 200
    assert answer.doc["is_prime"] is True


def test_method_is_upper_cased() -> None:
    event = recognise(encode(http_event("post", "/check", '{"number": 7}')), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.method == "POST"


def test_decoded_path_comes_from_request_context_and_raw_path_stays_encoded() -> None:
    doc = http_event("GET", "/files/a b/ü", raw_path="/files/a%20b/%C3%BC")
    event = recognise(encode(doc), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.path == "/files/a b/ü"
    assert event.raw_path == "/files/a%20b/%C3%BC"


def test_raw_path_is_decoded_when_the_event_has_no_decoded_path() -> None:
    doc = http_event("GET", "/", raw_path="/a%20b")
    del doc["requestContext"]["http"]["path"]
    event = recognise(encode(doc), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.path == "/a b"


def test_repeated_headers_and_query_values_arrive_joined_with_commas() -> None:
    # FC joins repeated values itself; a hand-written event may still use lists.
    doc = http_event(
        "GET",
        "/check",
        headers={"X-Tag": "a,b", "Accept": ["text/plain", "application/json"]},  # type: ignore[dict-item]
        query={"k": "v1,v2", "list": ["x", "y"]},  # type: ignore[dict-item]
    )
    event = recognise(encode(doc), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.header("x-tag") == "a,b"
    assert event.header("accept") == "text/plain,application/json"
    assert event.query == {"k": "v1,v2", "list": "x,y"}


def test_missing_optional_fields_default_to_empty() -> None:
    doc = {"version": "v1", "requestContext": {"http": {"method": "GET", "path": "/check"}}}
    event = recognise(encode(doc), LIMIT)
    assert isinstance(event, HttpRequest)
    assert (event.headers, event.query, event.body, event.raw_path) == ({}, {}, b"", "/check")


def test_http_event_without_a_method_is_a_400() -> None:
    doc = http_event("POST", "/check", '{"number": 7}')
    del doc["requestContext"]["http"]["method"]
    with pytest.raises(BadRequestError, match="method"):
        recognise(encode(doc), LIMIT)
    answer = call(prime_checker.handler, doc)
    assert answer.status == 400


def test_http_body_that_is_not_a_string_is_a_400() -> None:
    doc = http_event("POST", "/check")
    doc["body"] = {"number": 7}
    answer = call(prime_checker.handler, doc)
    assert answer.status == 400
    assert "body" in answer.error["message"]


def test_post_without_a_body_is_a_400_naming_the_route() -> None:
    answer = call(prime_checker.handler, http_event("POST", "/check", ""))
    assert answer.status == 400
    assert "POST /check" in answer.error["message"]


# --- timer, direct invoke, empty -----------------------------------------------------------
def test_timer_event_is_recognised_and_its_payload_is_the_input() -> None:
    event = recognise(event_file("timer.json"), LIMIT)
    assert event == TimerEvent(
        trigger_name="nightly-check", trigger_time="2024-05-01T04:00:00Z", payload='{"number": 97}'
    )

    answer = call(prime_checker.handler, event_file("timer.json"))
    assert not answer.is_http
    assert answer.doc["is_prime"] is True


def test_timer_payload_that_is_not_json_is_a_400() -> None:
    doc = {"triggerTime": "2024-05-01T04:00:00Z", "triggerName": "nightly", "payload": "not json"}
    answer = call(prime_checker.handler, doc)
    assert answer.error["code"] == "MalformedJSON"
    assert "nightly" in answer.error["message"]


def test_direct_invoke_payload_is_the_input_and_the_answer_is_plain_json() -> None:
    event = recognise(event_file("invoke-prime.json"), LIMIT)
    assert event == DirectInvoke(payload={"number": 1001})

    result = prime_checker.handler(event_file("invoke-prime.json"), None)
    assert isinstance(result, str)  # FC sends a str as it is
    assert json.loads(result)["factors"] == [7, 11, 13]


def test_direct_invoke_accepts_str_as_well_as_bytes() -> None:
    assert recognise('{"number": 5}', LIMIT) == DirectInvoke(payload={"number": 5})


@pytest.mark.parametrize("raw", [b"", b"   \n", None])
def test_empty_event_is_a_400_that_asks_for_json(raw: bytes | None) -> None:
    assert recognise(raw, LIMIT) == DirectInvoke(payload=None)
    answer = call(prime_checker.handler, raw or b"")
    assert answer.error["code"] == "BadRequest"
    assert "empty event" in answer.error["message"]


# --- malformed and oversized ---------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [b'{"number": ', b"\xff\xfe\x00", b"{'number': 1}", b"[" * 100_000, b'{"a":' + b"[" * 100_000, b'{"a": 1} x'],
)
def test_malformed_json_is_a_400(raw: bytes) -> None:
    with pytest.raises(MalformedJSONError):
        recognise(raw, LIMIT)
    answer = call(prime_checker.handler, raw)
    assert not answer.is_http
    assert answer.error["code"] == "MalformedJSON"


_TRIGGER_KEYS = frozenset({"version", "requestContext", "events", "triggerTime", "triggerName"})
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    # Without the keys that make a document a trigger's event: those are tested above.
    document=st.dictionaries(st.text(max_size=8).filter(lambda k: k not in _TRIGGER_KEYS), _JSON_VALUES, max_size=5),
    padding=st.text(alphabet=" \t\n\r", max_size=3),
    tail=st.sampled_from(["", "x", "}", ",", "\u00a0", "{}"]),
)
def test_events_parse_exactly_as_json_loads_does(document: dict[str, object], padding: str, tail: str) -> None:
    """recognise calls json's C scanner directly: the same documents, the same errors."""
    text = json.dumps(document, ensure_ascii=False) + padding + tail
    try:
        expected: object = json.loads(text)
    except ValueError as exc:
        with pytest.raises(MalformedJSONError) as raised:
            recognise(text.encode("utf-8", "surrogatepass"), LIMIT)
        assert str(exc) in raised.value.message
    else:
        assert recognise(text.encode("utf-8", "surrogatepass"), LIMIT) == DirectInvoke(payload=expected)


def test_malformed_json_body_of_an_http_event_is_an_http_400() -> None:
    answer = call(prime_checker.handler, event_file("http-post-malformed.json"))
    assert answer.status == 400
    assert answer.error["code"] == "MalformedJSON"
    assert answer.headers["Content-Type"] == "application/json"


def test_broken_http_event_still_gets_an_http_shaped_error() -> None:
    raw = event_file("http-post-prime.json")[:-20]  # cut off: not JSON any more
    answer = call(prime_checker.handler, raw)
    assert answer.status == 400
    assert answer.error["code"] == "MalformedJSON"


def test_http_body_over_the_limit_is_a_413_with_the_limit() -> None:
    app = small_limit_prime_checker(1024)
    doc = http_event("POST", "/check", json.dumps({"number": 7, "pad": "x" * 2000}))

    with pytest.raises(PayloadTooLargeError):
        recognise(encode(doc), 1024)
    answer = call(app.handler, doc)
    assert answer.status == 413
    assert answer.error["code"] == "PayloadTooLarge"
    assert answer.error["details"] == {"limit_bytes": 1024}


def test_base64_body_is_measured_after_decoding() -> None:
    # 900 bytes of body are 1200 characters of base64: under a 1000-byte limit after decoding.
    body = json.dumps({"number": 7}).encode() + b" " * 880
    event = recognise(encode(http_event("POST", "/check", body)), 1000)
    assert isinstance(event, HttpRequest)
    assert len(event.body) < 1000


def test_huge_event_is_refused_before_parsing_and_keeps_the_http_shape() -> None:
    app = small_limit_prime_checker(1024)
    doc = http_event("POST", "/check", "x" * 200_000)
    answer = call(app.handler, doc)
    assert answer.status == 413


def test_direct_invoke_over_the_limit_is_a_413() -> None:
    app = small_limit_prime_checker(1024)
    answer = call(app.handler, json.dumps({"number": 7, "pad": "x" * 2000}))
    assert not answer.is_http
    assert answer.error["code"] == "PayloadTooLarge"


# --- OSS: recognition only (object processing is tested with the OSS runtime) ---------------
def test_oss_event_is_recognised_by_its_events_key() -> None:
    record = {
        "eventName": "ObjectCreated:PutObject",
        "eventSource": "acs:oss",
        "eventTime": "2024-05-01T08:00:00.000Z",
        "eventVersion": "1.0",
        "region": "cn-hangzhou",
        "oss": {
            "bucket": {"name": "photos", "arn": "acs:oss:cn-hangzhou:123:photos", "ownerIdentity": "123"},
            "object": {"key": "in/a.csv", "size": 2048, "deltaSize": 2048, "eTag": "688A"},
            "ossSchemaVersion": "1.0",
            "ruleId": "r",
        },
    }
    event = recognise(encode({"events": [record]}), LIMIT)
    assert isinstance(event, OssEvent)
    assert [(r.bucket, r.key) for r in event.records] == [("photos", "in/a.csv")]


def test_http_only_function_answers_an_oss_event_with_a_clear_400() -> None:
    record = {"eventSource": "acs:oss", "oss": {"bucket": {"name": "b"}, "object": {"key": "k"}}}
    answer = call(prime_checker.handler, {"events": [record]})
    assert answer.error["code"] == "BadRequest"
    assert "object-processing" in answer.error["message"]


def test_a_records_key_is_not_mistaken_for_an_oss_event() -> None:
    # FC's OSS events use "events"; an S3-style "Records" document is a plain direct invoke.
    event = recognise(b'{"Records": [{"s3": {}}]}', LIMIT)
    assert isinstance(event, DirectInvoke)


def test_headers_and_query_are_plain_dicts_of_text() -> None:
    headers = {"X-Tag": "a", "Accept": ["b", "c"]}  # FC joins repeated headers; hand-written events may not
    doc = http_event("GET", "/check", headers=headers, query={"n": "1"})  # type: ignore[arg-type]
    event = recognise(encode(doc), LIMIT)
    assert isinstance(event, HttpRequest)
    assert event.headers == {"x-tag": "a", "accept": "b,c"} and type(event.headers) is dict
    assert json.loads(json.dumps(event.headers)) == event.headers  # an algorithm may log or return them
    assert event.header("X-TAG") == "a" and event.header("missing", "-") == "-"
    assert event.query == {"n": "1"} and type(event.query) is dict
