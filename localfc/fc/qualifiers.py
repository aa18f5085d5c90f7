"""Which code and props run for ``function:qualifier``.

With the versions package (``localfc.fc.versions``) that is its ``VersionStore``: published
versions, aliases with weighted canary routing. Without it, ``LatestOnlyResolver`` serves
LATEST and answers FC's 404 for any other qualifier. Both have the same ``resolve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from localfc.fc.api import errors
from localfc.fc.wire import Response
from localfc.project.syaml.model import LATEST

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml.model import FunctionProps, Project


class Resolved(Protocol):
    @property
    def qualifier(self) -> str: ...

    @property
    def version_id(self) -> str: ...

    @property
    def props(self) -> FunctionProps: ...

    @property
    def code_dir(self) -> Path: ...


class Resolver(Protocol):
    project: Project  # the functions it resolves; serve replaces it after a deploy

    def resolve(self, function_name: str, qualifier: str) -> Resolved: ...


@dataclass(frozen=True)
class LatestQualifier:
    qualifier: str
    version_id: str
    props: FunctionProps
    code_dir: Path


class LatestOnlyResolver:
    """LATEST only: the working tree and s.yaml as they are.

    >>> LatestOnlyResolver(project).resolve("prime-checker", "LATEST").version_id   # doctest: +SKIP
    ''
    """

    def __init__(self, project: Project) -> None:
        self.project = project

    def resolve(self, function_name: str, qualifier: str) -> Resolved:
        try:
            _, props = self.project.function(function_name)
        except LookupError:
            raise errors.function_not_found(function_name) from None
        qualifier = qualifier or LATEST
        if qualifier != LATEST:
            kind, code = ("version", "VersionNotFound") if qualifier.isdigit() else ("alias", "AliasNotFound")
            raise errors.ApiError(404, code, f"{kind} '{qualifier}' of function '{props.functionName}' does not exist")
        return LatestQualifier(LATEST, "", props, self.project.code_dir(props))


class VersionsApi(Protocol):
    def __call__(self, method: str, path: str, query: dict[str, str], body: bytes) -> Response | None: ...


def make_resolver(state_dir: Path, project: Project) -> tuple[Resolver, VersionsApi | None]:
    """The versions store and its API routes when ``localfc.fc.versions`` is installed, else
    LATEST only and no routes."""
    try:
        from localfc.fc.versions import VersionStore, handle_api  # noqa: PLC0415 - optional package
    except ImportError:
        return LatestOnlyResolver(project), None
    store: Any = VersionStore(state_dir, project)

    def api(method: str, path: str, query: dict[str, str], body: bytes) -> Response | None:
        answer = handle_api(store, method, path, query, body)
        if answer is None:
            return None
        status, headers, payload = answer
        return Response(status, dict(headers), payload)

    return store, api
