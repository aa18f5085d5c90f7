"""The FC 3.0 OpenAPI subset (version 2023-03-30) served by the local FC.

Enough for the official ``alibabacloud_fc20230330`` client, unmodified:

    POST /2023-03-30/functions/{name}/invocations[?qualifier=Q]      InvokeFunction
         x-fc-invocation-type: Sync (default) | Async, x-fc-log-type: None | Tail,
         x-fc-async-task-id (Async)
    functions, triggers, configs (create, update, delete, get, list)   (control_routes.py)
    GET  /2023-03-30/functions/{name}/async-tasks[?status=&prefix=&limit=]   ListAsyncTasks
    GET  /2023-03-30/functions/{name}/async-tasks/{taskId}              GetAsyncTask
    PUT  /2023-03-30/functions/{name}/async-tasks/{taskId}/stop         StopAsyncTask
    .../versions, .../aliases                                           (localfc.fc.versions)
    /2023-03-30/layers..., /2023-03-30/layerarn/{arn}                   (localfc.fc.layers)

Signatures are not verified (any AccessKey works; serve listens on 127.0.0.1 only). Errors
are FC's ``{"Code", "Message", "RequestId"}``.

InvokeFunction answers, Sync: 200 with the function's result; when the function failed
(it raised, its initializer failed, it timed out or ran out of memory) still 200, with
``x-fc-error-type: UnhandledInvocationError`` and ``{"errorMessage", "errorType"}`` (the stack
trace is in the log, not in the answer). When the instance died under the call, or could not
start, 502 with the same header. Async: 202 with ``x-fc-async-task-id``.
Every answer carries ``x-fc-request-id``; invocations also ``x-fc-function-version`` (the
version that ran, or LATEST), ``x-fc-instance-id`` and ``x-fc-invocation-duration`` (ms).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localfc.fc.api import arguments, errors
from localfc.fc.api.errors import ApiError
from localfc.fc.api.wire_json import json_response
from localfc.fc.instances.pool import PoolClosedError, ThrottledError
from localfc.fc.wire import Response

if TYPE_CHECKING:
    from localfc.fc.api.control_routes import ControlApi
    from localfc.fc.async_queue import AsyncQueues
    from localfc.fc.invocations import Invoker
    from localfc.fc.layers import LayerStore
    from localfc.fc.qualifiers import VersionsApi
    from localfc.fc.wire import Request
    from localfc.project.syaml.model import Project

PREFIX = "/2023-03-30/"
MAX_SYNC_PAYLOAD = 32 * 1024 * 1024
_TASK_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 100


class OpenApi:
    """Routes ``/2023-03-30/...`` requests.

    >>> api.handle(Request("GET", "/2023-03-30/functions", "", [], b"")).status   # doctest: +SKIP
    200
    """

    def __init__(
        self,
        project: Project,
        *,
        invoker: Invoker,
        queues: AsyncQueues,
        control_api: ControlApi,
        versions_api: VersionsApi | None = None,
        layers: LayerStore | None = None,
    ) -> None:
        self.project = project  # the functions served; serve replaces it after each deploy
        self.invoker = invoker
        self.queues = queues
        self.control_api = control_api
        self.versions_api = versions_api
        self.layers = layers

    def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            if self.layers is not None:
                from localfc.fc.layers import handle_layers_api  # noqa: PLC0415 - layer calls are rare

                layer_answer = handle_layers_api(
                    self.layers, request.method, request.path, request.query(), request.body
                )
                if layer_answer is not None:
                    status, doc = layer_answer
                    if doc is None:
                        return Response(status, {"x-fc-request-id": request_id}, b"")
                    return json_response(status, doc, request_id)
            if self.versions_api is not None and re.search(r"/(versions|aliases)(/|$)", request.path):
                answer = self.versions_api(request.method, request.path, request.query(), request.body)
                if answer is not None:
                    return answer
            return self._route(request, request_id)
        except ApiError as exc:
            return exc.to_response(request_id)

    def _route(self, request: Request, request_id: str) -> Response:
        parts = [unquote(p) for p in request.path[len(PREFIX) :].strip("/").split("/")]
        method = request.method.upper()
        answer = self.control_api.handle(parts, request, request_id)
        if answer is not None:
            return answer
        if len(parts) < 2 or parts[0] != "functions":
            raise errors.path_not_supported(method, request.path)
        name, tail = parts[1], parts[2:]
        # (method, first segment after the name, number of segments after the name)
        key = (method, tail[0] if tail else "", len(tail))
        handler = _ROUTES.get(key)
        if handler is None or (key[2] == 3 and tail[2] != "stop"):
            self._name(name)  # an unknown function is a 404 whatever the path
            raise errors.path_not_supported(method, request.path)
        return handler(self, name, tail, request, request_id)

    def _route_list_tasks(self, name: str, _tail: list[str], request: Request, request_id: str) -> Response:
        return json_response(200, self._list_tasks(name, request.query()), request_id)

    def _route_get_task(self, name: str, tail: list[str], _request: Request, request_id: str) -> Response:
        return json_response(200, self.queues.tasks.get(self._name(name), tail[1]).to_api(), request_id)

    def _route_stop_task(self, name: str, tail: list[str], _request: Request, request_id: str) -> Response:
        self.queues.tasks.stop(self._name(name), tail[1])
        return Response(200, {"x-fc-request-id": request_id}, b"")

    def _route_invoke(self, name: str, _tail: list[str], request: Request, request_id: str) -> Response:
        return self._invoke(name, request, request_id)

    # --- InvokeFunction ---------------------------------------------------------------
    def _invoke(self, name: str, request: Request, request_id: str) -> Response:
        qualifier = request.query().get("qualifier") or "LATEST"
        invocation_type = request.header("x-fc-invocation-type", "Sync").strip()
        log_type = request.header("x-fc-log-type", "None").strip()
        if invocation_type.lower() not in ("sync", "async"):
            raise errors.invalid_argument(f"x-fc-invocation-type must be Sync or Async, not {invocation_type!r}")
        if log_type.lower() not in ("none", "tail"):
            raise errors.invalid_argument(f"x-fc-log-type must be None or Tail, not {log_type!r}")
        if invocation_type.lower() == "async":
            task_id = request.header("x-fc-async-task-id").strip() or None
            if task_id is not None and not _TASK_ID.match(task_id):
                raise errors.invalid_argument(
                    "x-fc-async-task-id must start with a letter or _ and hold at most 128 letters, digits, _ or -"
                )
            task = self.queues.submit(
                name, qualifier, request.body, task_id=task_id, source="api", request_id=request_id
            )
            headers: dict[str, str | list[str]] = {
                "x-fc-request-id": request_id,
                "x-fc-async-task-id": task.task_id,
                "x-fc-function-version": task.resolved.version_id or "LATEST",
            }
            return Response(202, headers, b"")
        if len(request.body) > MAX_SYNC_PAYLOAD:
            raise errors.entity_too_large(MAX_SYNC_PAYLOAD)
        try:
            invocation = self.invoker.invoke(
                name, request.body, qualifier=qualifier, trigger="api", request_id=request_id
            )
        except (ThrottledError, PoolClosedError) as exc:
            raise errors.call_refused(exc) from None
        headers = {
            "x-fc-request-id": request_id,
            "x-fc-function-version": invocation.version_label,
            "x-fc-instance-id": invocation.instance_id,
            "x-fc-invocation-duration": str(int(invocation.outcome.duration_ms)),
            "Content-Type": "application/octet-stream",
        }
        if log_type.lower() == "tail":
            headers["x-fc-log-result"] = invocation.log_tail()
        if invocation.ok:
            return Response(200, dict(headers), invocation.outcome.body)
        document: dict[str, Any] = invocation.error_document()
        headers["x-fc-error-type"] = "UnhandledInvocationError"
        headers["Content-Type"] = "application/json"
        status = 200
        if invocation.outcome.kind in ("crash", "start"):
            # No answer from the function at all: a 5xx, readable by the SDK (Code/Message).
            status = 502
            document = {
                "Code": "FunctionNotAvailable",
                "Message": document["errorMessage"],
                "RequestId": request_id,
                **document,
            }
        return Response(status, dict(headers), json.dumps(document, ensure_ascii=False).encode("utf-8"))

    # --- tasks -----------------------------------------------------------------------
    def _name(self, name: str) -> str:
        try:
            return self.project.function(name)[1].functionName
        except LookupError:
            raise errors.function_not_found(name) from None

    def _list_tasks(self, name: str, query: dict[str, str]) -> dict[str, Any]:
        tasks = self.queues.tasks.list(self._name(name), status=query.get("status", ""), prefix=query.get("prefix", ""))
        qualifier = query.get("qualifier")
        if qualifier:
            tasks = [t for t in tasks if t.qualifier == qualifier]
        start = next((i for i, t in enumerate(tasks) if t.task_id == query.get("nextToken")), 0)
        limit = arguments.integer(query, "limit", default=_DEFAULT_LIMIT, low=1, high=_MAX_LIMIT)
        page = tasks[start : start + limit]
        next_token = tasks[start + limit].task_id if start + limit < len(tasks) else ""
        include = arguments.boolean(query, "includePayload", default=True)
        return {"tasks": [t.to_api(include) for t in page], "nextToken": next_token}


_Route = Callable[[OpenApi, str, list[str], "Request", str], Response]
_ROUTES: dict[tuple[str, str, int], _Route] = {
    ("POST", "invocations", 1): OpenApi._route_invoke,
    ("GET", "async-tasks", 1): OpenApi._route_list_tasks,
    ("GET", "async-tasks", 2): OpenApi._route_get_task,
    ("PUT", "async-tasks", 3): OpenApi._route_stop_task,
}
