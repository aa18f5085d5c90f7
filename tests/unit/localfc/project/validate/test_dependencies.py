"""``validate``: a handler whose imports need a distribution that requirements.txt (and the
function's layers) do not declare is an error, even when the dev venv has it."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from localfc.project.validate.checks import validate_file
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path


def _copy_repo(tmp_path: Path) -> Path:
    for name in ("handlers", "runtime", "algorithms"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("s.yaml", "requirements.txt"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def _rules(path: Path) -> list[tuple[str, str]]:
    return [(p.resource, p.rule) for p in validate_file(path / "s.yaml", use_import=False).problems]


def test_the_repository_declares_what_its_handlers_import() -> None:
    result = validate_file(REPO / "s.yaml", use_import=False)
    assert not [p for p in result.problems if p.rule == "undeclared-import"]


def test_an_import_the_dev_venv_has_but_requirements_txt_lacks_is_an_error(tmp_path: Path) -> None:
    project = _copy_repo(tmp_path)
    algorithm = project / "algorithms" / "prime_checker.py"
    algorithm.write_text("import yaml\n" + algorithm.read_text())
    problems = [
        p for p in validate_file(project / "s.yaml", use_import=False).problems if p.rule == "undeclared-import"
    ]
    assert [p.resource for p in problems] == ["prime-checker"]
    assert "imports yaml (algorithms/prime_checker.py:1)" in problems[0].message
    assert "the dev venv has it from pyyaml" in problems[0].message


def test_removing_a_requirement_is_caught(tmp_path: Path) -> None:
    project = _copy_repo(tmp_path)
    requirements = project / "requirements.txt"
    requirements.write_text(
        "".join(line for line in requirements.read_text().splitlines(True) if not line.startswith("Pillow"))
    )
    assert ("thumbnailer", "undeclared-import") in _rules(project)
    assert ("prime-checker", "undeclared-import") not in _rules(project)


def test_a_local_layer_declares_distributions_for_the_functions_that_name_it(tmp_path: Path) -> None:
    project = _copy_repo(tmp_path)
    requirements = project / "requirements.txt"
    pillow = [line for line in requirements.read_text().splitlines() if line.startswith("Pillow")]
    requirements.write_text(
        "".join(line for line in requirements.read_text().splitlines(True) if not line.startswith("Pillow"))
    )
    (project / "layers" / "images").mkdir(parents=True)
    (project / "layers" / "images" / "requirements.txt").write_text("\n".join(pillow) + "\n")
    s_yaml = project / "s.yaml"
    s_yaml.write_text(
        s_yaml.read_text().replace(
            "      handler: handlers.thumbnailer.handler\n",
            "      handler: handlers.thumbnailer.handler\n"
            "      layers:\n        - acs:fc:${vars.region}:${config('AccountID')}:layers/images/versions/1\n",
        )
    )
    assert ("thumbnailer", "undeclared-import") not in _rules(project)
