"""A file replaced whole: the old content or the new, never half, and no temporary left."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from localfc.atomic_files import write_atomic

if TYPE_CHECKING:
    from pathlib import Path


def test_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "state" / "function.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["function.json"]


def test_a_failed_write_keeps_the_old_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "s.dist.yaml"
    write_atomic(target, b"old")

    def no_space(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("localfc.atomic_files.os.fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.dist.yaml"]
