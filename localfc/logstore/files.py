"""The JSONL files under a state directory, read whole or followed as they grow.

``logs/<function>.jsonl`` may be rotated (``<function>.jsonl.1`` is the previous file,
``.2`` the one before): rotated files are read oldest first, then the current one. Offsets
are kept per file identity (device and inode), not per name, so a file renamed by a
rotation between two polls is read on from where it was left, and the new current file
from its start; nothing is read twice and nothing is skipped.

>>> files = LogFiles(Path(".localfc"), ["prime-checker"])   # doctest: +SKIP
>>> [e.line for e in files.read_new()][:1]                    # doctest: +SKIP
['FC Invoke Start RequestId: …']
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from localfc.logstore.entries import fc_entry, json_object, sls_entry

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from localfc.logstore.entries import Entry

_LOG_NAME = re.compile(r"^(?P<function>.+)\.jsonl(?:\.(?P<generation>\d+))?$")


def log_file(state_dir: Path, function_name: str) -> Path:
    """Where ``serve`` writes a function's log (the current file; rotated ones sit beside it)."""
    return state_dir / "logs" / f"{function_name}.jsonl"


def function_logs(logs_dir: Path, functions: frozenset[str] = frozenset()) -> list[Path]:
    """Every log file of the selected functions (all, when none are named): per function,
    the rotated files oldest first, then the current one."""
    if not logs_dir.is_dir():
        return []
    found: list[tuple[str, int, Path]] = []
    for path in logs_dir.iterdir():
        match = _LOG_NAME.match(path.name)
        if match is None or (functions and match["function"] not in functions):
            continue
        generation = int(match["generation"]) if match["generation"] else 0
        found.append((match["function"], -generation, path))
    return [path for _, _, path in sorted(found)]


class LogFiles:
    """Incremental reader of the collected logs (serve's and the local SLS receiver's)."""

    def __init__(
        self, root: Path, functions: Iterable[str] = (), *, sls: bool = True, logs_dir: Path | None = None
    ) -> None:
        self.root = root
        self.logs_dir = logs_dir or root / "logs"
        self.functions = frozenset(functions)
        self.sls = sls
        self._offsets: dict[tuple[int, int], int] = {}
        self._partial: dict[tuple[int, int], bytes] = {}
        # Set by read_new when a file was truncated in place: what was read before is gone.
        self.truncated = False

    def paths(self) -> list[tuple[Path, str]]:
        """``(path, kind)`` with kind ``fc`` or ``sls``; only the selected functions' fc files."""
        found = [(p, "fc") for p in function_logs(self.logs_dir, self.functions)]
        sls_dir = self.root / "sls"
        if self.sls and sls_dir.is_dir():
            found += [(p, "sls") for p in sorted(sls_dir.glob("*/*.jsonl"))]
        return found

    def read_new(self) -> list[Entry]:
        """Entries written since the last call (everything, the first time; files that
        appeared since included), oldest first."""
        entries: list[Entry] = []
        self.truncated = False
        for path, kind in self.paths():
            entries += self._read_new(path, kind)
        entries.sort(key=lambda e: e.time)
        return entries

    def _read_new(self, path: Path, kind: str) -> list[Entry]:
        try:
            with path.open("rb") as handle:
                info = _identity(handle.fileno())
                size = info[2]
                key = info[:2]
                offset = self._offsets.get(key, 0)
                if size < offset:  # truncated in place: start again
                    offset, self._partial[key], self.truncated = 0, b"", True
                if size == offset:
                    return []
                handle.seek(offset)
                data = self._partial.pop(key, b"") + handle.read(size - offset)
        except OSError:
            return []
        self._offsets[key] = size
        complete, _, rest = data.rpartition(b"\n")
        if rest:  # a line still being written: keep it for the next poll
            self._partial[key] = rest
        make = fc_entry if kind == "fc" else sls_entry
        entries = []
        for raw_line in complete.split(b"\n") if complete else []:
            record = json_object(raw_line.decode("utf-8", "replace").strip())
            entry = make(record) if record is not None else None
            if entry is not None:
                entries.append(entry)
        return entries


def _identity(fd: int) -> tuple[int, int, int]:
    stat = os.fstat(fd)
    return stat.st_dev, stat.st_ino, stat.st_size
