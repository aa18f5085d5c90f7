"""What a runtime's code package must be built for: Python version and wheel platforms.

FC's Python images (Function Compute 3.0 user guide, "Python runtimes" / 环境说明: identifier,
operating system, architecture): python3.9 runs on Debian 9, python3.10 on Debian 10, python3.12
on Debian 11, all x86_64. Their glibc is 2.24, 2.28 and 2.31 (Debian 9 "stretch", 10 "buster",
11 "bullseye"), so a wheel tagged ``manylinux_2_N_x86_64`` runs there when N is at most that
(PEP 600), and ``manylinux2014`` (= 2_17) or older always does. pip does not widen
``--platform manylinux_2_28_x86_64`` to the older ``manylinux_2_N`` tags by itself, so every
tag is listed (``pip_platforms``, newest first).

>>> target_for("python3.10").pip_platforms[:2]
('manylinux_2_28_x86_64', 'manylinux_2_27_x86_64')
>>> target_for("python3.12").describe()
'python3.12 (CPython 3.12, manylinux_2_31_x86_64 or older)'
"""

from __future__ import annotations

from dataclasses import dataclass

# glibc (major, minor) of FC's image for each runtime (see the module docstring).
GLIBC = {"python3.9": (2, 24), "python3.10": (2, 28), "python3.12": (2, 31)}
_OLDEST_PEP600 = 17  # manylinux_2_17 == manylinux2014; older wheels carry the legacy tags


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
        return f"{self.runtime} (CPython {self.python_version}, {self.pip_platforms[0]} or older)"


def manylinux_platforms(glibc: tuple[int, int]) -> tuple[str, ...]:
    """Every manylinux tag a system with this glibc runs, newest first (pip expands
    ``manylinux2014`` to 2010 and 1 itself)."""
    major, minor = glibc
    tags = [f"manylinux_{major}_{n}_x86_64" for n in range(minor, _OLDEST_PEP600 - 1, -1)]
    return (*tags, "manylinux2014_x86_64")


def target_for(runtime: str, python_version: str | None = None) -> Target:
    """The target of ``runtime``; ``python_version`` overrides the interpreter version (for a
    local import check on a machine that has another Python than FC)."""
    if runtime not in GLIBC:
        raise TargetError(f"cannot package for runtime {runtime!r}: use one of {', '.join(GLIBC)}")
    version = python_version or runtime.removeprefix("python")
    parts = version.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise TargetError(f"--python-version {version!r}: expected MAJOR.MINOR, e.g. 3.10")
    return Target(runtime, version, manylinux_platforms(GLIBC[runtime]))
