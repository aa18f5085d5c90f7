"""Read s.yaml: parse YAML, merge ``extend``/``template``, load ``.env``, render variables,
build the model.

``load_project(path)`` fails on the first problem with a ``ProjectError`` of one clear line
(file, line or YAML path, what is wrong), never a traceback. ``load_project(path,
strict=False)`` loads whatever it can and lists the rest in ``Project.issues``: that is what
``local_invoke.py validate`` reports from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import yaml

from localfc.project.syaml.env_file import environment_with_dotenv
from localfc.project.syaml.model import FunctionProps, Project, ProjectIssue, Resource
from localfc.project.syaml.render import Renderer, RenderError, child_path
from localfc.project.syaml.templates import TemplateError, apply_templates, deep_merge, merge_file_extend
from localfc.user_files import UnreadableFileError, read_user_file

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_FILE = "s.yaml"
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EDITION = "3.0.0"
# ${config('AccountID')} when neither the environment nor an access config has it: local
# tools never need the real account (the same fake id the local FC context uses).
LOCAL_CONFIG = {"AccountID": "1234567890123456"}


class ProjectError(ValueError):
    """s.yaml cannot be read or rendered; the message says where and why."""


def find_project_file(start: Path | None = None) -> Path:
    """``s.yaml`` (or ``s.yml``) in ``start`` or the directory of this repository."""
    for base in (start or Path.cwd(), Path(__file__).resolve().parents[3]):
        for name in ("s.yaml", "s.yml"):
            if (base / name).is_file():
                return base / name
    raise ProjectError(f"no s.yaml in {start or Path.cwd()}; pass -t FILE")


def read_document(path: Path) -> dict[str, Any]:
    """Parse YAML only (no rendering); syntax errors carry their line number."""
    return read_document_with_lines(path)[0]


def read_document_with_lines(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The parsed document and the line (1-based) of every YAML path in it."""
    try:
        text = read_user_file(path, "an s.yaml file").decode("utf-8")
    except UnreadableFileError as exc:
        raise ProjectError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: not UTF-8 text") from None
    # libyaml's parser when PyYAML has it: several times faster on a 100-function file.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ProjectError(f"{path.name}: YAML syntax error at {where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path.name}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(doc, dict):
        raise ProjectError(f"{path.name}: expected a mapping at the top level, got {type(doc).__name__}")
    lines: dict[str, int] = {}
    if node is not None:
        _index_lines(node, "", lines)
    return doc, lines


