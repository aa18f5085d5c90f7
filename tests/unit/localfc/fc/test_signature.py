"""The local FC's ACS3-HMAC-SHA256 check agrees with the official SDK's signer."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_tea_openapi.utils import Utils

from localfc.fc.signature import SignatureError, verify

NOW = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)
SECRETS = {"AK1": "secret-1"}


class _SdkRequest:
    def __init__(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> None:
        self.method, self.pathname, self.query, self.headers = method, path, query, headers


def signed(method="POST", path="/check", query=None, body=b"{}", secret="secret-1", date=NOW, extra=None):
    query = query or {}
    headers = {
        "host": "127.0.0.1:9000",
        "x-acs-date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        **(extra or {}),
    }
    auth = Utils.get_authorization(
        _SdkRequest(method, path, query, headers), "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], "AK1", secret
    )
    return {"method": method, "query": query, "headers": [*headers.items(), ("Authorization", auth)], "body": body}


def check(request, paths=("/check",)):
    return verify(paths=paths, secrets=SECRETS, now=NOW, **request)


def test_sdk_signature_is_accepted():
    assert check(signed(query={"a": "x y", "b": "~1"}, extra={"x-acs-security-token": ""})) == "AK1"


def test_either_local_or_function_path_may_be_signed():
    assert check(signed(path="/prime-checker/check"), paths=("/prime-checker/check", "/check")) == "AK1"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda r: {**r, "body": b'{"x": 1}'}, "SignatureNotMatch"),
        (lambda r: {**r, "method": "GET"}, "SignatureNotMatch"),
        (lambda r: {**r, "query": {"extra": "1"}}, "SignatureNotMatch"),
        (lambda r: {**r, "headers": [h for h in r["headers"] if h[0] != "Authorization"]}, "MissingRequiredHeader"),
        (lambda r: {**r, "headers": [h for h in r["headers"] if h[0] != "x-acs-date"]}, "MissingRequiredHeader"),
        (
            lambda r: {
                **r,
                "headers": [(k, "LOG abc:def") if k == "Authorization" else (k, v) for k, v in r["headers"]],
            },
            "InvalidArgument",
        ),
    ],
)
def test_tampered_or_incomplete_requests_are_refused(change, code):
    with pytest.raises(SignatureError) as caught:
        check(change(signed()))
    assert caught.value.code == code


def test_wrong_secret_and_unknown_key_are_refused():
    with pytest.raises(SignatureError) as caught:
        check(signed(secret="guess"))
    assert caught.value.code == "SignatureNotMatch"
    with pytest.raises(SignatureError) as caught:
        verify(paths=("/check",), secrets={"OTHER": "x"}, now=NOW, **signed())
    assert caught.value.code == "InvalidAccessKeyID"


def test_stale_date_is_refused():
    with pytest.raises(SignatureError) as caught:
        check(signed(date=NOW - timedelta(minutes=20)))
    assert caught.value.code == "RequestTimeTooSkewed"
