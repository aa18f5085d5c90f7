"""Which files of a code directory ``s deploy`` zips: ``.fcignore`` rules, gitignore syntax.

fc3 walks the code directory with ``@serverless-devs/ignore-walk``: every directory's own
``.fcignore`` applies below it (deeper files win), patterns match case-insensitively,
``./x`` means ``/x`` (anchored), ``!`` re-includes, and an ignored directory is not entered.
Pattern matching itself is gitignore's, done by the ``pathspec`` library (``GitIgnoreSpec``).

>>> rules = FcIgnore.from_lines(["tests/", "*.pyc", "!keep.pyc"])
>>> rules.ignored("tests", is_dir=True), rules.ignored("a/b.pyc"), rules.ignored("keep.pyc")
(True, True, False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

IGNORE_FILE = ".fcignore"


def _normalise(line: str) -> str | None:
    text = line.rstrip("\r\n")
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    if text.startswith("./"):
        text = text[1:]
    elif text.startswith("!./"):
        text = "!/" + text[3:]
    # fc3 matches with nocase: lower-case patterns here and paths in `ignored`.
    return text.lower()


@dataclass
class FcIgnore:
    """The rules of one ``.fcignore`` file, relative to the directory that holds it."""

    spec: pathspec.GitIgnoreSpec = field(default_factory=lambda: pathspec.GitIgnoreSpec.from_lines([]))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> FcIgnore:
        patterns = [p for p in (_normalise(line) for line in lines) if p is not None]
        return cls(pathspec.GitIgnoreSpec.from_lines(patterns))

    @classmethod
    def from_file(cls, path: Path) -> FcIgnore:
        return cls.from_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())

    def verdict(self, relative: str, is_dir: bool = False) -> bool | None:
        """True ignored, False re-included by ``!``, None no rule matches."""
        name = relative.lower() + ("/" if is_dir else "")
        result = self.spec.check_file(name)
        if result.include is None:
            return None
        return bool(result.include)

    def ignored(self, relative: str, is_dir: bool = False) -> bool:
        return bool(self.verdict(relative, is_dir))


class CodeTree:
    """What ``s deploy`` would zip from ``root``, asked one path at a time: ``package`` walks
    the tree with it, ``serve``'s code watcher asks about each changed file. Each directory's
    ``.fcignore`` is read once; ``forget()`` after one changed.

    >>> tree = CodeTree(Path("."))                           # doctest: +SKIP
    >>> tree.packaged("tests/unit/test_x.py")               # doctest: +SKIP
    False
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._rules: dict[str, list[tuple[str, FcIgnore]]] = {}

    def rules(self, directory: str) -> list[tuple[str, FcIgnore]]:
        """The ``.fcignore`` files that apply inside ``directory`` (relative, "" = root), outermost first."""
        cached = self._rules.get(directory)
        if cached is None:
            parent = directory.rpartition("/")[0] if directory else None
            cached = list(self.rules(parent)) if parent is not None else []
            ignore_file = self.root / directory / IGNORE_FILE
            if ignore_file.is_file():
                cached.append((directory, FcIgnore.from_file(ignore_file)))
            self._rules[directory] = cached
        return cached

    def ignored(self, relative: str, is_dir: bool = False) -> bool:
        """The rules of its own directory ignore ``relative`` (its parents are not looked at)."""
        return _ignored(self.rules(relative.rpartition("/")[0]), relative, is_dir)

    def packaged(self, relative: str) -> bool:
        """The file ``relative`` would be zipped: neither it nor a directory above it is ignored
        (fc3 does not enter an ignored directory, so a ``!`` rule below it cannot re-include)."""
        parts = relative.split("/")
        directories = ("/".join(parts[:i]) for i in range(1, len(parts)))
        return not any(self.ignored(d, is_dir=True) for d in directories) and not self.ignored(relative)

    def forget(self) -> None:
        self._rules.clear()


def walk_code(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Files of ``root`` that ``s deploy`` would zip (sorted, relative to ``root``).

    ``skip`` holds absolute paths never to include (the output directory, caches)."""
    skipped = {p.resolve() for p in skip}
    tree = CodeTree(root)
    for current, dirs, files in os.walk(root):
        here = Path(current)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        dirs[:] = sorted(
            d
            for d in dirs
            if (here / d).resolve() not in skipped
            and not (here / d).is_symlink()
            and not tree.ignored(_join(rel_dir, d), is_dir=True)
        )
        for name in sorted(files):
            path = here / name
            if path.resolve() in skipped or tree.ignored(_join(rel_dir, name)):
                continue
            yield path.relative_to(root)


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def _ignored(rules: list[tuple[str, FcIgnore]], relative: str, is_dir: bool) -> bool:
    ignored = False
    for base, rule in rules:
        inner = relative[len(base) + 1 :] if base else relative
        verdict = rule.verdict(inner, is_dir)
        if verdict is not None:
            ignored = verdict
    return ignored
