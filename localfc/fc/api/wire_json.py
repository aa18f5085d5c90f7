"""The control plane's answers: a JSON document or an empty 204, with ``x-fc-request-id``."""

from __future__ import annotations

import json
from typing import Any

from localfc.fc.wire import Response


def json_response(status: int, doc: Any, request_id: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "x-fc-request-id": request_id}
    return Response(status, headers, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def no_content(request_id: str) -> Response:
    return Response(204, {"x-fc-request-id": request_id}, b"")
