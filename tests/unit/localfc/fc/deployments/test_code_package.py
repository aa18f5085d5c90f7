from __future__ import annotations

import io
import os
import zipfile
from typing import TYPE_CHECKING

import oss2
import pytest

from localfc.fc.api.errors import ApiError
from localfc.fc.deployments import code_package

if TYPE_CHECKING:
    from pathlib import Path


def _zip(files: dict[str, bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_checksum_is_the_crc64_oss2_computes_in_decimal(tmp_path: Path) -> None:
    data = _zip({"app.py": b"x = 1\n" * 1000})
    package = code_package.receive([data[:100], data[100:]], tmp_path)
    crc = oss2.utils.Crc64()
    crc.update(data)
    assert (package.checksum, package.size, package.path.read_bytes()) == (str(crc.crc), len(data), data)


def test_a_package_over_the_limit_is_refused_and_not_kept(tmp_path: Path) -> None:
    with pytest.raises(ApiError, match="over FC's limit") as caught:
        code_package.receive([b"x" * 600, b"x" * 600], tmp_path, limit=1000)
    assert caught.value.status == 400
    assert list(tmp_path.iterdir()) == []


def test_unpack_keeps_files_and_the_executable_bit(tmp_path: Path) -> None:
    data = _zip({"app.py": b"print(1)\n", "bin/tool": b"#!/bin/sh\n", "pkg/__init__.py": b""}, {"bin/tool": 0o755})
    package = code_package.receive([data], tmp_path / "in")
    code_package.unpack(package, tmp_path / "code")
    assert (tmp_path / "code" / "app.py").read_bytes() == b"print(1)\n"
    assert os.access(tmp_path / "code" / "bin" / "tool", os.X_OK)
    assert not os.access(tmp_path / "code" / "app.py", os.X_OK)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain text", "not a zip"),
        (_zip({"../outside.py": b""}), "outside the code directory"),
        (_zip({"/etc/passwd": b""}), "outside the code directory"),
    ],
)
def test_bad_packages_leave_nothing(tmp_path: Path, data: bytes, message: str) -> None:
    package = code_package.receive([data], tmp_path / "in")
    with pytest.raises(ApiError, match=message):
        code_package.unpack(package, tmp_path / "out" / "code")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_package_that_unpacks_too_large_is_refused(tmp_path: Path) -> None:
    package = code_package.receive([_zip({"big.bin": b"\0" * 10_000})], tmp_path / "in")
    with pytest.raises(ApiError, match="unpacks to more than"):
        code_package.unpack(package, tmp_path / "code", limit=1000)
    assert not (tmp_path / "code").exists()


@pytest.mark.parametrize(
    ("files", "handler", "found"),
    [
        (["index.py"], "index.handler", True),
        (["handlers/prime.py"], "handlers.prime.handler", True),
        (["handlers/prime/__init__.py"], "handlers.prime.handler", True),
        (["python/vendored.py"], "vendored.handler", True),
        (["fast.cpython-312-x86_64-linux-gnu.so"], "fast.handler", True),
        (["readme.txt"], "index.handler", False),
        (["index.py"], "main.handler", False),
        (["index.py"], "handler", False),
    ],
)
def test_has_module(tmp_path: Path, files: list[str], handler: str, found: bool) -> None:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert code_package.has_module(tmp_path, handler) is found
