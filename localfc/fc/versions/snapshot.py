"""The code a version freezes: the files ``s deploy`` would package from a function's code
directory (``.fcignore`` rules as ``localfc.project.package`` applies them), their digest, and an
immutable copy.

``__pycache__`` and ``*.pyc`` are always left out: Python rewrites them on import, and they
would make every publish look like a change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from typing import TYPE_CHECKING

from localfc.project.package.fcignore import walk_code

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_ALWAYS_SKIPPED_DIRS = frozenset({"__pycache__"})
_CHUNK = 1 << 20


class SnapshotError(RuntimeError):
    """The code directory cannot be read or copied; the message names the path."""


def package_files(code_dir: Path, exclude: Iterable[Path] = ()) -> list[str]:
    """Relative POSIX paths of the files FC would receive from ``code_dir``, sorted.

    ``exclude`` lists directories never packaged whatever ``.fcignore`` says (the local
    state directory, so that versions never contain versions).

    >>> package_files(Path("."))[:2]          # doctest: +SKIP
    ['.fcignore', 'algorithms/__init__.py']
    """
    if not code_dir.is_dir():
        raise SnapshotError(f"code directory {code_dir} does not exist")
    try:
        paths = list(walk_code(code_dir, skip=exclude))
    except OSError as exc:
        raise SnapshotError(f"cannot list {code_dir}: {exc}") from None
    return sorted(p.as_posix() for p in paths if p.suffix != ".pyc" and not _ALWAYS_SKIPPED_DIRS.intersection(p.parts))


def code_digest(code_dir: Path, files: list[str]) -> str:
    """sha256 over every file's path, executable bit and content."""
    total = hashlib.sha256()
    for rel in files:
        path = code_dir / rel
        try:
            executable = os.access(path, os.X_OK)
            content = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    content.update(chunk)
        except OSError as exc:
            raise SnapshotError(f"cannot read {path}: {exc.strerror}") from None
        total.update(f"{rel}\0{int(executable)}\0{content.hexdigest()}\n".encode())
    return total.hexdigest()


def copy_files(code_dir: Path, files: list[str], target: Path) -> None:
    """Copy ``files`` into ``target`` (created; must not exist), keeping modes."""
    try:
        target.mkdir(parents=True)
        for rel in files:
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(code_dir / rel, destination)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise SnapshotError(f"cannot copy {code_dir} to {target}: {exc}") from None
