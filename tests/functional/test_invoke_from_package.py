"""``local_invoke.py invoke --from-package``: the function runs from what ships, on FC's Python,
and a dependency the package lacks fails here, not only after deploy (the dev venv has PyYAML;
a handler that imports it without declaring it works from the venv, not from the package)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from tests.fixtures.packages import WHEELS_TIMEOUT_S
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

# The first test to build a package pays for the wheels' download (once per session).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fc_wheels"), pytest.mark.timeout(WHEELS_TIMEOUT_S)]


@pytest.fixture(scope="module", autouse=True)
def python310() -> None:
    try:
        find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))


def local_invoke(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "invoke", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_prime_checker_from_its_package_answers_as_from_the_venv() -> None:
    packaged = local_invoke("prime-checker", "-e", '{"number": 91}', "--from-package")
    venv = local_invoke("prime-checker", "-e", '{"number": 91}')
    assert packaged.returncode == 0, packaged.stderr
    assert json.loads(packaged.stdout) == json.loads(venv.stdout)
    assert json.loads(packaged.stdout)["factors"] == [7, 13]
    assert "runs from its package" in packaged.stderr
    assert "FC Invoke Start RequestId:" in packaged.stderr and "FC Invoke End RequestId:" in packaged.stderr


def test_an_undeclared_dependency_passes_from_the_venv_and_fails_from_the_package(tmp_path: Path) -> None:
    for name in ("handlers", "runtime", "algorithms"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("s.yaml", "requirements.txt", ".fcignore"):
        shutil.copy(REPO / name, tmp_path / name)
    cache = REPO / ".localfc" / "package-cache"
    if cache.is_dir():  # saves downloading the wheels again
        shutil.copytree(cache, tmp_path / ".localfc" / "package-cache")
    algorithm = tmp_path / "algorithms" / "prime_checker.py"
    future = "from __future__ import annotations\n"
    algorithm.write_text(algorithm.read_text().replace(future, future + "import yaml  # noqa: F401\n", 1))
    assert local_invoke("prime-checker", "-e", '{"number": 7}', cwd=tmp_path).returncode == 0
    packaged = local_invoke("prime-checker", "-e", '{"number": 7}', "--from-package", cwd=tmp_path)
    assert packaged.returncode == 2
    assert "imports what no distribution in requirements.txt or its layers provides: yaml" in packaged.stderr
    assert "Traceback" not in packaged.stderr
