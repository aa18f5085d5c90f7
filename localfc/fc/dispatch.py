"""The FC port's requests: the WSGI entry of the shared HTTP server, which part of the local FC
answers a path (the FC API, the API docs, the code-upload token, the index, or an HTTP
trigger), FC's error shape for anything that goes wrong, and the count of requests in flight
that ``LocalFC.stop`` drains.

    GET /                       the index: every endpoint of this serve run
    /2023-03-30/...             the FC 3.0 OpenAPI (``api.router``)
    /-/docs/...                 the API docs of the HTTP functions (``api_docs``)
    /2016-08-15/tempBucketToken where ``s deploy`` uploads code (``api.code_upload``)
    /<function>[@<trigger>]/... an HTTP trigger (``triggers.http``, ``triggers.http_calls``)
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from localfc.fc.api import code_upload
from localfc.fc.api.errors import ApiError
from localfc.fc.api.router import MAX_SYNC_PAYLOAD, PREFIX
from localfc.fc.api_docs import DOCS_PREFIX
from localfc.fc.triggers.http_calls import HttpTriggerCalls, accepted_keys
from localfc.fc.wire import Request, Response
from localfc.services.http_server import RAW_HEADERS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from localfc.fc.server import LocalFC

log = logging.getLogger("localfc.fc")

MAX_REQUEST_BODY = MAX_SYNC_PAYLOAD
# What the FC port answers for requests it cannot read (UNCONFIRMED: FC's gateway answers these
# itself, in a format it does not document; ours is FC's API error shape).
_PROTOCOL_ERRORS = {
    400: (400, "BadRequest"),
    408: (408, "RequestTimeout"),
    413: (400, "EntityTooLarge"),  # what FC answers for a payload over its limit
    431: (431, "RequestHeaderFieldsTooLarge"),
    501: (501, "NotImplemented"),
}


class Dispatcher:
    """Answers the requests to ``fc``'s port. It reads ``fc``'s parts on every request, so a
    function deployed through the API (new routes, new project view) is answered at once."""

    def __init__(self, fc: LocalFC) -> None:
        self.fc = fc
        self.http_triggers = HttpTriggerCalls(fc.invoker, accepted_keys(fc.options))
        self._in_flight = 0
        self._in_flight_cond = threading.Condition()

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The HTTP server's entry: the request as received (raw target, raw headers)."""
        path, _, query = environ["RAW_URI"].partition("?")
        request = Request(
            method=environ["REQUEST_METHOD"],
            path=path,
            query_string=query,
            headers=list(environ[RAW_HEADERS]),
            body=environ["wsgi.input"].read(),
            source_ip=environ["REMOTE_ADDR"],
        )
        response = self.handle(request)
        headers = [
            (name, _wire_text(item))
            for name, value in response.headers.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} ", headers)
        return [response.body]

    def handle(self, request: Request) -> Response:
        """Answer one HTTP request (the HTTP server calls this from its threads)."""
        with self._in_flight_cond:
            self._in_flight += 1
        try:
            return self._dispatch(request)
        finally:
            with self._in_flight_cond:
                self._in_flight -= 1
                self._in_flight_cond.notify_all()

    def drain(self, deadline: float) -> None:
        """Wait until no request is being answered, or until ``deadline`` (monotonic)."""
        with self._in_flight_cond:
            while self._in_flight and time.monotonic() < deadline:
                self._in_flight_cond.wait(max(0.0, deadline - time.monotonic()))

    def _dispatch(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            return self._route(request, request_id)
        except ApiError as exc:
            return exc.to_response(request_id)
        except Exception:
            log.exception("request %s %s failed (request id %s)", request.method, request.path, request_id)
            error = ApiError(500, "InternalError", "internal error in the local FC; see the serve output")
            return error.to_response(request_id)

    def _route(self, request: Request, request_id: str) -> Response:
        """Which part of the local FC answers: the API, the docs, the code-upload token, the
        index, or an HTTP trigger (the rest of the paths)."""
        fc = self.fc
        if request.path.startswith(PREFIX):
            return fc.api.handle(request)
        if request.path.startswith(DOCS_PREFIX):
            return fc.docs.handle(request)
        if request.path.startswith(code_upload.PREFIX):
            return code_upload.temp_bucket_token(request, request_id, oss_running=fc.oss is not None)
        if request.path in ("", "/"):
            return _json_response(200, index_document(fc), request_id)
        matched = fc.routes.match(request.path)
        if matched is None:
            raise self._no_route(request.path)
        return self.http_triggers.answer(request, *matched)

    def _no_route(self, path: str) -> ApiError:
        segment = path.lstrip("/").split("/", 1)[0].split("@", 1)[0]
        try:
            _, props = self.fc.project.function(segment)
        except LookupError:
            return ApiError(404, "FunctionNotFound", f"no function and no HTTP trigger at {path!r}; GET / lists them")
        return ApiError(
            404, "TriggerNotFound", f"function {props.functionName} has no such HTTP trigger; GET / lists them"
        )


def index_document(fc: LocalFC) -> dict[str, Any]:
    """What ``GET /`` answers: every endpoint of this serve run."""
    return {
        "api": f"{fc.url}{PREFIX}functions",
        "http": [
            {
                "function": r.function_name,
                "trigger": r.trigger_name,
                "url": fc.url + r.prefix + "/",
                "methods": sorted(r.methods),
                "authType": r.auth_type,
                "qualifier": r.qualifier,
            }
            for r in fc.routes.routes
        ],
        "oss": fc.oss_endpoint,
        "logs": str(fc.state.logs),
        "docs": f"{fc.url}{DOCS_PREFIX}",
    }


def error_page(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """FC's error document for a request the HTTP server refused (bad framing, too big, too slow)."""
    status, code = _PROTOCOL_ERRORS.get(status, (status, "InternalError" if status >= 500 else "BadRequest"))
    response = ApiError(status, code, message).to_response(str(uuid.uuid4()))
    headers = [(k, v) for k, v in response.headers.items() if isinstance(v, str)]
    return response.status, headers, response.body


def _json_response(status: int, doc: Any, request_id: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "x-fc-request-id": request_id}
    return Response(status, headers, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


def _wire_text(value: str) -> str:
    """A header value as WSGI carries it: its UTF-8 bytes as latin-1 text (what FC's Go
    gateway sends for a non-ASCII value a function set)."""
    return value if value.isascii() else value.encode("utf-8", "replace").decode("latin-1")
