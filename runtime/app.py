"""``AlgorithmFunction``: a request/response algorithm behind HTTP, direct-invoke and timer
triggers, with no code in the algorithm that knows which one called it.

    # handlers/prime_checker.py
    from algorithms.prime_checker import PrimeChecker
    from runtime import AlgorithmFunction, Route

    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check"), Route("GET", "/check")])
    initialize, handler, pre_stop = app.initialize, app.handler, app.pre_stop
"""

from __future__ import annotations

import typing
from typing import Any, NamedTuple

import pydantic
from pydantic import BaseModel

from algorithms.errors import InputRejected
from runtime.errors import BadRequestError, InputRejectedError, MalformedJSONError, ValidationError
from runtime.events import DirectInvoke, Event, HttpRequest, OssEvent, TimerEvent
from runtime.events.timer import payload_json
from runtime.function import Answer, FunctionRuntime
from runtime.routing import Route, Router

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from algorithms.base import Algorithm
    from runtime.context import InvocationContext
    from runtime.settings import RuntimeSettings

# Methods whose input comes from the query string rather than the body.
_QUERY_METHODS = frozenset({"GET", "HEAD", "DELETE"})


class Operation(NamedTuple):
    """One callable of the algorithm with its input model, resolved once at import time."""

    name: str
    call: Callable[[Any], BaseModel]
    input_model: type[BaseModel]

    @classmethod
    def of(cls, algorithm: Algorithm[Any, Any], name: str) -> Operation:
        method = getattr(algorithm, name, None)
        if not callable(method):
            raise TypeError(f"{type(algorithm).__name__} has no operation {name!r}")
        hints = typing.get_type_hints(method)
        params = [v for k, v in hints.items() if k != "return"]
        if len(params) != 1 or not (isinstance(params[0], type) and issubclass(params[0], BaseModel)):
            raise TypeError(f"{type(algorithm).__name__}.{name} must take one pydantic model argument")
        return cls(name=name, call=method, input_model=params[0])


class AlgorithmFunction(FunctionRuntime):
    """Adapter from FC events to an ``Algorithm``'s typed operations."""

    def __init__(
        self,
        algorithm: Algorithm[Any, Any],
        routes: Sequence[Route] = (),
        default_operation: str = "run",
        settings: RuntimeSettings | None = None,
    ) -> None:
        super().__init__(algorithm.name, settings)
        self.algorithm = algorithm
        self.router = Router(routes, default_operation)
        names = {default_operation, *(r.operation for r in routes)}
        self.operations = {name: Operation.of(algorithm, name) for name in names}
        self.default_operation = default_operation

    def setup(self) -> None:
        self.algorithm.setup()

    def teardown(self) -> None:
        self.algorithm.teardown()

    def operation_for(self, event: Event) -> str:
        """HTTP requests go where their route says; direct invokes and timers to the default."""
        if isinstance(event, HttpRequest):
            return self.router.match(event.method, event.path)
        if isinstance(event, OssEvent):
            raise BadRequestError(f"{self.algorithm_name} is not an object-processing function; it ignores OSS events")
        return self.default_operation

    def handle(self, event: Event, ctx: InvocationContext, operation: str) -> Answer:
        chosen = self.operations[operation]
        if isinstance(event, HttpRequest):
            data = self._from_http(event, chosen.input_model)
        elif isinstance(event, TimerEvent):
            payload = payload_json(event)
            data = _validate(chosen.input_model, {} if payload is None else payload)
        elif isinstance(event, DirectInvoke):
            data = _validate(chosen.input_model, event.payload)
        else:  # pragma: no cover - operation_for refuses the other kinds
            raise BadRequestError(f"{self.algorithm_name} does not answer {event.kind} events")
        return Answer(_json(self._call(chosen, data)))

    @staticmethod
    def _call(operation: Operation, data: BaseModel) -> BaseModel:
        try:
            return operation.call(data)
        except InputRejected as exc:
            raise InputRejectedError(exc.message, exc.details) from None

    @staticmethod
    def _from_http(request: HttpRequest, model: type[BaseModel]) -> BaseModel:
        if request.method in _QUERY_METHODS:
            return _validate(model, dict(request.query))
        if not request.body.strip():
            raise BadRequestError(f"{request.method} {request.path} needs a JSON body")
        try:
            return model.__pydantic_validator__.validate_json(request.body)  # type: ignore[no-any-return]
        except pydantic.ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise MalformedJSONError("request body is not valid JSON") from None
            raise ValidationError.from_pydantic(exc) from None


def _validate(model: type[BaseModel], payload: Any) -> BaseModel:
    if payload is None:
        raise BadRequestError(f"empty event: expected a JSON object for {model.__name__}")
    try:
        return model.__pydantic_validator__.validate_python(payload)  # type: ignore[no-any-return]
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc) from None


def _json(output: BaseModel) -> str:
    """``output.model_dump_json()``, without its wrapper: that wrapper, and the one of
    ``model_validate_json``, cost as much as the work itself (~1 µs each per invocation),
    so the model's pydantic-core validator and serializer are called directly."""
    return type(output).__pydantic_serializer__.to_json(output).decode()


__all__ = ["AlgorithmFunction", "Operation", "Route"]
