"""Errors are data: each has a code, an HTTP status and a message that is safe to show.

The detail (exception type, traceback) goes to the log, never to the caller. Anything that
is not one of these becomes ``InternalError`` with a generic message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pydantic


class FunctionError(Exception):
    """Base of every error the runtime turns into a response.

    >>> NotFoundError("no route for GET /x").status
    404
    """

    status: ClassVar[int] = 500
    code: ClassVar[str] = "InternalError"
    # Whether FC should retry an asynchronous invocation that failed with this error.
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, details: list[dict[str, Any]] | dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error, "request_id": request_id}


class BadRequestError(FunctionError):
    status = 400
    code = "BadRequest"


class MalformedJSONError(BadRequestError):
    code = "MalformedJSON"


class ValidationError(FunctionError):
    """The input parsed but does not fit the algorithm's model; details name the fields."""

    status = 422
    code = "ValidationError"

    @classmethod
    def from_pydantic(cls, exc: pydantic.ValidationError, subject: str = "input") -> ValidationError:
        """pydantic's errors as ``details``, one per field (dotted path, message, type); the
        message names the fields, or says what is wrong with the whole ``subject``."""
        # Input values are left out on purpose: they may be large or sensitive.
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        what = ", ".join(d["field"] if d["field"] != "(body)" else d["message"] for d in details)
        return cls(f"invalid {subject}: {what}", details)


class InputRejectedError(FunctionError):
    """The algorithm refused a well-formed input (e.g. a number too large to factor)."""

    status = 422
    code = "InputRejected"


class NotFoundError(FunctionError):
    status = 404
    code = "NotFound"


class MethodNotAllowedError(FunctionError):
    status = 405
    code = "MethodNotAllowed"

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message, {"allowed": allowed})
        self.allowed = allowed


class PayloadTooLargeError(FunctionError):
    status = 413
    code = "PayloadTooLarge"


class InitializationError(FunctionError):
    """setup() failed; FC retries it on the next invocation (on a fresh instance)."""

    status = 503
    code = "InitializationFailed"
    retryable = True


class InternalError(FunctionError):
    status = 500
    code = "InternalError"
    retryable = True

    def __init__(self, message: str = "internal error; see the function logs for the request id") -> None:
        super().__init__(message)


class RetryInvocation(Exception):
    """Raised out of the handler on purpose so FC retries an asynchronous invocation.

    Only for failures that a retry can fix (OSS answering 5xx, a timeout mid-stream). The
    message must be safe to show: FC copies it into the invocation's error result.
    ``fields`` go into the invocation's summary line, as an ``Answer``'s would.
    """

    def __init__(self, message: str, fields: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.fields = fields
