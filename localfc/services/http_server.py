"""The one HTTP/1.1 server of the local FC, its OSS and its SLS receiver: a WSGI app on
127.0.0.1, in threads, with timeouts, a listen backlog, a connection cap and body limits.

    with HttpServer(app, limits=ServerLimits(max_body_bytes=32 * 2**20), name="fc") as server:
        requests.get(server.endpoint + "/")

Framing is h11's (python-hyper's HTTP/1.1 state machine, also under httpx and uvicorn): it
parses request lines, headers, ``Content-Length`` and chunked bodies, and refuses what RFC
9112 says to refuse (a non-digit or conflicting ``Content-Length``, a bad chunk size, an
unknown transfer coding, a garbage request line). This module adds only the socket loop and
the rules h11 leaves to a server:

- a stalled sender is cut off: the request head must arrive within ``head_timeout_s`` of its
  first byte, and the body may pause at most ``read_timeout_s`` (then ``408`` and close); a
  kept-alive connection idle for ``idle_timeout_s`` is closed; a client that stops reading
  its answer for ``read_timeout_s`` is dropped;
- at most ``max_connections`` connections are served at once (one thread each); more wait
  in the kernel's listen queue of ``backlog`` entries instead of being refused;
- a body over ``max_body_bytes`` is refused before it is read (``Content-Length``) or as soon
  as it passes the limit (chunked) with ``413``; ``Content-Length`` with
  ``Transfer-Encoding`` is refused (``400``), the safe reading of RFC 9112 section 6.1;
- an absolute-form target (``GET http://host/path``) is served as ``/path`` with ``Host``
  taken from it (RFC 9112 section 3.2.2);
- every protocol error is answered with a status line and the owner's error document
  (``errors``: FC JSON, OSS XML, SLS JSON), then the connection is closed.

The app gets a PEP 3333 environ; header names with ``_`` stay out of its ``HTTP_*`` keys
(``X-A_B`` would collide with ``X-A-B``), and ``environ[RAW_HEADERS]`` holds every header as
received (name case, order, repeats). ``RAW_URI`` is the target as sent (percent-encoded).

Why not another server: waitress drops headers with ``_`` before the app sees them (so the
local OSS could not refuse them as OSS does) and answers protocol errors in its own format;
werkzeug's development server frames requests with the standard library's
``http.server``, the code this module replaces; uvicorn and hypercorn are asyncio servers
for ASGI apps, while every app here is a blocking WSGI one.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from typing import TYPE_CHECKING

from localfc.services.http_connection import Connection, ServerLimits, Site, plain_error
from localfc.services.wsgi_environ import RAW_HEADERS

if TYPE_CHECKING:
    from types import TracebackType

    from _typeshed.wsgi import WSGIApplication

    from localfc.services.http_connection import ErrorPage

__all__ = ["HOST", "RAW_HEADERS", "HttpServer", "ServerLimits", "plain_error"]

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never another interface: no server here verifies every signature


class HttpServer:
    """Serve a WSGI app on ``HOST`` (a context manager; ``start``/``stop`` otherwise).

    ``shutdown()`` stops accepting and lets requests in progress finish; ``stop()`` also
    closes every connection (kept-alive ones included: a stopped server looks down).
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        port: int = 0,
        limits: ServerLimits | None = None,
        name: str = "http",
        errors: ErrorPage = plain_error,
        server_header: str = "",
    ) -> None:
        self.limits = limits or ServerLimits()
        self.name = name
        self._requested_port = port
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._accepting = threading.Event()
        self._slots = threading.BoundedSemaphore(self.limits.max_connections)
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._acceptor: threading.Thread | None = None
        self._site = Site(app, self.limits, name, errors, server_header, self._accepting)

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> HttpServer:
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, self._requested_port))
            listener.listen(self.limits.backlog)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._wake = socket.socketpair()
        self._accepting.set()
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"{self.name}-accept", daemon=True)
        self._acceptor.start()
        return self

    def shutdown(self) -> None:
        """Accept no new connection; requests being served go on (and then close)."""
        self._accepting.clear()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                self._wake[1].send(b"x")
        if self._acceptor is not None and self._acceptor is not threading.current_thread():
            self._acceptor.join(timeout=5)

    def stop(self) -> None:
        """Shut down and close every connection now. Safe to call twice."""
        self.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        listener, self._listener = self._listener, None
        wake, self._wake = self._wake, None
        for sock in (listener, *(wake or ())):
            if sock is not None:
                sock.close()

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError(f"the {self.name} server is not running; call start() first")
        return int(self._listener.getsockname()[1])

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    # --- accepting --------------------------------------------------------------------
    def _accept_loop(self) -> None:
        listener, wake = self._listener, self._wake
        assert listener is not None and wake is not None
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        selector.register(wake[0], selectors.EVENT_READ)
        try:
            while self._accepting.is_set():
                # A free slot first: past the cap, new connections wait in the listen queue.
                if not self._slots.acquire(timeout=0.5):
                    continue
                taken = False
                try:
                    ready = [key.fileobj for key, _ in selector.select()]
                    if wake[0] in ready or not self._accepting.is_set():
                        return
                    try:
                        connection, address = listener.accept()
                    except OSError:
                        continue
                    taken = True
                    thread = threading.Thread(
                        target=self._serve_connection,
                        args=(connection, address),
                        name=f"{self.name}-conn",
                        daemon=True,
                    )
                    thread.start()
                finally:
                    if not taken:
                        self._slots.release()
        finally:
            selector.close()

    def _serve_connection(self, connection: socket.socket, address: tuple[str, int]) -> None:
        with self._lock:
            self._connections.add(connection)
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            Connection(self._site, connection, address).serve()
        except Exception:
            log.exception("%s: connection from %s failed", self.name, address[0])
        finally:
            with self._lock:
                self._connections.discard(connection)
            with contextlib.suppress(OSError):
                connection.close()
            self._slots.release()
