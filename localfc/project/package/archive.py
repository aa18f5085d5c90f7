"""Write the code zip: the function's code (as ``s deploy`` would zip it, with its bytecode),
plus ``python/``. Written to a temporary file renamed into place: a failed or interrupted
build never leaves a half-written zip under the final name.

Entries are dated 1980-01-01 and written in a fixed order, so the same inputs give the same
bytes (and the same CRC64 that fc3 compares before uploading); file modes (the executable
bit) are kept. The dependencies are zipped once, when installed (``zip_tree``); a package
starts from a copy of that archive and appends the code, so a cached run does not recompress
tens of megabytes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import Path

DEPENDENCIES_DIR = "python"
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class ArchiveStats:
    code_files: int = 0
    code_bytes: int = 0
    dependency_files: int = 0
    dependency_bytes: int = 0
    replaced_python_dir: bool = False  # the code directory's own python/ was left out

    @property
    def unpacked_bytes(self) -> int:
        return self.code_bytes + self.dependency_bytes


def zip_tree(directory: Path, out: Path, prefix: str) -> None:
    """Zip every file under ``directory`` as ``prefix/<relative path>`` (bytecode included)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            _add(archive, path, f"{prefix}/{path.relative_to(directory).as_posix()}")


def write_zip(out: Path, code_dir: Path, code_files: list[Path], dependencies: Path | None) -> ArchiveStats:
    """``code_files`` are relative to ``code_dir``; ``dependencies`` is an archive from
    ``zip_tree`` whose entries go in as they are."""
    stats = ArchiveStats()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        if dependencies is not None:
            shutil.copyfile(dependencies, partial)
            with zipfile.ZipFile(partial) as existing:
                infos = existing.infolist()
            stats.dependency_files = len(infos)
            stats.dependency_bytes = sum(i.file_size for i in infos)
        mode: Literal["a", "w"] = "a" if dependencies is not None else "w"
        with zipfile.ZipFile(partial, mode, compression=zipfile.ZIP_DEFLATED) as archive:
            for relative in code_files:
                if dependencies is not None and relative.parts[0] == DEPENDENCIES_DIR:
                    stats.replaced_python_dir = True
                    continue
                stats.code_files += 1
                stats.code_bytes += _add(archive, code_dir / relative, relative.as_posix())
        partial.replace(out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return stats


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> int:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = (path.stat().st_mode & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    data = path.read_bytes()
    archive.writestr(info, data)
    return len(data)
