"""A local SLS endpoint for PutLogs: what the official SDK sends is decoded, kept in
memory and, optionally, appended to ``<store_dir>/<project>/<logstore>.jsonl``.

    with SlsReceiver(store_dir=".localfc/sls") as sls:
        client = LogClient(sls.endpoint, "ak", "secret", source="test")
        client._isRowIp = True  # the SDK would otherwise send to http://<project>.127.0.0.1
        client.put_logs(PutLogsRequest("proj", "audit", "", "test", [LogItem(contents=[("k", "v")])]))
        sls.wait_for(1)
        sls.records(project="proj", logstore="audit")[0].contents  # {"k": "v"}

The project travels in the ``Host`` header (``<project>.<endpoint host>``), as it does on
SLS. Faults for tests: ``sls.faults.fail(status=503, count=2)``, ``sls.faults.delay_s = 2``.
Not emulated: shards and hash routing (``/shards/route`` is accepted like ``lb``), quotas,
GetLogs/queries, indexes, and v4 signature checks (v1 is checked when ``access_keys`` is
given).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from localfc.services.http_server import RAW_HEADERS, HttpServer, ServerLimits
from localfc.services.sls.protocol import (
    LOGSTORE_NAME,
    PROJECT_NAME,
    PUT_LOGS_PATH,
    Authorization,
    PutLogsError,
    ReceivedLog,
    authorization,
    check_md5,
    decode_log_group,
    decompress,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class ReceivedRequest:
    """One accepted PutLogs call (for tests: compression, signer, how many logs)."""

    project: str
    logstore: str
    compress_type: str
    auth: Authorization
    logs: int


@dataclass
class Faults:
    """Switches for tests. ``fail`` answers errors instead of storing; ``delay_s`` holds
    every answer back (to exercise client timeouts)."""

    status: int = 0
    code: str = "InternalServerError"
    remaining: int | None = None  # None: every request while ``status`` is set
    delay_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail(self, status: int = 500, count: int | None = None, code: str = "") -> None:
        """Answer the next ``count`` requests (all, with None) with ``status``."""
        with self._lock:
            self.status = status
            self.remaining = count
            self.code = code or ("InternalServerError" if status >= 500 else "RequestRefused")

    def clear(self) -> None:
        with self._lock:
            self.status, self.remaining, self.delay_s = 0, None, 0.0

    def take(self) -> tuple[int, str]:
        """The failure to answer for this request, if any (0 when none)."""
        with self._lock:
            if not self.status:
                return 0, ""
            status, code = self.status, self.code
            if self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.status, self.remaining = 0, None
            return status, code


class SlsReceiver:
    """A PutLogs endpoint on 127.0.0.1 (a context manager; ``start``/``stop`` otherwise)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        store_dir: str | Path | None = None,
        access_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.store_dir = Path(store_dir) if store_dir is not None else None
        self.access_keys = dict(access_keys) if access_keys is not None else None
        self.faults = Faults()
        self._logs: list[ReceivedLog] = []
        self._requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self._files: dict[tuple[str, str], IO[str]] = {}
        self._server: HttpServer | None = None

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> SlsReceiver:
        if self._server is not None:
            return self
        limits = ServerLimits(max_body_bytes=MAX_BODY_BYTES)
        self._server = HttpServer(self._wsgi, port=self.port, limits=limits, name="sls-receiver", errors=_error_page)
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        """Stop, closing kept-alive connections too: a stopped receiver looks down to clients."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()

    def __enter__(self) -> SlsReceiver:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` — give it to ``LogClient`` or ``APP_SLS_ENDPOINT``."""
        return f"http://{self.host}:{self.port}"

    # --- what was received ------------------------------------------------------------
    def records(self, project: str | None = None, logstore: str | None = None) -> list[ReceivedLog]:
        """Logs received so far, oldest first, optionally for one project/logstore."""
        with self._lock:
            return [
                r
                for r in self._logs
                if (project is None or r.project == project) and (logstore is None or r.logstore == logstore)
            ]

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for(
        self, count: int, timeout: float = 5.0, project: str | None = None, logstore: str | None = None
    ) -> list[ReceivedLog]:
        """Poll until at least ``count`` logs arrived (TimeoutError after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.records(project, logstore)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{len(found)} of {count} logs arrived within {timeout} s")
            time.sleep(0.01)

    def clear(self) -> None:
        with self._lock:
            self._logs.clear()
            self._requests.clear()

    # --- request handling (called from server threads) --------------------------------
    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()
        if self.faults.delay_s:
            time.sleep(self.faults.delay_s)  # a fault the test asked for: a slow endpoint
        headers = {name.lower(): value for name, value in environ[RAW_HEADERS]}
        status, error = self.receive(environ["REQUEST_METHOD"], environ["RAW_URI"], headers, body)
        payload = json.dumps(error).encode() if error is not None else b""
        answer = [("x-log-requestid", uuid.uuid4().hex.upper()[:24]), ("Content-Length", str(len(payload)))]
        if payload:
            answer.append(("Content-Type", "application/json"))
        start_response(f"{status} ", answer)
        return [payload]

    def receive(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any] | None]:
        """Handle one request; returns the status and the error document (None on success)."""
        try:
            status, code = self.faults.take()
            if status:
                raise PutLogsError(status, code, f"fault injected by the test: {status} {code}")
            project, logstore, params = _route(method, target, headers)
            check_md5(body, headers.get("content-md5"))
            auth = authorization(method, urlsplit(target).path, params, headers, self.access_keys)
            raw_size = headers.get("x-log-bodyrawsize")
            compress_type = headers.get("x-log-compresstype", "")
            size = int(raw_size) if raw_size and raw_size.isascii() and raw_size.isdigit() else None
            data = decompress(body, compress_type, size)
            received = decode_log_group(data, project, logstore)
        except PutLogsError as exc:
            return exc.status, {"errorCode": exc.code, "errorMessage": exc.message}
        self._store(received, ReceivedRequest(project, logstore, compress_type or "none", auth, len(received)))
        return 200, None

    def _store(self, received: list[ReceivedLog], request: ReceivedRequest) -> None:
        with self._lock:
            self._logs.extend(received)
            self._requests.append(request)
            if self.store_dir is None or not received:
                return
            handle = self._files.get((request.project, request.logstore))
            if handle is None:
                path = self.store_dir / request.project / f"{request.logstore}.jsonl"
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = self._files[(request.project, request.logstore)] = path.open("a", encoding="utf-8")
            handle.write("".join(json.dumps(journal_entry(r), ensure_ascii=False) + "\n" for r in received))
            handle.flush()


def journal_entry(record: ReceivedLog) -> dict[str, Any]:
    """How a received log is written to the JSONL file (read by ``local_invoke.py logs``)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.time))
    return {
        "time": f"{stamp}.{int((record.time % 1) * 1000):03d}Z",
        "project": record.project,
        "logstore": record.logstore,
        "topic": record.topic,
        "source": record.source,
        "tags": record.tags,
        "contents": record.contents,
    }


