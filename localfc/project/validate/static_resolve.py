"""Resolve ``module.attr`` to a callable and its arity by reading source (``ast``), not importing.

Follows what a handler module usually does: ``def handler(event, context)``, ``from x import y``
(re-exports through packages too), ``app = SomeClass(...)`` then ``handler = app.handler`` or
``initialize, handler = app.initialize, app.handler`` (a bound method of a class defined in
the code directory, through its base classes). Anything more dynamic (factories, decorators,
``__getattr__``, star imports, conditional definitions, unpacking a call's result) is answered
``unknown`` and left to ``import_probe``, which imports in a subprocess: a name is reported
missing only when no statement of the module could bind it.

What a module's statements bind is read by ``source_bindings``; this module follows the
names from module to module, class to base class, and checks the callable it ends at.

``owner(dotted)`` also tells which object a bound-method entry point belongs to (the
``AlgorithmFunction(...)`` call that built ``app``), for the checks that read its routes.

>>> from pathlib import Path
>>> StaticResolver([Path("/nonexistent")]).resolve("m.handler", 2).status
'missing-module'
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from localfc.project.validate.source_bindings import (
    MissingNameError,
    UndecidableError,
    binds,
    bound_expression,
    has_dynamic_names,
    stores_anywhere,
    top_level_binding,
)

if TYPE_CHECKING:
    from pathlib import Path

Status = Literal["ok", "missing-module", "missing-attr", "not-callable", "arity", "async", "syntax", "unknown"]
_MAX_DEPTH = 25


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class _Module:
    name: str
    path: Path
    tree: ast.Module
    is_package: bool


@dataclass(frozen=True)
class _Func:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    drop_first: bool  # bound method: FC's call does not pass self


@dataclass(frozen=True)
class _Class:
    node: ast.ClassDef
    module: _Module


@dataclass(frozen=True)
class _Instance:
    cls: _Class
    call: ast.Call | None = None  # the constructor call, when the instance was built in source
    module: _Module | None = None  # where that call is written (to resolve its arguments)


@dataclass(frozen=True)
class Owner:
    """The object an entry point is a bound method of, as written in the source."""

    class_names: tuple[str, ...]  # qualified names, the class first, then its bases (source-defined ones)
    call: ast.Call | None
    resolver: StaticResolver
    module_name: str

    def is_a(self, qualified: str) -> bool:
        """``owner.is_a("runtime.objects.function.ObjectFunction")``"""
        return qualified in self.class_names


_Value = _Module | _Func | _Class | _Instance


class StaticResolver:
    """Resolves against modules found under ``search_path`` (the code directory, then
    ``<code>/python``); parsed modules are cached, so many functions sharing a handler module
    cost one parse."""

    def __init__(self, search_path: list[Path]) -> None:
        self.search_path = search_path
        self._modules: dict[str, _Module | None] = {}
        self._syntax_errors: dict[str, str] = {}

    def resolve(self, dotted: str, arity: int) -> Verdict:
        module_name, _, attr = dotted.rpartition(".")
        if not module_name or not attr:
            return Verdict("missing-attr", f"{dotted!r} is not of the form module.function")
        try:
            module = self._module(module_name)
            if module is None:
                looked = module_name.replace(".", "/")
                return Verdict("missing-module", f"no module {module_name!r} ({looked}.py) in {self.search_path[0]}")
            return _check_callable(dotted, self._attribute(module, attr, 0), arity)
        except MissingNameError as exc:
            return Verdict("missing-attr", str(exc))
        except UndecidableError as exc:
            return Verdict("unknown", str(exc))
        except SyntaxError as exc:
            return Verdict("syntax", str(exc))

    def owner(self, dotted: str) -> Owner | None:
        """The instance ``dotted`` is a bound method of, when the source says (else None)."""
        module_name, _, attr = dotted.rpartition(".")
        try:
            module = self._module(module_name) if module_name else None
            if module is None:
                return None
            binding = top_level_binding(module.tree, attr)
            expr = bound_expression(binding, attr) if binding is not None else None
            if not isinstance(expr, ast.Attribute):
                return None
            value = self._expression(module, expr.value, 0)
        except (UndecidableError, MissingNameError, SyntaxError):
            return None
        if not isinstance(value, _Instance):
            return None
        names = self._lineage(value.cls, 0)
        where = value.module.name if value.module is not None else module.name
        return Owner(tuple(names), value.call, self, where)

    def is_plain_function(self, dotted: str) -> bool:
        """Whether the source says ``dotted`` is a function (a ``def``, a lambda, a re-export
        of one), not a method bound to an instance: then no adapter object is behind it."""
        module_name, _, attr = dotted.rpartition(".")
        try:
            module = self._module(module_name) if module_name else None
            value = self._attribute(module, attr, 0) if module is not None else None
        except (UndecidableError, MissingNameError, SyntaxError):
            return False
        return isinstance(value, _Func) and not value.drop_first

    def value_of(self, module_name: str, expr: ast.expr) -> str | None:
        """The qualified name of the class (or function) ``expr`` names in ``module_name``."""
        try:
            module = self._module(module_name)
            value = self._expression(module, expr, 0) if module is not None else None
        except (UndecidableError, MissingNameError, SyntaxError):
            return None
        if isinstance(value, _Class):
            return f"{value.module.name}.{value.node.name}"
        return None

    def _lineage(self, cls: _Class, depth: int) -> list[str]:
        names = [f"{cls.module.name}.{cls.node.name}"]
        if depth > _MAX_DEPTH:
            return names
        for base in cls.node.bases:
            try:
                value = self._expression(cls.module, base, depth + 1)
            except (UndecidableError, MissingNameError, SyntaxError):
                continue
            if isinstance(value, _Class):
                names += self._lineage(value, depth + 1)
        return names

    # -- modules ---------------------------------------------------------------------------

    def _module(self, name: str) -> _Module | None:
        if name in self._modules:
            return self._modules[name]
        found: _Module | None = None
        parts = name.split(".")
        for base in self.search_path:
            for path, is_package in (
                (base.joinpath(*parts, "__init__.py"), True),
                (base.joinpath(*parts[:-1], parts[-1] + ".py"), False),
            ):
                if path.is_file():
                    source = path.read_text(encoding="utf-8", errors="replace")
                    try:
                        tree = ast.parse(source, filename=str(path))
                    except SyntaxError as exc:
                        where = f"{path.relative_to(base)} line {exc.lineno}"
                        raise SyntaxError(f"{where}: {exc.msg}") from None
                    found = _Module(name, path, tree, is_package)
                    break
            if found is not None:
                break
        self._modules[name] = found
        return found

    def _submodule_or_none(self, package: _Module, attr: str) -> _Module | None:
        if not package.is_package:
            return None
        return self._module(f"{package.name}.{attr}")

    # -- names -----------------------------------------------------------------------------

    def _attribute(self, module: _Module, attr: str, depth: int) -> _Value:
        if depth > _MAX_DEPTH:
            raise UndecidableError("too many indirections")
        binding = top_level_binding(module.tree, attr)
        if binding is None:
            sub = self._submodule_or_none(module, attr)
            if sub is not None:
                return sub
            if has_dynamic_names(module.tree):
                raise UndecidableError(f"{module.name} defines names dynamically")
            if stores_anywhere(module.tree, attr):
                raise UndecidableError(f"{attr} is bound in a way the source reading does not follow")
            raise MissingNameError(f"{module.path.name} has no top-level {attr!r}")
        return self._evaluate_binding(module, binding, attr, depth + 1)

    def _evaluate_binding(self, module: _Module, node: ast.stmt, attr: str, depth: int) -> _Value:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.decorator_list:
                raise UndecidableError(f"{attr} is decorated")
            return _Func(node, drop_first=False)
        if isinstance(node, ast.ClassDef):
            return _Class(node, module)
        if isinstance(node, ast.ImportFrom):
            return self._import_from(module, node, attr, depth)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.asname or alias.name.split(".")[0]) == attr:
                    target = alias.name if alias.asname else alias.name.split(".")[0]
                    found = self._module(target)
                    if found is None:
                        raise UndecidableError(f"module {target} is not in the code directory")
                    return found
        expr = bound_expression(node, attr)
        if expr is not None:
            return self._expression(module, expr, depth)
        raise UndecidableError(f"{attr} is bound by a {type(node).__name__} statement")

    def _import_from(self, module: _Module, node: ast.ImportFrom, attr: str, depth: int) -> _Value:
        source = _absolute_module(module, node)
        for alias in node.names:
            if (alias.asname or alias.name) != attr:
                continue
            target = self._module(source)
            if target is None:
                raise UndecidableError(f"module {source} is not in the code directory")
            sub = self._module(f"{source}.{alias.name}") if target.is_package else None
            if top_level_binding(target.tree, alias.name) is None and sub is not None:
                return sub
            return self._attribute(target, alias.name, depth)
        raise UndecidableError(f"{attr} not found in an import")

    def _expression(self, module: _Module, expr: ast.expr, depth: int) -> _Value:
        if depth > _MAX_DEPTH:
            raise UndecidableError("too many indirections")
        if isinstance(expr, ast.Name):
            return self._attribute(module, expr.id, depth + 1)
        if isinstance(expr, ast.Lambda):
            return _Func(expr, drop_first=False)
        if isinstance(expr, ast.Attribute):
            owner = self._expression(module, expr.value, depth + 1)
            return self._member(owner, expr.attr, depth + 1)
        if isinstance(expr, ast.Call):
            callee = self._expression(module, expr.func, depth + 1)
            if isinstance(callee, _Class):
                return _Instance(callee, expr, module)
            raise UndecidableError("the value comes from a function call")
        raise UndecidableError(f"the value is a {type(expr).__name__} expression")

    def _member(self, owner: _Value, attr: str, depth: int) -> _Value:
        if isinstance(owner, _Module):
            return self._attribute(owner, attr, depth)
        if isinstance(owner, (_Class, _Instance)):
            cls = owner.cls if isinstance(owner, _Instance) else owner
            func, static = self._method(cls, attr, depth)
            return _Func(func.node, drop_first=isinstance(owner, _Instance) and not static)
        raise UndecidableError(f"cannot look up {attr!r} on a function")

    def _method(self, cls: _Class, attr: str, depth: int) -> tuple[_Func, bool]:
        if depth > _MAX_DEPTH:
            raise UndecidableError("too many indirections")
        for stmt in reversed(cls.node.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == attr:
                decorators = [d.id for d in stmt.decorator_list if isinstance(d, ast.Name)]
                if len(decorators) != len(stmt.decorator_list) or set(decorators) - {"staticmethod", "classmethod"}:
                    raise UndecidableError(f"{cls.node.name}.{attr} is decorated")
                return _Func(stmt, drop_first=False), "staticmethod" in decorators
            if binds(stmt, attr):
                raise UndecidableError(f"{cls.node.name}.{attr} is assigned, not defined")
        unresolved = False
        for base in cls.node.bases:
            try:
                base_value = self._expression(cls.module, base, depth + 1)
            except (UndecidableError, MissingNameError):
                unresolved = True
                continue
            if isinstance(base_value, _Class):
                try:
                    return self._method(base_value, attr, depth + 1)
                except MissingNameError:
                    continue
            unresolved = True
        if unresolved:
            raise UndecidableError(f"{cls.node.name} has a base class outside the code directory")
        raise MissingNameError(f"class {cls.node.name} has no method {attr!r}")


def _absolute_module(module: _Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def _check_callable(dotted: str, value: _Value, arity: int) -> Verdict:
    if isinstance(value, _Module):
        return Verdict("not-callable", f"{dotted!r} is a module, not a function")
    if isinstance(value, _Class):
        return Verdict("unknown", "a class")
    if isinstance(value, _Instance):
        return Verdict("unknown", "an instance (callable only with __call__)")
    node = value.node
    if isinstance(node, ast.AsyncFunctionDef):
        return Verdict("async", f"{dotted!r} is `async def`: FC's Python runtime calls it without awaiting")
    problem = arity_problem(node.args, arity, value.drop_first)
    if problem:
        return Verdict("arity", f"{dotted!r} {problem}")
    return Verdict("ok")


def arity_problem(args: ast.arguments, arity: int, drop_first: bool) -> str:
    """Why a call with ``arity`` positional arguments would fail, or ""."""
    positional = [*args.posonlyargs, *args.args]
    if drop_first and positional:
        positional = positional[1:]
    required = len(positional) - len(args.defaults)
    required_keywords = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if required_keywords:
        return f"needs keyword argument(s) {', '.join(required_keywords)} that FC never passes"
    if arity < required:
        return f"needs {required} positional argument(s), FC passes {arity}"
    if arity > len(positional) and args.vararg is None:
        takes = len(positional)
        return f"takes {takes} positional argument{'s' * (takes != 1)}, FC passes {arity}"
    return ""
