"""The wheels of a requirements file for FC's Python and platform, downloaded once per target.

``pip download --only-binary=:all: --platform manylinux_2_N_x86_64 ... --python-version 3.10
--implementation cp --abi cp310`` resolves the whole file for the target, no Docker. Every
function's package is then installed from these wheels with ``--no-index`` (offline, a second
or two), so a problem is found, and said, once per distribution and target, not once per
function.

A requirement with no wheel for the target is built here from its source release with every
C compiler switched off (``CC``/``CXX`` point at ``false``). A distribution whose compiled part
is optional falls back to pure Python (crcmod, which oss2 requires: its setup.py installs the
pure-Python CRC when the C extension does not build; oss2 works with it, CRC checks are
slower) and the resulting ``py3-none-any`` wheel is used, with a note in the package report.
One whose compiled part is not optional stops with one error that names it and says what to do.

Cached under ``<cache>/<abi>/wheels-<key>`` (key: the requirements text and the target).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.project.package.targets import Target

CACHE_VERSION = "3"
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
_FROM_VERSIONS = re.compile(r"\(from versions: ([^)]*)\)")
_OFFLINE = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution")
_MAX_ROUNDS = 20
_NOTES = "notes.txt"


class DependencyError(RuntimeError):
    """The requirements cannot be had for the target; the message names the distribution and
    says what to do."""


@dataclass
class Wheelhouse:
    directory: Path
    key: str
    cached: bool
    notes: list[str] = field(default_factory=list)

    @property
    def wheels(self) -> list[Path]:
        return sorted(self.directory.glob("*.whl"))


def cache_key(requirements_text: str, target: Target) -> str:
    material = "\n".join([CACHE_VERSION, target.python_version, *target.pip_platforms, requirements_text])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def is_cached(requirements: Path, target: Target, cache_root: Path) -> bool:
    """True when ``fetch_wheels`` would answer from the cache (no network, no pip)."""
    key = cache_key(requirements.read_text(encoding="utf-8"), target)
    return (cache_root / target.abi / f"wheels-{key}" / _NOTES).is_file()


def fetch_wheels(
    requirements: Path,
    target: Target,
    cache_root: Path,
    *,
    refresh: bool = False,
    log: Callable[[str], None] = print,
) -> Wheelhouse:
    """The wheels of ``requirements`` (and what they require) for ``target``; cached."""
    text = requirements.read_text(encoding="utf-8")
    key = cache_key(text, target)
    final = cache_root / target.abi / f"wheels-{key}"
    if (final / _NOTES).is_file() and not refresh:
        return Wheelhouse(final, key, cached=True, notes=_read_notes(final / _NOTES))
    final.parent.mkdir(parents=True, exist_ok=True)
    work = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    log(f"downloading the wheels of {requirements.name} for {target.describe()} (first run; cached afterwards)...")
    notes: list[str] = []
    built: set[str] = set()
    try:
        for _ in range(_MAX_ROUNDS):
            done = pip([*_download_args(target, work), "-r", str(requirements)], requirements.parent)
            if done.returncode == 0:
                break
            missing = _missing(done.stderr)
            if missing is None or canonicalize_name(_name_of(missing)) in built:
                raise DependencyError(_failure(done.stderr, missing, target))
            built.add(canonicalize_name(_name_of(missing)))
            notes.append(_build_pure(missing, target, work, requirements.parent, done.stderr))
        else:
            raise DependencyError(f"gave up after {_MAX_ROUNDS} rounds of building missing wheels")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    (work / _NOTES).write_text("".join(f"{n}\n" for n in notes), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    return Wheelhouse(final, key, cached=False, notes=notes)


def platform_args(target: Target) -> list[str]:
    """pip's options that select wheels for ``target`` rather than for this interpreter."""
    args = ["--only-binary=:all:"]
    for platform in target.pip_platforms:
        args += ["--platform", platform]
    return [*args, "--python-version", target.python_version, "--implementation", "cp", "--abi", target.abi]


