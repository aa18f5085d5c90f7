"""FC 3.0 HTTP trigger events (``"version": "v1"``) in, FC's response struct out."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote

from runtime.errors import BadRequestError, PayloadTooLargeError
from runtime.events.models import HttpRequest, TriggerKind
from runtime.events.trigger import Trigger, json_text

if TYPE_CHECKING:
    from runtime.errors import FunctionError

# How far into each end of an unreadable event to look for the HTTP shape (see ``sniff``).
_SNIFF_BYTES = 8192


class HttpTrigger(Trigger):
    """An HTTP trigger: the request is parsed into an ``HttpRequest``; every answer, errors
    included, is FC's HTTP response struct with a JSON body."""

    kind: ClassVar[TriggerKind] = "http"

    @staticmethod
    def matches(doc: dict[str, Any]) -> bool:
        context = doc.get("requestContext")
        return doc.get("version") == "v1" and isinstance(context, dict) and isinstance(context.get("http"), dict)

    @staticmethod
    def sniff(raw: object) -> bool:
        """Whether an event too broken (or too big) to parse came from an HTTP trigger, judged
        from its bytes: only to give its error the HTTP shape."""
        if not isinstance(raw, (bytes, bytearray)):
            return False
        return b'"requestContext"' in raw[:_SNIFF_BYTES] or b'"requestContext"' in raw[-_SNIFF_BYTES:]

    @staticmethod
    def parse(doc: dict[str, Any], max_body_bytes: int) -> HttpRequest:
        """Build an ``HttpRequest`` from a v1 event; bad shapes are the caller's 400, not a crash."""
        context = doc["requestContext"]
        http = context["http"]
        method = http.get("method")
        if not isinstance(method, str) or not method:
            raise BadRequestError("HTTP event without requestContext.http.method")
        raw_path = doc.get("rawPath")
        raw_path = raw_path if isinstance(raw_path, str) else ""
        path = http.get("path")
        # http.path is the decoded path; fall back to decoding rawPath for hand-written events.
        path = path if isinstance(path, str) and path else unquote(raw_path or "/")
        body = _body(doc.get("body"), bool(doc.get("isBase64Encoded")))
        if len(body) > max_body_bytes:
            raise PayloadTooLargeError(
                f"request body is {len(body)} bytes; this function accepts at most {max_body_bytes}",
                {"limit_bytes": max_body_bytes},
            )
        # Positional: keyword arguments make building the tuple slower, per request.
        return HttpRequest(
            method.upper(),  # method
            path,  # path
            raw_path or path,  # raw_path
            _string_map(doc.get("headers"), lower=True),  # headers
            _string_map(doc.get("queryParameters"), lower=False),  # query
            body,  # body
            str(http.get("sourceIp") or ""),  # source_ip
            str(context.get("requestId") or ""),  # request_id
        )

    @staticmethod
    def answer(body: str) -> dict[str, Any]:
        # Built here rather than through response(): this runs on every invocation.
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "isBase64Encoded": False,
            "body": body,
        }

    @staticmethod
    def error(error: FunctionError, request_id: str) -> dict[str, Any]:
        headers = (
            {"Allow": ", ".join(error.details["allowed"])}
            if error.status == 405 and isinstance(error.details, dict)
            else None
        )
        return response(error.status, json_text(error.to_body(request_id)), headers)


def _body(value: Any, is_base64: bool) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise BadRequestError("HTTP event body must be a string")
    if not is_base64:
        return value.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError("HTTP event body is marked isBase64Encoded but is not valid base64") from None


def _string_map(value: Any, lower: bool) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        # Type tests first: FC sends text names and values, and str() of them costs a call each.
        # FC joins repeated values with commas; a list comes from hand-written events.
        name = key if type(key) is str else str(key)
        text = item if type(item) is str else ",".join(map(str, item)) if isinstance(item, list) else str(item)
        out[name.lower() if lower else name] = text
    return out


def response(status: int, body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """FC's HTTP response struct with the JSON text ``body`` (always the full struct)."""
    merged = {"Content-Type": "application/json"}
    if headers:
        merged.update(headers)
    return {"statusCode": status, "headers": merged, "isBase64Encoded": False, "body": body}
