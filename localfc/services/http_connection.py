"""One client connection of :class:`~localfc.services.http_server.HttpServer`: h11 reads each
request, the WSGI app answers it, h11 writes the answer; keep-alive until either side ends.

The rules h11 leaves to a server live here (see ``http_server``'s docstring): deadlines for
the head and pauses in the body, the body limit, ``Content-Length`` with
``Transfer-Encoding``, the error answer and a bounded lingering read before closing after an
error. The app's PEP 3333 environ is built by ``wsgi_environ``.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import io
import logging
import re
import socket
import tempfile
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any

import h11

from localfc.services.wsgi_environ import wsgi_environ

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterable

    from _typeshed.wsgi import WSGIApplication

    # (status, message) -> (status, headers, body): the owner's error document.
    ErrorPage = Callable[[int, str], tuple[int, list[tuple[str, str]], bytes]]

__all__ = ["Connection", "ServerLimits", "Site", "plain_error"]

log = logging.getLogger("localfc.services.http_server")

_RECV = 65536
_SPOOL_IN_MEMORY = 1024 * 1024  # request bodies above this go to a temporary file
_NO_BODY_STATUS = frozenset({204, 304})
_LINGER_S = 1.0
_LINGER_BYTES = 4 * 1024 * 1024
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\r\n\0]")
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclass(frozen=True)
class ServerLimits:
    """Timeouts (seconds) and sizes (bytes) one server enforces; tests use short timeouts."""

    max_body_bytes: int = 32 * 1024 * 1024
    max_head_bytes: int = 64 * 1024
    head_timeout_s: float = 30.0
    read_timeout_s: float = 30.0
    idle_timeout_s: float = 75.0
    backlog: int = 1024
    max_connections: int = 512


def plain_error(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The default error document: the message as text."""
    return status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode("utf-8")


class _ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _PeerGone(Exception):
    """The client closed or reset the connection, or stopped sending between requests."""


@dataclass(frozen=True)
class Site:
    """What every connection of one server shares."""

    app: WSGIApplication
    limits: ServerLimits
    name: str
    errors: ErrorPage
    server_header: str
    accepting: threading.Event  # cleared when the server shuts down


