"""HTTP triggers of the local FC, driven with plain HTTP clients: routing, methods, auth, the
event the function gets, the response it gives back."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import requests
from alibabacloud_tea_openapi.utils import Utils

from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET


def echo_event(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()["event"]


def test_request_becomes_fc_v1_event_with_prefix_stripped(basic_serve):
    response = requests.post(
        basic_serve.url + "/echo/a%20b/c?k=1&k=2&solo=x", data=b'{"n": 1}', headers={"Content-Type": "application/json"}
    )
    event = echo_event(response)
    assert event["version"] == "v1"
    assert event["rawPath"] == "/a%20b/c"
    assert event["requestContext"]["http"]["path"] == "/a b/c"
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["queryParameters"] == {"k": "1,2", "solo": "x"}
    assert event["body"] == '{"n": 1}' and event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["requestContext"]["requestId"] == response.headers["x-fc-request-id"]


def test_repeated_headers_are_joined_with_commas(basic_serve):
    parts = urlsplit(basic_serve.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", "/echo/")
    connection.putheader("X-Multi", "one")
    connection.putheader("X-Multi", "two")
    connection.endheaders()
    answer = connection.getresponse()
    event = json.loads(answer.read())["event"]
    connection.close()
    assert event["headers"]["X-Multi"] == "one,two"


def test_binary_body_arrives_base64_encoded(basic_serve):
    payload = bytes(range(256))
    event = echo_event(requests.put(basic_serve.url + "/echo/upload", data=payload))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_function_response_struct_maps_to_status_headers_and_body(basic_serve):
    response = requests.get(basic_serve.url + "/echo/?status=201")
    assert response.status_code == 201
    assert response.headers["X-Echo"] == "yes"
    assert response.headers["x-fc-function-version"] == "LATEST"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    binary = requests.get(basic_serve.url + "/echo/?binary=1")
    assert binary.headers["Content-Type"] == "image/png"
    assert binary.content == b"\x89PNG\x00\xff"


def test_unhandled_error_is_502_with_fc_error_document(basic_serve):
    response = requests.get(basic_serve.url + "/echo/?raise=1")
    assert response.status_code == 502
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert response.json() == {"errorMessage": "ValueError: asked to raise", "errorType": "ValueError"}


def test_timeout_on_http_trigger_is_504(basic_serve):
    response = requests.post(basic_serve.url + "/slow/", json={"sleep": 3})
    assert response.status_code == 504
    assert response.json()["errorMessage"] == "Function timed out after 1 seconds"


def test_killed_instance_is_5xx_and_the_next_request_works(basic_serve):
    assert requests.post(basic_serve.url + "/crash/", json={"crash": True}).status_code == 502
    assert requests.post(basic_serve.url + "/crash/", json={}).status_code == 200


def test_methods_not_in_the_trigger_are_refused(basic_serve):
    response = requests.delete(basic_serve.url + "/echo/x")
    assert response.status_code == 405
    assert response.json()["Code"] == "MethodNotAllowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "PUT"}


def test_unknown_function_and_trigger_are_fc_style_404(basic_serve):
    response = requests.get(basic_serve.url + "/no-such-function/x")
    assert response.status_code == 404
    body = response.json()
    assert body["Code"] == "FunctionNotFound" and body["RequestId"]
    assert requests.get(basic_serve.url + "/echo@nope/x").json()["Code"] == "TriggerNotFound"
    assert requests.get(basic_serve.url + "/hog/x").json()["Code"] == "TriggerNotFound"  # no http trigger


def test_named_trigger_route_reaches_the_same_function(basic_serve):
    assert echo_event(requests.get(basic_serve.url + "/echo@http/p"))["rawPath"] == "/p"


def _signed_headers(
    url: str, method: str, body: bytes, secret: str = FAKE_ACCESS_KEY_SECRET, nonce: str = ""
) -> dict[str, str]:
    """Sign like FC's documentation says (ACS3-HMAC-SHA256), with the official SDK's signer."""
    parts = urlsplit(url)
    headers = {
        "host": parts.netloc,
        "x-acs-date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        **({"x-acs-signature-nonce": nonce} if nonce else {}),
    }

    request = SimpleNamespace(method=method, pathname=parts.path, query=dict(parse_qsl(parts.query)), headers=headers)
    authorization = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], FAKE_ACCESS_KEY_ID, secret
    )
    return {**headers, "Authorization": authorization}


def test_function_auth_trigger_requires_a_valid_signature(basic_serve):
    url = basic_serve.url + "/echo@signed/secure?x=1"
    unsigned = requests.post(url, data=b"{}")
    assert unsigned.status_code == 403
    assert unsigned.json()["Code"] == "MissingRequiredHeader"
    forged = requests.post(url, data=b"{}", headers=_signed_headers(url, "POST", b"{}", secret="wrong-secret"))
    assert forged.status_code == 403 and forged.json()["Code"] == "SignatureNotMatch"
    tampered = requests.post(url, data=b'{"x": 1}', headers=_signed_headers(url, "POST", b"{}"))
    assert tampered.status_code == 403
    signed = requests.post(url, data=b"{}", headers=_signed_headers(url, "POST", b"{}"))
    assert signed.status_code == 200, signed.text
    assert signed.json()["event"]["rawPath"] == "/secure"


def test_a_signature_covers_every_query_value_and_cannot_be_replayed(basic_serve):
    # Signed over x=2 only, sent with x=1&x=2: the function would see "1,2".
    url = basic_serve.url + "/echo@signed/secure"
    headers = _signed_headers(url + "?x=2", "POST", b"{}")
    smuggled = requests.post(url + "?x=1&x=2", data=b"{}", headers=headers)
    assert smuggled.status_code == 403 and smuggled.json()["Code"] == "SignatureNotMatch"
    headers = {**_signed_headers(url + "?x=2", "POST", b"{}", nonce="n-" + str(id(headers))), "Connection": "close"}
    assert requests.post(url + "?x=2", data=b"{}", headers=headers).status_code == 200
    replayed = requests.post(url + "?x=2", data=b"{}", headers=headers)
    assert replayed.status_code == 403 and replayed.json()["Code"] == "SignatureNonceUsed"


def test_anonymous_trigger_needs_no_signature(basic_serve):
    assert requests.get(basic_serve.url + "/echo/").status_code == 200


def test_live_view_shows_function_status_and_duration(basic_serve):
    requests.get(basic_serve.url + "/echo/live-view?status=202")
    line = next(line for line in basic_serve.console.lines() if "GET /live-view" in line)
    assert "echo" in line and "LATEST" in line and " 202 " in line and " ms" in line


def test_every_line_the_instance_printed_is_in_the_log_file(basic_serve):
    response = requests.get(basic_serve.url + "/echo/logged")
    request_id = response.headers["x-fc-request-id"]
    records = [json.loads(line) for line in (basic_serve.fc.state.log_file("echo")).read_text().splitlines()]
    mine = [r for r in records if r["request_id"] == request_id]
    assert {tuple(sorted(r)) for r in mine} == {
        ("function", "instance_id", "line", "qualifier", "request_id", "stream", "time", "version")
    }
    lines = [r["line"] for r in mine]
    assert lines[0] == f"FC Invoke Start RequestId: {request_id}"
    assert lines[-1] == f"FC Invoke End RequestId: {request_id}"
    assert any('"message": "echo called"' in line for line in lines)
    assert all(r["function"] == "echo" and r["qualifier"] == "LATEST" and r["version"] == "LATEST" for r in mine)
