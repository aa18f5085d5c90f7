"""The code package ``s deploy`` uploads, built locally: the code directory filtered by
``.fcignore``, plus requirements.txt installed into ``python/`` for FC's Python.

>>> from localfc.project.package import build_package
>>> build_package(load_project("s.yaml"), "prime-checker", Path("dist")).zip_bytes   # doctest: +SKIP
2480133
"""

from __future__ import annotations

from localfc.project.package.builder import PackageError, PackageResult, build_package
from localfc.project.package.dependencies import DependencyError
from localfc.project.package.fcignore import CodeTree, FcIgnore, walk_code
from localfc.project.package.targets import Target, TargetError, target_for

__all__ = [
    "CodeTree",
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
