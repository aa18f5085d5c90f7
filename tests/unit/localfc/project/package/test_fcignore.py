"""``.fcignore`` as fc3 applies it: gitignore syntax, nested files, case-insensitive, ./ anchors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.package.fcignore import walk_code
from tests.fixtures.paths import REPO as REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_walk_honours_root_and_nested_fcignore(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".fcignore": "tests/\n*.LOG\n!keep.log\n./top-only.txt\n# comment\n",
            "handler.py": "",
            "top-only.txt": "",
            "lib/top-only.txt": "",  # ./ anchors to the root: this one stays
            "tests/test_x.py": "",
            "debug.log": "",
            "keep.log": "",
            "lib/.fcignore": "fixtures/\n",
            "lib/code.py": "",
            "lib/fixtures/big.bin": "",
            "other/fixtures/data.bin": "",  # lib's rule does not apply outside lib/
        },
    )
    found = sorted(p.as_posix() for p in walk_code(tmp_path))
    assert found == [
        ".fcignore",
        "handler.py",
        "keep.log",
        "lib/.fcignore",
        "lib/code.py",
        "lib/top-only.txt",
        "other/fixtures/data.bin",
    ]


def test_walk_skips_the_given_paths(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.py": "", "dist/a.zip": ""})
    assert [p.as_posix() for p in walk_code(tmp_path, skip=[tmp_path / "dist"])] == ["a.py"]


def test_repository_package_holds_only_deployable_code() -> None:
    repo = REPO_ROOT
    tops = {p.parts[0] for p in walk_code(repo)}
    assert {"handlers", "runtime", "algorithms", "requirements.txt"} <= tops
    assert not tops & {"tests", "bench", "localfc", "docs", "local_invoke.py", "s.yaml", ".venv", ".git", "dev"}
