"""What a module's source binds, read from its ``ast``: the statement that last binds a name
at the top level, the expression an assignment gives it, and whether a name could be bound
some way a reading does not follow (conditionally, dynamically, at any depth).

``static_resolve`` follows handler entry points through these.
"""

from __future__ import annotations

import ast
import functools


class UndecidableError(Exception):
    """Static resolution gives up; the reason says why (the import probe decides)."""


class MissingNameError(Exception):
    """A name that is certainly not there."""


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def bound_expression(stmt: ast.stmt, name: str) -> ast.expr | None:
    """The expression an assignment gives ``name``: the value itself, or its element when
    ``a, b = x, y`` unpacks a literal tuple; None when it cannot be told without running it."""
    if isinstance(stmt, ast.AnnAssign):
        return stmt.value
    if not isinstance(stmt, ast.Assign):
        return None
    for target in reversed(stmt.targets):  # `a = b = v`: every target gets v
        if isinstance(target, ast.Name) and target.id == name:
            return stmt.value
        if isinstance(target, (ast.Tuple, ast.List)) and name in _target_names(target):
            values = stmt.value
            names = [e.id for e in target.elts if isinstance(e, ast.Name)]
            if (
                isinstance(values, (ast.Tuple, ast.List))
                and len(names) == len(target.elts) == len(values.elts)
                and not any(isinstance(v, ast.Starred) for v in values.elts)
            ):
                return values.elts[names.index(name)]
            return None
    return None


def stores_anywhere(tree: ast.Module, name: str) -> bool:
    """Whether any statement, at any depth, could bind ``name`` (a walrus, ``global``, ...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.Global) and name in node.names:
            return True
    return False


def bound_names(stmt: ast.stmt) -> list[str]:
    """The names a statement binds at its own level."""
    if isinstance(stmt, ast.Assign):
        return [name for target in stmt.targets for name in _target_names(target)]
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in stmt.names]
    return []


def binds(stmt: ast.stmt, name: str) -> bool:
    return name in bound_names(stmt)


def top_level_binding(tree: ast.Module, name: str) -> ast.stmt | None:
    """The last unconditional top-level statement binding ``name``; a binding inside a
    top-level ``if``/``try``/``with``/loop makes the answer dynamic."""
    last, conditional = _bindings(tree)
    if name in conditional:
        raise UndecidableError(f"{name} is defined conditionally")
    return last.get(name)


@functools.lru_cache(maxsize=512)
def _bindings(tree: ast.Module) -> tuple[dict[str, ast.stmt], frozenset[str]]:
    """One pass over a module: the last top-level binding of each name, and the names bound
    inside compound statements (so each lookup is a dict access, not a walk)."""
    last: dict[str, ast.stmt] = {}
    conditional: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            conditional.update(n for inner in ast.walk(stmt) if isinstance(inner, ast.stmt) for n in bound_names(inner))
        else:
            last.update(dict.fromkeys(bound_names(stmt), stmt))
    return last, frozenset(conditional)


def has_dynamic_names(tree: ast.Module) -> bool:
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            return True
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
            return True
    return any(isinstance(n, ast.Name) and n.id in ("globals", "setattr") for n in ast.walk(tree))
