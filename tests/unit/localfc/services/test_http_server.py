"""``HttpServer``: framing refused the way RFC 9112 says, stalled senders cut off by the
configured timeouts, connections beyond the cap queued instead of refused. Raw sockets on
127.0.0.1, so every byte on the wire is the test's choice."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
import requests

from localfc.services.http_server import RAW_HEADERS, HttpServer, ServerLimits
from tests.fixtures.raw_http import exchange as raw_exchange
from tests.fixtures.raw_http import status_of

if TYPE_CHECKING:
    from collections.abc import Iterator

CHUNKED = b"Transfer-Encoding: chunked\r\n"
SHORT = ServerLimits(max_body_bytes=1000, head_timeout_s=0.3, read_timeout_s=0.3, idle_timeout_s=0.3)


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers what it received: method, target, path, Host, body length, raw header names."""
    body = environ["wsgi.input"].read()
    doc = {
        "method": environ["REQUEST_METHOD"],
        "raw_uri": environ["RAW_URI"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "host": environ.get("HTTP_HOST"),
        "length": len(body),
        "content_length": environ["CONTENT_LENGTH"],
        "raw_headers": [name for name, _ in environ[RAW_HEADERS]],
        "underscored_in_environ": [k for k in environ if k.startswith("HTTP_") and "X_A_B" in k],
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(doc).encode()]


@pytest.fixture
def server() -> Iterator[HttpServer]:
    with HttpServer(echo, limits=SHORT, name="test") as running:
        yield running


def exchange(server: HttpServer, data: bytes, *, half_close: bool = False) -> bytes:
    return raw_exchange(server.port, data, half_close=half_close)


def body_of(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


def head(extra: bytes, method: bytes = b"POST", target: bytes = b"/") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: example\r\n" + extra + b"\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        # A negative chunk size used to switch the body limit off.
        pytest.param(head(b"Transfer-Encoding: chunked\r\n") + b"-1\r\n" + b"x" * 5000, 400, id="chunk-size--1"),
        # Non-ASCII digits used to drop the connection with a traceback.
        pytest.param(head("Content-Length: ١٢\r\n".encode()) + b"x" * 12, 400, id="content-length-arabic-digits"),
        pytest.param(head(b"Content-Length: 5\r\nContent-Length: 6\r\n") + b"hello!", 400, id="two-content-lengths"),
        pytest.param(head(b"Content-Length: 5, 6\r\n") + b"hello!", 400, id="content-length-list"),
        pytest.param(head(b"Content-Length: -5\r\n"), 400, id="negative-content-length"),
        pytest.param(head(b"Transfer-Encoding: gzip\r\n"), 501, id="unknown-transfer-coding"),
        pytest.param(head(CHUNKED + b"Content-Length: 3\r\n") + b"3\r\nabc\r\n0\r\n\r\n", 400, id="te-and-cl"),
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="garbage-request-line"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, id="header-without-colon"),
        pytest.param(head(b"X-Big: " + b"a" * 70_000 + b"\r\n"), 431, id="head-over-the-limit"),
        pytest.param(head(b"Content-Length: 1001\r\n") + b"x" * 1001, 413, id="content-length-over-the-limit"),
        pytest.param(head(CHUNKED) + (b"1f4\r\n" + b"x" * 500 + b"\r\n") * 3, 413, id="chunked-over-the-limit"),
    ],
)
def test_bad_framing_gets_a_status_line_and_a_closed_connection(
    server: HttpServer, request_bytes: bytes, status: int
) -> None:
    answer = exchange(server, request_bytes)
    assert status_of(answer) == status
    assert b"\r\nConnection: close\r\n" in answer
    assert server.open_connections == 0 or _eventually(lambda: server.open_connections == 0)


