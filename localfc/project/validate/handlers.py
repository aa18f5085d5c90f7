"""``handler``, ``initializer`` and ``preStop`` strings that would not resolve in FC: the module
is not in the code directory, the name is missing, or the callable cannot take what FC passes
(``handler(event, context)``, ``initialize(context)``, ``pre_stop(context)``).

Resolved by reading the source first (``static_resolve``); only what that cannot decide is
imported, in a child interpreter (``import_probe``), once per code directory and environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.project.validate.import_probe import ProbeError, probe
from localfc.project.validate.report import Problem
from localfc.project.validate.static_resolve import StaticResolver

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml import FunctionProps, Project

_RULES = {
    "missing-module": "handler-module",
    "syntax": "handler-module",
    "import": "handler-module",
    "missing-attr": "handler-missing",
    "not-callable": "handler-missing",
    "arity": "handler-arity",
    "async": "handler-async",
}


@dataclass(frozen=True)
class _Hook:
    resource: str
    path: str  # prop path of the string, e.g. instanceLifecycleConfig.initializer.handler
    dotted: str
    arity: int


def hooks_of(resource: str, props: FunctionProps) -> list[_Hook]:
    hooks = [_Hook(resource, "handler", props.handler, 2)] if props.handler else []
    lifecycle = props.instanceLifecycleConfig
    if lifecycle is not None:
        if lifecycle.initializer is not None:
            hooks.append(
                _Hook(resource, "instanceLifecycleConfig.initializer.handler", lifecycle.initializer.handler, 1)
            )
        if lifecycle.preStop is not None:
            hooks.append(_Hook(resource, "instanceLifecycleConfig.preStop.handler", lifecycle.preStop.handler, 1))
    return hooks


def check_handlers(
    project: Project, use_import: bool = True, resolvers: dict[tuple[Path, ...], StaticResolver] | None = None
) -> list[Problem]:
    """``resolvers`` (search path -> resolver) lets other checks reuse the modules parsed here."""
    problems: list[Problem] = []
    resolvers = {} if resolvers is None else resolvers
    # (search path, environment) -> hooks the static reading could not decide
    undecided: dict[tuple[tuple[Path, ...], tuple[tuple[str, str], ...]], list[_Hook]] = {}
    for resource, props in project.functions():
        if not props.runtime.startswith("python"):
            continue
        code_dir = _code_directory(project, resource, props, problems)
        if code_dir is None:
            continue
        search = (code_dir, code_dir / "python")
        resolver = resolvers.setdefault(search, StaticResolver(list(search)))
        for hook in hooks_of(resource, props):
            verdict = resolver.resolve(hook.dotted, hook.arity)
            if verdict.status == "unknown":
                key = (search, tuple(sorted(props.environmentVariables.items())))
                undecided.setdefault(key, []).append(hook)
            elif verdict.status != "ok":
                problems.append(_problem(hook, verdict.status, verdict.detail))
    for (paths, environment), hooks in undecided.items():
        if not use_import:
            continue
        try:
            answers = probe(list(paths), [(h.dotted, h.arity) for h in hooks], dict(environment))
        except ProbeError as exc:
            problems.extend(
                Problem("warning", h.resource, h.path, f"could not check {h.dotted!r}: {exc}", "handler-unchecked")
                for h in hooks
            )
            continue
        problems.extend(
            _problem(h, status, detail) for h, (status, detail) in zip(hooks, answers, strict=True) if status != "ok"
        )
    return problems


def _code_directory(project: Project, resource: str, props: FunctionProps, problems: list[Problem]) -> Path | None:
    code = props.code if isinstance(props.code, str) else None
    if code is None or code.endswith((".zip", ".jar", ".war")):
        return None  # a prebuilt archive or an OSS object: nothing local to read
    directory = project.code_dir(props)
    if not directory.is_dir():
        problems.append(
            Problem("error", resource, "code", f"directory {code!r} does not exist ({directory})", "code-missing")
        )
        return None
    return directory


def _problem(hook: _Hook, status: str, detail: str) -> Problem:
    return Problem("error", hook.resource, hook.path, detail, _RULES.get(status, "handler-missing"))
