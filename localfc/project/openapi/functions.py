"""Which functions of s.yaml get an OpenAPI description — those with an HTTP trigger whose
handler is a bound method of an ``AlgorithmFunction`` — and their adapters, imported here
(in this process, with the code directory first on ``sys.path``, as ``invoke`` does).

Object functions are recognised from their source and never imported (oss2 and Pillow would
load for nothing).
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from localfc.names import did_you_mean
from localfc.project.openapi.document import FunctionApi, build_document
from localfc.project.validate.adapters import handler_facts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localfc.project.syaml import FunctionProps, Project


class OpenApiError(ValueError):
    """No such HTTP function, or its handler cannot be imported; the message says which."""


def http_functions(project: Project) -> list[tuple[str, FunctionProps]]:
    """(resource, props) of the functions with an HTTP trigger that are not object functions."""
    found = []
    for resource, props in project.functions():
        if not any(t.triggerType == "http" for t in props.triggers):
            continue
        if handler_facts(project, props, use_import=False).kind in ("algorithm", "unknown"):
            found.append((resource, props))
    return found


def openapi_for(project: Project, names: list[str] | None = None, *, server_url: str = "") -> dict[str, Any]:
    """The document for the named functions (all HTTP functions when none are named)."""
    candidates = http_functions(project)
    if names:
        chosen = []
        known = [p.functionName for _, p in candidates]
        for name in names:
            match = [(r, p) for r, p in candidates if name in (r, p.functionName)]
            if not match:
                raise OpenApiError(
                    f"{name!r} is not an HTTP function of {project.path.name}{did_you_mean(name, known)}"
                    f" (HTTP functions: {', '.join(known) or 'none'})"
                )
            chosen += match
        candidates = chosen
    apis = []
    for _, props in candidates:
        app = _adapter(project, props)
        if app is not None:
            apis.append(FunctionApi(props.functionName, props.description, app))
    if not apis:
        raise OpenApiError(f"no HTTP function built on AlgorithmFunction in {project.path.name}")
    return build_document(apis, server_url=server_url, prefix_paths=len(apis) > 1)


def _adapter(project: Project, props: FunctionProps) -> Any:
    """The ``AlgorithmFunction`` behind ``props.handler``, or None when it is another kind."""
    from runtime.app import AlgorithmFunction  # noqa: PLC0415 - pydantic loads only for this

    module_name, _, attr = props.handler.rpartition(".")
    code_dir = project.code_dir(props)
    with _importable(code_dir, props.environmentVariables):
        try:
            entry = getattr(importlib.import_module(module_name), attr)
        except Exception as exc:  # the user's module failed to import: say so, in one line
            raise OpenApiError(
                f"cannot import {props.handler} for {props.functionName}: {type(exc).__name__}: {exc}"
            ) from None
    owner = getattr(entry, "__self__", None)
    return owner if isinstance(owner, AlgorithmFunction) else None


@contextmanager
def _importable(code_dir: Any, environment: dict[str, str]) -> Iterator[None]:
    """The code directory first on ``sys.path`` and the function's variables set, for the import."""
    paths = [str(code_dir), str(code_dir / "python")]
    added = [p for p in paths if p not in sys.path]
    sys.path[:0] = added
    saved = {k: os.environ.get(k) for k in environment if k != "PYTHONPATH"}
    os.environ.update({k: v for k, v in environment.items() if k != "PYTHONPATH"})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for path in added:
            if path in sys.path:
                sys.path.remove(path)
