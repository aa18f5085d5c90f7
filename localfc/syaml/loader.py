"""Read s.yaml: parse YAML, merge ``template``/``extend``, render variables, build the model.

Every failure is a ``ProjectError`` with one clear line (file, line or YAML path, what is
wrong), never a traceback.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import yaml

from localfc.syaml.model import FunctionProps, Project, Resource
from localfc.syaml.render import Renderer, RenderError

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_FILE = "s.yaml"


class ProjectError(ValueError):
    """s.yaml cannot be read or rendered; the message says where and why."""


def find_project_file(start: Path | None = None) -> Path:
    """``s.yaml`` (or ``s.yml``) in ``start`` or the directory of this repository."""
    for base in (start or Path.cwd(), Path(__file__).resolve().parents[2]):
        for name in ("s.yaml", "s.yml"):
            if (base / name).is_file():
                return base / name
    raise ProjectError(f"no s.yaml in {start or Path.cwd()}; pass -t FILE")


def read_document(path: Path) -> dict[str, Any]:
    """Parse YAML only (no rendering); syntax errors carry their line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{path}: file not found") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ProjectError(f"{path.name}: YAML syntax error at {where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path.name}: YAML error: {exc}") from None
    if not isinstance(doc, dict):
        raise ProjectError(f"{path.name}: expected a mapping at the top level, got {type(doc).__name__}")
    return doc


def load_project(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Project:
    """Load and render s.yaml into a ``Project``.

    >>> project = load_project("s.yaml")          # doctest: +SKIP
    >>> project.function("prime-checker")[1].handler   # doctest: +SKIP
    'handlers.prime_checker.handler'
    """
    file = Path(path) if path is not None else find_project_file()
    doc = read_document(file)
    resources_raw = doc.get("resources")
    if not isinstance(resources_raw, dict) or not resources_raw:
        raise ProjectError(f"{file.name}: 'resources' must be a mapping with at least one resource")
    doc = _apply_templates(doc, file)
    renderer = Renderer(doc, file.parent, os.environ if environ is None else environ)
    resources: dict[str, Resource] = {}
    for name, raw in doc["resources"].items():
        resources[name] = _resource(renderer, str(name), raw, file)
    try:
        return Project(
            path=file.resolve(),
            edition=str(doc.get("edition", "")),
            name=str(doc.get("name", "")),
            access=str(doc.get("access", "default")),
            vars=renderer.render(doc.get("vars") or {}, "vars"),
            resources=resources,
        )
    except RenderError as exc:
        raise ProjectError(f"{file.name}: {exc}") from None


def _resource(renderer: Renderer, name: str, raw: Any, file: Path) -> Resource:
    if not isinstance(raw, dict):
        raise ProjectError(f"{file.name}: resources.{name}: expected a mapping")
    component = str(raw.get("component", ""))
    props_raw = raw.get("props")
    if not isinstance(props_raw, dict):
        raise ProjectError(f"{file.name}: resources.{name}.props: expected a mapping")
    try:
        props = renderer.render(props_raw, f"resources.{name}.props")
    except RenderError as exc:
        raise ProjectError(f"{file.name}: {exc}") from None
    function = None
    if component.split("@", maxsplit=1)[0] == "fc3":
        try:
            function = FunctionProps.model_validate(props)
        except pydantic.ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise ProjectError(
                f"{file.name}: resources.{name}.props.{loc}: {first['msg']}"
                " (run `local_invoke.py validate` to see every problem)"
            ) from None
    return Resource(name=name, component=component, props=props, function=function)


def _apply_templates(doc: dict[str, Any], file: Path) -> dict[str, Any]:
    """Deep-merge ``template.<t>`` into resources that say ``extend: {name: <t>}``."""
    templates = doc.get("template") or {}
    if not any(isinstance(r, dict) and "extend" in r for r in doc["resources"].values()):
        return doc
    out = copy.deepcopy(doc)
    for name, resource in out["resources"].items():
        if not isinstance(resource, dict) or "extend" not in resource:
            continue
        extend = resource.pop("extend")
        template_name = extend.get("name") if isinstance(extend, dict) else extend
        if template_name not in templates:
            raise ProjectError(f"{file.name}: resources.{name}.extend: no template named {template_name!r}")
        base = copy.deepcopy(templates[template_name])
        out["resources"][name] = _deep_merge(base, resource)
    return out


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base[key], value) if key in base else value
        return merged
    return override
