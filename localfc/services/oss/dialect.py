"""The WSGI layer that makes moto's S3 engine answer in the OSS dialect.

One request goes: credentials -> operation -> OSS's rules where moto follows S3 (names,
part numbers, listings: ``admission``) -> OSS-only rules (anonymous ACLs, bucket
auto-creation) -> with the objects it touches locked (``key_locks``): forbid-overwrite, the
Range OSS reads, an emulated answer (append, bucket info, ACLs) or moto behind an OSS/S3
translation -> object events. Object bodies pass untouched.
"""

from __future__ import annotations

import gc
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

from localfc.services.oss import admission, auth, moto_s3
from localfc.services.oss.append import append_object
from localfc.services.oss.bucket_info import acl_xml, bucket_info_xml, location_xml
from localfc.services.oss.errors import OssError, error_reply
from localfc.services.oss.events import deliver
from localfc.services.oss.forward import forward
from localfc.services.oss.key_locks import KeyLocks
from localfc.services.oss.messages import OssRequest, Reply, new_request_id, read_body
from localfc.services.oss.mutations import events_for
from localfc.services.oss.operations import classify
from localfc.services.oss.post_object import read_post_form
from localfc.services.oss.translate import to_oss_reply

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from localfc.services.oss.events import EventCallback

__all__ = ["OssDialect"]

logger = logging.getLogger(__name__)

# Above this many bytes in or out, collect garbage after the request: werkzeug's request
# objects sit in reference cycles that keep the whole body alive until the cyclic GC runs.
LARGE_BODY = 8 * 1024 * 1024

_NO_BUCKET_CREATION = frozenset({"ListBuckets", "PutBucket", "DeleteBucket"})
_OVERWRITING = frozenset({"PutObject", "PostObject", "CopyObject", "CompleteMultipartUpload"})


class OssDialect:
    """WSGI middleware: OSS requests in, moto's S3 app behind, OSS answers out."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        region: str = "cn-hangzhou",
        auto_create_buckets: bool = True,
        on_event: EventCallback | None = None,
    ) -> None:
        self.app = app
        self.region = region
        self.auto_create_buckets = auto_create_buckets
        self.on_event = on_event
        # Buckets this layer created, so that its owner can reset only its own state.
        self.created_buckets: set[str] = set()
        self._locks = KeyLocks()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = OssRequest.from_environ(environ, new_request_id())
        method = request.method  # what the client sent; handling may rewrite request.method
        try:
            reply = self.handle(request)
        except OssError as error:
            reply = error_reply(request, error)
        except Exception:
            logger.exception("local OSS failed on %s %s", request.method, environ.get("PATH_INFO"))
            reply = error_reply(request, OssError(500, "InternalError", "Local OSS error."))
        # A HEAD answer keeps the Content-Length its GET would have, without the body.
        if method != "HEAD" or reply.header("Content-Length") is None:
            reply.set_header("Content-Length", str(len(reply.body)))
        if method == "HEAD":
            reply.body = b""
        elif method != "GET" and not reply.body:
            reply.drop_header("Content-Type")  # Flask's text/html default for an empty answer
        start_response(f"{reply.status} {_reason(reply.status)}", reply.headers)
        return [reply.body]

    def handle(self, request: OssRequest) -> Reply:
        credentials = auth.inspect(request)
        auth.strip_signed_url_params(request)
        operation = classify(request)
        request.body = read_body(request.environ)
        form = read_post_form(request) if operation == "PostObject" else None
        admission.check(request, operation)
        self._admit(request, operation, form.credentials if form else credentials)
        with self._locks.hold(admission.keys_touched(request, operation)):
            self._check_overwrite(request, operation)
            if operation == "GetObject":
                stored = moto_s3.get_object(request.bucket, request.key)
                if stored is not None:
                    admission.normalise_range(request, stored.size)
            reply = self._dispatch(request, operation)
            events = events_for(operation, request, reply)
        if operation == "PutBucket" and reply.ok:
            self.created_buckets.add(request.bucket)
        if form is not None and reply.ok:
            form.answer(request, reply)
        if max(len(request.body), len(reply.body)) >= LARGE_BODY:
            gc.collect()
        deliver(self.on_event, events)
        return reply

    def _admit(self, request: OssRequest, operation: str, credentials: auth.Credentials) -> None:
        """OSS rules moto does not know: who may do what, bucket auto-creation."""
        if credentials.anonymous:
            auth.check_anonymous(request, operation)
        elif (
            self.auto_create_buckets
            and request.bucket
            and operation not in _NO_BUCKET_CREATION
            and moto_s3.get_bucket(request.bucket) is None
        ):
            moto_s3.create_bucket(request.bucket)
            self.created_buckets.add(request.bucket)

    @staticmethod
    def _check_overwrite(request: OssRequest, operation: str) -> None:
        """x-oss-forbid-overwrite, checked under the key's lock so two writers cannot both pass."""
        overwrite_forbidden = (request.header("x-oss-forbid-overwrite") or "").lower() == "true"
        if (
            operation in _OVERWRITING
            and overwrite_forbidden
            and moto_s3.get_object(request.bucket, request.key) is not None
        ):
            raise OssError(409, "FileAlreadyExists", "The object you specified already exists.")

    def _dispatch(self, request: OssRequest, operation: str) -> Reply:
        if operation == "AppendObject":
            return append_object(request, lambda put: forward(self.app, put, "AppendObject", self.region))
        if operation == "GetBucketInfo":
            return _xml_reply(request, bucket_info_xml(request.bucket, self.region, request.host))
        if operation == "GetBucketLocation":
            return _xml_reply(request, location_xml(request.bucket, self.region))
        if operation in ("GetBucketAcl", "GetObjectAcl"):
            return _xml_reply(request, acl_xml(request.bucket, request.key))
        # read_post_form already turned a form upload into a PutObject request.
        return forward(self.app, request, "PutObject" if operation == "PostObject" else operation, self.region)


def _xml_reply(request: OssRequest, body: bytes) -> Reply:
    reply = Reply(200, [("Content-Type", "application/xml")], body)
    to_oss_reply(reply, request.request_id)
    return reply


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
