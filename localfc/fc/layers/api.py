"""The layers part of the FC 3.0 OpenAPI, for ``serve`` to mount (paths and bodies exactly as
``alibabacloud_fc20230330`` 4.8.3 sends them):

    POST   /2023-03-30/layers/{layerName}/versions             CreateLayerVersion (CreateLayerVersionInput)
    GET    /2023-03-30/layers/{layerName}/versions/{version}   GetLayerVersion
    DELETE /2023-03-30/layers/{layerName}/versions/{version}   DeleteLayerVersion (204)
    GET    /2023-03-30/layers/{layerName}/versions[?limit=&startVersion=]   ListLayerVersions
    GET    /2023-03-30/layers[?prefix=&limit=&nextToken=&public=&official=]  ListLayers
    GET    /2023-03-30/layerarn/{arn}                          GetLayerVersionByArn

Out: ``Layer``, ``ListLayerVersionOutput`` (``layers``, ``nextVersion``), ``ListLayersOutput``
(``layers``, ``nextToken``). Errors: FC's ``{"Code", "Message", "RequestId"}``. Public and
official layers do not exist locally: listing them answers an empty list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localfc.fc.api import arguments
from localfc.fc.api.errors import invalid_argument, path_not_supported

if TYPE_CHECKING:
    from localfc.fc.layers.store import LayerStore

PREFIXES = ("/2023-03-30/layers", "/2023-03-30/layerarn/")
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 100


def handle_layers_api(
    store: LayerStore, method: str, path: str, query: dict[str, str], body: bytes
) -> tuple[int, Any] | None:
    """(status, document or None for an empty body), or None when ``path`` is not a layer path.
    Raises ``ApiError`` (the caller answers it in FC's error shape)."""
    path = path.split("?", 1)[0]
    if not path.startswith(PREFIXES):
        return None
    method = method.upper()
    if path.startswith(PREFIXES[1]):
        key, args = ("arn", method), [unquote(path[len(PREFIXES[1]) :])]
    else:
        parts = [unquote(p) for p in path[len("/2023-03-30/") :].strip("/").split("/")]
        shape = "layers" if parts == ["layers"] else "versions" if parts[2:3] == ["versions"] else ""
        key, args = (f"{shape}{len(parts)}", method), parts[1:2] + parts[3:4]
    handler = _ROUTES.get(key)
    if handler is None:
        raise path_not_supported(method, path)
    return handler(store, args, query, body)


def _delete(store: LayerStore, name: str, version: str) -> tuple[int, Any]:
    store.delete(name, version)
    return 204, None


_Handler = Callable[["LayerStore", list[str], dict[str, str], bytes], tuple[int, Any]]
_ROUTES: dict[tuple[str, str], _Handler] = {
    ("arn", "GET"): lambda store, args, _q, _b: (200, store.get_by_arn(args[0])),
    ("layers1", "GET"): lambda store, _a, query, _b: (200, _list_layers(store, query)),
    ("versions3", "POST"): lambda store, args, _q, body: (200, _create(store, args[0], body)),
    ("versions3", "GET"): lambda store, args, query, _b: (200, _list_versions(store, args[0], query)),
    ("versions4", "GET"): lambda store, args, _q, _b: (200, store.get(args[0], args[1])),
    ("versions4", "DELETE"): lambda store, args, _q, _b: _delete(store, args[0], args[1]),
}


def _create(store: LayerStore, name: str, body: bytes) -> dict[str, Any]:
    # The layer's zip travels base64 inside the body: no size cap here beyond the port's.
    doc = arguments.json_object(body, max_bytes=max(len(body), 1))
    if not isinstance(doc.get("code"), dict):
        raise invalid_argument('code is required: {"zipFile": "<base64 of the layer zip>"}')
    runtimes = doc.get("compatibleRuntime") or []
    if not isinstance(runtimes, list) or not all(isinstance(r, str) for r in runtimes):
        raise invalid_argument("compatibleRuntime must be a list of runtime names")
    return store.create(
        name,
        doc["code"],
        description=str(doc.get("description") or ""),
        compatible_runtime=runtimes,
        license_=str(doc.get("license") or ""),
    )


def _list_versions(store: LayerStore, name: str, query: dict[str, str]) -> dict[str, Any]:
    limit = arguments.integer(query, "limit", default=_DEFAULT_LIMIT, low=1, high=_MAX_LIMIT)
    start = arguments.integer(query, "startVersion", default=0)
    versions = [v for v in store.list_versions(name) if v["version"] >= start]
    page, rest = versions[:limit], versions[limit:]
    doc: dict[str, Any] = {"layers": page}
    if rest:
        doc["nextVersion"] = rest[0]["version"]
    return doc


def _list_layers(store: LayerStore, query: dict[str, str]) -> dict[str, Any]:
    if query.get("public", "").lower() == "true" or query.get("official", "").lower() == "true":
        return {"layers": []}
    limit = arguments.integer(query, "limit", default=_DEFAULT_LIMIT, low=1, high=_MAX_LIMIT)
    prefix = query.get("prefix", "")
    token = query.get("nextToken", "")
    layers = [lay for lay in store.list_layers() if lay["layerName"].startswith(prefix) and lay["layerName"] >= token]
    page, rest = layers[:limit], layers[limit:]
    doc: dict[str, Any] = {"layers": page}
    if rest:
        doc["nextToken"] = rest[0]["layerName"]
    return doc
