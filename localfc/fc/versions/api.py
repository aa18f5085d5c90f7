"""The versions and aliases part of the FC 3.0 OpenAPI, for ``serve`` to mount.

Bodies are exactly what ``alibabacloud_fc20230330`` sends and expects (``PublishVersionInput``,
``CreateAliasInput``, ``UpdateAliasInput`` in; ``Version``, ``Alias``, ``ListVersionsOutput``,
``ListAliasesOutput`` out). Errors are FC's JSON (``Code``, ``Message``, ``RequestId``).

    status, headers, body = handle_api(store, "GET", "/2023-03-30/functions/f/aliases", {}, b"")
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localfc.fc.api import arguments, errors
from localfc.fc.api.errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.versions.store import VersionStore

log = logging.getLogger("localfc.fc.versions")

PREFIX = "/2023-03-30/functions/"
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 100

Response = tuple[int, dict[str, str], bytes]


def handle_api(store: VersionStore, method: str, path: str, query: dict[str, str], body: bytes) -> Response | None:
    """Answer a versions/aliases API call, or return None when ``path`` is not one of ours."""
    route = _route(path)
    if route is None:
        return None
    function_name, collection, item = route
    request_id = str(uuid.uuid4())
    try:
        handler = _HANDLERS.get((collection, item is not None, method.upper()))
        if handler is None:
            raise errors.path_not_supported(method.upper(), path)
        status, doc = handler(store, function_name, item or "", query, body)
    except ApiError as exc:
        return exc.status, _headers(request_id), exc.to_body(request_id)
    except Exception:
        # The detail goes to the log; the caller gets FC's generic answer and the request id.
        log.exception("versions API %s %s failed (request %s)", method, path, request_id)
        error = ApiError(500, "InternalError", "internal error in the local FC; see its log")
        return error.status, _headers(request_id), error.to_body(request_id)
    if doc is None:
        return status, {"x-fc-request-id": request_id}, b""
    return status, _headers(request_id), json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _route(path: str) -> tuple[str, str, str | None] | None:
    path = path.split("?", 1)[0]
    if not path.startswith(PREFIX):
        return None
    parts = [unquote(p) for p in path[len(PREFIX) :].split("/")]
    if len(parts) == 2 and parts[1] in ("versions", "aliases") and parts[0]:
        return parts[0], parts[1], None
    if len(parts) == 3 and parts[1] in ("versions", "aliases") and parts[0] and parts[2]:
        return parts[0], parts[1], parts[2]
    return None


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "x-fc-request-id": request_id}


def _limit(query: dict[str, str]) -> int:
    return arguments.integer(query, "limit", default=_DEFAULT_LIMIT, low=1, high=_MAX_LIMIT)


# --- handlers: (store, function, item, query, body) -> (status, document or None) -------------
def _publish(store: VersionStore, name: str, _item: str, _query: dict[str, str], body: bytes) -> tuple[int, Any]:
    description = arguments.string(arguments.json_object(body), "description", default="") or ""
    return 200, store.publish_function_version(name, description).to_api()


def _list_versions(store: VersionStore, name: str, _item: str, query: dict[str, str], _body: bytes) -> tuple[int, Any]:
    direction = arguments.choice(query, "direction", ("FORWARD", "BACKWARD"), default="BACKWARD")
    limit = _limit(query)
    versions = store.list_function_versions(name)
    if direction == "BACKWARD":
        versions.reverse()  # newest first, as FC lists them by default
    if query.get("nextToken"):
        start = arguments.integer(query, "nextToken", default=0, low=1)
        versions = [
            v for v in versions if (int(v.versionId) >= start if direction == "FORWARD" else int(v.versionId) <= start)
        ]
    page, rest = versions[:limit], versions[limit:]
    doc: dict[str, Any] = {"direction": direction, "versions": [v.to_api() for v in page]}
    if rest:
        doc["nextToken"] = rest[0].versionId
    return 200, doc


def _delete_version(store: VersionStore, name: str, item: str, _query: dict[str, str], _body: bytes) -> tuple[int, Any]:
    store.delete_function_version(name, item)
    return 204, None


def _create_alias(store: VersionStore, name: str, _item: str, _query: dict[str, str], body: bytes) -> tuple[int, Any]:
    doc = arguments.json_object(body)
    alias_name = arguments.string(doc, "aliasName")
    if not alias_name:
        raise errors.invalid_argument("aliasName is required")
    version_id = doc.get("versionId")
    if not isinstance(version_id, str) or not version_id:
        raise errors.invalid_argument("versionId is required: the published version the alias points to")
    record = store.create_alias(
        name,
        alias_name,
        version_id,
        doc.get("additionalVersionWeight") or {},
        arguments.string(doc, "description", default="") or "",
    )
    return 200, record.to_api()


def _update_alias(store: VersionStore, name: str, item: str, _query: dict[str, str], body: bytes) -> tuple[int, Any]:
    doc = arguments.json_object(body)
    version_id = doc.get("versionId")
    if version_id is not None and not isinstance(version_id, str):
        raise errors.invalid_argument('versionId must be a string such as "2"')
    record = store.update_alias(
        name,
        item,
        version_id,
        doc.get("additionalVersionWeight"),
        arguments.string(doc, "description"),
    )
    return 200, record.to_api()


def _get_alias(store: VersionStore, name: str, item: str, _query: dict[str, str], _body: bytes) -> tuple[int, Any]:
    return 200, store.get_alias(name, item).to_api()


def _list_aliases(store: VersionStore, name: str, _item: str, query: dict[str, str], _body: bytes) -> tuple[int, Any]:
    limit = _limit(query)
    prefix = query.get("prefix") or ""
    token = query.get("nextToken") or ""
    aliases = [a for a in store.list_aliases(name) if a.aliasName.startswith(prefix) and a.aliasName >= token]
    page, rest = aliases[:limit], aliases[limit:]
    doc: dict[str, Any] = {"aliases": [a.to_api() for a in page]}
    if rest:
        doc["nextToken"] = rest[0].aliasName
    return 200, doc


def _delete_alias(store: VersionStore, name: str, item: str, _query: dict[str, str], _body: bytes) -> tuple[int, Any]:
    store.delete_alias(name, item)
    return 204, None


_HANDLERS: dict[tuple[str, bool, str], Callable[[VersionStore, str, str, dict[str, str], bytes], tuple[int, Any]]] = {
    ("versions", False, "POST"): _publish,
    ("versions", False, "GET"): _list_versions,
    ("versions", True, "DELETE"): _delete_version,
    ("aliases", False, "POST"): _create_alias,
    ("aliases", False, "GET"): _list_aliases,
    ("aliases", True, "GET"): _get_alias,
    ("aliases", True, "PUT"): _update_alias,
    ("aliases", True, "DELETE"): _delete_alias,
}
