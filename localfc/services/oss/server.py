"""The local OSS server: moto's S3 engine behind the OSS dialect, on 127.0.0.1, in a thread.

Emulated: objects (put/get with ranges, head, meta, copy, delete, batch delete, append,
tagging, ACLs), listings V1/V2, multipart (and so oss2's resumable transfers), PostObject
forms, signed URLs, bucket create/delete/info/location/ACL, CRC-64 on every transfer, and
OSS error codes (``x-oss-err`` on HEAD).

Not emulated, on purpose or not yet:
- signatures are not verified: any AccessKey works (V1, V2, V4, STS); only the expiry of
  signed URLs and POST policies is checked. Hence 127.0.0.1 only;
- data processing (``x-oss-process``), upload callbacks (``x-oss-callback``), symlinks,
  archive restore, select, versioning and the bucket configurations (CORS, lifecycle,
  referer, website, logging, policy, ...) answer 501 NotImplemented;
- multipart ETags follow S3's recipe (both are opaque); moto's error codes are passed on
  where moto answers (mostly OSS's names);
- an object ACL explicitly set to "private" is reported as "default" (inherit the bucket's);
- state lives in memory and temporary files, per process, and is gone at exit.

The HTTP side is the shared ``localfc.services.http_server`` (h11 framing, timeouts, keep-alive);
requests it cannot read get OSS's XML error document.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from localfc.services.http_server import HOST, HttpServer, ServerLimits
from localfc.services.oss import moto_s3
from localfc.services.oss.admission import bucket_name_problem
from localfc.services.oss.dialect import OssDialect
from localfc.services.oss.messages import new_request_id
from localfc.services.oss.xml import error_body

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import TracebackType

    from localfc.services.oss.events import EventCallback

__all__ = ["OssServer"]

logger = logging.getLogger(__name__)

# OSS's limit for one PutObject (5 GB); the dialect holds a body in memory, moto too.
MAX_OBJECT_BYTES = 5 * 1024**3
# What OSS answers for requests it cannot read (S3 and OSS both say RequestTimeout and
# EntityTooLarge with status 400).
_PROTOCOL_ERRORS = {408: (400, "RequestTimeout"), 413: (400, "EntityTooLarge"), 501: (501, "NotImplemented")}


def _error_page(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    status, code = _PROTOCOL_ERRORS.get(status, (status, "InvalidRequest" if status < 500 else "InternalError"))
    request_id = new_request_id()
    body = error_body(code, message, request_id, HOST)
    return status, [("Content-Type", "application/xml"), ("x-oss-request-id", request_id)], body


class OssServer:
    """A local OSS endpoint that the official ``oss2`` client talks to unmodified.

    Signatures are not verified (any key works); a request without credentials only gets
    what the ACLs grant to everyone. Storage is moto's in-memory S3: servers of one process
    see the same buckets, so give each its own bucket names.

    Example::

        with OssServer(buckets=["demo"]) as oss:
            bucket = oss2.Bucket(oss2.Auth("ak", "sk"), oss.endpoint, "demo")
            bucket.put_object("hello.txt", b"hi")

    ``on_event`` receives an :class:`~localfc.services.oss.events.ObjectEvent` for each successful
    object mutation, before the client gets its answer; exceptions it raises are logged.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        buckets: Iterable[str] = (),
        auto_create_buckets: bool = True,
        on_event: EventCallback | None = None,
        region: str = "cn-hangzhou",
        limits: ServerLimits | None = None,
    ) -> None:
        self._requested_port = port
        self.buckets = list(buckets)
        self._dialect = OssDialect(
            moto_s3.create_app(),
            region=region,
            auto_create_buckets=auto_create_buckets,
            on_event=on_event,
        )
        self.limits = limits or ServerLimits(max_body_bytes=MAX_OBJECT_BYTES)
        self._server: HttpServer | None = None

    @property
    def on_event(self) -> EventCallback | None:
        return self._dialect.on_event

    @on_event.setter
    def on_event(self, callback: EventCallback | None) -> None:
        self._dialect.on_event = callback

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the OSS server is not running; call start() first")
        return self._server.port

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``, the endpoint to give ``oss2.Bucket``."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> OssServer:
        if self._server is not None:
            return self
        for name in self.buckets:
            self.create_bucket(name)
        self._server = HttpServer(
            self._dialect,
            port=self._requested_port,
            limits=self.limits,
            name="local-oss",
            errors=_error_page,
            server_header="AliyunOSS",  # the Server header OSS sends
        ).start()
        logger.info("local OSS listening on %s", self.endpoint)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def create_bucket(self, name: str) -> None:
        """Create ``name`` (no-op if it exists), e.g. when auto-creation is off; ValueError
        (with OSS's naming rule) for a name OSS would refuse."""
        problem = bucket_name_problem(name)
        if problem:
            raise ValueError(problem)
        moto_s3.create_bucket(name)
        self._dialect.created_buckets.add(name)

    def reset(self) -> None:
        """Drop the buckets this server created (objects, uploads and all), then re-create
        the buckets given at construction, empty. Buckets of other servers are left alone."""
        for name in self._dialect.created_buckets | set(self.buckets):
            moto_s3.drop_bucket(name)
        self._dialect.created_buckets.clear()
        for name in self.buckets:
            self.create_bucket(name)

    def __enter__(self) -> OssServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
