"""What a runtime's code package must be built for: Python version and wheel platforms.

ASSUMPTION (not in the reference notes): FC's python3.10 and python3.12 images are Debian 10
and 12 (glibc 2.28 and 2.36) and python3.9's is Debian 9 (glibc 2.24), x86_64. So wheels
tagged manylinux_2_28 or older install for 3.10/3.12, manylinux_2_24 or older for 3.9.
``s build`` sidesteps the question by building inside FC's own image.

>>> target_for("python3.10").pip_platforms
('manylinux_2_28_x86_64', 'manylinux2014_x86_64')
"""

from __future__ import annotations

from dataclasses import dataclass

_PLATFORMS = {
    "python3.9": ("manylinux_2_24_x86_64", "manylinux2014_x86_64"),
    "python3.10": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
    "python3.12": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
}


class TargetError(ValueError):
    """A runtime the package command cannot build for."""


@dataclass(frozen=True)
class Target:
    runtime: str
    python_version: str  # "3.10"
    pip_platforms: tuple[str, ...]

    @property
    def abi(self) -> str:
        return "cp" + self.python_version.replace(".", "")

    def describe(self) -> str:
        return f"{self.runtime} (CPython {self.python_version}, {self.pip_platforms[0]})"


def target_for(runtime: str, python_version: str | None = None) -> Target:
    """The target of ``runtime``; ``python_version`` overrides the interpreter version (for a
    local import check on a machine that has another Python than FC)."""
    if runtime not in _PLATFORMS:
        raise TargetError(f"cannot package for runtime {runtime!r}: use one of {', '.join(_PLATFORMS)}")
    version = python_version or runtime.removeprefix("python")
    parts = version.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise TargetError(f"--python-version {version!r}: expected MAJOR.MINOR, e.g. 3.10")
    return Target(runtime, version, _PLATFORMS[runtime])
