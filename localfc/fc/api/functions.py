"""CreateFunction, UpdateFunction, GetFunction, DeleteFunction and ListFunctions.

    POST   /2023-03-30/functions                      CreateFunction  (CreateFunctionInput -> Function)
    GET    /2023-03-30/functions[?prefix&limit&nextToken]   ListFunctions
    GET    /2023-03-30/functions/{name}[?qualifier]   GetFunction
    PUT    /2023-03-30/functions/{name}               UpdateFunction  (UpdateFunctionInput -> Function)
    DELETE /2023-03-30/functions/{name}               DeleteFunction  (204)

The ``Function`` document has FC's fields: ``codeChecksum`` (decimal CRC-64 of the zip) and
``codeSize`` for deployed code (a function served from the working tree has no package, so
neither), ``state``/``lastUpdateStatus`` with their reasons, ``layers`` as ``[{"arn", "size"}]``
(``size`` when the local FC has that layer version).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.api import arguments
from localfc.fc.api.wire_json import json_response, no_content
from localfc.fc.context import function_arn

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.api.control_routes import ControlApi
    from localfc.fc.deployments.records import FunctionRecord
    from localfc.fc.wire import Request, Response
    from localfc.project.syaml.model import FunctionProps

_MAX_LIMIT = 100
# FC Function fields passed through as the API (or s.yaml) set them.
_PASSED_THROUGH = (
    "customContainerConfig",
    "customDNS",
    "customRuntimeConfig",
    "disableInjectCredentials",
    "disableOndemand",
    "enableLongLiving",
    "gpuConfig",
    "idleTimeout",
    "instanceIsolationMode",
    "invocationRestriction",
    "nasConfig",
    "ossMountConfig",
    "resourceGroupId",
    "sessionAffinity",
    "sessionAffinityConfig",
    "tags",
    "tracingConfig",
    "vpcConfig",
)


def create_function(api: ControlApi, request: Request, request_id: str) -> Response:
    record = api.control.create_function(_body(request))
    return json_response(200, api.function_doc(record.functionName, ""), request_id)


def update_function(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    api.control.update_function(name, _body(request))
    return json_response(200, api.function_doc(name, ""), request_id)


def get_function(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    return json_response(200, api.function_doc(name, request.query().get("qualifier", "")), request_id)


def delete_function(api: ControlApi, name: str, _request: Request, request_id: str) -> Response:
    api.control.delete_function(name)
    return no_content(request_id)


def list_functions(api: ControlApi, request: Request, request_id: str) -> Response:
    query = request.query()
    prefix = query.get("prefix", "")
    limit = arguments.integer(query, "limit", default=20, low=1, high=_MAX_LIMIT)
    names = [n for n in api.catalog.names() if n.startswith(prefix)]
    token = query.get("nextToken", "")
    start = next((i for i, n in enumerate(names) if n >= token), len(names)) if token else 0
    page = names[start : start + limit]
    next_token = names[start + limit] if start + limit < len(names) else ""
    docs = [api.function_doc(n, "") for n in page]
    return json_response(200, {"functions": docs, "nextToken": next_token}, request_id)


def _body(request: Request) -> dict[str, Any]:
    # A base64 zipFile makes these bodies large: serve's framing already caps a request at
    # 32 MB, so no smaller JSON limit applies here.
    return arguments.json_object(request.body, max_bytes=len(request.body))


def function_document(
    props: FunctionProps, record: FunctionRecord | None, layer_size: Callable[[str], int | None] = lambda _arn: None
) -> dict[str, Any]:
    """FC's ``Function`` for ``props`` (of LATEST or of a version) and the function's record;
    ``layer_size(arn)`` is the size of a layer version the local FC has (None otherwise)."""
    extra: dict[str, Any] = props.model_extra or {}
    lifecycle = props.instanceLifecycleConfig.model_dump(exclude_none=True) if props.instanceLifecycleConfig else {}
    doc: dict[str, Any] = {
        "functionName": props.functionName,
        "functionArn": function_arn(props.region, props.functionName),
        "functionId": (record.functionId if record is not None else "") or f"local-{props.functionName}",
        "description": props.description,
        "runtime": props.runtime,
        "handler": props.handler,
        "memorySize": props.memorySize,
        "cpu": props.cpu,
        "diskSize": props.diskSize,
        "timeout": props.timeout,
        "instanceConcurrency": props.instanceConcurrency,
        "environmentVariables": dict(props.environmentVariables),
        "role": props.role,
        "instanceLifecycleConfig": lifecycle,
        "logConfig": log_config(props),
        "internetAccess": extra.get("internetAccess", True),
        "layers": [_layer(arn, layer_size(arn)) for arn in props.layers],
        "state": "Active",
        "lastUpdateStatus": "Successful",
    }
    code: Any = props.code
    if isinstance(code, dict) and "checksum" in code:
        doc["codeChecksum"] = str(code["checksum"])
        doc["codeSize"] = int(code.get("size") or 0)
    if record is not None:
        doc["createdTime"] = record.createdTime or None
        doc["lastModifiedTime"] = record.lastModifiedTime or None
        for field in ("state", "stateReason", "stateReasonCode"):
            doc[field] = getattr(record, field) or None
        for field in ("lastUpdateStatus", "lastUpdateStatusReason", "lastUpdateStatusReasonCode"):
            doc[field] = getattr(record, field) or None
    doc.update({k: extra[k] for k in _PASSED_THROUGH if extra.get(k) is not None})
    return {k: v for k, v in doc.items() if v is not None}


def _layer(arn: str, size: int | None) -> dict[str, Any]:
    return {"arn": arn} if size is None else {"arn": arn, "size": size}


def log_config(props: FunctionProps) -> dict[str, Any]:
    """FC's ``logConfig``: s.yaml's ``auto`` becomes the project and logstore fc3 would create."""
    if isinstance(props.logConfig, dict):
        return {
            k: v
            for k, v in props.logConfig.items()
            if k in ("project", "logstore", "enableRequestMetrics", "enableInstanceMetrics", "logBeginRule")
        }
    if props.logConfig == "auto":
        return {"project": f"serverless-{props.region}-local", "logstore": "default-logs"}
    return {}
