"""A function's configs: async invocation, concurrency, and the ones the local FC does not
emulate (scaling, provisioned instances, VPC bindings), answered as for an unconfigured
function so that ``s plan``, ``s deploy`` and ``s remove`` read them as FC answers them.

    GET|PUT|DELETE /2023-03-30/functions/{name}/async-invoke-config[?qualifier]
    GET            /2023-03-30/async-invoke-configs[?functionName&limit&nextToken]
    GET|PUT|DELETE /2023-03-30/functions/{name}/concurrency
    GET            /2023-03-30/concurrency-configs[?functionName&limit&nextToken]
    GET            /2023-03-30/functions/{name}/scaling-config[?qualifier]     {}
    GET            /2023-03-30/scaling-configs[?functionName]                  {"scalingConfigs": []}
    GET            /2023-03-30/functions/{name}/provision-config[?qualifier]   {}
    GET            /2023-03-30/provision-configs[?functionName]                {"provisionConfigs": []}
    GET            /2023-03-30/functions/{name}/vpc-bindings                   {"vpcIds": []}

``reservedConcurrency`` caps the function's instances (0 throttles every call); an async
config applies to the qualifier it was put for (an empty qualifier is LATEST).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.api import arguments, errors
from localfc.fc.api.wire_json import json_response, no_content
from localfc.fc.context import function_arn
from localfc.fc.deployments.control import async_config_not_found
from localfc.project.syaml.model import LATEST

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.api.control_routes import ControlApi
    from localfc.fc.deployments.records import AsyncConfigRecord
    from localfc.fc.wire import Request, Response

_MAX_LIMIT = 100
MAX_RESERVED_CONCURRENCY = 100_000  # a local sanity bound, not FC's quota


def _qualifier(request: Request) -> str:
    return request.query().get("qualifier") or LATEST


def get_async_config(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    qualifier = _qualifier(request)
    config = api.existing(name).asyncConfigs.get(qualifier)
    if config is None:
        raise async_config_not_found(name, qualifier)
    return json_response(200, async_document(api, name, qualifier, config), request_id)


def put_async_config(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    qualifier = _qualifier(request)
    config = api.control.put_async_config(name, qualifier, arguments.json_object(request.body))
    return json_response(200, async_document(api, name, qualifier, config), request_id)


def delete_async_config(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    api.control.delete_async_config(name, _qualifier(request))
    return no_content(request_id)


def list_async_configs(api: ControlApi, request: Request, request_id: str) -> Response:
    query = request.query()
    limit = arguments.integer(query, "limit", default=20, low=1, high=_MAX_LIMIT)
    wanted = query.get("functionName", "")
    names = [wanted] if wanted else api.catalog.names()
    docs: list[dict[str, Any]] = []
    for name in names:
        record = api.existing(name)
        docs.extend(async_document(api, name, q, c) for q, c in sorted(record.asyncConfigs.items()))
    start = arguments.integer(query, "nextToken", default=0)
    page = docs[start : start + limit]
    next_token = str(start + limit) if start + limit < len(docs) else ""
    return json_response(200, {"configs": page, "nextToken": next_token}, request_id)


def async_document(api: ControlApi, name: str, qualifier: str, config: AsyncConfigRecord) -> dict[str, Any]:
    """FC's ``AsyncConfig``: the ARN names the qualifier unless it is LATEST (fc3 reads it back)."""
    arn = function_arn(api.catalog.region, name) + ("" if qualifier == LATEST else f"/{qualifier}")
    doc = config.model_dump(exclude_none=True)
    doc["functionArn"] = arn
    return {k: v for k, v in doc.items() if v != ""}


def get_concurrency(api: ControlApi, name: str, _request: Request, request_id: str) -> Response:
    record = api.existing(name)
    doc: dict[str, Any] = {"functionArn": function_arn(api.catalog.region, name)}
    if record.reservedConcurrency is not None:
        doc["reservedConcurrency"] = record.reservedConcurrency
    return json_response(200, doc, request_id)


def put_concurrency(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    body = arguments.json_object(request.body)
    reserved = arguments.number(body, "reservedConcurrency", low=0, high=MAX_RESERVED_CONCURRENCY, integral=True)
    if reserved is None:
        raise errors.invalid_argument("reservedConcurrency is required")
    api.control.put_concurrency(name, int(reserved))
    doc = {"functionArn": function_arn(api.catalog.region, name), "reservedConcurrency": int(reserved)}
    return json_response(200, doc, request_id)


def delete_concurrency(api: ControlApi, name: str, _request: Request, request_id: str) -> Response:
    api.control.delete_concurrency(name)
    return no_content(request_id)


def list_concurrency(api: ControlApi, request: Request, request_id: str) -> Response:
    query = request.query()
    arguments.integer(query, "limit", default=20, low=1, high=_MAX_LIMIT)
    wanted = query.get("functionName", "")
    names = [wanted] if wanted else api.catalog.names()
    configs = [
        {"functionArn": function_arn(api.catalog.region, n), "reservedConcurrency": r.reservedConcurrency}
        for n in names
        if (r := api.existing(n)).reservedConcurrency is not None
    ]
    return json_response(200, {"configs": configs, "nextToken": ""}, request_id)


def unconfigured(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    """GetScalingConfig / GetProvisionConfig of a function: it has none."""
    api.existing(name)
    return json_response(200, {}, request_id)


def no_vpc_bindings(api: ControlApi, name: str, _request: Request, request_id: str) -> Response:
    api.existing(name)
    return json_response(200, {"vpcIds": []}, request_id)


def empty_list(key: str) -> Callable[[ControlApi, Request, str], Response]:
    """ListScalingConfigs / ListProvisionConfigs: none anywhere (the function, if named, must exist)."""

    def answer(api: ControlApi, request: Request, request_id: str) -> Response:
        query = request.query()
        arguments.integer(query, "limit", default=20, low=1, high=_MAX_LIMIT)
        if query.get("functionName"):
            api.existing(query["functionName"])
        return json_response(200, {key: [], "nextToken": ""}, request_id)

    return answer
