"""FC-style API errors: ``{"Code": ..., "Message": ..., "RequestId": ...}`` with an HTTP status.

Codes are the ones FC publishes (``FunctionNotFound``, ``AliasNotFound``, ``VersionNotFound``,
``InvalidArgument``, ``PathNotSupported``, ``EntityTooLarge``, ``SignatureNotMatch``,
``ResourceExhausted``…), so SDK code that branches on ``e.code`` behaves as against FC.
"""

from __future__ import annotations

import json
from typing import Any

from localfc.fc.wire import Response


class ApiError(Exception):
    """An error answered in FC's JSON error shape.

    >>> ApiError(404, "FunctionNotFound", "function 'x' does not exist").status
    404
    """

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def to_response(self, request_id: str) -> Response:
        doc = {"Code": self.code, "Message": self.message, "RequestId": request_id}
        headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "x-fc-request-id": request_id}
        headers.update(self.headers)
        return Response(self.status, headers, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def as_api_error(exc: BaseException) -> ApiError | None:
    """Our ApiError, or any error with ``status``/``code``/``message`` (the versions package's)."""
    if isinstance(exc, ApiError):
        return exc
    status: Any = getattr(exc, "status", None)
    code: Any = getattr(exc, "code", None)
    message: Any = getattr(exc, "message", None)
    if isinstance(status, int) and isinstance(code, str) and isinstance(message, str):
        return ApiError(status, code, message)
    return None


def function_not_found(name: str) -> ApiError:
    return ApiError(404, "FunctionNotFound", f"function '{name}' does not exist")


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, "InvalidArgument", message)


def path_not_supported(method: str, path: str) -> ApiError:
    return ApiError(400, "PathNotSupported", f"'{method}' against '{path}' is not supported by the local FC")


def entity_too_large(limit: int) -> ApiError:
    return ApiError(400, "EntityTooLarge", f"payload size exceeds maximum allowed size ({limit} bytes)")
