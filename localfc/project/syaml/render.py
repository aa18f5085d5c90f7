"""Serverless Devs variable rendering, the way ``s`` 3.x renders s.yaml (parse-spec + devs-compile):

- ``${vars.x}``: the top-level ``vars`` (a var may itself use variables);
- ``${env('X')}`` / ``${env('X', 'default')}`` (and the older ``${env.X}``): an environment
  variable; like ``s``, an empty value counts as unset;
- ``${config('AccountID')}``: a value of the access config; ``s`` also takes it from the
  ``AccountID`` environment variable, and so do we;
- ``${resources.<name>.props.<path>}``: another resource's (rendered) props;
- ``${this.name}`` / ``${this.props.<path>}``: the resource being rendered;
- ``${file('./p')}``: a file's text, relative to the s.yaml directory; ``${json('...')}``.

A value that is exactly one ``${...}`` keeps the referenced value's type (``memorySize:
${vars.memory}`` stays an int); a ``${...}`` inside a longer string is interpolated as text.

>>> from pathlib import Path
>>> Renderer({"vars": {"mem": 512}}, Path(".")).render("${vars.mem}", "props.memorySize")
512
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_EXPR = re.compile(r"\$\{\s*([^{}]+?)\s*\}")
_CALL = re.compile(r"""^(env|config|file|json)\s*\(\s*(.*?)\s*\)$""", re.DOTALL)
_ARG = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)")\s*(?:,|$)""")
# ${env.NAME} is the older spelling that s 3.x still accepts.
_ENV_DOT = re.compile(r"^env\.([A-Za-z_][A-Za-z0-9_]*)$")
_RESOURCE_WHERE = re.compile(r"^resources\.([^.\[]+)")


class RenderError(ValueError):
    """A variable that cannot be resolved; ``where`` is the YAML path of the value."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def child_path(parent: str, key: str | int) -> str:
    """The YAML path of ``key`` under ``parent``: ``a.b``, ``a.b[0]`` (one spelling everywhere)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