def _route(method: str, target: str, headers: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    parts = urlsplit(target)
    match = PUT_LOGS_PATH.fullmatch(parts.path)
    if match is None:
        raise PutLogsError(404, "NotImplemented", f"{method} {parts.path}: only PutLogs is emulated locally")
    if method != "POST":
        raise PutLogsError(405, "MethodNotAllowed", f"PutLogs is POST, not {method}")
    host = headers.get("host", "").rsplit(":", 1)[0] if "]" not in headers.get("host", "") else ""
    project = "" if _is_ip(host) or host == "localhost" else host.split(".", 1)[0]
    if not project:
        raise PutLogsError(400, "ProjectNotExist", "no project in the Host header (expected <project>.<endpoint>)")
    if not PROJECT_NAME.fullmatch(project):
        raise PutLogsError(400, "ProjectNotExist", f"{project!r} is not a valid project name")
    logstore = match["logstore"]
    if not LOGSTORE_NAME.fullmatch(logstore):
        raise PutLogsError(400, "LogStoreNotExist", f"{logstore!r} is not a valid logstore name")
    return project, logstore, dict(parse_qsl(parts.query, keep_blank_values=True))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _error_page(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """SLS's error document for a request the HTTP server refused (framing, size, slowness)."""
    code = {413: "PostBodyTooLarge", 408: "RequestTimeout"}.get(status, "InvalidRequest")
    body = json.dumps({"errorCode": code, "errorMessage": message}).encode()
    return status, [("Content-Type", "application/json"), ("x-log-requestid", uuid.uuid4().hex.upper()[:24])], body
