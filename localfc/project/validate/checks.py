"""Run every check on one s.yaml: what ``local_invoke.py validate`` prints, as data.

>>> result = validate_file("s.yaml")               # doctest: +SKIP
>>> result.ok, [p.render("s.yaml") for p in result.problems]   # doctest: +SKIP
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from localfc.project.syaml import load_project
from localfc.project.syaml.loader import EDITION
from localfc.project.validate.dependencies import check_dependencies
from localfc.project.validate.environment import check_environment
from localfc.project.validate.handlers import check_handlers
from localfc.project.validate.loops import check_loops
from localfc.project.validate.overlap import check_overlaps
from localfc.project.validate.props import check_props
from localfc.project.validate.release import check_release
from localfc.project.validate.report import Problem, sort_problems

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from localfc.project.syaml import Project, ProjectIssue

_ISSUE_RULES = {"variable": "variable", "template": "template", "resource": "resource", "model": "prop-type"}


@dataclass
class ValidationResult:
    file: Path
    problems: list[Problem] = field(default_factory=list)
    functions: int = 0
    triggers: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_file(
    path: Path | str | None = None, environ: Mapping[str, str] | None = None, *, use_import: bool = True
) -> ValidationResult:
    """Check s.yaml offline. Raises ``ProjectError`` only when the file cannot be read at all
    (missing, YAML syntax, no resources); every other problem is in the result.

    ``use_import=False`` never imports handler code (only reads it)."""
    project = load_project(path, environ, strict=False)
    return validate_project(project, use_import=use_import)


def validate_project(project: Project, *, use_import: bool = True) -> ValidationResult:
    problems = _document(project)
    failed = _failed_paths(project.issues)
    props_errors: set[str] = set()
    fc3 = {name: r for name, r in project.resources.items() if _is_fc3(r.component)}
    for name, resource in project.resources.items():
        if name not in fc3:
            problems.append(
                Problem(
                    "warning",
                    name,
                    "component",
                    f"component {resource.component!r} is not checked (only fc3)",
                    "component",
                )
            )
            continue
        skip = _skipper(failed.get(name, set()))
        found = check_props(name, resource.props, skip)
        problems.extend(found)
        if any(p.is_error for p in found):
            props_errors.add(name)
    # A resource that fails to load into the typed model for a reason already reported (a
    # variable, a prop error) must not be reported twice in pydantic's words.
    reported = props_errors | {i.resource for i in project.issues if i.kind != "model"}
    for issue in project.issues:
        if issue.kind == "variable-use" or (issue.kind == "model" and issue.resource in reported):
            continue
        problems.append(
            Problem("error", issue.resource, issue.path, issue.message, _ISSUE_RULES.get(issue.kind, issue.kind))
        )
    problems.extend(_duplicate_functions(project))
    problems.extend(check_handlers(project, use_import=use_import))
    problems.extend(check_dependencies(project))
    problems.extend(check_loops(project))
    problems.extend(check_overlaps(project))
    problems.extend(check_environment(project))
    problems.extend(check_release(project))
    located = [_with_line(project, p) for p in problems]
    triggers = [r.props.get("triggers") for r in fc3.values()]
    return ValidationResult(
        file=project.path,
        problems=sort_problems(located),
        functions=len(fc3),
        triggers=sum(len(t) for t in triggers if isinstance(t, list)),
    )


def _is_fc3(component: str) -> bool:
    return component.split("@", maxsplit=1)[0] == "fc3"


def _document(project: Project) -> list[Problem]:
    problems = []
    if project.edition != EDITION:
        found = repr(project.edition) if project.edition else "missing"
        problems.append(
            Problem(
                "error", "", "edition", f"must be '{EDITION}' for Serverless Devs 3.x and fc3, got {found}", "edition"
            )
        )
    if not project.name:
        problems.append(Problem("error", "", "name", "the application needs a name", "prop-required"))
    return problems


def _failed_paths(issues: list[ProjectIssue]) -> dict[str, set[str]]:
    failed: dict[str, set[str]] = {}
    for issue in issues:
        if issue.kind in ("variable", "variable-use") and issue.resource:
            failed.setdefault(issue.resource, set()).add(issue.path)
    return failed


def _skipper(paths: set[str]) -> Callable[[str], bool]:
    def skip(path: str) -> bool:
        return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in paths)

    return skip


def _duplicate_functions(project: Project) -> list[Problem]:
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for resource, props in project.functions():
        key = (props.region, props.functionName)
        if key in seen:
            problems.append(
                Problem(
                    "error",
                    resource,
                    "functionName",
                    f"{props.functionName!r} in {props.region} is also resource {seen[key]!r}: the second deploy"
                    " overwrites the first",
                    "duplicate-function",
                )
            )
        seen.setdefault(key, resource)
    return problems


def _with_line(project: Project, problem: Problem) -> Problem:
    if problem.resource and problem.path in ("component",):
        where = f"resources.{problem.resource}.{problem.path}"
    elif problem.resource:
        where = (
            f"resources.{problem.resource}.props.{problem.path}" if problem.path else f"resources.{problem.resource}"
        )
    else:
        where = problem.path
    line = project.line_of(where)
    if line is None and problem.resource:
        line = project.line_of(f"resources.{problem.resource}")
    return Problem(problem.severity, problem.resource, problem.path, problem.message, problem.rule, line)
