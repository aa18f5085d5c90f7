"""What serve does between requests, on one thread: tick the instance pools (memory watchdog,
idle reaper, pools of retired code), delete code packages and removed functions no instance
runs any more, and give LATEST new instances when its code changed on disk (code watching,
``--reload-interval``; the watching itself is ``code_watch``'s).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from localfc.fc.code_watch import CodeWatcher
from localfc.fc.deployments.launch import is_deployed

if TYPE_CHECKING:
    import threading
    from pathlib import Path

    from localfc.fc.console import Console
    from localfc.fc.deployments import Catalog
    from localfc.fc.invocations import Invoker
    from localfc.fc.options import ServeOptions
    from localfc.project.syaml.model import Project

log = logging.getLogger("localfc.fc")


class Housekeeping:
    """``run(stop)`` is the housekeeping thread's body; it returns once ``stop`` is set."""

    def __init__(
        self, invoker: Invoker, catalog: Catalog, console: Console, options: ServeOptions, *, state_dir: Path
    ) -> None:
        self.invoker = invoker
        self.catalog = catalog
        self.console = console
        self.options = options
        # serve writes .py files into its state directory (snapshots, deployed code): not edits.
        self.watcher = CodeWatcher(exclude=state_dir)

    def watch_code(self, project: Project) -> None:
        """Watch the code directory of every function of ``project`` that runs from the
        working tree (with ``--reload-interval`` > 0)."""
        if self.options.reload_interval_s <= 0:
            return
        for _, props in project.functions():
            if not is_deployed(props):  # an unpacked zip never changes
                self.watcher.watch(project.code_dir(props))

    def collect_code(self, *, removed_too: bool) -> None:
        """Delete code packages and removed functions no instance runs from any more."""
        try:
            self.catalog.store.collect(
                self.catalog.records, self.invoker.code_dirs() | self.catalog.code_dirs(), removed_too=removed_too
            )
        except OSError as exc:
            log.warning("cleaning %s failed: %s", self.catalog.store.root, exc)

    def run(self, stop: threading.Event) -> None:
        interval = max(0.01, self.options.housekeeping_interval_s)
        reload_s = self.options.reload_interval_s
        next_code_check = time.monotonic() + reload_s
        while not stop.wait(interval):
            now = time.monotonic()
            try:
                if self.invoker.tick(now):
                    self.collect_code(removed_too=not self.invoker.retiring)
                if reload_s > 0 and now >= next_code_check:
                    next_code_check = now + reload_s
                    for code_dir in self.watcher.changed():
                        names = self.invoker.code_changed(code_dir)
                        if names:
                            self.console.note(
                                f"code changed in {code_dir}: new instances for LATEST of {', '.join(names)}"
                            )
            except Exception:
                log.exception("housekeeping failed")

    def close(self) -> None:
        self.watcher.close()
