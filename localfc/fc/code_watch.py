"""Notice when the working tree's Python code changes, so LATEST gets fresh instances.

watchfiles (inotify on Linux, from its Rust core) watches each code directory in a thread of
its own. A change counts when it touches a ``*.py`` file that ``s deploy`` would package: the
question is put to ``CodeTree``, the ``.fcignore`` matcher ``package`` walks with, so ``serve``
ignores exactly what ``.fcignore`` ignores (nested files, ``!`` rules, ignored directories).
An edited ``.fcignore`` is read again. ``python/`` (what ``s build`` installs) is packaged, so
reinstalling dependencies there also gives LATEST fresh instances. serve's own state directory
(``.localfc``: versions' snapshots, deployed zips, packages it built, logs) is never code, even
where ``.fcignore`` does not list it: ``exclude`` names it.

    watcher = CodeWatcher()
    watcher.watch(Path("."))         # returns once the directory is watched
    ...
    watcher.changed()                # {Path("."): frozenset({"handlers/x.py"})}, then {}
    watcher.close()
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from localfc.project.package.fcignore import IGNORE_FILE, CodeTree

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

log = logging.getLogger("localfc.fc.code_watch")

# watchfiles yields an empty batch after this long without changes: the first one says the
# directory is watched, later ones let the thread see a stop between changes.
_IDLE_YIELD_MS = 100
_READY_TIMEOUT_S = 30.0


def python_changes(tree: CodeTree, root: str, paths: Iterable[str], exclude: str = "") -> frozenset[str]:
    """The packaged ``*.py`` files among ``paths`` (absolute), relative to ``root``, but none
    under the directory ``exclude`` (absolute).

    >>> tree = CodeTree(Path("/app"))                                               # doctest: +SKIP
    >>> python_changes(tree, "/app", ["/app/handlers/a.py", "/app/tests/test_a.py"])  # doctest: +SKIP
    frozenset({'handlers/a.py'})
    """
    paths = list(paths)
    if any(os.path.basename(p) == IGNORE_FILE for p in paths):
        tree.forget()
    found = set()
    for path in paths:
        if not path.endswith(".py") or (exclude and path.startswith(exclude + os.sep)):
            continue
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        if not relative.startswith("../") and tree.packaged(relative):
            found.add(relative)
    return frozenset(found)


class CodeWatcher:
    """Watches code directories and reports which ones changed since the last ``changed()``."""

    def __init__(self, exclude: Path | None = None) -> None:
        self._exclude = str(exclude.resolve()) if exclude is not None else ""
        self._lock = threading.Lock()
        self._changed: dict[Path, set[str]] = {}
        self._threads: dict[Path, threading.Thread] = {}
        self._stop = threading.Event()

    def watch(self, code_dir: Path) -> None:
        """Start watching ``code_dir`` (once); returns when changes from now on will be seen."""
        if code_dir in self._threads or self._stop.is_set():
            return
        ready = threading.Event()
        thread = threading.Thread(
            target=self._run, args=(code_dir, ready), name=f"code-watch-{code_dir.resolve().name}", daemon=True
        )
        self._threads[code_dir] = thread
        thread.start()
        if not ready.wait(_READY_TIMEOUT_S):
            log.warning("watching %s took over %.0f s; edits made meanwhile may be missed", code_dir, _READY_TIMEOUT_S)

    def changed(self) -> dict[Path, frozenset[str]]:
        """Each code directory with changed Python files since the last call, and those files."""
        with self._lock:
            changed, self._changed = self._changed, {}
        return {code_dir: frozenset(files) for code_dir, files in changed.items()}

    def close(self) -> None:
        """Stop every watch (each thread notices within ``_IDLE_YIELD_MS``)."""
        self._stop.set()
        for thread in self._threads.values():
            thread.join(timeout=5)

    def _run(self, code_dir: Path, ready: threading.Event) -> None:
        # watchfiles costs ~0.1 s to import (anyio): only a serve that watches pays it.
        import watchfiles  # noqa: PLC0415

        root = code_dir.resolve()
        tree = CodeTree(root)
        try:
            for batch in watchfiles.watch(
                root,
                watch_filter=None,
                stop_event=self._stop,
                rust_timeout=_IDLE_YIELD_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                ready.set()
                files = python_changes(tree, str(root), (path for _, path in batch), self._exclude)
                if files:
                    with self._lock:
                        self._changed.setdefault(code_dir, set()).update(files)
        except Exception:  # a missing directory, the inotify watch limit: serve goes on without reloads
            log.warning("cannot watch %s for code changes; restart serve after editing", code_dir, exc_info=True)
        finally:
            ready.set()
