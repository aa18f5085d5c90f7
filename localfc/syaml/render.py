"""Serverless Devs variable rendering: ``${vars.x}``, ``${env('X','d')}``, ``${config('AccountID')}``,
``${resources.<name>.props.<path>}`` and ``${file('./p')}``, the way ``s`` renders them.

A value that is exactly one ``${...}`` keeps the referenced value's type (``memorySize:
${vars.memory}`` stays an int); a ``${...}`` inside a longer string is interpolated as text.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_EXPR = re.compile(r"\$\{\s*([^{}]+?)\s*\}")
_CALL = re.compile(r"""^(env|config|file)\s*\(\s*(.*?)\s*\)$""")
_ARG = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)")\s*(?:,|$)""")
# ${env.NAME} is the older spelling that s 3.x still accepts.
_ENV_DOT = re.compile(r"^env\.([A-Za-z_][A-Za-z0-9_]*)$")


class RenderError(ValueError):
    """A variable that cannot be resolved; ``where`` is the YAML path of the value."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class Renderer:
    def __init__(
        self,
        document: Mapping[str, Any],
        base_dir: Path,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.document = document
        self.base_dir = base_dir
        self.environ = os.environ if environ is None else environ
        self._resolving: set[str] = set()

    def render(self, value: Any, where: str) -> Any:
        if isinstance(value, str):
            return self._render_string(value, where)
        if isinstance(value, dict):
            return {k: self.render(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    def _render_string(self, text: str, where: str) -> Any:
        if "${" not in text:
            return text
        whole = _EXPR.fullmatch(text.strip())
        if whole:
            return self._evaluate(whole.group(1), where)
        return _EXPR.sub(lambda m: _as_text(self._evaluate(m.group(1), where)), text)

    def _evaluate(self, expr: str, where: str) -> Any:
        dotted = _ENV_DOT.match(expr)
        if dotted:
            return self._env([dotted.group(1)], where, expr)
        call = _CALL.match(expr)
        if call:
            func, raw_args = call.groups()
            args = [a if a is not None else b for a, b in _ARG.findall(raw_args)]
            if func == "env":
                return self._env(args, where, expr)
            if func == "config":
                return self._config(args, where, expr)
            return self._file(args, where, expr)
        parts = expr.split(".")
        if parts[0] == "vars":
            if expr in self._resolving:
                raise RenderError(where, f"${{{expr}}} refers to itself")
            self._resolving.add(expr)
            try:
                # A var may itself use ${env(...)} and friends: render what it points at.
                return self.render(self._lookup(self.document.get("vars") or {}, parts[1:], where, expr), where)
            finally:
                self._resolving.discard(expr)
        if parts[0] == "resources" and len(parts) >= 3:
            return self._resource(parts[1], parts[2:], where, expr)
        raise RenderError(where, f"unsupported variable ${{{expr}}}")

    def _env(self, args: list[str], where: str, expr: str) -> str:
        if not args or len(args) > 2:
            raise RenderError(where, f"${{{expr}}}: env() takes a name and an optional default")
        value = self.environ.get(args[0])
        if value is None:
            if len(args) == 2:
                return args[1]
            raise RenderError(where, f"${{{expr}}}: environment variable {args[0]} is not set and has no default")
        return value

    def _config(self, args: list[str], where: str, expr: str) -> str:
        # s reads config('AccountID') from the access config, or from the AccountID variable.
        if len(args) != 1:
            raise RenderError(where, f"${{{expr}}}: config() takes one key")
        value = self.environ.get(args[0])
        if value is None:
            raise RenderError(
                where, f"${{{expr}}}: set the {args[0]} environment variable (s reads it from the access config)"
            )
        return value

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
            raise RenderError(where, f"${{{expr}}}: no resource named {name!r}")
        if name in self._resolving:
            raise RenderError(where, f"${{{expr}}}: circular reference through resource {name!r}")
        self._resolving.add(name)
        try:
            raw = self._lookup(resources[name], path, where, expr)
            return self.render(raw, f"resources.{name}.{'.'.join(path)}")
        finally:
            self._resolving.discard(name)

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
        return node


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
