"""Sharing props the way Serverless Devs 3.x does (parse-spec ``ParseContent`` / ``doExtend``).

- ``template.<t>`` is a mapping of props; a resource that says ``extend: {name: t, ignore: [k]}``
  gets ``t`` (minus the ``ignore`` keys) deep-merged under its own ``props``: the resource wins.
- A top-level ``extend: ./base.yaml`` makes the whole file extend another s.yaml: everything but
  ``resources`` is deep-merged (this file wins) and both files' resources are rendered, each in
  its own directory, then deep-merged.

Merging is ``extend2(true, {}, base, override)``: mappings merge key by key, lists and scalars
are replaced whole, and an explicit ``null`` replaces too.

>>> deep_merge({"a": {"x": 1, "y": [1, 2]}}, {"a": {"y": [3]}, "b": 2})
{'a': {'x': 1, 'y': [3]}, 'b': 2}
"""

from __future__ import annotations

import copy
from typing import Any


class TemplateError(ValueError):
    """``extend`` names a template that does not exist, or is not written as s expects."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(override)


def _omit(props: dict[str, Any], dotted: str) -> None:
    """lodash ``omit`` with a path: drop ``a.b`` from ``{"a": {"b": ...}}``."""
    *parents, last = dotted.split(".")
    node: Any = props
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def apply_templates(doc: dict[str, Any], errors: list[TemplateError] | None = None) -> dict[str, Any]:
    """A copy of ``doc`` whose resources have their ``extend`` template merged into ``props``.

    With ``errors`` given, a bad ``extend`` is recorded there and the resource keeps its own
    props; without it, the first one raises ``TemplateError``.
    """
    resources = doc.get("resources")
    if not isinstance(resources, dict) or not any(isinstance(r, dict) and "extend" in r for r in resources.values()):
        return doc
    templates = doc.get("template") or {}
    out = dict(doc)
    out["resources"] = dict(resources)
    for name, resource in resources.items():
        if not isinstance(resource, dict) or "extend" not in resource:
            continue
        try:
            template = _template_for(name, resource["extend"], templates)
        except TemplateError as exc:
            if errors is None:
                raise
            errors.append(exc)
            continue
        props = resource.get("props")
        out["resources"][name] = {**resource, "props": deep_merge(template, props if isinstance(props, dict) else {})}
    return out


def _template_for(name: str, extend: Any, templates: Any) -> dict[str, Any]:
    where = f"resources.{name}.extend"
    if not isinstance(extend, dict) or not isinstance(extend.get("name"), str):
        # s reads `extend.name`; `extend: base` (a plain string) silently merges nothing.
        raise TemplateError(where, "write `extend: {name: <template>}` (s ignores any other form)")
    template_name = extend["name"]
    if not isinstance(templates, dict) or template_name not in templates:
        known = ", ".join(str(t) for t in templates) if isinstance(templates, dict) and templates else "none"
        raise TemplateError(where, f"no template named {template_name!r} (templates: {known})")
    template = templates[template_name]
    if not isinstance(template, dict):
        raise TemplateError(f"template.{template_name}", "a template must be a mapping of props")
    result = copy.deepcopy(template)
    ignore = extend.get("ignore") or []
    if not isinstance(ignore, list):
        raise TemplateError(f"{where}.ignore", "expected a list of prop names")
    for key in ignore:
        _omit(result, str(key))
    return result


def merge_file_extend(base: dict[str, Any], current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two documents ``s`` renders for ``extend: ./base.yaml``: base and current resources,
    each with the deep-merged rest (``vars``, ``template``, ``access``...; current wins)."""
    base_rest = {k: v for k, v in base.items() if k != "resources"}
    current_rest = {k: v for k, v in current.items() if k != "resources"}
    rest = deep_merge(base_rest, current_rest)
    return {**base, **rest}, {**current, **rest}