def _download_args(target: Target, into: Path) -> list[str]:
    return ["download", "--quiet", "--dest", str(into), "--find-links", str(into), *platform_args(target)]


def pip(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run this interpreter's pip (it reads the machine's pip configuration, e.g. an index)."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _missing(stderr: str) -> str | None:
    found = _NO_MATCH.findall(stderr)
    return found[-1] if found else None


def _name_of(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]


def _versions(stderr: str) -> list[str]:
    found = _FROM_VERSIONS.findall(stderr)
    return [v.strip() for v in found[-1].split(",") if v.strip() and v.strip() != "none"] if found else []


def _failure(stderr: str, missing: str | None, target: Target) -> str:
    if any(marker in stderr for marker in _OFFLINE):
        return "cannot reach the package index (PyPI): `package` needs the network the first time (then it is cached)"
    if missing:
        return _no_wheel(missing, target, _versions(stderr), "")
    lines = [line for line in stderr.strip().splitlines() if line.strip() and not line.startswith("WARNING")]
    return "pip failed: " + (lines[-1] if lines else "no message")


def _no_wheel(requirement: str, target: Target, wheel_versions: list[str], why: str) -> str:
    name = _name_of(requirement)
    if wheel_versions:
        shown = ", ".join(wheel_versions[-8:])
        advice = f"pin a version that has one (these do: {shown})"
    else:
        advice = f"no release of {name} has one; check the name and the version"
    built = f"; building it here failed: {why}" if why else ""
    return (
        f"{requirement}: no wheel for {target.describe()} on the package index{built}. Either {advice}, or"
        f" build it inside FC's own image (`s build`) into a layer (docs/deploy.md)"
    )


def _build_pure(requirement: str, target: Target, wheelhouse: Path, cwd: Path, download_stderr: str) -> str:
    """Build ``requirement`` from its source release into a pure-Python wheel: as it is when it
    has no compiled part, else with the C compilers switched off; a note for the report, or
    DependencyError when only a compiled build would do."""
    wheel, why = _build(requirement, wheelhouse, cwd, compilers=True)
    if wheel is not None and wheel.name.endswith("-none-any.whl"):
        note = "no wheel on the index; built here from its source release (pure Python)"
    else:
        if wheel is not None:
            wheel.unlink()
            # No cache: pip would reuse the wheel it just compiled for this machine.
            wheel, why = _build(requirement, wheelhouse, cwd, compilers=False)
        if wheel is None or not wheel.name.endswith("-none-any.whl"):
            if wheel is not None:
                wheel.unlink()
            raise DependencyError(_no_wheel(requirement, target, _versions(download_stderr), why))
        note = (
            "no wheel on the index; built here as pure Python, without its optional C extension (slower, same results)"
        )
    name, version = wheel.name.split("-")[:2]
    return f"{name} {version}: {note}"


def _build(requirement: str, wheelhouse: Path, cwd: Path, *, compilers: bool) -> tuple[Path | None, str]:
    """(the wheel, now in ``wheelhouse``) or (None, why not)."""
    scratch = wheelhouse / ".build"
    shutil.rmtree(scratch, ignore_errors=True)
    env = None if compilers else {**os.environ, "CC": "false", "CXX": "false", "LDSHARED": "false"}
    args = ["wheel", "--quiet", "--no-cache-dir", "--no-deps", "--no-binary", ":all:", "--wheel-dir", str(scratch)]
    done = pip([*args, requirement], cwd, env=env)
    try:
        wheels = sorted(scratch.glob("*.whl"))
        if done.returncode == 0 and wheels:
            return Path(shutil.move(str(wheels[0]), wheelhouse / wheels[0].name)), ""
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if _missing(done.stderr) and not _versions(done.stderr):
        return None, "the index has no source release of it either"
    if not compilers:
        return None, "its compiled part is not optional"
    lines = [x for x in done.stderr.strip().splitlines() if x.strip() and not x.startswith("WARNING")]
    return None, (lines or ["no wheel"])[-1]


def _read_notes(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]
