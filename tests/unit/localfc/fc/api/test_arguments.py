from __future__ import annotations

import pytest

from localfc.fc.api import arguments
from localfc.fc.api.errors import ApiError


@pytest.mark.parametrize("body", [b"{", b"[]", b'"text"', b"NaN", b'{"a": Infinity}', b"\xff{}", b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_400(body: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        arguments.json_object(body, max_bytes=1 << 20)
    assert (caught.value.status, caught.value.code) == (400, "InvalidArgument")


def test_bodies_are_objects_and_bounded() -> None:
    assert arguments.json_object(b"  ") == {}
    assert arguments.json_object(b'{"a": 1}') == {"a": 1}
    with pytest.raises(ApiError, match="over 4 bytes"):
        arguments.json_object(b'{"a": 1}', max_bytes=4)


@pytest.mark.parametrize("raw", ["0", "101", "-1", "1.5", "ten", " 5", "²"])
def test_query_numbers_are_ascii_whole_and_in_range(raw: str) -> None:
    with pytest.raises(ApiError, match="limit must be a whole number from 1 to 100"):
        arguments.integer({"limit": raw}, "limit", default=20, low=1, high=100)


def test_query_number_default_and_value() -> None:
    assert arguments.integer({}, "limit", default=20, low=1, high=100) == 20
    assert arguments.integer({"limit": "100"}, "limit", default=20, low=1, high=100) == 100


@pytest.mark.parametrize(("value", "ok"), [(3, 3), (3.0, 3), (None, None)])
def test_whole_number_fields(value: object, ok: int | None) -> None:
    assert arguments.number({"n": value}, "n", low=0, high=10, integral=True) == ok


@pytest.mark.parametrize("value", [True, 1.5, "3", 11, -1, float("nan")])
def test_number_fields_refuse_the_rest(value: object) -> None:
    with pytest.raises(ApiError):
        arguments.number({"n": value}, "n", low=0, high=10, integral=True)


def test_string_fields() -> None:
    assert arguments.string({"s": "x"}, "s") == "x"
    assert arguments.string({}, "s", default="d") == "d"
    with pytest.raises(ApiError, match="s must be a string"):
        arguments.string({"s": 1}, "s")
    with pytest.raises(ApiError, match="at most 3"):
        arguments.string({"s": "long"}, "s", max_length=3)
