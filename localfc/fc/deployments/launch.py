"""How a deployed function's code is started: the one place that decides it.

A deployed function (or a version published from one) is its uploaded package, as on FC: the
unpacked zip is ``/code``, its layers are merged into ``/opt`` (``PackageSources.mount_layers``:
layers created through the API, or built from ``layers/<name>/``), and FC's Python version for
the runtime runs it isolated from the dev venv (``CodeSource.for_package``), so an import the
package lacks fails here as it would on FC. When that Python is not installed, the dev venv's
runs the package instead, and serve says so once per function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.instances.code_source import CodeSource
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.package.targets import target_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.fc.package_sources import PackageSources
    from localfc.project.syaml.model import FunctionProps


def is_deployed(props: FunctionProps) -> bool:
    """True for props whose code is an uploaded package (``code: {"src", "checksum", ...}``)."""
    code: Any = props.code
    return isinstance(code, dict) and "checksum" in code


def deployed_source(
    props: FunctionProps, code_dir: Path, sources: PackageSources | None, note: Callable[[str], None]
) -> CodeSource:
    """The ``CodeSource`` of a deployed function's package in ``code_dir`` (see the module
    docstring); raises ``CodeSourceUnavailableError`` for a layer the local FC does not have."""
    opt_dir = sources.mount_layers(props) if sources is not None else None
    try:
        interpreter = find_interpreter(target_for(props.runtime).python_version)
    except InterpreterNotFoundError as exc:
        note(f"{props.functionName}: its deployed package runs on the dev venv's Python: {exc}")
        return CodeSource.for_dev_venv(code_dir, opt_dir)
    checksum = props.code["checksum"] if isinstance(props.code, dict) else ""
    return CodeSource.for_package(interpreter, code_dir, opt_dir, f"deployed package (crc64 {checksum})")
