"""Routing of HTTP requests to an algorithm's operations by method and path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime.errors import MethodNotAllowedError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence


class Route:
    """``Route("POST", "/check")`` sends POST /check to the algorithm's ``run``.

    >>> Route("get", "/languages/", "languages")
    Route(method='GET', path='/languages', operation='languages')
    """

    # A plain class: a frozen dataclass would add a millisecond to every cold start.
    __slots__ = ("method", "operation", "path")

    def __init__(self, method: str, path: str, operation: str = "run") -> None:
        self.method = method.upper()
        self.path = normalise_path(path)
        self.operation = operation

    def __repr__(self) -> str:
        return f"Route(method={self.method!r}, path={self.path!r}, operation={self.operation!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Route):
            return NotImplemented
        return (self.method, self.path, self.operation) == (other.method, other.path, other.operation)

    def __hash__(self) -> int:
        return hash((self.method, self.path, self.operation))


def normalise_path(path: str) -> str:
    path = "/" + path.strip("/")
    return path


class Router:
    """Exact-path routing; no routes at all means every request goes to ``default``."""

    def __init__(self, routes: Sequence[Route], default: str = "run") -> None:
        self.default = default
        self._table: dict[str, dict[str, str]] = {}
        for route in routes:
            self._table.setdefault(route.path, {})[route.method] = route.operation

    @property
    def routes(self) -> list[Route]:
        return [Route(m, p, op) for p, methods in self._table.items() for m, op in methods.items()]

    def match(self, method: str, path: str) -> str:
        if not self._table:
            return self.default
        # Most paths arrive normalised already ("/check"): looked up as they are first.
        methods = self._table.get(path) or self._table.get(normalise_path(path))
        if methods is None:
            known = ", ".join(sorted(self._table))
            raise NotFoundError(f"no operation at {path!r}; this function serves {known}")
        operation = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        if operation is None:
            allowed = sorted(methods)
            raise MethodNotAllowedError(f"{method} is not allowed on {path!r}; use {', '.join(allowed)}", allowed)
        return operation
