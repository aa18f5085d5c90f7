"""One function's (or one layer's) ``python/``: the distributions it needs, installed from the
target's wheels (``wheelhouse``) with ``pip install --target --no-index``, compiled to bytecode by
FC's Python version, and zipped once.

Cached under ``<cache>/<abi>/deps-<key>`` (key: the pinned distributions, the wheels and whether
bytecode is in): a second ``package`` run only zips the code. The zip of ``python/`` is kept
next to it, so a package starts from a copy of that archive instead of recompressing megabytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from localfc.project.package.archive import zip_tree
from localfc.project.package.bytecode import compile_tree
from localfc.project.package.wheelhouse import DependencyError, pip, platform_args

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.project.package.targets import Target
    from localfc.project.package.wheelhouse import Wheelhouse

ARCHIVE_NAME = "python.zip"
CACHE_VERSION = "3"  # bump when what an install holds or records changes
_SIZES = "sizes.json"


@dataclass
class DependencyInstall:
    directory: Path  # the installed packages (what python/ holds)
    archive: Path  # the same, zipped once under ``prefix``/
    cached: bool
    bytecode: bool
    # installed bytes per distribution (with its bytecode), largest first
    sizes: dict[str, int] = field(default_factory=dict)


def install(
    pins: list[str],
    wheelhouse: Wheelhouse,
    target: Target,
    cache_root: Path,
    *,
    interpreter: Path | None,
    mount: str,
    prefix: str = "python",
    refresh: bool = False,
    log: Callable[[str], None] = print,
) -> DependencyInstall:
    """``pins`` (``name==version``) and what they require, from ``wheelhouse``, for ``target``;
    bytecode compiled by ``interpreter`` (None: no bytecode) for the directory FC will mount
    them at (``mount``: ``/code/python`` or ``/opt/python``)."""
    material = json.dumps(
        [CACHE_VERSION, sorted(pins), wheelhouse.key, target.abi, mount, prefix, interpreter is not None]
    )
    final = cache_root / target.abi / f"deps-{hashlib.sha256(material.encode()).hexdigest()[:16]}"
    if (final / _SIZES).is_file() and not refresh:
        sizes = json.loads((final / _SIZES).read_text(encoding="utf-8"))
        return DependencyInstall(final / "python", final / ARCHIVE_NAME, True, interpreter is not None, sizes)
    work = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    try:
        args = ["install", "--quiet", "--no-index", "--find-links", str(wheelhouse.directory)]
        args += ["--target", str(work / "python"), "--no-compile", *platform_args(target), *pins]
        done = pip(args, wheelhouse.directory)
        if done.returncode != 0:
            lines = [x for x in done.stderr.strip().splitlines() if x.strip() and not x.startswith("WARNING")]
            raise DependencyError(f"installing {', '.join(pins)} failed: {(lines or ['no message'])[-1]}")
        for cache in (work / "python").rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        if interpreter is not None:
            log(f"compiling {len(pins)} distribution(s) with {interpreter}...")
            compile_tree(interpreter, work / "python", mount)
        sizes = distribution_sizes(work / "python")
        zip_tree(work / "python", work / ARCHIVE_NAME, prefix=prefix)
        (work / _SIZES).write_text(json.dumps(sizes), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return DependencyInstall(final / "python", final / ARCHIVE_NAME, False, interpreter is not None, sizes)


def distribution_sizes(site: Path) -> dict[str, int]:
    """Bytes on disk per distribution installed in ``site`` (its RECORD, plus bytecode), largest
    first; files no RECORD lists are counted under ``(other)``."""
    owner: dict[str, str] = {}  # file -> distribution
    for record in site.glob("*.dist-info/RECORD"):
        name = canonicalize_name(record.parent.name.split("-")[0])
        for line in record.read_text(encoding="utf-8").splitlines():
            listed = line.rsplit(",", 2)[0] if line else ""
            if listed and not listed.startswith(".."):
                owner[listed] = name
    sizes: dict[str, int] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(site)
        key = relative.as_posix()
        if relative.parent.name == "__pycache__":
            # bytecode belongs to its source: pkg/__pycache__/mod.cpython-310.pyc -> pkg/mod.py
            key = (relative.parent.parent / (relative.name.split(".", 1)[0] + ".py")).as_posix()
        distribution = owner.get(key, "(other)")
        sizes[distribution] = sizes.get(distribution, 0) + path.stat().st_size
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))
