"""The local FC's ACS3-HMAC-SHA256 check agrees with the official SDK's signer."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_tea_openapi.utils import Utils

from localfc.fc.signature import ReplayGuard, SignatureError, sign, string_to_sign, verify

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


def test_a_repeated_query_parameter_must_be_signed_with_every_value():
    # The function sees x=1,2: a signature over the last value only (what the old check
    # accepted) no longer passes; one over every pair does.
    last_only = signed(query={"x": "2"})
    with pytest.raises(SignatureError) as caught:
        check({**last_only, "query": [("x", "1"), ("x", "2")]})
    assert caught.value.code == "SignatureNotMatch"
    every_pair = signed(query={"x": "1"})  # the SDK signs a dict: sign the pairs by hand
    headers = dict(every_pair["headers"])
    names = sorted(k.lower() for k in headers if k != "Authorization")
    pairs = [("x", "1"), ("x", "2")]
    text = string_to_sign("POST", "/check", query=pairs, headers=every_pair["headers"], names=names, body=b"{}")
    signature = sign("secret-1", text)
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders={';'.join(names)},Signature={signature}"
    assert check({**every_pair, "query": [("x", "1"), ("x", "2")], "headers": list(headers.items())}) == "AK1"


def test_a_replayed_nonce_is_refused():
    guard = ReplayGuard()
    request = signed(extra={"x-acs-signature-nonce": "n-1"})
    assert verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **request) == "AK1"
    with pytest.raises(SignatureError) as caught:
        verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **request)
    assert caught.value.code == "SignatureNonceUsed"
    fresh = signed(extra={"x-acs-signature-nonce": "n-2"})
    assert verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **fresh) == "AK1"


def test_a_replay_without_a_nonce_is_refused_but_a_forgery_burns_nothing():
    guard = ReplayGuard()
    forged = signed(secret="guess")
    with pytest.raises(SignatureError):
        verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **forged)
    request = signed()
    assert verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **request) == "AK1"
    with pytest.raises(SignatureError) as caught:
        verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **request)
    assert caught.value.code == "SignatureNonceUsed"


def test_a_nonce_is_forgotten_once_its_date_is_out_of_the_window():
    guard = ReplayGuard()
    request = signed(extra={"x-acs-signature-nonce": "n-1"})
    verify(paths=("/check",), secrets=SECRETS, now=NOW, replays=guard, **request)
    # 16 minutes on, the date itself is refused: the nonce no longer needs remembering.
    with pytest.raises(SignatureError) as caught:
        verify(paths=("/check",), secrets=SECRETS, now=NOW + timedelta(minutes=16), replays=guard, **request)
    assert caught.value.code == "RequestTimeTooSkewed"
    assert guard.first_use("nonce:n-1", 0, (NOW + timedelta(minutes=16)).timestamp())


def test_x_acs_headers_and_host_must_be_signed():
    request = signed()
    request["headers"] = [*request["headers"], ("x-acs-security-token", "added-after-signing")]
    with pytest.raises(SignatureError) as caught:
        check(request)
    assert caught.value.code == "SignatureNotMatch" and "x-acs-security-token" in caught.value.message
