"""One OSS request as the dialect layer sees it, and the reply it builds."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

from localfc.services.oss.addressing import virtual_host_bucket

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["OssRequest", "Reply", "environ_key", "new_request_id", "read_body"]


def new_request_id() -> str:
    """24 upper-case hex digits, the shape of a real OSS request id."""
    return secrets.token_hex(12).upper()


def environ_key(header: str) -> str:
    key = header.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def read_body(environ: WSGIEnvironment) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked upload: werkzeug de-chunks to EOF
        return bytes(stream.read())
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return bytes(stream.read(length)) if length > 0 else b""


@dataclass
class OssRequest:
    """Method, bucket, key and query of one request; ``environ`` is what moto will see."""

    environ: WSGIEnvironment
    method: str
    bucket: str  # "" for service-level requests (ListBuckets)
    key: str  # "" for bucket-level requests
    query: list[tuple[str, str]]
    body: bytes
    request_id: str
    host: str  # as the client sent it; the environ's Host is rewritten for moto

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment, request_id: str) -> OssRequest:
        # WSGI hands the decoded path over as latin-1 text; object keys are UTF-8.
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        host = str(environ.get("HTTP_HOST", ""))
        virtual = virtual_host_bucket(host)
        if virtual is not None:
            bucket, key = virtual, path.lstrip("/")
        else:
            bucket, _, key = path.lstrip("/").partition("/")
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return cls(
            environ=environ,
            method=environ["REQUEST_METHOD"].upper(),
            bucket=bucket,
            key=key,
            query=query,
            body=b"",
            request_id=request_id,
            host=host,
        )

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.query)

    def header(self, name: str) -> str | None:
        value = self.environ.get(environ_key(name))
        return None if value is None else str(value)

    def set_header(self, name: str, value: str | None) -> None:
        if value is None:
            self.environ.pop(environ_key(name), None)
        else:
            self.environ[environ_key(name)] = value

    @property
    def source_ip(self) -> str:
        return str(self.environ.get("REMOTE_ADDR", ""))

    def sync_environ(self) -> None:
        """Write method, path, query and body back into the environ moto reads."""
        env = self.environ
        env["REQUEST_METHOD"] = self.method
        path = "/" + self.bucket + ("/" + self.key if self.key else "")
        env["PATH_INFO"] = path.encode("utf-8").decode("latin-1")
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.query)
        env["QUERY_STRING"] = query
        # moto matches routes and key names against the raw (still percent-encoded) URI.
        raw = quote(path, safe="/")
        env["RAW_URI"] = env["REQUEST_URI"] = raw + ("?" + query if query else "")
        # BytesIO shares an initial bytes object instead of copying it.
        env["wsgi.input"] = io.BytesIO(self.body)
        env["CONTENT_LENGTH"] = str(len(self.body))
        env["wsgi.input_terminated"] = False
        env.pop("HTTP_TRANSFER_ENCODING", None)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        self.drop_header(name)
        self.headers.append((name, value))

    def drop_header(self, name: str) -> None:
        lower = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lower]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300