def _index_lines(node: yaml.Node, where: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            path = child_path(where, str(key_node.value))
            lines[path] = key_node.start_mark.line + 1
            _index_lines(value_node, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = child_path(where, i)
            lines[path] = item.start_mark.line + 1
            _index_lines(item, path, lines)


def load_project(
    path: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    strict: bool = True,
) -> Project:
    """Load and render s.yaml into a ``Project``.

    >>> project = load_project("s.yaml")          # doctest: +SKIP
    >>> project.function("prime-checker")[1].handler   # doctest: +SKIP
    'handlers.prime_checker.handler'
    """
    file = Path(path) if path is not None else find_project_file()
    doc, lines = read_document_with_lines(file)
    _require_resources(doc, file)
    env = environment_with_dotenv(file.parent, os.environ if environ is None else environ)
    issues: list[ProjectIssue] = []
    documents = [(file, doc)]
    if isinstance(doc.get("extend"), str):
        base_file = (file.parent / doc["extend"]).resolve()
        try:
            base_doc = read_document(base_file)
        except ProjectError as exc:
            raise ProjectError(f"{file.name}: extend: {exc}") from None
        base_doc, doc = merge_file_extend(base_doc, doc)
        documents = [(base_file, base_doc), (file, doc)]

    render_errors: list[RenderError] | None = None if strict else []
    template_errors: list[TemplateError] | None = None if strict else []
    raw_resources: dict[str, dict[str, Any]] = {}
    rendered_vars: dict[str, Any] = {}
    origins: dict[str, str] = {}
    try:
        for doc_file, document in documents:
            merged = apply_templates(document, template_errors)
            renderer = Renderer(
                merged, doc_file.parent, env, errors=render_errors, config_fallbacks=LOCAL_CONFIG, origins=origins
            )
            # vars first: a broken var is then reported once, at the var, not at every use.
            rendered_vars = deep_merge(rendered_vars, renderer.render(merged.get("vars") or {}, "vars"))
            for name, raw in (merged.get("resources") or {}).items():
                rendered = _render_resource(renderer, str(name), raw, issues=issues, strict=strict, file=file)
                if rendered is not None:
                    raw_resources[str(name)] = deep_merge(raw_resources.get(str(name), {}), rendered)
    except (RenderError, TemplateError) as exc:
        raise ProjectError(f"{file.name}{_at_line(lines, exc.where)}: {exc}") from None
    issues.extend(_issue(e.where, e.message, "template") for e in template_errors or [])
    issues.extend(_dedupe_render_errors(render_errors or []))

    resources: dict[str, Resource] = {}
    for name, raw in raw_resources.items():
        resources[name] = _typed_resource(name, raw, issues=issues, strict=strict, file=file, lines=lines)
    return Project(
        path=file.resolve(),
        edition=str(doc.get("edition", "")),
        name=str(doc.get("name", "")),
        access=str(doc.get("access", "default")),
        vars=rendered_vars,
        resources=resources,
        lines=lines,
        issues=issues,
        origins=origins,
    )


def _require_resources(doc: dict[str, Any], file: Path) -> None:
    resources = doc.get("resources")
    if isinstance(doc.get("extend"), str) and resources is None:
        return  # all resources may come from the extended file
    if not isinstance(resources, dict) or not resources:
        hint = " ('services' is the 1.x/2.x name)" if "services" in doc else ""
        raise ProjectError(f"{file.name}: 'resources' must be a mapping with at least one resource{hint}")


def _render_resource(
    renderer: Renderer, name: str, raw: Any, *, issues: list[ProjectIssue], strict: bool, file: Path
) -> dict[str, Any] | None:
    where = f"resources.{name}"
    if not isinstance(raw, dict):
        _bad_resource(where, "expected a mapping with `component` and `props`", issues, strict, file)
        return None
    props_raw = raw.get("props")
    if not isinstance(props_raw, dict):
        _bad_resource(f"{where}.props", "expected a mapping of props", issues, strict, file)
        return None
    rendered: dict[str, Any] = {"props": renderer.render(props_raw, f"{where}.props")}
    if "component" in raw:  # absent in an extending file: the base file's component stays
        rendered["component"] = str(renderer.render(raw["component"], f"{where}.component") or "")
    return rendered


def _bad_resource(where: str, message: str, issues: list[ProjectIssue], strict: bool, file: Path) -> None:
    if strict:
        raise ProjectError(f"{file.name}: {where}: {message}")
    issues.append(_issue(where, message, "resource"))


def _typed_resource(
    name: str, raw: dict[str, Any], *, issues: list[ProjectIssue], strict: bool, file: Path, lines: dict[str, int]
) -> Resource:
    component = str(raw.get("component", ""))
    props = raw.get("props") or {}
    function = None
    if component.split("@", maxsplit=1)[0] == "fc3":
        try:
            function = FunctionProps.model_validate(props)
        except pydantic.ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            path = ".".join(str(p) for p in first["loc"])
            where = f"resources.{name}.props.{path}"
            if strict:
                raise ProjectError(
                    f"{file.name}{_at_line(lines, where)}: {where}: {first['msg']}"
                    " (run `local_invoke.py validate` to see every problem)"
                ) from None
            issues.append(_issue(where, str(first["msg"]), "model"))
    return Resource(name=name, component=component, props=props, function=function)


def _issue(where: str, message: str, kind: str) -> ProjectIssue:
    resource, path = "", where
    if where.startswith("resources."):
        resource, _, rest = where[len("resources.") :].partition(".")
        path = rest[len("props.") :] if rest.startswith("props.") else rest
    return ProjectIssue(where=where, resource=resource, path=path, message=message, kind=kind)


def _dedupe_render_errors(errors: list[RenderError]) -> list[ProjectIssue]:
    """One issue per distinct cause; every failed path stays known (``kind`` variable-use)."""
    seen: set[str] = set()
    issues = []
    for error in errors:
        kind = "variable-use" if error.message in seen else "variable"
        seen.add(error.message)
        issues.append(_issue(error.where, error.message, kind))
    return issues


def _at_line(lines: dict[str, int], where: str) -> str:
    path = where
    while path:
        if path in lines:
            return f" line {lines[path]}"
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return ""