class Renderer:
    """Renders values of one s.yaml document.

    With ``errors`` given, a value that cannot be rendered is recorded there and kept as written
    (so ``validate`` can report every problem in one run); without it the first one raises.
    ``config_fallbacks`` answers ``${config('K')}`` when neither the environment nor an access
    config has ``K`` (local tools use a fake account id: nothing local needs the real one).
    With ``origins`` given, a value that is exactly one ``${vars.x}`` is recorded there
    (``resources.f.props.runtime`` -> ``vars.runtime``, the innermost var of a chain), so a
    problem with the value can be reported once, at the var.
    """

    def __init__(
        self,
        document: Mapping[str, Any],
        base_dir: Path,
        environ: Mapping[str, str] | None = None,
        *,
        errors: list[RenderError] | None = None,
        config_fallbacks: Mapping[str, str] | None = None,
        origins: dict[str, str] | None = None,
    ) -> None:
        self.document = document
        self.base_dir = base_dir
        self.environ = os.environ if environ is None else environ
        self.errors = errors
        self.config_fallbacks = config_fallbacks or {}
        self.origins = origins
        self._resolving: set[str] = set()

    def render(self, value: Any, where: str) -> Any:
        if isinstance(value, str):
            if "${" not in value:
                return value
            try:
                return self._render_string(value, where)
            except RenderError as exc:
                if self.errors is None:
                    raise
                self.errors.append(exc)
                return value
        if isinstance(value, dict):
            return {k: self.render(v, child_path(where, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v, child_path(where, i)) for i, v in enumerate(value)]
        return value

    def _strict(self, value: Any, where: str) -> Any:
        """Render a value a variable points at: its failures belong to the referring value."""
        saved, self.errors = self.errors, None
        try:
            return self.render(value, where)
        finally:
            self.errors = saved

    def _render_string(self, text: str, where: str) -> Any:
        whole = _EXPR.fullmatch(text.strip())
        if whole:
            value = self._evaluate(whole.group(1), where)
            expr = whole.group(1)
            if self.origins is not None and expr.startswith("vars.") and not where.startswith("vars"):
                self.origins.setdefault(where, expr)  # an inner var (a chain's last) wins
            return value
        return _EXPR.sub(lambda m: _as_text(self._evaluate(m.group(1), where)), text)

    def _evaluate(self, expr: str, where: str) -> Any:
        dotted = _ENV_DOT.match(expr)
        if dotted:
            return self._env([dotted.group(1)], where, expr)
        call = _CALL.match(expr)
        if call:
            func, raw_args = call.groups()
            args = [a if a is not None else b for a, b in _ARG.findall(raw_args)]
            handler = {"env": self._env, "config": self._config, "json": self._json, "file": self._file}[func]
            return handler(args, where, expr)
        return self._path(expr, where)

    def _path(self, expr: str, where: str) -> Any:
        parts = expr.split(".")
        if parts[0] == "vars" and len(parts) > 1:
            if expr in self._resolving:
                raise RenderError(where, f"${{{expr}}} refers to itself")
            self._resolving.add(expr)
            try:
                # A var may itself use ${env(...)} and friends: render what it points at.
                target = self._lookup(self.document.get("vars") or {}, parts[1:], where, expr)
                return self._strict(target, where)
            finally:
                self._resolving.discard(expr)
        if parts[0] == "resources" and len(parts) >= 3:
            return self._resource(parts[1], parts[2:], where, expr)
        if parts[0] in ("this", "that") and len(parts) >= 2:
            current = _RESOURCE_WHERE.match(where)
            if not current:
                raise RenderError(where, f"${{{expr}}} is only defined inside a resource")
            if parts[1:] == ["name"]:
                return current.group(1)
            return self._resource(current.group(1), parts[1:], where, expr)
        raise RenderError(where, f"unsupported variable ${{{expr}}}")

    def _env(self, args: list[str], where: str, expr: str) -> str:
        if not args or len(args) > 2:
            raise RenderError(where, f"${{{expr}}}: env() takes a name and an optional default")
        value = self.environ.get(args[0])
        if value:  # s: `if (res) return res` — an empty variable counts as unset
            return value
        if len(args) == 2:
            return args[1]
        raise RenderError(where, f"${{{expr}}}: environment variable {args[0]} is not set and has no default")

    def _config(self, args: list[str], where: str, expr: str) -> str:
        # s reads config('AccountID') from the access config, or from the AccountID variable.
        if len(args) != 1:
            raise RenderError(where, f"${{{expr}}}: config() takes one key")
        value = self.environ.get(args[0]) or self.config_fallbacks.get(args[0])
        if not value:
            raise RenderError(
                where, f"${{{expr}}}: set the {args[0]} environment variable (s reads it from the access config)"
            )
        return value

    def _json(self, args: list[str], where: str, expr: str) -> Any:
        if len(args) != 1:
            raise RenderError(where, f"${{{expr}}}: json() takes one string")
        try:
            return json.loads(args[0])
        except ValueError as exc:
            raise RenderError(where, f"${{{expr}}}: not valid JSON ({exc})") from None

    def _file(self, args: list[str], where: str, expr: str) -> str:
        if len(args) != 1:
            raise RenderError(where, f"${{{expr}}}: file() takes one path")
        path = (self.base_dir / args[0]).resolve()
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RenderError(where, f"${{{expr}}}: cannot read {path}: {exc.strerror}") from None

    def _resource(self, name: str, path: list[str], where: str, expr: str) -> Any:
        resources = self.document.get("resources") or {}
        if name not in resources:
            known = ", ".join(str(r) for r in resources) or "none"
            raise RenderError(where, f"${{{expr}}}: no resource named {name!r} (resources: {known})")
        key = f"resources.{name}.{'.'.join(path)}"
        if key in self._resolving:
            raise RenderError(where, f"${{{expr}}}: circular reference through resource {name!r}")
        self._resolving.add(key)
        try:
            raw = self._lookup(resources[name], path, where, expr)
            return self._strict(raw, f"resources.{name}.{'.'.join(path)}")
        finally:
            self._resolving.discard(key)

    @staticmethod
    def _lookup(root: Any, path: list[str], where: str, expr: str) -> Any:
        node = root
        for i, part in enumerate(path):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                missing = ".".join(path[: i + 1])
                raise RenderError(where, f"${{{expr}}} is undefined ({missing} does not exist)")
        if node is None:
            raise RenderError(where, f"${{{expr}}} is undefined (it is empty)")
        return node


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
