"""``local_invoke.py package``: per-function zips built for FC's Python without Docker, with
only the distributions each function's imports need, bytecode compiled by FC's Python, a size
report, and one clear error for each kind of bad input (never a half-written zip).

The first run downloads the wheels for python3.10 from PyPI (a minute or two); they are cached
in ``.localfc/package-cache``, so later runs take seconds. Bytecode needs python3.10 (pyenv or
PATH); where it is missing the package is built without it and the report says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from localfc.project.package.fcignore import walk_code
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.syaml import load_project
from localfc.project.validate import validate_file
from tests.fixtures.packages import WHEELS_TIMEOUT_S
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

# The first test to build a package pays for the wheels' download (once per session).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fc_wheels"), pytest.mark.timeout(WHEELS_TIMEOUT_S)]


def package(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "package", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def python310() -> Path:
    try:
        return find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = package("-o", str(out), "--no-template")  # the template would land beside the repository's s.yaml
    assert done.returncode == 0, done.stderr
    return out


def _names(zip_path: Path) -> list[str]:
    return zipfile.ZipFile(zip_path).namelist()


def test_each_function_ships_only_what_its_imports_need(dist: Path) -> None:
    prime = _names(dist / "prime-checker.zip")
    tops = {n.split("/", 1)[0] for n in prime}
    assert tops == {"handlers", "runtime", "algorithms", "python", "requirements.txt"}
    assert "handlers/prime_checker.py" in prime and "algorithms/prime_checker.py" in prime
    assert not [n for n in prime if n.startswith(("handlers/thumbnailer", "algorithms/thumbnailer", "runtime/objects"))]
    packages = {n.split("/")[1] for n in prime if n.startswith("python/")}
    assert {"pydantic", "pydantic_core"} <= packages
    assert not packages & {"PIL", "oss2", "aliyun", "crcmod", "cryptography"}
    # nothing that only pip or a type checker reads
    assert not [n for n in prime if n.endswith((".pyi", "/RECORD", "/INSTALLER")) or "/sboms/" in n]
    assert "python/pydantic-2.14.3.dist-info/METADATA" in prime  # importlib.metadata still works
    thumbnailer = {n.split("/")[1] for n in _names(dist / "thumbnailer.zip") if n.startswith("python/")}
    assert {"PIL", "oss2", "crcmod", "pydantic"} <= thumbnailer
    assert "aliyun" not in thumbnailer  # the SLS SDK is an optional import of the runtime
    assert {"oss2", "crcmod"} <= {
        n.split("/")[1] for n in _names(dist / "table-summary.zip") if n.startswith("python/")
    }
    assert "PIL" not in {n.split("/")[1] for n in _names(dist / "table-summary.zip") if n.startswith("python/")}


def test_wheels_are_for_cp310_manylinux_and_crcmod_is_pure_python(dist: Path) -> None:
    names = _names(dist / "thumbnailer.zip")
    compiled = [n for n in names if n.endswith(".so")]
    assert compiled and all("cpython-310-x86_64-linux-gnu" in n or "abi3" in n for n in compiled), compiled
    assert not [n for n in names if n.startswith("python/crcmod/") and n.endswith(".so")]


def test_bytecode_is_compiled_by_python310_in_unchecked_hash_mode(dist: Path) -> None:
    python310()
    archive = zipfile.ZipFile(dist / "prime-checker.zip")
    pyc = archive.read("handlers/__pycache__/prime_checker.cpython-310.pyc")
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # PEP 552: hash-based, not checked
    assert "python/pydantic/__pycache__/main.cpython-310.pyc" in archive.namelist()
    assert not [n for n in archive.namelist() if ".cpython-311" in n]  # never this machine's bytecode


def test_the_report_gives_sizes_largest_distributions_and_bytecode(dist: Path) -> None:
    python310()
    done = package("prime-checker", "-o", str(dist))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("prime-checker  ") and " zipped, " in lines[0] and " unpacked  [python3.10" in lines[0]
    assert lines[1].startswith("  largest: pydantic-core ") and "cached)" in lines[1]
    assert lines[2] == "  bytecode: yes (compiled by python3.10, unchecked-hash)"
    assert "optional import aliyun (runtime/shipping.py:" in done.stderr
    assert "downloading" not in done.stderr  # cached


def test_every_handler_imports_from_the_unpacked_zip_on_python310(dist: Path, tmp_path: Path) -> None:
    interpreter = python310()
    project = load_project(REPO / "s.yaml")
    for _, props in project.functions():
        code = tmp_path / props.functionName
        zipfile.ZipFile(dist / f"{props.functionName}.zip").extractall(code)
        hooks = [props.handler]
        lifecycle = props.instanceLifecycleConfig
        if lifecycle is not None:
            hooks += [h.handler for h in (lifecycle.initializer, lifecycle.preStop) if h is not None]
        check = (
            "import importlib, json, sys\n"
            "for dotted in json.loads(sys.argv[1]):\n"
            "    module, _, attr = dotted.rpartition('.')\n"
            "    assert callable(getattr(importlib.import_module(module), attr)), dotted\n"
            "print(json.dumps(sorted({m.__file__ for m in list(sys.modules.values())"
            " if getattr(m, '__file__', None) and 'site-packages' in m.__file__})))\n"
        )
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{code / 'python'}{os.pathsep}{code}"}
        done = subprocess.run(
            [str(interpreter), "-S", "-s", "-B", "-c", check, json.dumps(hooks)],
            cwd=code,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (props.functionName, done.stderr)
        assert json.loads(done.stdout) == [], "nothing may come from an interpreter's site-packages"


def test_second_run_is_cached_and_gives_the_same_bytes(dist: Path, tmp_path: Path) -> None:
    done = package("prime-checker", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "downloading" not in done.stderr and "compiling" not in done.stderr
    assert (tmp_path / "prime-checker.zip").read_bytes() == (dist / "prime-checker.zip").read_bytes()


def test_python312_packages_build_too(tmp_path: Path) -> None:
    done = package("prime-checker", "--runtime", "python3.12", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "[python3.12 (CPython 3.12, manylinux_2_31_x86_64 or older)]" in done.stdout
    names = _names(tmp_path / "prime-checker.zip")
    assert [n for n in names if n.endswith("cpython-312-x86_64-linux-gnu.so")]


# --- bad input: one clear line each, exit status 1, no zip -------------------------------------
def _project(tmp_path: Path, requirements: str, *, extra_import: str = "") -> Path:
    for name in ("handlers", "runtime", "algorithms"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("s.yaml", ".fcignore"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "requirements.txt").write_text(requirements)
    if extra_import:
        algorithm = tmp_path / "algorithms" / "prime_checker.py"
        algorithm.write_text(extra_import + "\n" + algorithm.read_text())
    return tmp_path


def _errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def test_a_version_that_does_not_exist_is_one_error_for_every_function(tmp_path: Path) -> None:
    pins = (REPO / "requirements.txt").read_text().replace("pydantic==2.14.3", "pydantic==99.0")
    project = _project(tmp_path / "p", pins)
    done = package("-o", str(tmp_path / "out"), cwd=project)
    errors = _errors(done)
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: prime-checker, language-detector, thumbnailer, table-summary: pydantic==99.0")
    assert "pin a version that has one (these do:" in errors[0] and "2.14.3" in errors[0]
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_an_unknown_distribution_is_named(tmp_path: Path) -> None:
    pins = (REPO / "requirements.txt").read_text() + "no-such-distribution-anywhere==1.0\n"
    done = package("prime-checker", "-o", str(tmp_path / "out"), cwd=_project(tmp_path / "p", pins))
    (error,) = _errors(done)
    assert "no-such-distribution-anywhere==1.0: no wheel for python3.10" in error
    assert "no release of no-such-distribution-anywhere has one; check the name" in error


def test_an_undeclared_import_stops_the_function(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", (REPO / "requirements.txt").read_text(), extra_import="import yaml")
    done = package("prime-checker", "-o", str(tmp_path / "out"), cwd=project)
    (error,) = _errors(done)
    assert "imports what no distribution in requirements.txt or its layers provides: yaml" in error
    assert not (tmp_path / "out" / "prime-checker.zip").exists()


def test_the_deploy_template_points_each_packaged_function_at_its_zip(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", (REPO / "requirements.txt").read_text())
    cache = REPO / ".localfc" / "package-cache"
    if cache.is_dir():  # saves downloading the wheels again
        shutil.copytree(cache, project / ".localfc" / "package-cache")
    done = package("prime-checker", "--runtime", "python3.12", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "deploy with `s deploy -y -t s.dist.yaml`" in done.stdout
    deployed = load_project(project / "s.dist.yaml", environ={})
    _, prime = deployed.function("prime-checker")
    assert (prime.code, prime.runtime) == ("./dist/prime-checker.zip", "python3.12")
    assert (project / "dist" / "prime-checker.zip").is_file()
    _, other = deployed.function("thumbnailer")  # not packaged: as in s.yaml
    assert (other.code, other.runtime) == ("./", "python3.10")
    # what `s deploy -t s.dist.yaml` would be told is valid, and never shipped itself
    assert [p.render("s.dist.yaml") for p in validate_file(project / "s.dist.yaml", environ={}).problems] == []
    assert "s.dist.yaml" not in {p.name for p in walk_code(project)}


def test_an_output_path_that_cannot_be_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "dist"
    blocker.write_text("a file where the output directory should be")
    (error,) = _errors(package("prime-checker", "-o", str(blocker)))
    assert error.startswith("error: prime-checker: cannot write ")


def test_unknown_function_is_one_clear_error(tmp_path: Path) -> None:
    done = package("no-such-function", "-o", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.startswith("error: no function 'no-such-function' in s.yaml")


def test_without_fcs_python_the_package_has_no_bytecode_and_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "PYENV_ROOT": str(tmp_path / "no-pyenv"), "PATH": "/usr/bin:/bin"}
    env.pop("LOCALFC_PYTHON3_10", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "package", "prime-checker", "--no-deps", "-o", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "  bytecode: no" in done.stdout
    assert "warning: prime-checker: no bytecode: python3.10 not found" in done.stderr
    assert "pyenv install 3.10" in done.stderr
    assert not [n for n in _names(tmp_path / "prime-checker.zip") if n.endswith(".pyc")]


def test_folders_no_handler_reaches_stay_out_even_without_an_fcignore_rule(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", (REPO / "requirements.txt").read_text())
    (project / ".venv-other" / "lib").mkdir(parents=True)
    (project / ".venv-other" / "lib" / "big.so").write_bytes(b"x" * 1000)
    (project / "notes").mkdir()
    (project / "notes" / "draft.txt").write_text("not code")
    done = package("language-detector", "--no-deps", "-o", str(tmp_path / "out"), cwd=project)
    assert done.returncode == 0, done.stderr
    names = _names(tmp_path / "out" / "language-detector.zip")
    assert "algorithms/data/language_corpus.json" in names  # data of a package the handler reaches
    assert "requirements.txt" in names
    assert not [n for n in names if n.startswith((".venv-other", "notes"))]
