"""FC-style API errors for versions and aliases: an HTTP status, an FC error code, a message.

Codes confirmed in FC's published error tables: ``FunctionNotFound``, ``VersionNotFound``,
``AliasNotFound`` (404), ``AliasAlreadyExists`` (409), ``InvalidArgument`` (400) and
``AdditionalVersionContainsMajorVersion`` (400). UNCONFIRMED: the code FC 3.0 returns for
deleting a version an alias still uses and for publishing with nothing changed; we answer
412 ``PreconditionFailed`` for both, with a message that says which case it is.
"""

from __future__ import annotations

import json
import uuid


class FcApiError(Exception):
    """An error the local FC API answers with FC's JSON shape ``{"Code", "Message", "RequestId"}``.

    >>> FcApiError(404, "AliasNotFound", "alias 'prod' of function 'f' does not exist").status
    404
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def to_body(self, request_id: str | None = None) -> bytes:
        doc = {"Code": self.code, "Message": self.message, "RequestId": request_id or str(uuid.uuid4())}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def function_not_found(name: str) -> FcApiError:
    return FcApiError(404, "FunctionNotFound", f"function '{name}' does not exist")


def version_not_found(name: str, version_id: str) -> FcApiError:
    return FcApiError(404, "VersionNotFound", f"version '{version_id}' of function '{name}' does not exist")


def alias_not_found(name: str, alias: str) -> FcApiError:
    return FcApiError(404, "AliasNotFound", f"alias '{alias}' of function '{name}' does not exist")


def invalid_argument(message: str) -> FcApiError:
    return FcApiError(400, "InvalidArgument", message)


def precondition_failed(message: str) -> FcApiError:
    return FcApiError(412, "PreconditionFailed", message)
