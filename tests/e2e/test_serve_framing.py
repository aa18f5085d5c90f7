"""The FC port under malformed and hostile HTTP, over raw sockets: every refusal is a status
line with FC's JSON error document, stalled senders are cut off by the configured timeouts,
and many simultaneous clients are all answered."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
import requests

from tests.fixtures.raw_http import exchange as raw_exchange
from tests.fixtures.serve import BASIC_APP, eventually, start_serve

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fixtures.serve import ServeHandle


@pytest.fixture(scope="module")
def short_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeHandle]:
    """The basic app with 0.3 s HTTP timeouts, so that stalls end fast whatever the machine."""
    from localfc.services.http_server import ServerLimits  # noqa: PLC0415

    limits = ServerLimits(head_timeout_s=0.3, read_timeout_s=0.3, idle_timeout_s=0.3, max_body_bytes=64 * 1024)
    state = tmp_path_factory.mktemp("serve-framing")
    with start_serve(BASIC_APP, state, run_oss=False, run_timers=False, max_instances=2, http_limits=limits) as handle:
        yield handle


def exchange(handle: ServeHandle, data: bytes, *, half_close: bool = False) -> bytes:
    return raw_exchange(handle.fc.port, data, half_close=half_close)


def fc_error(answer: bytes) -> tuple[int, str, dict[str, str]]:
    """Status, FC error code, headers of a raw answer (which must have a status line)."""
    assert answer.startswith(b"HTTP/1.1 "), answer[:120]
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    doc = json.loads(body)
    assert doc["Message"] and doc["RequestId"]
    return int(lines[0].split(" ")[1]), doc["Code"], headers


def post(target: bytes, extra: bytes, body: bytes = b"") -> bytes:
    return b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\n" + extra + b"\r\n" + body


CHUNKED = b"Transfer-Encoding: chunked\r\n"
NEGATIVE_CHUNK = post(b"/echo/", CHUNKED, b"-1\r\n" + b"x" * 100_000)  # used to switch the limit off
ARABIC_LENGTH = post(b"/echo/", "Content-Length: ١٢\r\n".encode(), b"x" * 12)  # used to drop the connection
TWO_LENGTHS = post(b"/echo/", b"Content-Length: 2\r\nContent-Length: 3\r\n", b"abc")
UNKNOWN_CODING = post(b"/echo/", b"Transfer-Encoding: br\r\n")
BIG_CHUNKED = post(b"/echo/", CHUNKED, (b"8000\r\n" + b"x" * 0x8000 + b"\r\n") * 3)


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        pytest.param(NEGATIVE_CHUNK, 400, "BadRequest", id="chunk-size--1"),
        pytest.param(ARABIC_LENGTH, 400, "BadRequest", id="non-ascii-content-length"),
        pytest.param(TWO_LENGTHS, 400, "BadRequest", id="two-content-lengths"),
        pytest.param(UNKNOWN_CODING, 501, "NotImplemented", id="unknown-transfer-coding"),
        pytest.param(b"\x16\x03\x01 garbage\r\n\r\n", 400, "BadRequest", id="garbage-request-line"),
    ],
)
def test_bad_framing_is_an_fc_error_with_a_status_line(
    basic_serve: ServeHandle, request_bytes: bytes, status: int, code: str
) -> None:
    assert fc_error(exchange(basic_serve, request_bytes))[:2] == (status, code)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(post(b"/echo/", b"Content-Length: 70000\r\n"), id="content-length"),
        pytest.param(BIG_CHUNKED, id="chunked"),
        pytest.param(NEGATIVE_CHUNK, id="negative-chunk"),
    ],
)
def test_the_body_limit_holds_for_every_framing(short_serve: ServeHandle, chunks: bytes) -> None:
    status, code, _ = fc_error(exchange(short_serve, chunks))
    assert (status, code) in {(400, "EntityTooLarge"), (400, "BadRequest")}


def test_a_body_shorter_than_its_length_never_reaches_the_function(basic_serve: ServeHandle) -> None:
    before = len(basic_serve.console.lines())
    answer = exchange(basic_serve, post(b"/echo/", b"Content-Length: 50\r\n", b"only ten b"), half_close=True)
    assert fc_error(answer)[:2] == (400, "BadRequest")
    assert not [line for line in basic_serve.console.lines()[before:] if "echo" in line]


def test_a_method_the_trigger_does_not_take_is_fc_json_405_with_allow(basic_serve: ServeHandle) -> None:
    for method in (b"DELETE", b"TRACE", b"PROPFIND"):
        answer = exchange(basic_serve, method + b" /echo/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        status, code, headers = fc_error(answer)
        assert (status, code, headers["allow"]) == (405, "MethodNotAllowed", "GET, POST, PUT")


def test_an_absolute_form_target_reaches_the_trigger(basic_serve: ServeHandle) -> None:
    target = f"http://127.0.0.1:{basic_serve.fc.port}/echo/a%20b?k=1".encode()
    answer = exchange(basic_serve, b"GET " + target + b" HTTP/1.1\r\nHost: elsewhere\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    event = json.loads(answer.partition(b"\r\n\r\n")[2])["event"]
    assert (event["rawPath"], event["queryParameters"]) == ("/a%20b", {"k": "1"})


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"POST /echo/ HTTP/1.1\r\nHost: localhost\r\n", id="head-never-ends"),
        pytest.param(post(b"/echo/", b"Content-Length: 100\r\n", b"abc"), id="body-stalls"),
    ],
)
def test_a_stalled_sender_gets_408_from_the_configured_timeout(short_serve: ServeHandle, request_bytes: bytes) -> None:
    # serve's timeouts are 0.3 s here, the client's 15 s: the server ends it, with FC's JSON.
    assert fc_error(exchange(short_serve, request_bytes))[:2] == (408, "RequestTimeout")


def test_stalled_connections_do_not_pile_up(short_serve: ServeHandle) -> None:
    server = short_serve.fc._server
    assert server is not None
    sockets = [socket.create_connection(("127.0.0.1", short_serve.fc.port), timeout=15) for _ in range(100)]
    try:
        for sock in sockets:
            sock.sendall(b"POST /echo/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nab")
        eventually(lambda: server.open_connections == 0, timeout=30, message="stalled connections were never closed")
    finally:
        for sock in sockets:
            sock.close()
    assert requests.post(short_serve.url + "/echo/", data=b"{}", timeout=30).status_code == 200


def test_hundreds_of_simultaneous_connections_are_all_answered(basic_serve: ServeHandle) -> None:
    # The old listen backlog of 5 made clients time out; all 300 must be served (an index
    # request, so the function instances are not what is measured).
    def fetch(_: int) -> int:
        return requests.get(basic_serve.url + "/", timeout=120).status_code

    with ThreadPoolExecutor(300) as pool:
        statuses = list(pool.map(fetch, range(300)))
    assert statuses == [200] * 300
