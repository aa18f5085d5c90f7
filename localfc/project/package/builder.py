"""Build one function's code zip as the fc3 component would, plus its dependencies.

>>> project = load_project("s.yaml")                                  # doctest: +SKIP
>>> result = build_package(project, "prime-checker", Path("dist"))     # doctest: +SKIP
>>> result.zip_path, result.zip_bytes                                  # doctest: +SKIP
(PosixPath('dist/prime-checker.zip'), 2480133)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.project.package.archive import ArchiveStats, write_zip
from localfc.project.package.dependencies import DependencyInstall, install_dependencies
from localfc.project.package.fcignore import walk_code
from localfc.project.package.targets import Target, target_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.project.syaml import Project

# fc3 uploads through a temporary OSS object; FC 3.0 takes code packages up to 500 MB.
MAX_ZIP_BYTES = 500 * 1024 * 1024
CACHE_DIR = Path(".localfc") / "package-cache"


class PackageError(RuntimeError):
    """The function cannot be packaged (no code directory, a prebuilt archive...)."""


@dataclass
class PackageResult:
    function: str
    zip_path: Path
    zip_bytes: int
    target: Target
    stats: ArchiveStats
    dependencies: DependencyInstall | None
    notes: list[str] = field(default_factory=list)


def build_package(
    project: Project,
    function: str,
    out_dir: Path,
    *,
    runtime: str | None = None,
    python_version: str | None = None,
    with_dependencies: bool = True,
    refresh: bool = False,
    cache_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> PackageResult:
    resource, props = project.function(function)
    if not isinstance(props.code, str) or props.code.endswith((".zip", ".jar", ".war")):
        raise PackageError(f"{resource}: code {props.code!r} is already an archive or an OSS object: nothing to build")
    code_dir = project.code_dir(props)
    if not code_dir.is_dir():
        raise PackageError(f"{resource}: code directory {code_dir} does not exist")
    target = target_for(runtime or props.runtime, python_version)
    out_dir = out_dir.resolve()
    cache = (cache_dir or project.base_dir / CACHE_DIR).resolve()
    zip_path = out_dir / f"{props.functionName}.zip"
    files = list(walk_code(code_dir, skip=[out_dir, cache]))
    install = None
    requirements = code_dir / "requirements.txt"
    if with_dependencies and requirements.is_file():
        install = install_dependencies(requirements, target, cache, refresh=refresh, log=log)
    stats = write_zip(zip_path, code_dir, files, install.archive if install else None)
    size = zip_path.stat().st_size
    notes = list(install.notes) if install else []
    if stats.replaced_python_dir:
        notes.append(f"{code_dir.name}/python/ (from an earlier `s build`?) was replaced by the dependencies built now")
    if size > MAX_ZIP_BYTES:
        notes.append(f"{size / 1e6:.0f} MB is over FC's {MAX_ZIP_BYTES // (1024 * 1024)} MB code package limit")
    return PackageResult(props.functionName, zip_path, size, target, stats, install, notes)
