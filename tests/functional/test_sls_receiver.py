"""The local SLS receiver speaks PutLogs as the official SDK (aliyun-log-python-sdk) sends
it: protobuf LogGroup, lz4 or uncompressed, v1 signatures, STS tokens; and it refuses what
SLS would refuse, with SLS's error shapes."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from aliyun.log import LogClient, LogException, LogItem, PutLogsRequest

from localfc.services.sls import SlsReceiver

if TYPE_CHECKING:
    from pathlib import Path

KEY_ID, SECRET, TOKEN = "STS.ReceiverTestKey01", "receiver-test-secret", "receiver-test-token"


def client(receiver: SlsReceiver, secret: str = SECRET, token: str | None = TOKEN) -> LogClient:
    made = LogClient(receiver.endpoint, KEY_ID, secret, token, source="test-host")
    made._isRowIp = True  # type: ignore[attr-defined]  # else it sends to http://<project>.127.0.0.1
    return made


def put(receiver: SlsReceiver, *items: LogItem, compress: bool = True, **options: Any) -> None:
    request = PutLogsRequest(
        options.pop("project", "my-project"),
        options.pop("logstore", "audit"),
        "my-topic",
        "my-source",
        list(items),
        compress=compress,
        **options,
    )
    client(receiver).put_logs(request)


@pytest.fixture
def verifying(tmp_path: Path) -> Any:
    with SlsReceiver(store_dir=tmp_path / "sls", access_keys={KEY_ID: SECRET}) as receiver:
        yield receiver


@pytest.mark.parametrize("compress", [True, False], ids=["lz4", "uncompressed"])
def test_the_official_sdk_puts_logs_that_arrive_whole(verifying: SlsReceiver, compress: bool, tmp_path: Path) -> None:
    moment = time.time()
    items = [
        LogItem(timestamp=int(moment), contents=[("event", "checked"), ("number", "97"), ("note", "naïve ✓")]),
        LogItem(timestamp=int(moment), contents=[("event", "checked"), ("number", "12")]),
    ]
    put(verifying, *items, compress=compress, logtags=[("env", "test")])
    first, second = verifying.records(project="my-project", logstore="audit")
    assert first.contents == {"event": "checked", "number": "97", "note": "naïve ✓"}
    assert second.contents["number"] == "12"
    assert (first.topic, first.source, first.tags) == ("my-topic", "my-source", {"env": "test"})
    assert abs(first.time - moment) < 1
    (request,) = verifying.requests
    assert request.compress_type == ("lz4" if compress else "none")
    assert (request.auth.access_key_id, request.auth.has_security_token, request.auth.verified) == (KEY_ID, True, True)
    journal = (tmp_path / "sls" / "my-project" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["contents"]["number"] for line in journal] == ["97", "12"]
    assert not any(secret in "\n".join(journal) for secret in (SECRET, TOKEN))


def test_hash_routed_puts_and_many_logs(verifying: SlsReceiver) -> None:
    items = [LogItem(contents=[("n", str(n))]) for n in range(1000)]
    put(verifying, *items, hashKey="00000000000000000000000000000000", logstore="bulk")
    assert [r.contents["n"] for r in verifying.wait_for(1000, logstore="bulk")] == [str(n) for n in range(1000)]


def test_a_wrong_secret_is_refused_as_sls_does(verifying: SlsReceiver) -> None:
    request = PutLogsRequest("my-project", "audit", "", "src", [LogItem(contents=[("k", "v")])])
    with pytest.raises(LogException) as refused:
        client(verifying, secret="not-the-secret").put_logs(request)
    assert (refused.value.get_error_code(), refused.value.get_resp_status()) == ("SignatureNotMatch", 401)
    assert verifying.records() == []


def test_an_unsigned_receiver_accepts_any_key_and_says_so(sls_receiver: SlsReceiver) -> None:
    put(sls_receiver, LogItem(contents=[("k", "v")]))
    (request,) = sls_receiver.requests
    assert request.auth.verified is None and request.auth.scheme == "LOG"


def raw_post(receiver: SlsReceiver, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(receiver.endpoint + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, {}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.parametrize(
    ("path", "headers", "body", "code"),
    [
        ("/logstores/audit/shards/lb", {"Host": "my-project.sls"}, b"\x08\xff\xff", "PostBodyInvalid"),
        ("/logstores/audit/shards/lb", {"Host": "127.0.0.1"}, b"", "ProjectNotExist"),
        ("/logstores/BadName/shards/lb", {"Host": "my-project.sls"}, b"", "LogStoreNotExist"),
        ("/logstores/audit/index", {"Host": "my-project.sls"}, b"", "NotImplemented"),
        (
            "/logstores/audit/shards/lb",
            {"Host": "my-project.sls", "x-log-compresstype": "lz4", "x-log-bodyrawsize": "100"},
            b"not lz4",
            "PostBodyInvalid",
        ),
        ("/logstores/audit/shards/lb", {"Host": "my-project.sls", "Content-MD5": "0" * 32}, b"x", "InvalidContentMD5"),
    ],
    ids=["not-protobuf", "no-project", "bad-logstore", "other-api", "bad-lz4", "bad-md5"],
)
def test_bad_requests_get_sls_errors(
    sls_receiver: SlsReceiver, path: str, headers: dict[str, str], body: bytes, code: str
) -> None:
    status, error = raw_post(sls_receiver, path, body, headers)
    assert status >= 400 and error["errorCode"] == code and error["errorMessage"]
    assert sls_receiver.records() == []


def test_injected_faults_then_recovery(sls_receiver: SlsReceiver) -> None:
    sls_receiver.faults.fail(status=503, count=1)
    status, error = raw_post(sls_receiver, "/logstores/audit/shards/lb", b"", {"Host": "my-project.sls"})
    assert (status, error["errorCode"]) == (503, "InternalServerError")
    put(sls_receiver, LogItem(contents=[("after", "fault")]))
    assert sls_receiver.records()[0].contents == {"after": "fault"}


def test_a_stopped_receiver_refuses_connections_even_kept_alive_ones(sls_receiver: SlsReceiver) -> None:
    sdk = client(sls_receiver)
    sdk.put_logs(PutLogsRequest("my-project", "audit", "", "src", [LogItem(contents=[("k", "1")])]))
    sls_receiver.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(sls_receiver.endpoint + "/logstores/audit/shards/lb", timeout=2)
    assert len(sls_receiver.records()) == 1
