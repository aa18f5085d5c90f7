"""``localfc.fc.api.arguments``: what a caller may send as an API argument, and the 400 it
gets otherwise (the inputs that used to be 500s are here, by name)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localfc.fc.api import arguments
from localfc.fc.api.errors import ApiError


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    assert (caught.value.status, caught.value.code) == (400, "InvalidArgument")
    return caught.value.message


@pytest.mark.parametrize("raw", ["²", "١٢", "１２", "12 ", "+5", "-1", "0x10", "1e2", "9" * 19, "", "5"])
def test_integers_are_ascii_digits_in_range(raw: str) -> None:
    query = {"limit": raw}
    if raw in ("", "5"):
        assert arguments.integer(query, "limit", default=20, low=1, high=100) == (20 if raw == "" else 5)
        return
    assert "limit must be a whole number from 1 to 100" in refused(
        arguments.integer, query, "limit", default=20, low=1, high=100
    )


@given(st.text(max_size=30))
def test_any_query_text_is_a_number_or_a_400(raw: str) -> None:
    try:
        value = arguments.integer({"n": raw}, "n", default=0, low=0, high=10**6)
    except ApiError as exc:
        assert exc.status == 400
    else:
        assert 0 <= value <= 10**6


def test_choice_and_boolean() -> None:
    assert arguments.choice({}, "direction", ("FORWARD", "BACKWARD"), default="BACKWARD") == "BACKWARD"
    message = refused(arguments.choice, {"direction": "forward"}, "direction", ("FORWARD", "BACKWARD"), default="X")
    assert "one of FORWARD, BACKWARD" in message
    assert arguments.boolean({"includePayload": "FALSE"}, "includePayload", default=True) is False
    refused(arguments.boolean, {"includePayload": "maybe"}, "includePayload", default=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nests deeper than 32", id="deep"),  # was a RecursionError
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, "nests deeper than 32", id="33-levels"),
        (b'{"weight": NaN}', "not valid UTF-8 JSON"),
        (b'{"weight": Infinity}', "not valid UTF-8 JSON"),
        (b'{"description": "\xff"}', "not valid UTF-8 JSON"),
        (b"{not json", "not valid UTF-8 JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        pytest.param(b"{}" + b" " * 2_000_000, "over 1048576 bytes", id="big"),
    ],
)
def test_json_bodies_that_are_refused(body: bytes, message: str) -> None:
    assert message in refused(arguments.json_object, body)


def test_json_bodies_that_are_accepted() -> None:
    assert arguments.json_object(b"") == {}
    assert arguments.json_object(b"  \n") == {}
    nested = b'{"a":' * 31 + b"1" + b"}" * 31
    assert arguments.json_object(nested)["a"]["a"]["a"]
    assert arguments.json_object(b'{"big": "' + b"x" * 100 + b'"}', max_bytes=200)["big"] == "x" * 100


def test_body_fields() -> None:
    doc = {"description": "v2", "memorySize": 512, "weight": 0.5, "flag": True, "bad": "512", "inf": 1e400}
    assert arguments.string(doc, "description") == "v2"
    assert arguments.string(doc, "missing", default="") == ""
    refused(arguments.string, doc, "memorySize")
    refused(arguments.string, {"d": "x" * 10}, "d", max_length=5)
    assert arguments.number(doc, "memorySize", low=128, high=32768, integral=True) == 512
    assert arguments.number(doc, "weight", low=0, high=1) == 0.5
    for key in ("flag", "bad", "inf"):
        refused(arguments.number, doc, key)
    refused(arguments.number, doc, "weight", integral=True)
    refused(arguments.number, doc, "memorySize", high=256)