class Connection:
    """One client connection: requests in turn (keep-alive), each answered by the app."""

    def __init__(self, site: Site, sock: socket.socket, address: tuple[str, int]) -> None:
        self.server = site
        self.limits = site.limits
        self.sock = sock
        self.address = address
        self.host, self.port = sock.getsockname()[:2]
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head_bytes)
        self._timeout: float | None = None

    def serve(self) -> None:
        first = True
        while self._exchange(first):
            first = False
            self.h11.start_next_cycle()

    def _exchange(self, first: bool) -> bool:
        """Read one request and answer it; True when the connection may carry another."""
        try:
            request = self._read_head(first)
            if request is None:
                return False
            body = self._read_body(request)
        except _PeerGone:
            return False
        except (_ProtocolError, h11.RemoteProtocolError) as error:
            if isinstance(error, _ProtocolError):
                self._answer_error(error.status, error.message)
            else:
                self._answer_error(error.error_status_hint, str(error))
            self._linger()
            return False
        try:
            self._respond(request, body)
        except (_PeerGone, OSError):
            return False
        finally:
            body.close()
        # Not DONE: the answer closes the connection (Connection: close, HTTP/1.0, an error).
        done = self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE
        return done and self.server.accepting.is_set()  # shutting down: no next request

    # --- receiving --------------------------------------------------------------------
    def _next_event(self, deadline: float | None, idle: bool, idle_s: float = 0.0) -> Any:
        """The next h11 event, reading from the socket as needed, within the deadlines.

        ``idle``: between requests, where silence for ``idle_s`` just closes the connection.
        """
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            now = time.monotonic()
            wait = idle_s if idle else self.limits.read_timeout_s
            if deadline is not None:
                wait = min(wait, deadline - now)
            if wait <= 0:
                raise _ProtocolError(408, "the request was not received in time")
            self._set_timeout(wait)
            try:
                data = self.sock.recv(_RECV)
            except TimeoutError:
                if idle:
                    raise _PeerGone from None  # a kept-alive connection nobody uses
                raise _ProtocolError(408, "the request was not received in time") from None
            except OSError:
                raise _PeerGone from None
            if idle and not data:
                raise _PeerGone
            self.h11.receive_data(data)
            if idle and data:
                # The first byte of a request: from now on its head has a deadline.
                idle = False
                deadline = time.monotonic() + self.limits.head_timeout_s

    def _read_head(self, first: bool) -> h11.Request | None:
        # A new connection must start its request soon; a kept-alive one may wait longer.
        idle_s = self.limits.head_timeout_s if first else self.limits.idle_timeout_s
        event = self._next_event(None, idle=True, idle_s=idle_s)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise _ProtocolError(400, "expected a request")
        # h11 bounds only a head still incomplete; one that arrived whole is measured here.
        size = len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers.raw_items())
        if size > self.limits.max_head_bytes:
            raise _ProtocolError(431, f"the request head is over {self.limits.max_head_bytes} bytes")
        names = {name for name, _ in event.headers}
        if b"content-length" in names and b"transfer-encoding" in names:
            raise _ProtocolError(400, "Content-Length and Transfer-Encoding together are refused")
        length = _content_length(event)
        if length is not None and length > self.limits.max_body_bytes:
            raise _ProtocolError(413, f"the request body is over {self.limits.max_body_bytes} bytes")
        return event

    def _read_body(self, request: h11.Request) -> IO[bytes]:
        length = _content_length(request)
        body: IO[bytes] = (
            io.BytesIO()  # the common case: a small body, known in advance
            if length is not None and length <= _SPOOL_IN_MEMORY
            else tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by serve()
        )
        try:
            if self.h11.they_are_waiting_for_100_continue:
                self._send(h11.InformationalResponse(status_code=100, headers=[]))
            size = 0
            while True:
                event = self._next_event(None, idle=False)
                if isinstance(event, h11.Data):
                    size += len(event.data)
                    if size > self.limits.max_body_bytes:
                        raise _ProtocolError(413, f"the request body is over {self.limits.max_body_bytes} bytes")
                    body.write(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    body.seek(0)
                    return body
                elif isinstance(event, h11.ConnectionClosed):
                    raise _ProtocolError(400, "the connection closed before the request body was complete")
        except BaseException:
            body.close()
            raise

    # --- answering --------------------------------------------------------------------
    def _respond(self, request: h11.Request, body: IO[bytes]) -> None:
        environ = wsgi_environ(request, body, server=(self.host, self.port), client=self.address)
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return lambda _data: None  # the legacy write() callable; no app here uses it

        try:
            result: Iterable[bytes] = self.server.app(environ, start_response)
            try:
                chunks = list(result)  # every app here answers from memory
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            log.exception("%s: %s failed", self.server.name, environ_target(request))
            self._answer_error(500, "internal error; see the server's log")
            return
        if not started:
            self._answer_error(500, "the application did not answer")
            return
        status = int(str(started[0]).split(" ", 1)[0])
        self._send_answer(request, status, started[1], b"".join(chunks))

    def _send_answer(self, request: h11.Request, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        bodyless = request.method == b"HEAD" or status in _NO_BODY_STATUS or status < 200
        wire: list[tuple[bytes, bytes]] = []
        length = str(len(payload))
        for name, value in headers:
            lowered = name.lower()
            if lowered == "content-length" and bodyless:
                length = value  # a HEAD answer keeps the length its GET would have
            if lowered in _HOP_BY_HOP:
                continue  # framing is this server's business
            if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value) or not _latin1(value):
                log.error("%s: invalid header %r in the answer to %s", self.server.name, name, environ_target(request))
                self._answer_error(500, "the application's answer has an invalid header")
                return
            wire.append((name.encode("latin-1"), value.encode("latin-1")))
        if not (status < 200 or status in _NO_BODY_STATUS):
            wire.append((b"Content-Length", length.encode("latin-1")))
        wire.extend(self._common_headers())
        head = self.h11.send(h11.Response(status_code=status, headers=wire, reason=_reason(status)))
        data = b"" if bodyless else payload
        out = [head or b""]
        if data:
            out.append(self.h11.send(h11.Data(data=data)) or b"")
        out.append(self.h11.send(h11.EndOfMessage()) or b"")
        self._write(b"".join(out))

    def _answer_error(self, status: int, message: str) -> None:
        """Answer a request we will not serve, then close (the connection's state is unknown)."""
        if self.h11.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return  # an answer already started: closing is all that is left
        status, headers, payload = self.server.errors(status, message)
        wire = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        wire += [(b"Content-Length", str(len(payload)).encode()), (b"Connection", b"close")]
        wire += self._common_headers()
        with contextlib.suppress(h11.LocalProtocolError, _PeerGone, OSError):
            head = self.h11.send(h11.Response(status_code=status, headers=wire, reason=_reason(status)))
            self._write((head or b"") + (self.h11.send(h11.Data(data=payload)) or b""))

    def _linger(self) -> None:
        """After an error answer, read what the client still sends (briefly, boundedly) before
        closing: closing with unread data makes the kernel reset the connection, and the
        client would see the reset instead of the answer."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)
            deadline, drained = time.monotonic() + _LINGER_S, 0
            while drained < _LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
                self.sock.settimeout(left)
                data = self.sock.recv(_RECV)
                if not data:
                    return
                drained += len(data)

    def _common_headers(self) -> list[tuple[bytes, bytes]]:
        headers = [(b"Date", _http_date())]
        if self.server.server_header:
            headers.append((b"Server", self.server.server_header.encode("latin-1")))
        return headers

    def _send(self, event: Any) -> None:
        self._write(self.h11.send(event) or b"")

    def _set_timeout(self, seconds: float) -> None:
        if seconds != self._timeout:  # a system call saved on every kept-alive request
            self.sock.settimeout(seconds)
            self._timeout = seconds

    def _write(self, data: bytes) -> None:
        self._set_timeout(self.limits.read_timeout_s)  # a client that stops reading is dropped
        try:
            self.sock.sendall(data)
        except OSError:
            raise _PeerGone from None


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def environ_target(request: h11.Request) -> str:
    return f"{request.method.decode('ascii', 'replace')} {request.target.decode('latin-1')[:200]}"


def _content_length(request: h11.Request) -> int | None:
    for name, value in request.headers:
        if name == b"content-length":
            return int(value)  # h11 checked: ASCII digits, one value
    return None


_date_cache: tuple[int, bytes] = (0, b"")


def _http_date() -> bytes:
    """The ``Date`` header, formatted once per second."""
    global _date_cache  # noqa: PLW0603 - a one-entry cache shared by every connection
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True).encode("ascii"))
    return _date_cache[1]


@functools.cache
def _reason(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        return b""