def test_a_body_shorter_than_its_length_is_refused_not_served(server: HttpServer) -> None:
    # The client says 10 bytes, sends 3 and closes its side: the app must not see 3 bytes.
    answer = exchange(server, head(b"Content-Length: 10\r\n") + b"abc", half_close=True)
    assert status_of(answer) == 400


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"", id="connects-and-says-nothing"),
        pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\n", id="head-never-ends"),
        pytest.param(head(b"Content-Length: 10\r\n") + b"abc", id="body-stalls"),
        pytest.param(head(b"Transfer-Encoding: chunked\r\n") + b"5\r\nab", id="chunk-stalls"),
    ],
)
def test_a_stalled_sender_is_cut_off_by_the_configured_timeout(server: HttpServer, request_bytes: bytes) -> None:
    # The server's timeouts are 0.3 s; the client would wait 10 s. Whatever the machine's
    # speed, the server is the one that ends the exchange: with 408 once a request began.
    answer = exchange(server, request_bytes)
    if request_bytes:
        assert status_of(answer) == 408
    else:
        assert answer == b""
    assert _eventually(lambda: server.open_connections == 0)


def test_many_stalled_connections_are_all_released(server: HttpServer) -> None:
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50)]
    try:
        for sock in sockets:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        assert _eventually(lambda: server.open_connections == 0)
        assert requests.post(server.endpoint + "/", data=b"ok", timeout=10).status_code == 200
    finally:
        for sock in sockets:
            sock.close()


def test_connections_beyond_the_cap_wait_in_the_backlog_and_are_all_answered() -> None:
    # Two connection threads at most; 60 clients at once queue in the listen backlog.
    limits = ServerLimits(max_connections=2, idle_timeout_s=0.2, backlog=128)
    with HttpServer(echo, limits=limits) as server, ThreadPoolExecutor(60) as pool:
        statuses = list(pool.map(lambda _: requests.get(server.endpoint + "/", timeout=60).status_code, range(60)))
    assert statuses == [200] * 60


def test_while_every_slot_is_busy_new_connections_still_complete_their_handshake() -> None:
    # One slot, held by an idle connection: the acceptor waits, and new clients queue in the
    # kernel's listen backlog. With the old backlog of 5, the 7th and later connects hung
    # (their SYNs dropped); with the configured backlog all 100 complete, then get served.
    limits = ServerLimits(max_connections=1, backlog=256)
    with HttpServer(echo, limits=limits) as server:
        holder = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        assert _eventually(lambda: server.open_connections == 1)
        waiting = []
        for _ in range(100):
            sock = socket.socket()
            sock.settimeout(10)
            sock.connect(("127.0.0.1", server.port))  # raises on timeout: a dropped handshake
            waiting.append(sock)
        holder.close()
        try:
            for sock in waiting:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert all(status_of(_read_all(sock)) == 200 for sock in waiting)
        finally:
            for sock in waiting:
                sock.close()


def _read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_any_method_reaches_the_app(server: HttpServer) -> None:
    for method in (b"TRACE", b"PROPFIND", b"PURGE"):
        answer = exchange(server, head(b"Connection: close\r\n", method=method))
        assert status_of(answer) == 200
        assert json.loads(body_of(answer))["method"] == method.decode()


def test_a_chunked_body_arrives_whole_with_its_length(server: HttpServer) -> None:
    answer = exchange(server, head(CHUNKED + b"Connection: close\r\n") + b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    doc = json.loads(body_of(answer))
    assert (doc["length"], doc["content_length"]) == (5, "5")


def test_keep_alive_serves_requests_in_turn_and_head_has_no_body(server: HttpServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head(b"Content-Length: 2\r\n") + b"hi" + head(b"Connection: close\r\n", method=b"HEAD"))
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    first, second = received.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200") and b'"length": 2' in first
    assert second.startswith(b"200") and second.endswith(b"\r\n\r\n")  # HEAD: headers only


def test_stop_closes_kept_alive_connections() -> None:
    server = HttpServer(echo).start()
    endpoint, session = server.endpoint, requests.Session()
    assert session.get(endpoint + "/").status_code == 200
    server.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(endpoint + "/", timeout=5)


def _eventually(check: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
