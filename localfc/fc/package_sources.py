"""Which code ``serve`` and ``invoke`` run for a function: the dev venv, or what ships.

``--code-from`` chooses (``CODE_FROM``):

    package  the function's package, built as ``local_invoke.py package`` builds it (cached),
             unpacked read-only, with its layers merged as FC merges them into /opt, run by
             FC's Python version isolated from the dev venv: an import the package lacks fails
             here as it would on FC
    venv     the code directory run by the dev venv's interpreter (quick; sees everything the
             venv has), with the function's layers on the path
    auto     package when that is cheap: FC's Python version is installed and the function's
             wheels are already cached (``package`` ran once); otherwise venv, saying why once

A layer ARN in s.yaml is mounted from the local FC's layers (created with ``layer publish`` or
CreateLayerVersion); when the local FC does not have that version but ``layers/<name>/`` exists,
the layer is built from it (and said so). Any other ARN (a public or official layer) cannot be
emulated: the function does not start, with a message that says so.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

from localfc.fc.instances.code_source import CodeSource, CodeSourceError, merge_layers, unpack_zip
from localfc.project.package import DependencyError, PackageError, TargetError, build_package
from localfc.project.package.builder import CACHE_DIR
from localfc.project.package.distributions import REQUIREMENTS_FILE, RequirementsError
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.package.layer_specs import layer_specs, parse_layer_arn
from localfc.project.package.layers import build_layer
from localfc.project.package.targets import target_for
from localfc.project.package.wheelhouse import is_cached

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.fc.layers import LayerStore
    from localfc.project.syaml import Project
    from localfc.project.syaml.model import FunctionProps

CODE_FROM = ("auto", "package", "venv")


class CodeSourceUnavailableError(RuntimeError):
    """The function cannot run as asked (no interpreter, a package that does not build, a
    layer the local FC does not have); the message says why and what to do."""


class PackageSources:
    """Builds (and caches) the ``CodeSource`` of a function version; thread-safe.

    >>> sources = PackageSources(project, Path(".localfc"), "auto", layer_store, note=print)  # doctest: +SKIP
    >>> sources.source_for(props, project.code_dir(props), "")                                # doctest: +SKIP
    CodeSource(interpreter='/root/.pyenv/versions/3.10.13/bin/python3.10', ...)
    """

    def __init__(
        self,
        project: Project,
        state_root: Path,
        mode: str,
        layers: LayerStore | None,
        note: Callable[[str], None],
    ) -> None:
        if mode not in CODE_FROM:
            raise ValueError(f"code source must be one of {', '.join(CODE_FROM)}, not {mode!r}")
        self.project = project
        self.state_root = state_root
        self.mode = mode
        self.layers = layers
        self.note = note
        self._noted: set[str] = set()
        self._lock = threading.Lock()

    def source_for(self, props: FunctionProps, code_dir: Path, version_id: str) -> CodeSource | None:
        """The function's code source; None: the dev venv with nothing else (no layers)."""
        with self._lock:  # one build at a time: they share the caches
            try:
                return self._source(props, code_dir, version_id)
            except (PackageError, DependencyError, TargetError, RequirementsError, CodeSourceError, OSError) as exc:
                raise CodeSourceUnavailableError(f"{props.functionName}: {exc}") from None

    def _source(self, props: FunctionProps, code_dir: Path, version_id: str) -> CodeSource | None:
        opt_dir = self._mount_layers(props)
        if self.mode == "venv":
            return CodeSource.for_dev_venv(code_dir, opt_dir) if opt_dir else None
        target = target_for(props.runtime)
        try:
            interpreter = find_interpreter(target.python_version)
        except InterpreterNotFoundError as exc:
            if self.mode == "package":
                raise CodeSourceUnavailableError(f"{props.functionName}: {exc}") from None
            self._once(f"{props.functionName} runs from the dev venv: {exc}")
            return CodeSource.for_dev_venv(code_dir, opt_dir) if opt_dir else None
        cache = self.project.base_dir / CACHE_DIR
        requirements = code_dir / REQUIREMENTS_FILE
        if self.mode == "auto" and requirements.is_file() and not is_cached(requirements, target, cache):
            self._once(
                f"{props.functionName} runs from the dev venv: its wheels for {props.runtime} are not cached yet"
                " (run `local_invoke.py package` once, or serve --code-from package)",
            )
            return CodeSource.for_dev_venv(code_dir, opt_dir) if opt_dir else None
        label = version_id or "LATEST"
        out = self.state_root / "packages" / props.functionName / f"zip-{label}"
        result = build_package(
            self.project, props.functionName, out, code_dir=code_dir, props=props, log=self.note, cache_dir=cache
        )
        digest = hashlib.sha256(result.zip_path.read_bytes()).hexdigest()[:16]
        unpacked = self.state_root / "packages" / props.functionName / digest
        if not (unpacked / "code").is_dir():
            unpack_zip(result.zip_path, unpacked / "code")
        self._once(f"{props.functionName} ({label}) runs from its package {result.zip_path}")
        return CodeSource.for_package(interpreter, unpacked / "code", opt_dir, f"package {result.zip_path}")

    def mount_layers(self, props: FunctionProps) -> Path | None:
        """The function's layers merged as FC merges them into /opt; None without layers."""
        with self._lock:
            try:
                return self._mount_layers(props)
            except (PackageError, DependencyError, TargetError, RequirementsError, CodeSourceError, OSError) as exc:
                raise CodeSourceUnavailableError(f"{props.functionName}: {exc}") from None

    def _mount_layers(self, props: FunctionProps) -> Path | None:
        zips: list[Path] = []
        specs = layer_specs(self.project.base_dir)
        for arn in props.layers:
            parsed = parse_layer_arn(arn)
            found = self.layers.zip_path(parsed.name, parsed.version) if self.layers and parsed else None
            if found is None and parsed is not None and parsed.name in specs:
                built = build_layer(
                    specs[parsed.name],
                    target_for(props.runtime),
                    self.state_root / "layer-builds",
                    self.project.base_dir / CACHE_DIR,
                    log=self.note,
                )
                self._once(f"layer {arn} is not in the local FC: using layers/{parsed.name}/ built now")
                found = built.zip_path
            if found is None:
                raise CodeSourceUnavailableError(
                    f"{props.functionName}: layer {arn} is not in the local FC (publish it: `local_invoke.py layer"
                    " publish NAME`; public and official layers cannot be emulated)"
                )
            zips.append(found)
        if not zips:
            return None
        digest = hashlib.sha256("\n".join(f"{z}:{z.stat().st_mtime_ns}" for z in zips).encode()).hexdigest()[:16]
        opt = self.state_root / "opt" / digest
        if opt.is_dir():
            return opt
        return merge_layers(zips, opt)

    def _once(self, message: str) -> None:
        if message not in self._noted:
            self._noted.add(message)
            self.note(message)
