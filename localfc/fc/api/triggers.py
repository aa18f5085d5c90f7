"""CreateTrigger, UpdateTrigger, DeleteTrigger, GetTrigger and ListTriggers.

    POST   /2023-03-30/functions/{name}/triggers              CreateTrigger (CreateTriggerInput -> Trigger)
    GET    /2023-03-30/functions/{name}/triggers[?prefix&limit&nextToken]   ListTriggers
    GET    /2023-03-30/functions/{name}/triggers/{trigger}    GetTrigger
    PUT    /2023-03-30/functions/{name}/triggers/{trigger}    UpdateTrigger (UpdateTriggerInput -> Trigger)
    DELETE /2023-03-30/functions/{name}/triggers/{trigger}    DeleteTrigger (204)

``triggerConfig`` travels as a JSON string both ways, as the SDK types it. An HTTP trigger's
``httpTrigger.urlInternet`` is its local URL (``http://127.0.0.1:PORT/<function>``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from localfc.fc.api import arguments
from localfc.fc.api.wire_json import json_response, no_content
from localfc.fc.context import function_arn
from localfc.fc.deployments.control import trigger_not_found

if TYPE_CHECKING:
    from localfc.fc.api.control_routes import ControlApi
    from localfc.fc.deployments.records import TriggerRecord
    from localfc.fc.wire import Request, Response

_MAX_LIMIT = 100


def create_trigger(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    trigger = api.control.create_trigger(name, arguments.json_object(request.body))
    return json_response(200, trigger_document(api, name, trigger), request_id)


def update_trigger(api: ControlApi, name: str, trigger_name: str, request: Request, request_id: str) -> Response:
    trigger = api.control.update_trigger(name, trigger_name, arguments.json_object(request.body))
    return json_response(200, trigger_document(api, name, trigger), request_id)


def delete_trigger(api: ControlApi, name: str, trigger_name: str, _request: Request, request_id: str) -> Response:
    api.control.delete_trigger(name, trigger_name)
    return no_content(request_id)


def get_trigger(api: ControlApi, name: str, trigger_name: str, _request: Request, request_id: str) -> Response:
    trigger = api.existing(name).trigger(trigger_name)
    if trigger is None:
        raise trigger_not_found(name, trigger_name)
    return json_response(200, trigger_document(api, name, trigger), request_id)


def list_triggers(api: ControlApi, name: str, request: Request, request_id: str) -> Response:
    query = request.query()
    limit = arguments.integer(query, "limit", default=20, low=1, high=_MAX_LIMIT)
    prefix = query.get("prefix", "")
    triggers = [t for t in api.existing(name).triggers if t.triggerName.startswith(prefix)]
    token = query.get("nextToken", "")
    start = next((i for i, t in enumerate(triggers) if t.triggerName == token), 0) if token else 0
    page = triggers[start : start + limit]
    next_token = triggers[start + limit].triggerName if start + limit < len(triggers) else ""
    docs = [trigger_document(api, name, t) for t in page]
    return json_response(200, {"triggers": docs, "nextToken": next_token}, request_id)


def trigger_document(api: ControlApi, name: str, trigger: TriggerRecord) -> dict[str, Any]:
    """FC's ``Trigger`` document."""
    doc: dict[str, Any] = {
        "triggerName": trigger.triggerName,
        "triggerType": trigger.triggerType,
        "triggerConfig": json.dumps(trigger.triggerConfig, ensure_ascii=False),
        "qualifier": trigger.qualifier,
        "sourceArn": trigger.sourceArn,
        "invocationRole": trigger.invocationRole,
        "description": trigger.description,
        "status": "Success",
        "targetArn": function_arn(api.catalog.region, name),
        "triggerId": trigger.triggerId or None,
        "createdTime": trigger.createdTime or None,
        "lastModifiedTime": trigger.lastModifiedTime or None,
    }
    url = api.http_url(name, trigger.triggerName)
    if url:
        doc["httpTrigger"] = {"urlInternet": url, "urlIntranet": url}
    return {k: v for k, v in doc.items() if v is not None}
