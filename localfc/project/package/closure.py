"""A function's import closure, read from source: which of the code directory's modules its
handler, initializer and preStop reach, and which other top-level modules those import.

Every ``import`` statement of a reached module counts, at module level or inside a function
(``runtime.objects`` imports oss2 lazily: an object function still needs it), with two
exceptions that follow Python's conventions:

- under ``if TYPE_CHECKING:``: never executed;
- inside ``try:`` whose handlers catch ``ImportError`` / ``ModuleNotFoundError``: an *optional*
  dependency the code works without (``runtime.shipping`` and the SLS SDK). It is reported,
  not shipped.

Nothing is imported or executed; the code directory's own modules are found by path (the
code's ``python/`` folder, a leftover of ``s build``, is not the code's own). No module list is
hard-coded: the closure follows whatever ``handlers/``, ``runtime/`` and ``algorithms/`` import
today. What reading cannot see (``importlib.import_module(name)`` with a computed name) is
caught by running the function from its package (``invoke``/``serve --from-package``).

>>> closure = import_closure(Path("."), ["handlers.prime_checker"])    # doctest: +SKIP
>>> sorted(closure.required)                                            # doctest: +SKIP
['pydantic', 'pythonjsonlogger']
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from localfc.project.syaml.model import FunctionProps

_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
# ``try``/``except*`` (3.11+) nests like ``try``; this module may be read by mypy for 3.10.
_TRY_NODES: tuple[type[ast.stmt], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))
DEPENDENCIES_DIR = "python"


@dataclass(frozen=True)
class ImportSite:
    """Where a module is imported: ``runtime/logs.py:32``."""

    file: str  # relative to the code directory
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Closure:
    """``modules``: the code directory's modules reached (name -> file); ``required``/``optional``:
    top-level names of other (not standard library) modules -> where they are imported;
    ``missing``: entry modules that do not exist."""

    modules: dict[str, Path] = field(default_factory=dict)
    required: dict[str, list[ImportSite]] = field(default_factory=dict)
    optional: dict[str, list[ImportSite]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def files(self) -> set[Path]:
        return set(self.modules.values())


class ClosureReader:
    """Parsed modules, kept between closures: functions that share a code directory share most
    of their modules (runtime/), which are then read once."""

    def __init__(self) -> None:
        self._readers: dict[Path, _Reader] = {}

    def for_dir(self, code_dir: Path) -> _Reader:
        return self._readers.setdefault(code_dir, _Reader(code_dir))


def import_closure(code_dir: Path, entries: Iterable[str], cache: ClosureReader | None = None) -> Closure:
    """The closure of the modules named in ``entries`` (``handlers.prime_checker``)."""
    reader = (cache or ClosureReader()).for_dir(code_dir)
    closure = Closure()
    pending = []
    for entry in entries:
        if reader.find(entry) is None:
            closure.missing.append(entry)
        else:
            pending.append(entry)
    while pending:
        name = pending.pop()
        for module in _with_parents(name):
            if module in closure.modules:
                continue
            path = reader.find(module)
            if path is None:
                continue
            closure.modules[module] = path
            for found in reader.imports(module, path):
                if found.local:
                    pending.append(found.name)
                    continue
                top = found.name.split(".")[0]
                if top in _STDLIB:
                    continue
                bucket = closure.optional if found.optional else closure.required
                bucket.setdefault(top, []).append(found.site)
    # A distribution needed anywhere is required, even where another import of it is optional.
    for top in list(closure.optional):
        if top in closure.required:
            del closure.optional[top]
    return closure


def entry_modules(props: FunctionProps) -> list[str]:
    """The modules FC imports for a function: those of its handler, initializer and preStop."""
    hooks = [props.handler]
    lifecycle = props.instanceLifecycleConfig
    if lifecycle is not None:
        hooks += [h.handler for h in (lifecycle.initializer, lifecycle.preStop) if h is not None]
    return sorted({h.rpartition(".")[0] for h in hooks if "." in h})


def _with_parents(name: str) -> list[str]:
    """``a.b.c`` imports ``a`` and ``a.b`` first (their ``__init__``)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@dataclass(frozen=True)
class _Found:
    name: str
    site: ImportSite
    local: bool  # a module of the code directory
    optional: bool


class _Reader:
    def __init__(self, code_dir: Path) -> None:
        self.code_dir = code_dir
        self._paths: dict[str, Path | None] = {}
        self._imports: dict[Path, list[_Found]] = {}

    def find(self, module: str) -> Path | None:
        """The file of a module of the code directory (not ``python/``), or None."""
        if module in self._paths:
            return self._paths[module]
        parts = module.split(".")
        found: Path | None = None
        if parts[0] != DEPENDENCIES_DIR:
            package = self.code_dir.joinpath(*parts)
            for candidate in (package / "__init__.py", package.with_name(parts[-1] + ".py")):
                if candidate.is_file():
                    found = candidate
                    break
            else:
                # A namespace package (a directory of modules without __init__.py).
                if package.is_dir() and any(package.glob("*.py")):
                    found = package
        self._paths[module] = found
        return found

    def imports(self, module: str, path: Path) -> list[_Found]:
        if path not in self._imports:
            self._imports[path] = list(self._read(module, path))
        return self._imports[path]

    def _read(self, module: str, path: Path) -> Iterator[_Found]:
        if path.is_dir():
            return
        relative = path.relative_to(self.code_dir).as_posix()
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=relative)
        except SyntaxError:
            return  # validate reports it (handler-module); nothing to follow
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        yield from self._walk(tree.body, relative, package, optional=False)

    def _walk(self, body: list[ast.stmt], file: str, package: str, optional: bool) -> Iterator[_Found]:
        for node in body:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from self._walk(node.orelse, file, package, optional)
                continue
            if isinstance(node, _TRY_NODES):
                handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
                guarded = optional or any(_catches_import_error(h) for h in handlers)
                yield from self._walk(getattr(node, "body", []), file, package, guarded)
                for handler in handlers:
                    yield from self._walk(handler.body, file, package, optional)
                rest = getattr(node, "orelse", []) + getattr(node, "finalbody", [])
                yield from self._walk(rest, file, package, optional)
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield self._found(alias.name, file, node.lineno, optional)
                continue
            if isinstance(node, ast.ImportFrom):
                yield from self._from_import(node, file, package, optional)
                continue
            for child in _child_bodies(node):
                yield from self._walk(child, file, package, optional)

    def _from_import(self, node: ast.ImportFrom, file: str, package: str, optional: bool) -> Iterator[_Found]:
        if node.level:
            base_parts = package.split(".") if package else []
            base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
            base = ".".join([*base_parts, node.module] if node.module else base_parts)
        else:
            base = node.module or ""
        if not base:
            return
        yield self._found(base, file, node.lineno, optional)
        for alias in node.names:
            # ``from runtime.objects import clients`` may name a submodule rather than an attribute.
            submodule = f"{base}.{alias.name}"
            if alias.name != "*" and self.find(submodule) is not None:
                yield self._found(submodule, file, node.lineno, optional)

    def _found(self, name: str, file: str, line: int, optional: bool) -> _Found:
        local = self.find(name.split(".", maxsplit=1)[0]) is not None
        return _Found(name, ImportSite(file, line), local, optional)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds is not None else []
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _child_bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """Statement lists nested in ``node`` (function and class bodies, loops, with, if, match)."""
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for case in getattr(node, "cases", ()):
        yield case.body
