"""A function's code package as FC receives it: a zip, checked and unpacked.

``receive`` streams the bytes to a file while it counts them and computes the CRC-64 that FC
answers as ``codeChecksum`` (decimal, CRC-64/ECMA over the zip's bytes, the value the fc3
component compares to skip an unchanged upload). ``unpack`` refuses what FC refuses (not a
zip, over the size limits) and what would escape the code directory (absolute paths, ``..``).

>>> package = receive([zip_bytes], staging_dir)          # doctest: +SKIP
>>> package.checksum, package.size                       # doctest: +SKIP
('11051210869376104954', 2480)
>>> unpack(package, target_dir)                          # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from localfc.fc.api import errors
from localfc.project.package.report import MAX_ZIP_BYTES
from localfc.services.oss.crc64 import crc64

if TYPE_CHECKING:
    from collections.abc import Iterable

# A local guard against zip bombs, not an FC figure: FC's documented limit is the package's.
MAX_UNPACKED_BYTES = 4 * MAX_ZIP_BYTES
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class CodePackage:
    """The received zip: where it is, its size and its CRC-64 (decimal string, FC's format)."""

    path: Path
    size: int
    checksum: str


def receive(chunks: Iterable[bytes], directory: Path, *, limit: int = MAX_ZIP_BYTES) -> CodePackage:
    """Write ``chunks`` to a new file in ``directory``; 400 ``InvalidArgument`` as soon as more
    than ``limit`` bytes arrive (nothing is kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f".upload-{uuid.uuid4().hex}.zip"
    size = 0
    checksum = 0
    try:
        with path.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise errors.invalid_argument(
                        f"the code package is over FC's limit of {limit // (1024 * 1024)} MB"
                        f" ({limit} bytes); put large dependencies in a layer"
                    )
                checksum = crc64(chunk, checksum)
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return CodePackage(path, size, str(checksum))


def unpack(package: CodePackage, target: Path, *, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Unpack into ``target`` (which must not exist), atomically: on any error nothing is left."""
    staging = target.with_name(f".{target.name}-{uuid.uuid4().hex}")
    try:
        try:
            archive = zipfile.ZipFile(package.path)
        except (zipfile.BadZipFile, OSError):
            raise errors.invalid_argument("the code package is not a zip file") from None
        with archive:
            members = _checked_members(archive, limit)
            staging.mkdir(parents=True)
            made = {staging}
            for info, relative in members:
                _extract(archive, info, staging / relative, made)
        staging.rename(target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise errors.invalid_argument(f"the code package is a damaged zip file: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _checked_members(archive: zipfile.ZipFile, limit: int) -> list[tuple[zipfile.ZipInfo, Path]]:
    members = []
    total = 0
    for info in archive.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts:
            raise errors.invalid_argument(f"the code package holds {info.filename!r}, outside the code directory")
        if info.is_dir() or not name.parts:
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            raise errors.invalid_argument(f"the code package holds a symbolic link ({info.filename}); not supported")
        total += info.file_size
        if total > limit:
            raise errors.invalid_argument(f"the code package unpacks to more than {limit // (1024 * 1024)} MB")
        members.append((info, Path(*name.parts)))
    return members


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, made: set[Path]) -> None:
    if destination.parent not in made:  # packages hold thousands of files in a few directories
        destination.parent.mkdir(parents=True, exist_ok=True)
        made.add(destination.parent)
    if info.file_size <= _COPY_CHUNK:
        destination.write_bytes(archive.read(info))
    else:
        with archive.open(info) as source, destination.open("wb") as out:
            shutil.copyfileobj(source, out, _COPY_CHUNK)
    mode = (info.external_attr >> 16) & 0o777
    if mode & 0o111:
        os.chmod(destination, 0o755)


def module_candidates(handler: str) -> list[str]:
    """The files that can hold the module of ``module.function`` (package-relative, POSIX)."""
    module = handler.rpartition(".")[0]
    if not module:
        return []
    base = module.replace(".", "/")
    return [f"{base}.py", f"{base}/__init__.py", f"{base}.pyc"]


def has_module(code_dir: Path, handler: str) -> bool:
    """Whether the handler's module is in ``code_dir`` (or its ``python/`` dependencies dir)."""
    candidates = module_candidates(handler)
    roots = (code_dir, code_dir / "python")
    if any((root / c).is_file() for root in roots for c in candidates):
        return True
    module = handler.rpartition(".")[0].replace(".", "/")
    parent = (code_dir / module).parent
    stem = module.rsplit("/", 1)[-1]
    # A compiled extension module: name.cpython-312-x86_64-linux-gnu.so and the like.
    return parent.is_dir() and any(p.name.startswith(stem + ".") and p.suffix == ".so" for p in parent.iterdir())
