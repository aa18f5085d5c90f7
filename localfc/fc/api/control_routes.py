"""Routing of the control-plane operations (functions, triggers, configs) to their modules.

``ControlApi.handle`` answers the paths it owns and returns None for the others (invoke,
async tasks, versions and aliases stay with ``router.py`` and ``localfc.fc.versions``).
Reads go through the catalog (deployed and s.yaml functions alike), writes through the
``ControlPlane``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.api import configs, errors, functions, triggers
from localfc.fc.api.functions import function_document

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.deployments.catalog import Catalog
    from localfc.fc.deployments.control import ControlPlane
    from localfc.fc.deployments.records import FunctionRecord
    from localfc.fc.qualifiers import Resolved
    from localfc.fc.wire import Request, Response

    _Top = Callable[["ControlApi", Request, str], Response]
    _OfFunction = Callable[["ControlApi", str, Request, str], Response]
    _OfTrigger = Callable[["ControlApi", str, str, Request, str], Response]

# (method, collection): handler(api, request, request_id) for /2023-03-30/<collection>
_TOP: dict[tuple[str, str], _Top] = {
    ("POST", "functions"): functions.create_function,
    ("GET", "functions"): functions.list_functions,
    ("GET", "async-invoke-configs"): configs.list_async_configs,
    ("GET", "concurrency-configs"): configs.list_concurrency,
    ("GET", "scaling-configs"): configs.empty_list("scalingConfigs"),
    ("GET", "provision-configs"): configs.empty_list("provisionConfigs"),
}
# (method, segment after the function name or ""): handler(api, name, request, request_id)
_FUNCTION: dict[tuple[str, str], _OfFunction] = {
    ("GET", ""): functions.get_function,
    ("PUT", ""): functions.update_function,
    ("DELETE", ""): functions.delete_function,
    ("POST", "triggers"): triggers.create_trigger,
    ("GET", "triggers"): triggers.list_triggers,
    ("GET", "async-invoke-config"): configs.get_async_config,
    ("PUT", "async-invoke-config"): configs.put_async_config,
    ("DELETE", "async-invoke-config"): configs.delete_async_config,
    ("GET", "concurrency"): configs.get_concurrency,
    ("PUT", "concurrency"): configs.put_concurrency,
    ("DELETE", "concurrency"): configs.delete_concurrency,
    ("GET", "scaling-config"): configs.unconfigured,
    ("GET", "provision-config"): configs.unconfigured,
    ("GET", "vpc-bindings"): configs.no_vpc_bindings,
}
# (method): handler(api, name, trigger, request, request_id) for .../triggers/{trigger}
_TRIGGER: dict[str, _OfTrigger] = {
    "GET": triggers.get_trigger,
    "PUT": triggers.update_trigger,
    "DELETE": triggers.delete_trigger,
}


class ControlApi:
    """The control-plane routes of one serve run.

    ``resolve(name, qualifier)`` is the invoker's (404 for an unknown version or alias);
    ``http_url(name, trigger)`` the local URL of an HTTP trigger, or ""; ``layer_size(arn)`` the
    size of a layer version the local FC has, or None.
    """

    def __init__(
        self,
        catalog: Catalog,
        control: ControlPlane,
        *,
        resolve: Callable[[str, str], Resolved],
        http_url: Callable[[str, str], str],
        layer_size: Callable[[str], int | None] = lambda _arn: None,
    ) -> None:
        self.catalog = catalog
        self.control = control
        self.resolve = resolve
        self.http_url = http_url
        self.layer_size = layer_size

    def handle(self, parts: list[str], request: Request, request_id: str) -> Response | None:
        """Answer ``parts`` (the path after ``/2023-03-30/``, decoded) or return None."""
        method = request.method.upper()
        if len(parts) == 1:
            top = _TOP.get((method, parts[0]))
            return None if top is None else top(self, request, request_id)
        if parts[0] != "functions":
            return None
        name, tail = parts[1], parts[2:]
        if len(tail) == 2 and tail[0] == "triggers" and method in _TRIGGER:
            return _TRIGGER[method](self, name, tail[1], request, request_id)
        if len(tail) <= 1:
            handler = _FUNCTION.get((method, tail[0] if tail else ""))
            if handler is not None:
                return handler(self, name, request, request_id)
        return None

    def existing(self, name: str) -> FunctionRecord:
        """The function's record (deployed, or made from s.yaml); 404 FunctionNotFound."""
        record = self.catalog.record(name)
        if record is None:
            raise errors.function_not_found(name)
        return record

    def function_doc(self, name: str, qualifier: str) -> dict[str, Any]:
        record = self.existing(name)
        resolved = self.resolve(name, qualifier or "LATEST")
        return function_document(resolved.props, record, self.layer_size)
