"""Handlers whose imports need a distribution the function does not declare.

A function declares its distributions in ``requirements.txt`` (pinned; the whole repository's
list) and through the layers it names in ``layers:`` (``layers/<name>/requirements.txt``). Its
import closure (``localfc.project.package.closure``: handler, initializer, preStop and every
module of the code directory they reach) must be covered by them, or FC answers with an
``ImportError``. The dev venv cannot be trusted for that: it also has the dev tools and
whatever was installed by hand. Read offline from source and from the dev venv's metadata
(which distribution provides which import name); nothing is imported.

    s.yaml:17: error: text-stats: handler: imports numpy (algorithms/text_stats.py:3), which no
    distribution in requirements.txt or the function's layers provides (the dev venv has it from
    numpy 2.1.3: pin it in requirements.txt) [undeclared-import]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.package.closure import ClosureReader, entry_modules, import_closure
from localfc.project.package.distributions import (
    REQUIREMENTS_FILE,
    DistributionIndex,
    RequirementsError,
    coverage,
    declared_requirements,
)
from localfc.project.package.layer_specs import function_layer_specs
from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml import Project


def check_dependencies(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    reader = ClosureReader()
    everything: DistributionIndex | None = None  # the whole dev venv: only to explain a problem
    indexes: dict[tuple[tuple[str, ...], str], DistributionIndex] = {}
    for resource, props in project.functions():
        code = props.code if isinstance(props.code, str) else None
        if not props.runtime.startswith("python") or code is None or code.endswith((".zip", ".jar", ".war")):
            continue
        code_dir = project.code_dir(props)
        if not code_dir.is_dir():
            continue  # the handler check reports it
        closure = import_closure(code_dir, entry_modules(props), reader)
        if not closure.required:
            continue
        try:
            declared = _declared(code_dir, project, props.layers)
        except (RequirementsError, OSError) as exc:
            problems.append(Problem("error", resource, "code", str(exc), "requirements"))
            continue
        version = props.runtime.removeprefix("python")
        key = (tuple(declared), version)
        if key not in indexes:
            indexes[key] = DistributionIndex.from_installed(declared, version)
        found = coverage(closure, declared, indexes[key], version)
        if found.undeclared:
            everything = everything or DistributionIndex.from_installed()
            found.explain(everything)
        for module, sites in found.undeclared.items():
            where = ", ".join(str(s) for s in sites[:3]) + (" ..." if len(sites) > 3 else "")
            hint = (
                f" (the dev venv has it from {found.elsewhere[module]}: pin it in {REQUIREMENTS_FILE})"
                if module in found.elsewhere
                else f" (no installed distribution provides it either: add the one that does to {REQUIREMENTS_FILE})"
            )
            problems.append(
                Problem(
                    "error",
                    resource,
                    "handler",
                    f"imports {module} ({where}), which no distribution in {REQUIREMENTS_FILE} or the function's"
                    f" layers provides{hint}",
                    "undeclared-import",
                )
            )
    return problems


def _declared(code_dir: Path, project: Project, layers: list[str]) -> list[str]:
    names: list[str] = []
    requirements = code_dir / REQUIREMENTS_FILE
    if requirements.is_file():
        names.extend(declared_requirements(requirements))
    for spec in function_layer_specs(project.base_dir, layers):
        names.extend(declared_requirements(spec.requirements))
    return names
