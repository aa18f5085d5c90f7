"""The error the dialect layer raises when it answers a request itself, and its answer."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from localfc.services.oss.messages import Reply
from localfc.services.oss.translate import to_oss_reply
from localfc.services.oss.xml import error_body

if TYPE_CHECKING:
    from collections.abc import Mapping

    from localfc.services.oss.messages import OssRequest

__all__ = ["OssError", "error_reply", "not_implemented"]


class OssError(Exception):
    """An OSS error answer: HTTP status, OSS error code, message, optional extras.

    ``headers`` are added to the response (e.g. ``x-oss-next-append-position``);
    ``details`` become extra elements of the error XML (e.g. ``Key``).

    >>> OssError(409, "FileAlreadyExists", "The object you specified already exists.").status
    409
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = dict(details or {})


def not_implemented(what: str) -> OssError:
    return OssError(501, "NotImplemented", f"{what} is not emulated by the local OSS server.")


def error_reply(request: OssRequest, error: OssError) -> Reply:
    """The OSS answer for ``error``; for HEAD (no body) the XML goes base64 in ``x-oss-err``."""
    body = error_body(error.code, error.message, request.request_id, request.host, **error.details)
    headers = [("Content-Type", "application/xml"), *error.headers.items()]
    if request.method == "HEAD":
        headers.append(("x-oss-err", base64.b64encode(body).decode("ascii")))
    reply = Reply(error.status, headers, body)
    to_oss_reply(reply, request.request_id)
    return reply
