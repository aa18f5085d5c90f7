"""A new algorithm added exactly as the README (and docs/runtime.md) say passes ``validate``
the first time and answers an invoke: the code blocks of "Adding an algorithm in 3 steps"
are written to a copy of the repository as they stand, nothing added."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from localfc.project.validate import validate_file
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

INVOKE = ["-e", json.dumps({"text": "a b c"}), "--silent"]
_BLOCK = re.compile(r"^( *)```(python|yaml)\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


def steps(document: str) -> list[tuple[str, str]]:
    """(language, code) of each block of the "Adding an algorithm in 3 steps" section."""
    text = (REPO / document).read_text(encoding="utf-8")
    section = text.split("## Adding an algorithm in 3 steps", 1)[1].split("\n## ", 1)[0]
    # Only the fence's own indentation goes (a list item's); the YAML keeps its 2 spaces.
    return [
        (lang, "".join(line[len(fence) :] for line in code.splitlines(keepends=True)))
        for fence, lang, code in _BLOCK.findall(section)
    ]


def repository_copy(tmp_path: Path) -> Path:
    """The repository's deployable code and s.yaml, linked file by file into a fresh directory
    the test can add files to without touching the repository."""
    root = tmp_path / "repo"
    for name in ("runtime", "requirements.txt", ".fcignore"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).symlink_to(REPO / name)
    for package in ("algorithms", "handlers"):
        (root / package).mkdir()
        for item in (REPO / package).iterdir():
            if item.name != "__pycache__":
                (root / package / item.name).symlink_to(item)
    (root / "s.yaml").write_text((REPO / "s.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.mark.parametrize("document", ["README.md", "docs/runtime.md"])
def test_following_the_steps_validates_first_time_and_invokes(tmp_path: Path, document: str) -> None:
    blocks = steps(document)
    assert [lang for lang, _ in blocks] == ["python", "python", "yaml"], "the three steps are three code blocks"
    root = repository_copy(tmp_path)
    (root / "algorithms" / "text_stats.py").write_text(blocks[0][1], encoding="utf-8")
    (root / "handlers" / "text_stats.py").write_text(blocks[1][1], encoding="utf-8")
    with (root / "s.yaml").open("a", encoding="utf-8") as s_yaml:
        s_yaml.write("\n" + blocks[2][1])

    result = validate_file(root / "s.yaml", environ={})
    assert [p.render("s.yaml") for p in result.problems] == []
    assert result.functions == 5

    done = subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "invoke", "text-stats", "-t", str(root / "s.yaml"), *INVOKE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["words"] == 3
