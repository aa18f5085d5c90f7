"""``CodeSource``: the sys.path an instance gets (FC's order), layers merged as FC merges them,
and packages unpacked read-only without escaping their directory."""

from __future__ import annotations

import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from localfc.fc.instances.code_source import CodeSource, CodeSourceError, make_writable, merge_layers, unpack_zip

if TYPE_CHECKING:
    from pathlib import Path


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_python_path_is_code_then_pythonpath_then_opt_python(tmp_path: Path) -> None:
    source = CodeSource.for_package("/usr/bin/python3.10", tmp_path / "code", tmp_path / "opt")
    env = {"PYTHONPATH": f"{tmp_path / 'code' / 'python'}:{tmp_path / 'extra'}"}
    assert source.python_path(env) == [
        str(tmp_path / "code"),
        str(tmp_path / "code" / "python"),
        str(tmp_path / "extra"),
        str(tmp_path / "opt" / "python"),
    ]


def test_dev_venv_source_runs_this_interpreter_unisolated(tmp_path: Path) -> None:
    source = CodeSource.for_dev_venv(tmp_path)
    assert source.command("7")[0] == sys.executable
    assert "-I" not in source.command("7")
    assert source.python_path({}) == [str(tmp_path)]


def test_package_source_is_isolated_and_never_writes_bytecode(tmp_path: Path) -> None:
    argv = CodeSource.for_package("/opt/py/bin/python3.12", tmp_path).command("7")
    assert argv[:4] == ["/opt/py/bin/python3.12", "-I", "-u", "-B"]
    assert argv[-1] == "7"
    assert "site.getsitepackages()" in argv[-2]  # the interpreter's own site-packages are dropped


def test_layers_put_opt_bin_and_lib_on_the_paths(tmp_path: Path) -> None:
    env = CodeSource.for_dev_venv(tmp_path, tmp_path / "opt").environment({"PATH": "/usr/bin"})
    assert env["PATH"] == f"{tmp_path / 'opt' / 'bin'}:/usr/bin"
    assert env["LD_LIBRARY_PATH"] == str(tmp_path / "opt" / "lib")


def test_the_first_configured_layer_wins_a_file_both_contain(tmp_path: Path) -> None:
    first = _zip(tmp_path / "first.zip", {"python/shared.py": "WHO = 'first'\n", "python/a.py": ""})
    second = _zip(tmp_path / "second.zip", {"python/shared.py": "WHO = 'second'\n", "python/b.py": ""})
    opt = merge_layers([first, second], tmp_path / "opt")
    assert opt is not None
    assert (opt / "python" / "shared.py").read_text() == "WHO = 'first'\n"
    assert sorted(p.name for p in (opt / "python").iterdir()) == ["a.py", "b.py", "shared.py"]
    make_writable(opt)


def test_no_layers_means_no_opt(tmp_path: Path) -> None:
    assert merge_layers([], tmp_path / "opt") is None


def test_a_layer_without_python_dir_is_refused(tmp_path: Path) -> None:
    layer = _zip(tmp_path / "flat.zip", {"requests/__init__.py": ""})
    with pytest.raises(CodeSourceError, match=r"flat\.zip has no python/ directory"):
        merge_layers([layer], tmp_path / "opt")


def test_a_layer_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "layer.zip").write_bytes(b"not a zip")
    with pytest.raises(CodeSourceError, match="is not a zip file"):
        merge_layers([tmp_path / "layer.zip"], tmp_path / "opt")


def test_unpacked_package_is_read_only_and_replaced_on_the_next_unpack(tmp_path: Path) -> None:
    code = unpack_zip(_zip(tmp_path / "p.zip", {"handlers/a.py": "x = 1\n"}), tmp_path / "code")
    assert not (code / "handlers" / "a.py").stat().st_mode & 0o222
    unpack_zip(_zip(tmp_path / "q.zip", {"handlers/b.py": ""}), tmp_path / "code")
    assert [p.name for p in (code / "handlers").iterdir()] == ["b.py"]
    make_writable(code)


def test_entries_outside_the_package_are_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {"../escaped.py": ""})
    with pytest.raises(CodeSourceError, match="outside the package"):
        unpack_zip(archive, tmp_path / "code")
    assert not (tmp_path / "escaped.py").exists()
