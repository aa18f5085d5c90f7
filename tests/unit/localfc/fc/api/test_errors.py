"""FC's error shape and the answers for calls no instance takes."""

from __future__ import annotations

import json

from localfc.fc.api import errors
from localfc.fc.instances.pool import PoolClosedError, ThrottledError


def test_a_throttled_call_is_fcs_429_with_the_reason() -> None:
    error = errors.call_refused(ThrottledError("walker has reservedConcurrency 0"))
    assert (error.status, error.code) == (429, "ResourceExhausted")
    assert "reservedConcurrency 0" in json.loads(error.to_body("req-1"))["Message"]


def test_a_call_during_shutdown_is_a_503() -> None:
    error = errors.call_refused(PoolClosedError("serve is shutting down"))
    assert (error.status, error.code) == (503, "ServiceUnavailable")


def test_the_body_is_fcs_json_error_shape() -> None:
    body = json.loads(errors.invalid_argument("limit must be a number").to_body("req-9"))
    assert body == {"Code": "InvalidArgument", "Message": "limit must be a number", "RequestId": "req-9"}
