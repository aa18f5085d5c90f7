"""What the local FC remembers about one function's versions and aliases, as a JSON file.

One file per function (``<state>/versions/<function>/state.json``), written atomically
(temporary file + ``os.replace``) under an exclusive lock, so a crash never leaves half a
file and two processes never interleave a read-modify-write.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pydantic
from pydantic import BaseModel, Field

from localfc.atomic_files import write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

try:  # POSIX only; elsewhere the in-process lock is all we have.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class StateFileError(RuntimeError):
    """The state file exists but cannot be read or parsed; the message names the file."""


def now_text() -> str:
    """FC's timestamp format, e.g. ``2024-05-01T08:00:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class VersionRecord(BaseModel):
    """A published version: immutable once written."""

    versionId: str
    description: str = ""
    createdTime: str
    lastModifiedTime: str
    codeDigest: str
    configDigest: str
    config: dict[str, Any]  # the rendered s.yaml props at publish time, triggers excluded

    def to_api(self) -> dict[str, Any]:
        """The ``Version`` model of the FC 3.0 API."""
        return {
            "versionId": self.versionId,
            "description": self.description,
            "createdTime": self.createdTime,
            "lastModifiedTime": self.lastModifiedTime,
        }


class AliasRecord(BaseModel):
    aliasName: str
    versionId: str
    additionalVersionWeight: dict[str, float] = Field(default_factory=dict)
    description: str = ""
    createdTime: str
    lastModifiedTime: str

    def to_api(self) -> dict[str, Any]:
        """The ``Alias`` model of the FC 3.0 API."""
        return self.model_dump()


class FunctionState(BaseModel):
    functionName: str
    # Version ids are never reused, even after a delete: FC's rule, kept across restarts.
    nextVersionId: int = 1
    versions: dict[str, VersionRecord] = Field(default_factory=dict)
    aliases: dict[str, AliasRecord] = Field(default_factory=dict)

    def newest_version(self) -> VersionRecord | None:
        return self.versions[max(self.versions, key=int)] if self.versions else None


def read_state(path: Path, function_name: str) -> FunctionState:
    """The state in ``path``, or an empty one when the file does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return FunctionState(functionName=function_name)
    except OSError as exc:
        raise StateFileError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return FunctionState.model_validate(json.loads(text))
    except (ValueError, pydantic.ValidationError) as exc:
        raise StateFileError(f"{path} is not a valid versions file ({exc}); move it away to start afresh") from None


def write_state(path: Path, state: BaseModel) -> None:
    """Replace ``path`` atomically with ``state`` (any model: the deployments store uses it too)."""
    write_atomic(path, state.model_dump_json(indent=2).encode("utf-8"))


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (threads of this process and other processes)."""
    key = str(lock_path)
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(key, threading.Lock())
    with thread_lock:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
