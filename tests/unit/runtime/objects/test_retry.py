"""Which OSS failures are retried, and how often."""

from __future__ import annotations

from typing import TYPE_CHECKING

import oss2.exceptions as oe
import pytest
import requests

from runtime.objects import retry
from runtime.objects.errors import (
    ObjectChangedError,
    ObjectMissingError,
    StoreAccessError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

FAST = retry.RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


def _server_error(status: int, code: str) -> oe.ServerError:
    return oe.ServerError(status, {}, b"", {"Code": code, "Message": "m"})


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (_server_error(503, "ServiceUnavailable"), StoreUnavailableError),
        (_server_error(500, "InternalError"), StoreUnavailableError),
        (_server_error(429, "Throttled"), StoreUnavailableError),
        (_server_error(404, "NoSuchKey"), ObjectMissingError),
        (_server_error(404, "NoSuchBucket"), StoreAccessError),
        (_server_error(403, "AccessDenied"), StoreAccessError),
        (_server_error(412, "PreconditionFailed"), ObjectChangedError),
        (oe.RequestError(requests.exceptions.ReadTimeout("read timed out")), StoreUnavailableError),
        (requests.exceptions.ChunkedEncodingError("connection broken"), StoreUnavailableError),
    ],
)
def test_failures_are_classified(exc: Exception, kind: type[Exception]) -> None:
    assert isinstance(retry.classify(exc, "GET k"), kind)


def test_a_bug_is_not_disguised_as_an_oss_error() -> None:
    with pytest.raises(KeyError):
        retry.classify(KeyError("x"), "GET k")


def test_transient_failures_are_retried_until_they_pass() -> None:
    answers: Iterator[Exception | str] = iter(
        [_server_error(503, "ServiceUnavailable"), _server_error(500, "InternalError"), "ok"]
    )

    def flaky() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retry.call(flaky, "GET k", FAST) == "ok"


def test_retries_stop_after_the_policy_and_say_why() -> None:
    calls = []

    def down() -> None:
        calls.append(1)
        raise _server_error(503, "ServiceUnavailable")

    with pytest.raises(StoreUnavailableError, match="503"):
        retry.call(down, "GET k", FAST)
    assert len(calls) == 3


def test_permanent_failures_are_not_retried() -> None:
    calls = []

    def denied() -> None:
        calls.append(1)
        raise _server_error(403, "AccessDenied")

    with pytest.raises(StoreAccessError):
        retry.call(denied, "GET k", FAST)
    assert len(calls) == 1


def test_backoff_grows_and_is_capped() -> None:
    policy = retry.RetryPolicy(attempts=8, base_delay=0.1, max_delay=0.5)
    assert 0.05 <= policy.delay(1) <= 0.1
    assert 0.25 <= policy.delay(5) <= 0.5
