"""The PEP 3333 environ of one request an :class:`~localfc.services.http_server.HttpServer`
connection read: an absolute-form target (``GET http://host/path``) is served as ``/path``
with ``Host`` taken from it (RFC 9112 section 3.2.2); header names with ``_`` stay out of the
``HTTP_*`` keys (``X-A_B`` would collide with ``X-A-B``); a chunked body, read whole, is
seen with its length; ``environ[RAW_HEADERS]`` holds every header as received (name case,
order, repeats) and ``RAW_URI`` the target as sent (percent-encoded).
"""

from __future__ import annotations

import io
import sys
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

if TYPE_CHECKING:
    import h11

RAW_HEADERS = "localfc.raw_headers"  # environ key: [(name, value), ...] exactly as received


def wsgi_environ(
    request: h11.Request, body: IO[bytes], *, server: tuple[str, int], client: tuple[str, int]
) -> dict[str, Any]:
    """The environ of ``request`` (its body read whole into ``body``), received on ``server``
    (host, port) from ``client`` (address, port)."""
    target = request.target.decode("latin-1")
    raw_headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.headers.raw_items()]
    if "://" in target.split("?", 1)[0]:  # absolute-form: the authority replaces Host
        parts = urlsplit(target)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        raw_headers = [(n, v) for n, v in raw_headers if n.lower() != "host"] + [("Host", parts.netloc)]
    path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.decode("ascii"),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": target,
        "REQUEST_URI": target,
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("ascii"),
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": body if body is not None else io.BytesIO(),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        RAW_HEADERS: raw_headers,
    }
    for name, value in raw_headers:
        key = name.upper().replace("-", "_")
        if "_" in name:
            continue  # would collide with the same name spelt with "-"
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    # A chunked body was read whole: the app sees its length, not the coding.
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["CONTENT_LENGTH"] = str(_body_size(body))
    return environ


def _body_size(body: IO[bytes]) -> int:
    position = body.tell()
    size = body.seek(0, io.SEEK_END)
    body.seek(position)
    return size
