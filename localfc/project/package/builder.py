"""Build one function's code zip: its handler and the modules it reaches, the distributions its
imports need (nothing else from requirements.txt), all compiled to bytecode by FC's Python.

Steps: the import closure from source (``closure``); the declared distributions
(requirements.txt, plus the function's local layers, whose distributions stay out of the code
package) checked against it (``distributions``); the target's wheels (``wheelhouse``, once per
target); the function's ``python/`` (``dependencies``, cached per set of distributions); the
code files staged and compiled (``bytecode``); one zip (``archive``). ``report`` says what is in it.

>>> result = build_package(load_project("s.yaml"), "prime-checker", Path("dist"))   # doctest: +SKIP
>>> result.zip_path, result.stats.unpacked_bytes                                     # doctest: +SKIP
(PosixPath('dist/prime-checker.zip'), 9502133)
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from localfc.project.package.archive import DEPENDENCIES_DIR, ArchiveStats, write_zip
from localfc.project.package.bytecode import BytecodeError, compile_tree
from localfc.project.package.closure import Closure, ImportSite, entry_modules, import_closure
from localfc.project.package.dependencies import DependencyInstall, install
from localfc.project.package.distributions import (
    REQUIREMENTS_FILE,
    DistributionIndex,
    coverage,
    declared_requirements,
)
from localfc.project.package.fcignore import walk_code
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.package.layer_specs import function_layer_specs
from localfc.project.package.targets import Target, target_for
from localfc.project.package.wheelhouse import fetch_wheels

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.project.syaml import Project
    from localfc.project.syaml.model import FunctionProps

CACHE_DIR = Path(".localfc") / "package-cache"
CODE_MOUNT = "/code"


class PackageError(RuntimeError):
    """The function cannot be packaged (no code directory, undeclared imports...)."""


@dataclass
class PackageResult:
    function: str
    zip_path: Path
    zip_bytes: int
    target: Target
    stats: ArchiveStats
    dependencies: DependencyInstall | None
    bytecode: str  # "" when included, else why not
    layers: list[str] = field(default_factory=list)
    optional: dict[str, list[ImportSite]] = field(default_factory=dict)  # imports left out
    notes: list[str] = field(default_factory=list)


def build_package(
    project: Project,
    function: str,
    out_dir: Path,
    *,
    runtime: str | None = None,
    python_version: str | None = None,
    with_dependencies: bool = True,
    with_bytecode: bool = True,
    refresh: bool = False,
    cache_dir: Path | None = None,
    code_dir: Path | None = None,
    props: FunctionProps | None = None,
    log: Callable[[str], None] = print,
) -> PackageResult:
    """``code_dir``/``props`` default to s.yaml's (a published version passes its snapshot)."""
    resource, declared_props = project.function(function)
    props = props or declared_props
    if not isinstance(props.code, str) or props.code.endswith((".zip", ".jar", ".war")):
        raise PackageError(f"{resource}: code {props.code!r} is already an archive or an OSS object: nothing to build")
    code_dir = code_dir or project.code_dir(props)
    if not code_dir.is_dir():
        raise PackageError(f"{resource}: code directory {code_dir} does not exist")
    target = target_for(runtime or props.runtime, python_version)
    out_dir = out_dir.resolve()
    cache = (cache_dir or project.base_dir / CACHE_DIR).resolve()
    closure = import_closure(code_dir, entry_modules(props))
    if closure.missing:
        raise PackageError(f"{resource}: no module {', '.join(closure.missing)} in {code_dir} (handler in s.yaml)")
    interpreter, bytecode = _interpreter(target, with_bytecode)
    notes: list[str] = []
    layers = [spec.name for spec in function_layer_specs(project.base_dir, props.layers)]
    dependencies = None
    if with_dependencies and closure.required:
        dependencies = _dependencies(
            project,
            props,
            code_dir,
            closure,
            target,
            cache=cache,
            interpreter=interpreter,
            refresh=refresh,
            log=log,
            notes=notes,
        )
    files = _code_files(code_dir, closure, skip=[out_dir, cache], keep_python_dir=dependencies is None)
    zip_path = out_dir / f"{props.functionName}.zip"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stage-", dir=cache) as staging:
        staged = _stage(code_dir, files, Path(staging), interpreter)
        archive = dependencies.archive if dependencies else None
        stats = write_zip(zip_path, Path(staging), staged, archive)
    if stats.replaced_python_dir:
        notes.append(f"{code_dir.name}/python/ (from an earlier `s build`?) was replaced by the dependencies built now")
    return PackageResult(
        props.functionName,
        zip_path,
        zip_path.stat().st_size,
        target,
        stats,
        dependencies,
        bytecode,
        layers,
        dict(closure.optional),
        notes,
    )


