"""``wsgi_environ``: what the app sees of a request, as PEP 3333 and RFC 9112 say."""

from __future__ import annotations

import io
from typing import Any

import h11

from localfc.services.wsgi_environ import RAW_HEADERS, wsgi_environ


def _environ(target: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> dict[str, Any]:
    request = h11.Request(method=b"GET", target=target, headers=headers)
    return wsgi_environ(request, io.BytesIO(body), server=("127.0.0.1", 9000), client=("127.0.0.1", 50000))


def test_absolute_form_target_is_served_by_path_with_its_host() -> None:
    environ = _environ(b"http://bucket.example:9/a%20b?x=1", [(b"Host", b"other")])
    served = (environ["RAW_URI"], environ["PATH_INFO"], environ["QUERY_STRING"], environ["HTTP_HOST"])
    assert served == ("/a%20b?x=1", "/a b", "x=1", "bucket.example:9")


def test_headers_with_underscores_are_raw_only() -> None:
    environ = _environ(b"/", [(b"Host", b"h"), (b"X-A_B", b"spoof"), (b"X-A-B", b"real")])
    assert [name for name, _ in environ[RAW_HEADERS]] == ["Host", "X-A_B", "X-A-B"]
    assert [(k, v) for k, v in environ.items() if "X_A_B" in k] == [("HTTP_X_A_B", "real")]


def test_repeated_headers_are_joined_and_the_length_is_the_body_read() -> None:
    environ = _environ(b"/", [(b"Host", b"h"), (b"Accept", b"a"), (b"Accept", b"b")], body=b"hello")
    assert (environ["HTTP_ACCEPT"], environ["CONTENT_LENGTH"]) == ("a,b", "5")
