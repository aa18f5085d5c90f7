"""PostObject: an HTML-form upload (``POST /bucket`` with multipart/form-data).

The form is turned into the equivalent PutObject (form fields become headers), stored
through moto like any PUT, and answered as OSS answers a form: ``success_action_status``
(204 by default, 201 with a PostResponse XML) or a 303 to ``success_action_redirect``.
The policy's signature is not verified, but an expired policy is refused.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import time
from calendar import timegm
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.etree import ElementTree

from werkzeug.formparser import parse_form_data

from localfc.services.oss.admission import check_user_meta_name
from localfc.services.oss.auth import Credentials
from localfc.services.oss.errors import OssError
from localfc.services.oss.xml import serialize

if TYPE_CHECKING:
    from localfc.services.oss.messages import OssRequest, Reply

__all__ = ["PostForm", "read_post_form"]

# Form fields that OSS applies to the object as if they were request headers.
_HEADER_FIELDS = frozenset(
    {
        "content-type",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "expires",
        "x-oss-object-acl",
        "x-oss-forbid-overwrite",
        "x-oss-storage-class",
        "x-oss-server-side-encryption",
    }
)


@dataclass(frozen=True)
class PostForm:
    credentials: Credentials
    success_status: int
    redirect: str | None

    def answer(self, request: OssRequest, reply: Reply) -> None:
        """Turn the successful PUT's answer into the form upload's answer."""
        etag = reply.header("ETag") or ""
        if self.redirect:
            query = urlencode({"bucket": request.bucket, "key": request.key, "etag": etag})
            sep = "&" if "?" in self.redirect else "?"
            reply.status = 303
            reply.set_header("Location", f"{self.redirect}{sep}{query}")
            reply.body = b""
        elif self.success_status == 201:
            root = ElementTree.Element("PostResponse")
            location = f"http://{request.host}/{request.bucket}/{request.key}"
            for tag, text in (("Bucket", request.bucket), ("Location", location)):
                ElementTree.SubElement(root, tag).text = text
            ElementTree.SubElement(root, "Key").text = request.key
            ElementTree.SubElement(root, "ETag").text = etag
            reply.status, reply.body = 201, serialize(root)
            reply.set_header("Content-Type", "application/xml")
        else:
            reply.status, reply.body = self.success_status, b""


def read_post_form(request: OssRequest) -> PostForm:
    """Rewrite a form upload into a PutObject request, in place."""
    content_type = request.header("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise OssError(400, "InvalidArgument", "PostObject needs multipart/form-data.")
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.input": io.BytesIO(request.body),
    }
    _, form, files = parse_form_data(environ)
    fields = {name.lower(): value for name, value in form.items()}
    upload = files.get("file")
    try:
        if upload is None or "key" not in fields:
            raise OssError(400, "InvalidArgument", "The form needs a 'key' field and a 'file' field.")
        filename, body = upload.filename or "", upload.read()
    finally:
        for part in files.values():
            part.close()  # werkzeug spools every uploaded file to a temporary file
    request.key = fields["key"].replace("${filename}", filename)
    request.method, request.query, request.body = "PUT", [], body
    request.set_header("Content-Type", None)
    for name, value in form.items():
        lower = name.lower()
        if lower in _HEADER_FIELDS:
            request.set_header(name, value)
        elif lower.startswith("x-oss-meta-"):
            check_user_meta_name(name[len("x-oss-meta-") :])
            request.set_header("x-amz-meta-" + name[len("x-oss-meta-") :], value)
    return PostForm(
        credentials=_credentials(fields),
        success_status=_success_status(fields.get("success_action_status")),
        redirect=fields.get("success_action_redirect") or None,
    )


def _credentials(fields: dict[str, str]) -> Credentials:
    if "policy" not in fields:
        return Credentials("anonymous")
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expiration = time.strptime(policy["expiration"][:19], "%Y-%m-%dT%H:%M:%S")
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise OssError(400, "InvalidPolicyDocument", "The policy is not valid.") from None
    if timegm(expiration) < time.time():
        raise OssError(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    return Credentials("form")


def _success_status(raw: str | None) -> int:
    return int(raw) if raw in ("200", "201", "204") else 204
