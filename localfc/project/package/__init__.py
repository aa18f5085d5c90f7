"""The code packages FC receives, built locally without Docker: per function, its handler and
the modules it reaches, only the distributions its imports need (wheels for FC's Python and
platform), and bytecode compiled by FC's Python version. Layers are built the same way.

>>> from localfc.project.package import build_package
>>> build_package(load_project("s.yaml"), "prime-checker", Path("dist")).zip_bytes   # doctest: +SKIP
3240133
"""

from __future__ import annotations

from localfc.project.package.builder import PackageError, PackageResult, build_package
from localfc.project.package.fcignore import FcIgnore, walk_code
from localfc.project.package.targets import Target, TargetError, target_for
from localfc.project.package.wheelhouse import DependencyError

__all__ = [
    "DependencyError",
    "FcIgnore",
    "PackageError",
    "PackageResult",
    "Target",
    "TargetError",
    "build_package",
    "target_for",
    "walk_code",
]
