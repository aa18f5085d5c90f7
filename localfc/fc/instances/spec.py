"""What instances of one function version are started with (``InstanceSpec``), and the error
when one cannot start. ``localfc.fc.version_specs`` builds specs for ``serve``; ``invoke``
builds its own for a function run from its package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.fc.instances.code_source import CodeSource

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml.model import FunctionProps


class InstanceStartError(RuntimeError):
    """The worker could not import the handler (or died while starting)."""


@dataclass(frozen=True)
class InstanceSpec:
    """Everything needed to start instances of one function version."""

    function_name: str
    version_id: str  # "" for LATEST
    props: FunctionProps
    code_dir: Path
    runtime: str
    environment: dict[str, str]
    concurrency: int
    timeout_s: float
    init_timeout_s: float
    prestop_timeout_s: float
    memory_mb: int
    debug_port: int | None = None  # serve --debug: the process waits for a debugger here
    # Which Python runs the code, and from where (an unpacked package, layers); None: the code
    # directory above, run by the dev venv's interpreter.
    source: CodeSource | None = None

    @property
    def version_label(self) -> str:
        return self.version_id or "LATEST"

    @property
    def code_source(self) -> CodeSource:
        return self.source or CodeSource.for_dev_venv(self.code_dir)
