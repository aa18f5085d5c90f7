"""Notice when the working tree's Python code changes, so LATEST gets fresh instances.

A fingerprint of a code directory is (count, newest mtime, sum of mtimes) of its ``*.py``
files: an edit, a new file and a deletion all change it. Directories that are not deployed
(named with a ``dir/`` line in ``.fcignore``, hidden ones, ``__pycache__``) are skipped, and
so is ``python/`` (dependencies installed by ``s build``: restart serve after rebuilding).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

Fingerprint = tuple[int, int, int]
_ALWAYS_SKIPPED = frozenset({"__pycache__", "node_modules", "python"})


def ignored_dirs(code_dir: Path) -> frozenset[str]:
    """Directory names listed as ``name/`` (or a bare name) in ``.fcignore``."""
    names = set(_ALWAYS_SKIPPED)
    try:
        text = (code_dir / ".fcignore").read_text(encoding="utf-8")
    except OSError:
        return frozenset(names)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")) or any(c in line for c in "*?["):
            continue
        name = line.strip("/")
        if name and "/" not in name:
            names.add(name)
    return frozenset(names)


def fingerprint(code_dir: Path, skipped: frozenset[str] | None = None) -> Fingerprint:
    """Cheap summary of the ``*.py`` files under ``code_dir``.

    >>> fingerprint(Path("handlers")) != (0, 0, 0)   # doctest: +SKIP
    True
    """
    skipped = ignored_dirs(code_dir) if skipped is None else skipped
    count = newest = total = 0
    stack = [str(code_dir)]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith(".") and name not in skipped:
                        stack.append(entry.path)
                elif name.endswith(".py"):
                    mtime = entry.stat().st_mtime_ns
                    count += 1
                    total += mtime
                    newest = max(newest, mtime)
            except OSError:
                continue
    return count, newest, total % (1 << 62)


class CodeWatcher:
    """Remembers fingerprints and reports which directories changed since the last check."""

    def __init__(self) -> None:
        self._known: dict[Path, Fingerprint] = {}
        self._skipped: dict[Path, frozenset[str]] = {}

    def watch(self, code_dir: Path) -> None:
        if code_dir not in self._known:
            self._skipped[code_dir] = ignored_dirs(code_dir)
            self._known[code_dir] = fingerprint(code_dir, self._skipped[code_dir])

    def changed(self) -> list[Path]:
        changed = []
        for code_dir, known in list(self._known.items()):
            current = fingerprint(code_dir, self._skipped[code_dir])
            if current != known:
                self._known[code_dir] = current
                changed.append(code_dir)
        return changed