def _interpreter(target: Target, wanted: bool) -> tuple[Path | None, str]:
    if not wanted:
        return None, "not asked for (--no-bytecode)"
    try:
        return find_interpreter(target.python_version), ""
    except InterpreterNotFoundError as exc:
        return None, f"{exc}; FC will compile every module at every cold start"


def _dependencies(
    project: Project,
    props: FunctionProps,
    code_dir: Path,
    closure: Closure,
    target: Target,
    *,
    cache: Path,
    interpreter: Path | None,
    refresh: bool,
    log: Callable[[str], None],
    notes: list[str],
) -> DependencyInstall | None:
    requirements = code_dir / REQUIREMENTS_FILE
    declared = list(declared_requirements(requirements)) if requirements.is_file() else []
    houses = [fetch_wheels(requirements, target, cache, refresh=refresh, log=log)] if declared else []
    layer_names: list[str] = []
    for spec in function_layer_specs(project.base_dir, props.layers):
        layer_names += list(declared_requirements(spec.requirements))
        houses.append(fetch_wheels(spec.requirements, target, cache, refresh=refresh, log=log))
    index = DistributionIndex.from_wheels(w for house in houses for w in house.wheels)
    found = coverage(closure, declared + layer_names, index, target.python_version)
    if found.undeclared:
        missing = "; ".join(
            f"{module} ({', '.join(str(s) for s in sites[:2])})" for module, sites in found.undeclared.items()
        )
        raise PackageError(
            f"{props.functionName} imports what no distribution in {REQUIREMENTS_FILE} or its layers provides:"
            f" {missing}. Pin the distribution in {REQUIREMENTS_FILE} (`local_invoke.py validate` shows the same)"
        )
    in_layers = index.with_requirements(layer_names, target.python_version)
    pins = sorted(f"{name}=={index.by_name[name].version}" for name in found.needed if name not in in_layers)
    if not pins:
        return None
    installed = install(
        pins, houses[0], target, cache, interpreter=interpreter, mount=f"{CODE_MOUNT}/{DEPENDENCIES_DIR}", log=log
    )
    shipped = {canonicalize_name(name) for name in installed.sizes}
    for house in houses:
        notes.extend(n for n in house.notes if canonicalize_name(n.split(" ", 1)[0]) in shipped)
    return installed


def _code_files(code_dir: Path, closure: Closure, skip: list[Path], keep_python_dir: bool) -> list[Path]:
    """The code directory's files the function ships: every file ``.fcignore`` keeps, except
    modules its handler never reaches and this machine's bytecode (compiled anew for FC)."""
    reached = {p.relative_to(code_dir) for p in closure.files() if p.is_file()}
    kept = []
    for relative in walk_code(code_dir, skip=skip):
        if "__pycache__" in relative.parts or relative.suffix == ".pyc":
            continue
        if relative.parts[0] == DEPENDENCIES_DIR:
            if keep_python_dir:
                kept.append(relative)
            continue
        if relative.suffix == ".py" and relative not in reached:
            continue
        kept.append(relative)
    return kept


def _stage(code_dir: Path, files: list[Path], staging: Path, interpreter: Path | None) -> list[Path]:
    for relative in files:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(code_dir / relative, target)
    if interpreter is not None:
        try:
            compile_tree(interpreter, staging, CODE_MOUNT)
        except BytecodeError as exc:
            raise PackageError(str(exc)) from None
    return sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
