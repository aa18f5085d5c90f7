"""Install requirements.txt for FC's Python, not this machine's: ``pip install --target`` with
``--platform``/``--python-version``/``--only-binary=:all:``, no Docker.

A requirement that PyPI ships only as a source archive is built here into a wheel: a pure
Python wheel (``py3-none-any``) is fine for any target. A build that compiles C code is
refused unless this interpreter is the target's own version (then it is used, with a note:
it links against this machine's libc, and ``s build`` is the faithful way). A requirement
with no usable wheel at all fails with a message that says so and points at ``s build``.

Installs are cached under ``.localfc/package-cache`` keyed by the requirements text and the
target, so a second ``package`` run does not touch pip at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from localfc.project.package.archive import zip_tree

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.project.package.targets import Target

ARCHIVE_NAME = "python.zip"
CACHE_VERSION = "2"
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
_OFFLINE = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution")
_MAX_ROUNDS = 20


class DependencyError(RuntimeError):
    """The requirements cannot be installed for the target; the message says which and why."""


@dataclass
class DependencyInstall:
    directory: Path  # the installed packages (what python/ holds)
    archive: Path  # the same, zipped once under python/: packaging copies it instead of recompressing
    cached: bool
    notes: list[str] = field(default_factory=list)


def cache_key(requirements_text: str, target: Target) -> str:
    material = "\n".join([CACHE_VERSION, target.python_version, *target.pip_platforms, requirements_text])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def install_dependencies(
    requirements: Path,
    target: Target,
    cache_root: Path,
    *,
    refresh: bool = False,
    log: Callable[[str], None] = print,
) -> DependencyInstall:
    text = requirements.read_text(encoding="utf-8")
    final = cache_root / f"deps-{target.abi}-{cache_key(text, target)}"
    marker = final / ".complete"
    if marker.is_file() and not refresh:
        kept = [n for n in marker.read_text(encoding="utf-8").splitlines() if n]
        return DependencyInstall(final / "python", final / ARCHIVE_NAME, cached=True, notes=kept)
    wheelhouse = cache_root / "wheelhouse"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    work = cache_root / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    notes: list[str] = []
    platforms = list(target.pip_platforms)
    attempted: set[str] = set()
    log(f"installing {requirements.name} for {target.describe()} (first run; cached afterwards)...")
    for _ in range(_MAX_ROUNDS):
        done = _pip_install(requirements, work / "python", target, platforms, wheelhouse)
        if done.returncode == 0:
            break
        missing = _missing_requirement(done.stderr)
        if missing is None or missing in attempted:
            shutil.rmtree(work, ignore_errors=True)
            raise DependencyError(_pip_failure(done.stderr, missing, target))
        attempted.add(missing)
        note, platform = _build_locally(missing, target, wheelhouse, requirements.parent)
        if note:
            notes.append(note)
        if platform and platform not in platforms:
            platforms.append(platform)
    else:
        shutil.rmtree(work, ignore_errors=True)
        raise DependencyError(f"gave up after {_MAX_ROUNDS} rounds of building missing wheels")
    zip_tree(work / "python", work / ARCHIVE_NAME, prefix="python")
    (work / ".complete").write_text("\n".join(notes) + "\n", encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    return DependencyInstall(final / "python", final / ARCHIVE_NAME, cached=False, notes=notes)


def _pip(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _pip_install(
    requirements: Path, into: Path, target: Target, platforms: list[str], wheelhouse: Path
) -> subprocess.CompletedProcess[str]:
    args = ["install", "--quiet", "--target", str(into), "--no-compile", "--only-binary=:all:"]
    for platform in platforms:
        args += ["--platform", platform]
    args += ["--python-version", target.python_version, "--implementation", "cp", "--abi", target.abi]
    args += ["--find-links", str(wheelhouse), "-r", str(requirements)]
    return _pip(args, requirements.parent)


def _missing_requirement(stderr: str) -> str | None:
    found = _NO_MATCH.findall(stderr)
    return found[-1] if found else None


def _pip_failure(stderr: str, missing: str | None, target: Target) -> str:
    if any(marker in stderr for marker in _OFFLINE):
        return "cannot reach the package index (PyPI): `package` needs the network the first time (then it is cached)"
    if missing:
        return (
            f"{missing}: no wheel for {target.describe()} on the package index, and none could be built here;"
            " run `s build` (it installs requirements.txt inside FC's own build image)"
        )
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return "pip failed: " + (lines[-1] if lines else "no message")


def _build_locally(requirement: str, target: Target, wheelhouse: Path, cwd: Path) -> tuple[str, str]:
    """Build ``requirement`` into a wheel with this interpreter; (note, extra platform tag)."""
    scratch = wheelhouse / f".build-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    done = _pip(["wheel", "--quiet", "--no-deps", "--wheel-dir", str(scratch), requirement], cwd)
    wheels = sorted(scratch.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        shutil.rmtree(scratch, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["no wheel produced"])[-1]
        raise DependencyError(
            f"{requirement}: no wheel for {target.describe()} on the package index, and building it here failed"
            f" ({last}); run `s build`"
        )
    wheel = wheels[0]
    python_tag, abi_tag, platform_tag = wheel.stem.split("-")[-3:]
    note, platform = "", ""
    if platform_tag != "any":
        local = f"cp{sys.version_info.major}{sys.version_info.minor}"
        if abi_tag not in (target.abi, "abi3") or python_tag != local or local != target.abi:
            shutil.rmtree(scratch, ignore_errors=True)
            raise DependencyError(
                f"{requirement}: no wheel for {target.describe()} on the package index, and it contains compiled"
                f" code (here it becomes {wheel.name}); run `s build` (it builds inside FC's own image), or pin a"
                " version that publishes wheels for this Python"
            )
        note = (
            f"{wheel.name}: compiled on this machine (no manylinux wheel on the index); it links against this"
            " machine's libc: run `s build` before a real deploy"
        )
        platform = platform_tag.split(".")[0]
    shutil.move(str(wheel), wheelhouse / wheel.name)
    shutil.rmtree(scratch, ignore_errors=True)
    return note, platform
