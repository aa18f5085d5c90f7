"""An OpenAPI 3.1 document from ``AlgorithmFunction`` adapters: one path per ``Route``, the
request from the operation's input model (a JSON body, or query parameters for GET, HEAD
and DELETE, as ``runtime/app.py`` reads them), the 200 answer from its output model, and the
error answers every function can give (``runtime/errors.py``: ``{"error": {"code", "message",
"details"}, "request_id"}``, with the codes each status carries).

OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what pydantic writes: model schemas go
to ``components.schemas`` as pydantic makes them.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from runtime.errors import FunctionError

if TYPE_CHECKING:
    from runtime.app import AlgorithmFunction

OPENAPI_VERSION = "3.1.0"
# Where runtime/app.py takes the input from the query string rather than the body.
QUERY_METHODS = frozenset({"GET", "HEAD", "DELETE"})
_ERROR_REF = "#/components/schemas/ErrorAnswer"


class FunctionApi(typing.NamedTuple):
    """One HTTP function to document: its name, description and adapter."""

    name: str
    description: str
    app: AlgorithmFunction


def build_document(functions: list[FunctionApi], *, server_url: str = "", prefix_paths: bool = False) -> dict[str, Any]:
    """The document for ``functions``; with ``prefix_paths`` each path starts with
    ``/<function>`` (one document for several functions, as serve mounts them)."""
    models: list[tuple[type[BaseModel], Any]] = []
    operations: list[tuple[FunctionApi, str, str, str, type[BaseModel], type[BaseModel]]] = []
    for function in functions:
        for method, path, operation_name in _routes(function.app):
            operation = function.app.operations[operation_name]
            output = _output_model(operation.call)
            models += [(operation.input_model, "validation"), (output, "serialization")]
            operations.append((function, method, path, operation_name, operation.input_model, output))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    schemas.update(_error_schemas())
    paths: dict[str, dict[str, Any]] = {}
    for function, method, path, name, input_model, output in operations:
        full = f"/{function.name}{path}" if prefix_paths else path
        paths.setdefault(full, {})[method.lower()] = _operation(
            function,
            method,
            name=name,
            input_model=input_model,
            input_ref=refs[(input_model, "validation")],
            output_ref=refs[(output, "serialization")],
            schemas=schemas,
        )
    title = functions[0].name if len(functions) == 1 else "HTTP functions"
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": "LATEST",
            "description": "\n".join(f"{f.name}: {f.description}" for f in functions if f.description)
            or "Generated from the functions' routes and pydantic models.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
        "tags": [{"name": f.name, "description": f.description} for f in functions],
    }
    if server_url:
        doc["servers"] = [{"url": server_url, "description": "the local FC (serve)"}]
    return doc


def _routes(app: AlgorithmFunction) -> list[tuple[str, str, str]]:
    """(METHOD, /path, operation) of each route; a function without routes takes any request
    to its default operation, documented as ``POST /``."""
    routes = app.router.routes
    if not routes:
        return [("POST", "/", app.default_operation)]
    return [(r.method, r.path, r.operation) for r in routes]


def _output_model(call: Any) -> type[BaseModel]:
    hints = typing.get_type_hints(call)
    output = hints.get("return")
    if not (isinstance(output, type) and issubclass(output, BaseModel)):
        raise TypeError(f"{getattr(call, '__qualname__', call)} must declare a pydantic return type")
    return output


def _operation(
    function: FunctionApi,
    method: str,
    *,
    name: str,
    input_model: type[BaseModel],
    input_ref: dict[str, Any],
    output_ref: dict[str, Any],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": f"{function.name}.{name}.{method.lower()}",
        "tags": [function.name],
        "summary": f"{function.name}: {name}",
        "responses": {
            "200": {"description": "the operation's output", "content": {"application/json": {"schema": output_ref}}},
            **_error_responses(),
        },
    }
    if method in QUERY_METHODS:
        operation["parameters"] = _query_parameters(input_model, schemas)
    else:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": input_ref}}}
    return operation


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = schemas.get(model.__name__) or model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", []))
    parameters = []
    for field, field_schema in schema.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": field,
            "in": "query",
            "required": field in required,
            "schema": field_schema,
        }
        if "description" in field_schema:
            parameter["description"] = field_schema["description"]
        parameters.append(parameter)
    return parameters


def _error_classes() -> list[type[FunctionError]]:
    found: list[type[FunctionError]] = []
    pending: list[type[FunctionError]] = [FunctionError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__ == "runtime.errors"]


def _codes_by_status() -> dict[int, list[str]]:
    by_status: dict[int, set[str]] = {}
    for cls in _error_classes():
        by_status.setdefault(cls.status, set()).add(cls.code)
    return {status: sorted(codes) for status, codes in sorted(by_status.items())}


def _error_responses() -> dict[str, Any]:
    return {
        str(status): {
            "description": f"error answer: {', '.join(codes)}",
            "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
        }
        for status, codes in _codes_by_status().items()
    }


def _error_schemas() -> dict[str, Any]:
    codes = sorted({code for codes in _codes_by_status().values() for code in codes})
    return {
        "ValidationDetail": {
            "type": "object",
            "description": "one field the input model refused (422 ValidationError)",
            "properties": {
                "field": {"type": "string", "description": "dotted path of the field, or (body)"},
                "message": {"type": "string"},
                "type": {"type": "string", "description": "pydantic's error type"},
            },
            "required": ["field", "message", "type"],
        },
        "ErrorAnswer": {
            "type": "object",
            "description": "every error answer (runtime/errors.py); never a stack trace",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string", "enum": codes},
                        "message": {"type": "string", "description": "safe to show"},
                        "details": {
                            "description": "ValidationError: the fields; MethodNotAllowed: {allowed: [...]}",
                            "anyOf": [
                                {"type": "array", "items": {"$ref": "#/components/schemas/ValidationDetail"}},
                                {"type": "object"},
                            ],
                        },
                    },
                    "required": ["code", "message"],
                },
                "request_id": {"type": "string"},
            },
            "required": ["error", "request_id"],
        },
    }
