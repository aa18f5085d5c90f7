"""Import handler modules in a child interpreter and check each ``module.attr`` is a callable
taking the arguments FC passes, or tell which adapter object an entry point belongs to and
its HTTP routes: the fallback when reading the source is not enough.

The child runs isolated (``-I -B``: no user site, no ``PYTHON*`` variables, no ``.pyc`` written
into the code directory) with the code directory and ``<code>/python`` first on ``sys.path``,
the function's environment variables set, and its prints sent to stderr; this process is never
touched by what the imported code does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

TIMEOUT_S = 60.0

# Both child scripts start alike: the search path first, and whatever the imported code
# prints goes to stderr (even from C), keeping stdout for the JSON answer.
_PREAMBLE = r"""
import importlib, inspect, json, os, sys
out = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
paths, specs = json.loads(sys.argv[1])
sys.path[:0] = paths
results = []
"""

_CHILD = (
    _PREAMBLE
    + r"""
for dotted, arity in specs:
    module_name, _, attr = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:
        detail = str(exc).strip().splitlines()[-1:] or [""]
        results.append(["import", f"importing {module_name} fails: {type(exc).__name__}: {detail[0]}"])
        continue
    if not hasattr(module, attr):
        results.append(["missing-attr", f"{module_name} has no attribute {attr!r}"])
        continue
    func = getattr(module, attr)
    if not callable(func):
        results.append(["not-callable", f"{dotted!r} is a {type(func).__name__}, not a callable"])
        continue
    if inspect.iscoroutinefunction(func):
        results.append(["async", f"{dotted!r} is `async def`: FC's Python runtime calls it without awaiting"])
        continue
    try:
        inspect.signature(func).bind(*([None] * arity))
    except TypeError as exc:
        results.append(["arity", f"{dotted!r} cannot be called with {arity} positional argument(s): {exc}"])
        continue
    except ValueError:
        pass  # no signature (a C callable): give it the benefit of the doubt
    results.append(["ok", ""])
out.write(json.dumps(results))
out.flush()
"""
)


# For each dotted entry point: the classes (MRO, qualified) of the object it is a bound method
# of, and that object's HTTP routes (``router.routes``), or null when it is not one.
_OWNERS_CHILD = (
    _PREAMBLE
    + r"""
for dotted, _arity in specs:
    module_name, _, attr = dotted.rpartition(".")
    try:
        owner = getattr(getattr(importlib.import_module(module_name), attr), "__self__", None)
    except BaseException:
        owner = None
    if owner is None:
        results.append(None)
        continue
    classes = [f"{c.__module__}.{c.__qualname__}" for c in type(owner).__mro__]
    router = getattr(owner, "router", None)
    routes = [[r.method, r.path] for r in getattr(router, "routes", [])] if router is not None else []
    results.append({"classes": classes, "routes": routes})
out.write(json.dumps(results))
out.flush()
"""
)


class ProbeError(RuntimeError):
    """The child interpreter could not run or answer (timeout, crash)."""


def probe(
    search_path: list[Path], specs: list[tuple[str, int]], environment: Mapping[str, str]
) -> list[tuple[str, str]]:
    """``(status, detail)`` for each ``(dotted, arity)``, in order; status is ok | import |
    missing-attr | not-callable | async | arity."""
    answers = _run(_CHILD, search_path, specs, environment)
    return [(str(status), str(detail)) for status, detail in answers]


def probe_owners(
    search_path: list[Path], dotted: list[str], environment: Mapping[str, str]
) -> list[dict[str, Any] | None]:
    """For each entry point, ``{"classes": [...], "routes": [[method, path], ...]}`` of the
    object it is a bound method of, or None (a plain function, or it does not import)."""
    answers = _run(_OWNERS_CHILD, search_path, [(d, 0) for d in dotted], environment)
    return [a if isinstance(a, dict) else None for a in answers]


def _run(script: str, search_path: list[Path], specs: list[tuple[str, int]], environment: Mapping[str, str]) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update({k: v for k, v in environment.items() if k != "PYTHONPATH"})
    payload = json.dumps([[str(p) for p in search_path], specs])
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-B", "-c", script, payload],
            cwd=search_path[0],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(f"importing the handlers took longer than {TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise ProbeError(f"cannot start {sys.executable}: {exc.strerror}") from None
    try:
        answers = json.loads(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ProbeError(f"the import check crashed: {last}") from None
    return answers
