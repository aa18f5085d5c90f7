"""Reprocess requests: a direct invoke or timer payload names objects the same way."""

from __future__ import annotations

import pydantic
import pytest

from runtime.objects.targets import ReprocessRequest


def test_one_key() -> None:
    (target,) = ReprocessRequest.model_validate({"bucket": "photos", "key": "uploads/a b.jpg"}).targets()
    # Direct invokes name keys exactly: no URL decoding guesswork.
    assert (target.bucket, target.candidates) == ("photos", ("uploads/a b.jpg",))


def test_a_list_inherits_the_bucket() -> None:
    request = ReprocessRequest.model_validate(
        {"bucket": "photos", "objects": [{"key": "a.jpg"}, {"bucket": "other-bucket", "key": "b.jpg"}]}
    )
    assert [(t.bucket, t.key) for t in request.targets()] == [("photos", "a.jpg"), ("other-bucket", "b.jpg")]


@pytest.mark.parametrize(
    "payload",
    [
        {"bucket": "photos"},
        {"bucket": "photos", "key": "a", "prefix": "x/"},
        {"key": "a.jpg"},
        {"objects": [{"key": "a.jpg"}]},
        {"bucket": "Not_A_Bucket", "key": "a"},
        {"bucket": "photos", "key": "a", "unknown": 1},
        {"bucket": "photos", "prefix": "x/", "limit": 0},
    ],
)
def test_ambiguous_or_incomplete_requests_are_refused(payload: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        ReprocessRequest.model_validate(payload)
