"""Which distribution provides an import name, what requirements.txt declares, and whether the
declared distributions cover a function's imports.

Two sources of distribution metadata, same questions: the wheels downloaded for FC's Python
(``from_wheels``: what the package is built from) and the dev venv (``from_installed``: what
``validate`` reads offline). Requirements of a distribution (``Requires-Dist``) are followed
with their markers evaluated for the target Python on Linux x86_64, so a module that pydantic
brings (``typing_extensions``) counts as provided when pydantic is declared.

>>> index = DistributionIndex.from_installed()                       # doctest: +SKIP
>>> [d.name for d in index.providers("PIL")]                          # doctest: +SKIP
['pillow']
"""

from __future__ import annotations

import importlib.metadata
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from localfc.project.package.closure import Closure, ImportSite

REQUIREMENTS_FILE = "requirements.txt"


class RequirementsError(ValueError):
    """A line of a requirements file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Distribution:
    name: str  # canonical: lower case, runs of -_. as one -
    version: str
    top_level: frozenset[str]
    requires: tuple[str, ...] = ()


@dataclass
class DistributionIndex:
    """Distributions by canonical name, and which ones provide each top-level import name."""

    by_name: dict[str, Distribution] = field(default_factory=dict)
    by_module: dict[str, list[Distribution]] = field(default_factory=dict)

    @classmethod
    def of(cls, distributions: Iterable[Distribution]) -> DistributionIndex:
        index = cls()
        for dist in distributions:
            index.by_name.setdefault(dist.name, dist)
            for top in dist.top_level:
                index.by_module.setdefault(top, []).append(dist)
        return index

    @classmethod
    def from_installed(cls, names: Iterable[str] | None = None, python_version: str = "") -> DistributionIndex:
        """The distributions of the running interpreter (the dev venv): all of them, or only
        ``names`` and what they require for ``python_version`` (reading a few is much quicker)."""
        if names is None:
            return cls.of(d for d in (_installed(dist) for dist in importlib.metadata.distributions()) if d)
        found: dict[str, Distribution] = {}
        pending = [canonicalize_name(n) for n in names]
        environment = _marker_environment(python_version)
        while pending:
            name = pending.pop()
            if name in found:
                continue
            try:
                dist = _installed(importlib.metadata.distribution(name))
            except importlib.metadata.PackageNotFoundError:
                continue
            if dist is None:
                continue
            found[name] = dist
            for line in dist.requires:
                requirement = _requirement(line)
                if requirement is not None and _applies(requirement, environment):
                    pending.append(canonicalize_name(requirement.name))
        return cls.of(found.values())

    @classmethod
    def from_wheels(cls, wheels: Iterable[Path]) -> DistributionIndex:
        """The distributions of a directory of wheels (read from their ``.dist-info``)."""
        return cls.of(read_wheel(path) for path in sorted(wheels))

    def providers(self, module: str) -> list[Distribution]:
        return list(self.by_module.get(module, ()))

    def with_requirements(self, names: Iterable[str], python_version: str) -> set[str]:
        """``names`` and every distribution they require, transitively, for the target."""
        environment = _marker_environment(python_version)
        seen: set[str] = set()
        pending = [canonicalize_name(n) for n in names]
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            dist = self.by_name.get(name)
            if dist is None:
                continue
            for line in dist.requires:
                requirement = _requirement(line)
                if requirement is None or not _applies(requirement, environment):
                    continue
                pending.append(canonicalize_name(requirement.name))
        return seen


def _installed(dist: importlib.metadata.Distribution) -> Distribution | None:
    metadata = dist.metadata  # parsed on every access: once here
    name = metadata["Name"]
    if not name:
        return None
    listed = dist.read_text("top_level.txt")
    tops = _top_level_from_files([] if listed else [str(f) for f in dist.files or ()], listed)
    requires = tuple(metadata.get_all("Requires-Dist") or ())
    return Distribution(canonicalize_name(name), str(metadata["Version"]), tops, requires)


def read_wheel(path: Path) -> Distribution:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA")), None)
        if info is None:
            raise ValueError(f"{path.name} has no .dist-info/METADATA")
        metadata = HeaderParser().parsestr(wheel.read(f"{info}/METADATA").decode("utf-8", "replace"))
        top_level = f"{info}/top_level.txt"
        listed = wheel.read(top_level).decode("utf-8", "replace") if top_level in names else None
    tops = _top_level_from_files(names, listed)
    requires = tuple(metadata.get_all("Requires-Dist") or ())
    return Distribution(canonicalize_name(metadata["Name"]), str(metadata["Version"]), tops, requires)


def _top_level_from_files(files: list[str], listed: str | None) -> frozenset[str]:
    if listed:
        return frozenset(line.strip().replace("/", ".").split(".")[0] for line in listed.splitlines() if line.strip())
    tops = set()
    for name in files:
        first = name.split("/", 1)[0]
        if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__") or first.startswith("."):
            continue
        if "/" in name:
            tops.add(first)
        elif first.endswith((".py", ".so", ".pyd")):
            tops.add(first.split(".", 1)[0])
    return frozenset(tops)


def _requirement(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _marker_environment(python_version: str) -> dict[str, str]:
    return {
        "python_version": python_version,
        "python_full_version": python_version + ".0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "extra": "",
    }


def _applies(requirement: Requirement, environment: dict[str, str]) -> bool:
    if requirement.marker is None:
        return True
    try:
        return requirement.marker.evaluate(environment)
    except (InvalidMarker, UndefinedEnvironmentName):
        return True


def declared_requirements(path: Path) -> dict[str, Requirement]:
    """Canonical name -> requirement, for each requirement line of ``path`` (and ``-r`` files)."""
    declared: dict[str, Requirement] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            declared.update(declared_requirements(path.parent / line.split(maxsplit=1)[1]))
            continue
        if line.startswith("-"):
            continue  # pip options (--index-url, -c ...): not distributions
        requirement = _requirement(line)
        if requirement is None:
            raise RequirementsError(f"{path.name} line {number}: {line!r} is not a requirement pip understands")
        declared[canonicalize_name(requirement.name)] = requirement
    return declared


@dataclass
class Coverage:
    """What a function's imports need from the declared distributions.

    ``needed``: distribution -> the import names it provides to the function; ``undeclared``:
    import names no declared distribution provides -> where they are imported, with the
    distribution that provides them elsewhere (e.g. in the dev venv) when there is one."""

    needed: dict[str, list[str]] = field(default_factory=dict)
    undeclared: dict[str, list[ImportSite]] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)

    def explain(self, everything: DistributionIndex) -> None:
        """Name the distribution that provides each undeclared import in ``everything``."""
        for module in self.undeclared:
            providers = everything.providers(module)
            if providers:
                self.elsewhere[module] = f"{providers[0].name} {providers[0].version}"


def coverage(closure: Closure, declared: Iterable[str], index: DistributionIndex, python_version: str) -> Coverage:
    """Check the closure's required imports against the ``declared`` distributions (and what they
    require); ``index`` says which distribution provides which import name."""
    provided = index.with_requirements(declared, python_version)
    result = Coverage()
    for module, sites in sorted(closure.required.items()):
        providers = index.providers(module)
        chosen = next((d for d in providers if d.name in provided), None)
        if chosen is None:
            result.undeclared[module] = sites
            continue
        result.needed.setdefault(chosen.name, []).append(module)
    return result
