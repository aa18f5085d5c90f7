"""Settings of one ``serve`` run; the CLI flags map one to one onto these fields."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path

HOST = "127.0.0.1"  # never another interface: signatures of the API are not verified


@dataclass
class ServeOptions:
    """Everything ``LocalFC`` needs besides s.yaml.

    >>> ServeOptions(port=0, max_instances=2, async_backoff_s=0.05).max_instances
    2
    """

    port: int = 9000
    state_dir: Path | None = None  # default: <directory of s.yaml>/.localfc
    max_instances: int = 4  # per function version
    idle_timeout_s: float = 300.0  # an instance idle this long is reaped (preStop first)
    reload_interval_s: float = 1.0  # how often LATEST's code is checked for changes; 0 = never
    async_backoff_s: float = 1.0  # first async retry waits this long, then x2 per retry
    async_backoff_max_s: float = 60.0
    async_workers: int = 4  # concurrent async invocations per function (at most)
    run_oss: bool = True
    oss_port: int = 0
    run_sls: bool = True
    run_timers: bool = True
    housekeeping_interval_s: float = 0.05  # memory watchdog and idle reaper tick
    console: TextIO | None = field(default_factory=lambda: sys.stdout)
    # AccessKey id -> secret accepted for HTTP triggers with authType: function.
    access_keys: dict[str, str] = field(default_factory=dict)
    # Where instances get their code: venv | package | auto (localfc.fc.package_sources).
    code_from: str = "venv"
