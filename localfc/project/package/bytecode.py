"""Bytecode for a package, compiled by FC's own Python version.

FC mounts /code read-only, so a package without ``.pyc`` files compiles every module it
imports at every cold start and can never cache the result. The ``.pyc`` files are written in
``__pycache__/<module>.cpython-310.pyc`` by the target interpreter itself (bytecode differs
between Python versions), in unchecked-hash mode (PEP 552): they stay valid after unzipping,
which resets every timestamp, and are never rewritten. Source paths inside the bytecode are
the ones FC will have (``/code/...`` or ``/opt/python/...``) and the hash seed is fixed, so the
same inputs give the same bytes wherever the package is built.

>>> compile_tree(Path("/root/.pyenv/versions/3.10.13/bin/python3.10"), staging, "/code")  # doctest: +SKIP
CompileResult(compiled=True, failures=0)
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

TIMEOUT_S = 600.0
_SCRIPT = r"""
import compileall, json, py_compile, sys, io, contextlib
root, mount = sys.argv[1], sys.argv[2]
failed = io.StringIO()
with contextlib.redirect_stdout(failed):
    compileall.compile_dir(root, quiet=1, stripdir=root, prependdir=mount, workers=1,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
print(json.dumps({"failures": failed.getvalue().count("*** Error compiling")}), file=sys.stderr)
"""


class BytecodeError(RuntimeError):
    """The target interpreter could not run compileall at all."""


@dataclass(frozen=True)
class CompileResult:
    compiled: bool
    failures: int = 0  # files with a syntax the target rejects (e.g. a Python 2 leftover in a wheel)


def compile_tree(interpreter: Path, root: Path, mount: str) -> CompileResult:
    """Compile every ``.py`` under ``root`` with ``interpreter``; ``mount`` is where ``root``
    will be on FC (``/code``, ``/code/python``, ``/opt/python``)."""
    try:
        done = subprocess.run(
            [str(interpreter), "-S", "-s", "-c", _SCRIPT, str(root), mount],
            # A fixed hash seed: set and frozenset constants are marshalled in hash order.
            env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BytecodeError(f"cannot compile with {interpreter}: {exc}") from None
    lines = done.stderr.strip().splitlines()
    try:
        failures = int(json.loads(lines[-1])["failures"])
    except (IndexError, ValueError, KeyError, TypeError):
        raise BytecodeError(
            f"compiling with {interpreter} failed: {lines[-1] if lines else f'exit status {done.returncode}'}"
        ) from None
    return CompileResult(True, failures)
