"""serve's code watcher: a Python file that ``s deploy`` would package changed, judged by the
same ``.fcignore`` matcher as ``package``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from localfc.fc.code_watch import CodeWatcher, python_changes
from localfc.project.package.fcignore import CodeTree, walk_code
from tests.fixtures.serve import eventually

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FILES = {
    ".fcignore": "tests/\n*.gen.py\n!keep.gen.py\nbuild/\n!build/inside.py\n./top.py\n",
    "handlers/a.py": "",
    "tests/test_a.py": "",
    "Tests/Test_b.py": "",  # fc3 matches case-insensitively
    "lib/.fcignore": "fixtures/\n",
    "lib/x.py": "",
    "lib/fixtures/f.py": "",
    "lib/top.py": "",  # ./top.py is anchored to the root
    "top.py": "",
    "a.gen.py": "",
    "keep.gen.py": "",
    "build/inside.py": "",  # an ignored directory is not entered: ! below it cannot re-include
    "README.md": "",
}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_changed_python_files_count_when_they_would_be_packaged(app: Path) -> None:
    changed = python_changes(CodeTree(app), str(app), [str(app / name) for name in FILES])
    assert changed == {"handlers/a.py", "lib/x.py", "lib/top.py", "keep.gen.py"}


def test_the_watcher_and_package_agree_on_every_file(app: Path) -> None:
    packaged_python = {p.as_posix() for p in walk_code(app) if p.suffix == ".py"}
    assert python_changes(CodeTree(app), str(app), [str(app / name) for name in FILES]) == packaged_python


def test_paths_outside_the_code_directory_do_not_count(app: Path) -> None:
    assert python_changes(CodeTree(app), str(app / "lib"), [str(app / "handlers" / "a.py")]) == frozenset()


def test_an_edited_fcignore_is_read_again(app: Path) -> None:
    tree = CodeTree(app)
    assert python_changes(tree, str(app), [str(app / "tests/test_a.py")]) == frozenset()
    (app / ".fcignore").write_text("build/\n")
    assert python_changes(tree, str(app), [str(app / ".fcignore"), str(app / "tests/test_a.py")]) == {"tests/test_a.py"}


def test_serves_own_state_directory_is_never_code(app: Path) -> None:
    """With no .fcignore line for it, .localfc/ would be packaged: still, the snapshots and
    deployed code serve writes there are not edits of the working tree."""
    state = app / ".localfc"
    written = [str(state / "versions" / "f" / "1" / "code" / "app.py"), str(app / "handlers" / "a.py")]
    assert python_changes(CodeTree(app), str(app), written, exclude=str(state)) == {"handlers/a.py"}


@pytest.fixture
def watcher(app: Path) -> Iterator[CodeWatcher]:
    watcher = CodeWatcher()
    watcher.watch(app)
    yield watcher
    watcher.close()


def test_the_watcher_reports_edits_new_files_and_deletions_but_not_ignored_files(app: Path, watcher: CodeWatcher):
    seen: dict[Path, set[str]] = {}

    def collect(wanted: str) -> bool:
        for code_dir, files in watcher.changed().items():
            seen.setdefault(code_dir, set()).update(files)
        return wanted in seen.get(app, set())

    # The ignored edits come first: by the time the packaged one is seen, they were seen too.
    (app / "tests/test_a.py").write_text("x = 1\n")
    (app / "README.md").write_text("docs\n")
    (app / "lib/fixtures/new.py").write_text("x = 1\n")
    (app / "handlers/a.py").write_text("x = 1\n")
    eventually(lambda: collect("handlers/a.py"), timeout=15)
    assert seen == {app: {"handlers/a.py"}}

    seen.clear()
    (app / "handlers/b.py").write_text("y = 2\n")
    eventually(lambda: collect("handlers/b.py"), timeout=15)
    (app / "lib/x.py").unlink()
    eventually(lambda: collect("lib/x.py"), timeout=15)
    assert seen == {app: {"handlers/b.py", "lib/x.py"}}
    assert watcher.changed() == {}


def test_close_stops_the_watching_threads(app: Path) -> None:
    def watching() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("code-watch-") and app.name in t.name]

    watcher = CodeWatcher()
    watcher.watch(app)
    assert watching() == [f"code-watch-{app.name}"]
    watcher.close()
    assert watching() == []


def test_a_missing_directory_is_not_watched_and_serve_goes_on(tmp_path: Path) -> None:
    watcher = CodeWatcher()
    watcher.watch(tmp_path / "missing")  # returns: the thread logged why and ended
    assert watcher.changed() == {}
    watcher.close()
