"""``local_invoke.py package``: the zip FC would receive, and that it imports on its own.

The package command installs dependencies for the s.yaml runtime's Python (3.10) by default.
This machine only has Python 3.11, and a 3.10 wheel of a compiled dependency (pydantic-core,
Pillow) cannot be imported by 3.11, so the import check builds with ``--python-version 3.11``:
the same code path, pointed at the interpreter that is here to import with.

The first run downloads the requirements from PyPI (a minute); the install is cached in
``.localfc/package-cache`` so later runs (and the second test here) take a second or two.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from localfc.project.syaml import load_project

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
LOCAL_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def _package(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "package", "prime-checker", "-o", str(out), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def package_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _package(out, "--python-version", LOCAL_VERSION)
    assert done.returncode == 0, done.stderr
    assert "prime-checker.zip" in done.stdout and " MB" in done.stdout  # the size is printed
    return out / "prime-checker.zip"


def test_zip_holds_the_code_and_dependencies_and_nothing_local(package_zip: Path) -> None:
    names = zipfile.ZipFile(package_zip).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"handlers", "runtime", "algorithms", "python", "requirements.txt"} <= tops
    for local in ("tests", "bench", "localfc", "docs", "local_invoke.py", "s.yaml", ".venv", ".git", "dist", "dev"):
        assert local not in tops, local
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # the dependencies of requirements.txt, installed as packages under python/
    for package in ("pydantic", "oss2", "aliyun", "PIL"):
        assert f"python/{package}/__init__.py" in names, package


def test_every_handler_imports_from_the_unpacked_zip_in_a_fresh_venv(package_zip: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "code"
    zipfile.ZipFile(package_zip).extractall(unpacked)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    project = load_project(REPO / "s.yaml")
    hooks = []
    for _, props in project.functions():
        hooks.append(props.handler)
        lifecycle = props.instanceLifecycleConfig
        if lifecycle and lifecycle.initializer:
            hooks.append(lifecycle.initializer.handler)
        if lifecycle and lifecycle.preStop:
            hooks.append(lifecycle.preStop.handler)
    check = """
import importlib, json, sys
roots = sys.argv[1:3]
loaded = []
for dotted in json.loads(sys.argv[3]):
    module, _, attr = dotted.rpartition(".")
    assert callable(getattr(importlib.import_module(module), attr)), dotted
    loaded.append(dotted)
# nothing may come from the repository or its .venv: only the zip and the fresh interpreter
foreign = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())} - {""})
foreign = [f for f in foreign if not f.startswith(tuple(roots)) and not f.startswith(sys.base_prefix)]
print(json.dumps({"loaded": loaded, "foreign": foreign}))
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{unpacked / 'python'}{os.pathsep}{unpacked}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-s", "-c", check, str(unpacked), str(venv), json.dumps(hooks)],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == hooks
    assert report["foreign"] == [], report["foreign"]


def test_second_run_uses_the_cache(package_zip: Path, tmp_path: Path) -> None:
    done = _package(tmp_path, "--python-version", LOCAL_VERSION)
    assert done.returncode == 0, done.stderr
    assert "(cached)" in done.stdout
    assert "installing" not in done.stderr
    # same inputs, same bytes: zips are reproducible
    assert (tmp_path / "prime-checker.zip").read_bytes() == package_zip.read_bytes()


def test_no_deps_zips_exactly_the_code_directory(tmp_path: Path) -> None:
    done = _package(tmp_path, "--no-deps")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("[1/1] prime-checker: packaging...")  # progress, one line per function
    names = zipfile.ZipFile(tmp_path / "prime-checker.zip").namelist()
    assert "handlers/prime_checker.py" in names
    assert not [n for n in names if n.startswith(("python/", "tests/", "localfc/"))]


def test_unknown_function_is_one_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "package", "no-such-function", "-o", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: no function 'no-such-function' in s.yaml")
    assert "Traceback" not in done.stderr
