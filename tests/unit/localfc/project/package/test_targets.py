"""Wheel platforms for FC's images, and the size limits the package report warns about."""

from __future__ import annotations

import pytest

from localfc.project.package.report import MAX_API_ZIP_BYTES, MAX_ZIP_BYTES, limit_warnings
from localfc.project.package.targets import TargetError, target_for


def test_python310_takes_manylinux_wheels_up_to_glibc_2_28() -> None:
    platforms = target_for("python3.10").pip_platforms
    assert platforms[0] == "manylinux_2_28_x86_64"
    assert "manylinux_2_17_x86_64" in platforms and platforms[-1] == "manylinux2014_x86_64"
    assert not [p for p in platforms if p.startswith(("manylinux_2_29", "manylinux_2_31", "musllinux"))]


def test_python312_runs_on_debian_11_glibc_2_31() -> None:
    target = target_for("python3.12")
    assert target.pip_platforms[0] == "manylinux_2_31_x86_64" and target.abi == "cp312"


def test_unknown_runtime_and_bad_version_are_refused() -> None:
    with pytest.raises(TargetError, match=r"python3\.11"):
        target_for("python3.11")
    with pytest.raises(TargetError, match=r"MAJOR\.MINOR"):
        target_for("python3.10", "3")


def test_size_warnings_near_and_over_fcs_limits() -> None:
    assert limit_warnings(10 * 2**20) == []
    assert "near what the FC API takes inline" in limit_warnings(int(MAX_API_ZIP_BYTES * 0.9))[0]
    assert "deploy it through OSS" in limit_warnings(MAX_API_ZIP_BYTES + 1)[0]
    assert "near FC's 500.0 MB limit" in limit_warnings(int(MAX_ZIP_BYTES * 0.9))[0]
    assert "FC refuses it" in limit_warnings(MAX_ZIP_BYTES + 1, "layer")[0]
