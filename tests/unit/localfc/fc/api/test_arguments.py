from __future__ import annotations

import pytest

from localfc.fc.api import arguments
from localfc.fc.api.errors import ApiError


@pytest.mark.parametrize("body", [b"{", b"[]", b'"text"', b"NaN", b'{"a": Infinity}', b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_400(body: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        arguments.json_object(body)
    assert (caught.value.status, caught.value.code) == (400, "InvalidArgument")


def test_an_empty_body_is_refused_only_when_required() -> None:
    assert arguments.json_object(b"  ", required=False) == {}
    with pytest.raises(ApiError):
        arguments.json_object(b"")


@pytest.mark.parametrize("raw", ["0", "101", "-1", "1.5", "ten", " 5"])
def test_query_numbers_are_whole_and_in_range(raw: str) -> None:
    with pytest.raises(ApiError, match="limit must be a whole number from 1 to 100"):
        arguments.query_int({"limit": raw}, "limit", default=20, low=1, high=100)


def test_query_number_default_and_value() -> None:
    assert arguments.query_int({}, "limit", default=20, low=1, high=100) == 20
    assert arguments.query_int({"limit": "100"}, "limit", default=20, low=1, high=100) == 100


@pytest.mark.parametrize(("value", "ok"), [(3, 3), (3.0, 3), (None, None)])
def test_whole_number_fields(value: object, ok: int | None) -> None:
    assert arguments.whole_number({"n": value}, "n", low=0, high=10) == ok


@pytest.mark.parametrize("value", [True, 1.5, "3", 11, -1, float("nan")])
def test_whole_number_fields_refuse_the_rest(value: object) -> None:
    with pytest.raises(ApiError):
        arguments.whole_number({"n": value}, "n", low=0, high=10)


def test_string_and_mapping_fields() -> None:
    assert arguments.string({"s": "x"}, "s") == "x"
    assert arguments.mapping({"m": {"a": 1}}, "m") == {"a": 1}
    with pytest.raises(ApiError, match="s must be a string"):
        arguments.string({"s": 1}, "s")
    with pytest.raises(ApiError, match="at most 3"):
        arguments.string({"s": "long"}, "s", max_length=3)
    with pytest.raises(ApiError, match="m must be an object"):
        arguments.mapping({"m": []}, "m")
