"""FC's API errors, the one home of its JSON error shape ``{"Code", "Message", "RequestId"}``.

Every part of the local FC that answers an OpenAPI call (the router, the async queue, the HTTP
triggers, the versions and aliases store) raises ``ApiError``; ``localfc.fc.dispatch`` turns it
into the answer. Codes are the ones FC publishes, so SDK code that branches on ``e.code`` behaves as
against FC: ``FunctionNotFound``, ``VersionNotFound``, ``AliasNotFound``, ``TriggerNotFound``,
``AsyncTaskNotFound`` (404), ``AliasAlreadyExists`` (409), ``InvalidArgument``,
``AdditionalVersionContainsMajorVersion``, ``PathNotSupported``, ``EntityTooLarge`` (400),
``SignatureNotMatch`` (403), ``ResourceExhausted`` (429), ``ServiceUnavailable`` (503).

UNCONFIRMED: the code FC 3.0 returns for deleting a version an alias still uses and for
publishing a version with nothing changed; we answer 412 ``PreconditionFailed`` for both, with
a message that says which case it is.
"""

from __future__ import annotations

import json

from localfc.fc.instances.pool import PoolClosedError, ThrottledError
from localfc.fc.wire import Response


class ApiError(Exception):
    """An error answered in FC's JSON error shape.

    >>> error = ApiError(404, "FunctionNotFound", "function 'x' does not exist")
    >>> error.status, error.to_body("req-1")
    (404, b'{"Code": "FunctionNotFound", "Message": "function \\'x\\' does not exist", "RequestId": "req-1"}')
    """

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def to_body(self, request_id: str) -> bytes:
        doc = {"Code": self.code, "Message": self.message, "RequestId": request_id}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    def to_response(self, request_id: str) -> Response:
        headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "x-fc-request-id": request_id}
        headers.update(self.headers)
        return Response(self.status, headers, self.to_body(request_id))


def function_not_found(name: str) -> ApiError:
    return ApiError(404, "FunctionNotFound", f"function '{name}' does not exist")


def version_not_found(name: str, version_id: str) -> ApiError:
    return ApiError(404, "VersionNotFound", f"version '{version_id}' of function '{name}' does not exist")


def alias_not_found(name: str, alias: str) -> ApiError:
    return ApiError(404, "AliasNotFound", f"alias '{alias}' of function '{name}' does not exist")


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, "InvalidArgument", message)


def precondition_failed(message: str) -> ApiError:
    """412 ``PreconditionFailed``: UNCONFIRMED against FC (see the module docstring)."""
    return ApiError(412, "PreconditionFailed", message)


def path_not_supported(method: str, path: str) -> ApiError:
    return ApiError(400, "PathNotSupported", f"'{method}' against '{path}' is not supported by the local FC")


def entity_too_large(limit: int) -> ApiError:
    return ApiError(400, "EntityTooLarge", f"payload size exceeds maximum allowed size ({limit} bytes)")


def call_refused(exc: ThrottledError | PoolClosedError) -> ApiError:
    """What FC answers when no instance takes a call: 429 throttled, or 503 while shutting down."""
    if isinstance(exc, ThrottledError):
        return ApiError(429, "ResourceExhausted", str(exc))
    return ApiError(503, "ServiceUnavailable", "the local FC is shutting down")
