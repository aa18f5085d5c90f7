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
CACHE_VERSION = "4"  # bump when what an install holds or records changes
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
        owners = file_owners(work / "python")
        trim(work / "python")
        if interpreter is not None:
            log(f"compiling {len(pins)} distribution(s) with {interpreter}...")
            compile_tree(interpreter, work / "python", mount)
        sizes = distribution_sizes(work / "python", owners)
        zip_tree(work / "python", work / ARCHIVE_NAME, prefix=prefix)
        (work / _SIZES).write_text(json.dumps(sizes), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return DependencyInstall(final / "python", final / ARCHIVE_NAME, False, interpreter is not None, sizes)


def file_owners(site: Path) -> dict[str, str]:
    """Installed file (relative to ``site``) -> its distribution, from the RECORD files."""
    owner: dict[str, str] = {}
    for record in site.glob("*.dist-info/RECORD"):
        name = canonicalize_name(record.parent.name.split("-")[0])
        for line in record.read_text(encoding="utf-8").splitlines():
            listed = line.rsplit(",", 2)[0] if line else ""
            if listed and not listed.startswith(".."):
                owner[listed] = name
    return owner


def trim(site: Path) -> None:
    """Leave out what nothing reads at run time: type stubs (``*.pyi``, ``py.typed``), pip's
    bookkeeping in ``.dist-info`` (RECORD, INSTALLER, REQUESTED, SBOMs) and the long description
    in METADATA (its headers stay: ``importlib.metadata`` reads the name, version and
    requirements there). Licences, entry points and ``top_level.txt`` stay."""
    for path in [*site.rglob("*.pyi"), *site.rglob("py.typed")]:
        path.unlink()
    for info in site.glob("*.dist-info"):
        for name in ("RECORD", "INSTALLER", "REQUESTED"):
            (info / name).unlink(missing_ok=True)
        shutil.rmtree(info / "sboms", ignore_errors=True)
        metadata = info / "METADATA"
        if metadata.is_file():
            text = metadata.read_text(encoding="utf-8", errors="replace")
            metadata.write_text(text.split("\n\n", 1)[0] + "\n", encoding="utf-8")


def distribution_sizes(site: Path, owner: dict[str, str]) -> dict[str, int]:
    """Bytes on disk per distribution installed in ``site`` (with its bytecode), largest first;
    ``owner`` from ``file_owners``; other files are counted under ``(other)``."""
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
