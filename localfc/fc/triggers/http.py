"""HTTP triggers on one local port: route, build the FC v1 event from the real request, map
the function's response struct back to HTTP. The method and auth checks and the call itself
are ``http_calls``'.

Route scheme. On FC every HTTP trigger has its own domain and the function sees the path
after it. Locally the domain becomes a path prefix that is stripped before the event is built:

    http://127.0.0.1:9000/<functionName>/<path>             the function's first http trigger
    http://127.0.0.1:9000/<functionName>@<triggerName>/<path>   any http trigger by name

so ``curl http://127.0.0.1:9000/prime-checker/check`` reaches ``prime-checker`` with
``rawPath: /check``. (``@`` cannot appear in a function name, so the two never collide, and
function names cannot start with a digit, so ``/2023-03-30/...`` stays the API's.)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localfc.fc import samples
from localfc.fc.api.errors import ApiError
from localfc.fc.wire import Response

if TYPE_CHECKING:
    from localfc.fc.invocations import Invocation
    from localfc.fc.wire import Request
    from localfc.project.syaml.model import Project

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_LINE_BREAK = re.compile(r"[\r\n\0]")
# Hop-by-hop and framing headers are the server's business, never the function's.
_SERVER_OWNED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date", "server"})


@dataclass(frozen=True)
class HttpRoute:
    """One HTTP trigger of s.yaml and the local path prefix that reaches it."""

    function_name: str
    trigger_name: str
    methods: frozenset[str]
    auth_type: str
    qualifier: str
    prefix: str  # "/prime-checker" or "/prime-checker@http2"
    region: str

    def allows(self, method: str) -> bool:
        return method.upper() in self.methods


class HttpRoutes:
    """Every HTTP trigger of the project.

    >>> route, rest = HttpRoutes(project).match("/prime-checker/check")   # doctest: +SKIP
    >>> (route.function_name, rest)                                        # doctest: +SKIP
    ('prime-checker', '/check')
    """

    def __init__(self, project: Project) -> None:
        self._by_segment: dict[str, HttpRoute] = {}
        self.routes: list[HttpRoute] = []
        for _, props in project.functions():
            first = True
            for trigger in props.triggers:
                if trigger.triggerType != "http":
                    continue
                config = trigger.http()
                named = HttpRoute(
                    function_name=props.functionName,
                    trigger_name=trigger.triggerName,
                    methods=frozenset(m.upper() for m in config.methods),
                    auth_type=config.authType,
                    qualifier=trigger.qualifier or "LATEST",
                    prefix=f"/{props.functionName}@{trigger.triggerName}",
                    region=props.region,
                )
                self._by_segment[f"{props.functionName}@{trigger.triggerName}"] = named
                if first:
                    default = HttpRoute(**{**named.__dict__, "prefix": f"/{props.functionName}"})
                    self._by_segment[props.functionName] = default
                    self.routes.append(default)
                    first = False
                else:
                    self.routes.append(named)

    def match(self, raw_path: str) -> tuple[HttpRoute, str] | None:
        """The route for a request path and the path the function sees (still URL-encoded)."""
        segment, slash, rest = raw_path.lstrip("/").partition("/")
        route = self._by_segment.get(unquote(segment))
        if route is None:
            return None
        return route, "/" + rest if slash else "/"


def canonical_header_name(name: str) -> str:
    """``content-type`` -> ``Content-Type``, as FC's (Go) gateway passes header names."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def build_event(request: Request, route: HttpRoute, raw_path: str, request_id: str) -> bytes:
    """The FC v1 HTTP event for ``request`` (see ``localfc.fc.samples.http_event``): repeated
    headers and query values joined with commas, non-UTF-8 bodies in base64, ``rawPath``
    as sent and ``requestContext.http.path`` decoded."""
    headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        headers.setdefault(canonical_header_name(name), []).append(value)
    event = samples.http_event(
        request.method,
        unquote(raw_path),
        request.body,
        query=request.query_lists(),
        headers=headers,
        raw_path=raw_path,
        source_ip=request.source_ip,
        domain_prefix=f"{route.function_name}-{route.trigger_name}",
        region=route.region,
        request_id=request_id,
    )
    # samples.http_event invents a Content-Type for sample bodies; a real request keeps its own.
    event["headers"] = {k: ",".join(v) for k, v in headers.items()}
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def to_response(invocation: Invocation) -> Response:
    """Map what the function answered to the HTTP response the caller gets.

    A full struct ``{"statusCode", "headers", "isBase64Encoded", "body"}`` is honoured. Any
    other answer (FC's fallback rules are not documented) is sent as the body with status 200.
    A failed invocation answers 502 (504 for a timeout) with FC's error document.
    """
    common: dict[str, str | list[str]] = {
        "x-fc-request-id": invocation.request_id,
        "x-fc-function-version": invocation.version_label,
    }
    outcome = invocation.outcome
    if not invocation.ok:
        status = 504 if outcome.kind == "timeout" else 502
        headers = {**common, "Content-Type": "application/json", "x-fc-error-type": "UnhandledInvocationError"}
        return Response(status, headers, json.dumps(invocation.error_document(), ensure_ascii=False).encode())
    body = outcome.body
    try:
        doc: Any = json.loads(body) if body[:1] == b"{" else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or "statusCode" not in doc:
        content_type = "application/json" if doc is not None else "application/octet-stream"
        return Response(200, {**common, "Content-Type": content_type}, body)
    try:
        return _from_struct(doc, common)
    except ValueError as exc:
        error = {"errorMessage": f"invalid HTTP response from the function: {exc}", "errorType": "InvalidResponse"}
        headers = {**common, "Content-Type": "application/json", "x-fc-error-type": "UnhandledInvocationError"}
        return Response(502, headers, json.dumps(error).encode())


def _from_struct(doc: dict[str, Any], common: dict[str, str | list[str]]) -> Response:
    status = doc.get("statusCode")
    if isinstance(status, str) and status.isascii() and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise ValueError(f"statusCode {status!r} is not an HTTP status")
    headers: dict[str, str | list[str]] = {}
    raw_headers = doc.get("headers")
    raw_headers = {} if raw_headers is None else raw_headers
    if not isinstance(raw_headers, dict):
        raise ValueError("headers must be an object")
    for name, value in raw_headers.items():
        if str(name).lower() in _SERVER_OWNED:
            continue
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if not _TOKEN.fullmatch(str(name)) or any(_LINE_BREAK.search(v) for v in values):
            # Written as is, such a header would split the answer (response splitting).
            raise ValueError(f"header {str(name)[:64]!r} is not a valid HTTP header")
        headers[str(name)] = values if isinstance(value, list) else values[0]
    raw_body = doc.get("body", "")
    if raw_body is None:
        raw_body = ""
    if not isinstance(raw_body, str):
        raw_body = json.dumps(raw_body, ensure_ascii=False)
    if doc.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("isBase64Encoded is true but body is not valid base64") from None
    else:
        body = raw_body.encode("utf-8", "surrogatepass")
    headers.update(common)
    return Response(status, headers, body)


def method_not_allowed(route: HttpRoute, method: str) -> ApiError:
    allowed = ", ".join(sorted(route.methods))
    return ApiError(
        405,
        "MethodNotAllowed",
        f"{method} is not one of the methods of trigger {route.trigger_name!r} of {route.function_name} ({allowed})",
        headers={"Allow": allowed},
    )
