"""API documentation pages ``serve`` adds for the HTTP functions (dev only, never deployed):

    GET /-/docs/                       links to each function's page
    GET /-/docs/openapi.json           one OpenAPI 3.1 document for all of them
    GET /-/docs/<function>/            Swagger UI for that function ("Try it out" calls serve)
    GET /-/docs/<function>/openapi.json

``/-/`` cannot be a function's path (a functionName never starts with ``-``). Each document
is built by ``local_invoke.py openapi`` in a child interpreter, so it follows the code as it
is now and serve never imports function code itself. Swagger UI's files come from the
``flask-swagger-ui`` distribution (requirements-dev.txt): served from this machine, so the
pages work offline and load nothing from a CDN; without it, the page says what to install.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.fc.wire import Response

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.wire import Request
    from localfc.project.syaml.model import Project

DOCS_PREFIX = "/-/docs/"
_LOCAL_INVOKE = Path(__file__).resolve().parents[2] / "local_invoke.py"
_ASSET_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}
_BUILD_TIMEOUT_S = 120.0


def swagger_ui_dir() -> Path | None:
    """Swagger UI's ``dist`` files, where the dev dependency installed them."""
    try:
        import flask_swagger_ui  # noqa: PLC0415 - only to find its files
    except ImportError:
        return None
    found = Path(flask_swagger_ui.__file__).parent / "dist"
    return found if (found / "swagger-ui-bundle.js").is_file() else None


class ApiDocs:
    """Answers the ``/-/docs/`` requests of one serve run."""

    def __init__(self, project: Project, base_url: Callable[[], str]) -> None:
        self.project = project
        self.base_url = base_url

    def functions(self) -> list[str]:
        from localfc.project.openapi import http_functions  # noqa: PLC0415 - reads sources, on request only

        return [props.functionName for _, props in http_functions(self.project)]

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _text(405, "the docs pages are read with GET")
        rest = request.path[len(DOCS_PREFIX) :].strip("/")
        if not rest:
            return self._index()
        if rest == "openapi.json":
            return self._document(None)
        if rest.startswith("assets/"):
            return _asset(rest[len("assets/") :])
        name, _, tail = rest.partition("/")
        return self._function_page(name, tail)

    def _function_page(self, name: str, tail: str) -> Response:
        if name not in self.functions():
            return _text(404, f"{name!r} is not an HTTP function of {self.project.path.name}; see {DOCS_PREFIX}")
        if tail == "openapi.json":
            return self._document(name)
        if tail:
            return _text(404, f"no page {DOCS_PREFIX}{name}/{tail}")
        return _html(_swagger_page(name))

    def _index(self) -> Response:
        items = "".join(
            f'<li><a href="{DOCS_PREFIX}{html.escape(n)}/">{html.escape(n)}</a></li>' for n in self.functions()
        )
        body = (
            f"<!doctype html><title>HTTP functions</title><h1>{html.escape(self.project.name)}: HTTP functions</h1>"
            f'<ul>{items}</ul><p><a href="{DOCS_PREFIX}openapi.json">openapi.json</a> (all of them)</p>'
        )
        return _html(body)

    def _document(self, function: str | None) -> Response:
        server = f"{self.base_url()}/{function}" if function else self.base_url()
        command = [sys.executable, str(_LOCAL_INVOKE), "openapi", "-t", str(self.project.path), "--server-url", server]
        if function:
            command.append(function)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=_BUILD_TIMEOUT_S, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            return _text(504, f"building the OpenAPI document took longer than {_BUILD_TIMEOUT_S:g} s")
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["the openapi command failed"])[-1]
            return _text(500, reason)
        return Response(200, {"Content-Type": "application/json"}, done.stdout.encode("utf-8"))


def _swagger_page(function: str) -> str:
    name = html.escape(function)
    if swagger_ui_dir() is None:
        return (
            f"<!doctype html><title>{name}</title><h1>{name}</h1><p>Swagger UI's files are not installed here:"
            " <code>pip install -r requirements-dev.txt</code>. The document itself:"
            f' <a href="openapi.json">openapi.json</a>.</p>'
        )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{name} — local FC</title>
<link rel="stylesheet" href="{DOCS_PREFIX}assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{DOCS_PREFIX}assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "openapi.json", dom_id: "#swagger-ui"}});</script>
</body></html>"""


def _asset(name: str) -> Response:
    directory = swagger_ui_dir()
    if directory is None or "/" in name or name.startswith(".") or Path(name).suffix not in _ASSET_TYPES:
        return _text(404, f"no asset {name!r}")
    path = directory / name
    if not path.is_file():
        return _text(404, f"no asset {name!r}")
    headers: dict[str, str | list[str]] = {"Content-Type": _ASSET_TYPES[path.suffix], "Cache-Control": "max-age=3600"}
    return Response(200, headers, path.read_bytes())


def _html(body: str) -> Response:
    return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


def _text(status: int, message: str) -> Response:
    body = json.dumps({"error": {"code": "DocsError", "message": message}})
    return Response(status, {"Content-Type": "application/json"}, body.encode("utf-8"))
