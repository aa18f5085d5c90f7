"""Find FC's own Python version on this machine: ``python3.10`` for ``python3.10`` functions.

Looked up in this order: ``$LOCALFC_PYTHON3_10`` (dots become underscores; an explicit path
beats the search), ``pythonX.Y`` on PATH when it runs (a pyenv shim whose version is not
active fails, and is skipped), then ``$PYENV_ROOT/versions/X.Y.*/bin/pythonX.Y`` (newest
patch release first). ``./dev compat`` looks them up the same way.

When none is found, callers decide: ``package`` builds without bytecode and says so,
``invoke``/``serve`` run from the dev venv and say so; an explicit ``--from-package`` fails
with the message of ``InterpreterNotFoundError``.

>>> find_interpreter("3.10")   # doctest: +SKIP
PosixPath('/root/.pyenv/versions/3.10.13/bin/python3.10')
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path


class InterpreterNotFoundError(LookupError):
    """No interpreter of the wanted version on this machine; the message says how to get one."""


def env_name(version: str) -> str:
    return "LOCALFC_PYTHON" + version.replace(".", "_")


def find_interpreter(version: str) -> Path:
    """A runnable CPython ``version`` ("3.10"); raises InterpreterNotFoundError."""
    found = _find(version)
    if found is None:
        raise InterpreterNotFoundError(
            f"python{version} not found (looked at ${env_name(version)}, python{version} on PATH and"
            f" ~/.pyenv/versions/{version}.*): install it, e.g. `pyenv install {version}`, or set"
            f" {env_name(version)}=/path/to/python{version}"
        )
    return found


@cache
def _find(version: str) -> Path | None:
    candidates: list[str] = []
    explicit = os.environ.get(env_name(version))
    if explicit:
        candidates.append(explicit)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    installed = sorted(root.glob(f"{version}.*/bin/python{version}"), key=_patch_level, reverse=True)
    candidates.extend(str(p) for p in installed)
    for candidate in candidates:
        if _reports(candidate, version):
            return Path(candidate)
    return None


def _patch_level(path: Path) -> tuple[int, ...]:
    release = path.parents[1].name.split(".")
    return tuple(int(p) if p.isdigit() else -1 for p in release)


def _reports(candidate: str, version: str) -> bool:
    try:
        done = subprocess.run(
            [candidate, "-I", "-c", "import sys;print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version
