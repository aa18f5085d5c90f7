"""Build an FC layer zip from ``layers/<name>/requirements.txt``: ``python/`` with the pinned
distributions for FC's Python and platform, bytecode compiled for ``/opt/python`` (where FC
puts a layer's ``python/``), written atomically. And check a layer zip before publishing it.

>>> result = build_layer(layer_specs(Path("."))["oss-objects"], target_for("python3.10"), Path("dist/layers"))
...                                                                    # doctest: +SKIP
>>> result.zip_path                                                    # doctest: +SKIP
PosixPath('dist/layers/oss-objects-python3.10.zip')
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from localfc.project.package.dependencies import DependencyInstall, install
from localfc.project.package.distributions import DistributionIndex, declared_requirements
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.package.wheelhouse import fetch_wheels

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.project.package.layer_specs import LayerSpec
    from localfc.project.package.targets import Target

LAYER_MOUNT = "/opt/python"


class LayerError(ValueError):
    """A layer zip FC would take but the function could not use (not a zip, no python/)."""


@dataclass
class LayerResult:
    name: str
    zip_path: Path
    zip_bytes: int
    unpacked_bytes: int
    target: Target
    dependencies: DependencyInstall
    bytecode: str  # "" when included, else why not
    notes: list[str] = field(default_factory=list)


def build_layer(
    spec: LayerSpec,
    target: Target,
    out_dir: Path,
    cache_root: Path,
    *,
    with_bytecode: bool = True,
    refresh: bool = False,
    log: Callable[[str], None] = print,
) -> LayerResult:
    declared = declared_requirements(spec.requirements)
    wheelhouse = fetch_wheels(spec.requirements, target, cache_root, refresh=refresh, log=log)
    index = DistributionIndex.from_wheels(wheelhouse.wheels)
    pins = sorted(f"{name}=={index.by_name[name].version}" for name in declared if name in index.by_name)
    interpreter, bytecode = None, "not asked for (--no-bytecode)"
    if with_bytecode:
        try:
            interpreter, bytecode = find_interpreter(target.python_version), ""
        except InterpreterNotFoundError as exc:
            bytecode = str(exc)
    installed = install(
        pins, wheelhouse, target, cache_root, interpreter=interpreter, mount=LAYER_MOUNT, refresh=refresh, log=log
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / f"{spec.name}-{target.runtime}.zip"
    partial = zip_path.with_name(f".{zip_path.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(installed.archive, partial)
        partial.replace(zip_path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    with zipfile.ZipFile(zip_path) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    return LayerResult(
        spec.name, zip_path, zip_path.stat().st_size, unpacked, target, installed, bytecode, list(wheelhouse.notes)
    )


def check_layer_zip(path: Path) -> None:
    """Raise LayerError unless ``path`` is a zip with a ``python/`` directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        raise LayerError(f"{path} is not a zip file") from None
    except FileNotFoundError:
        raise LayerError(f"{path} does not exist") from None
    if not any(n.startswith("python/") for n in names):
        raise LayerError(
            f"{path} has no python/ directory: FC puts a layer's python/ on the path (/opt/python), so nothing"
            " in this zip could be imported"
        )
