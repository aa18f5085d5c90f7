"""The control plane's files in serve's state directory, written so that a crash or a restart
never shows half a change::

    functions/<name>/function.json      the FunctionRecord (written atomically: temp + rename)
    functions/<name>/code/<checksum>/   the unpacked code package (renamed into place whole)
    functions/.uploads/                 zips being received (deleted once unpacked)
    functions/.removed-<id>/            a deleted function, until its instances have drained

A deleted function's directory is renamed away in one step, so it is gone from the state at
once; its files go when no instance runs from them any more (``collect``).
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from typing import TYPE_CHECKING

import pydantic

from localfc.fc.deployments import code_package
from localfc.fc.deployments.records import FunctionRecord
from localfc.fc.versions.state import write_state
from localfc.project.package.report import MAX_ZIP_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from localfc.fc.deployments.code_package import CodePackage

log = logging.getLogger("localfc.fc.deployments")

_RECORD = "function.json"
_REMOVED = ".removed-"
_UPLOADS = ".uploads"


class DeploymentStore:
    """Records and code packages under ``root`` (``<state>/functions``).

    >>> store = DeploymentStore(Path(".localfc/functions"))     # doctest: +SKIP
    >>> store.load()                                           # doctest: +SKIP
    {'hello': FunctionRecord(functionName='hello', ...)}
    """

    def __init__(self, root: Path, *, max_zip_bytes: int = MAX_ZIP_BYTES) -> None:
        self.root = root
        self.max_zip_bytes = max_zip_bytes
        self.problems: list[str] = []  # records that could not be read at load

    def function_dir(self, name: str) -> Path:
        return self.root / name

    def code_dir(self, name: str, checksum: str) -> Path:
        return self.root / name / "code" / checksum

    def load(self) -> dict[str, FunctionRecord]:
        """Every readable record; leftovers of an interrupted upload or removal are cleared."""
        records: dict[str, FunctionRecord] = {}
        self.problems = []
        if not self.root.is_dir():
            return records
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith((_REMOVED, _UPLOADS)):
                shutil.rmtree(entry, ignore_errors=True)
                continue
            path = entry / _RECORD
            if not path.is_file():
                continue
            try:
                record = FunctionRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, pydantic.ValidationError) as exc:
                self.problems.append(f"{path} cannot be read ({str(exc).splitlines()[0]}); function skipped")
                continue
            records[record.functionName] = record
        return records

    def write(self, record: FunctionRecord) -> None:
        write_state(self.function_dir(record.functionName) / _RECORD, record)

    def receive(self, chunks: Iterable[bytes]) -> CodePackage:
        """Receive a zip into the uploads area (the caller unpacks or discards it)."""
        return code_package.receive(chunks, self.root / _UPLOADS, limit=self.max_zip_bytes)

    def install(self, name: str, package: CodePackage) -> Path:
        """The unpacked code of ``package`` for function ``name`` (unpacked once per checksum)."""
        target = self.code_dir(name, package.checksum)
        try:
            if not target.is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
                code_package.unpack(package, target)
        finally:
            package.path.unlink(missing_ok=True)
        return target

    def remove(self, name: str) -> None:
        """Take the function out of the state in one rename; its files wait for ``collect``."""
        directory = self.function_dir(name)
        if directory.is_dir():
            directory.rename(self.root / f"{_REMOVED}{uuid.uuid4().hex}")

    def collect(self, records: dict[str, FunctionRecord], in_use: set[Path], *, removed_too: bool) -> None:
        """Delete code directories no record and no running instance uses; with ``removed_too``
        also the directories of deleted functions (call it when their instances have gone)."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.name.startswith(_REMOVED):
                if removed_too:
                    shutil.rmtree(entry, ignore_errors=True)
                continue
            record = records.get(entry.name)
            code_root = entry / "code"
            if record is None or not code_root.is_dir():
                continue
            keep = record.code.checksum if record.code is not None else None
            for code_dir in code_root.iterdir():
                if code_dir.name != keep and code_dir not in in_use:
                    shutil.rmtree(code_dir, ignore_errors=True)
