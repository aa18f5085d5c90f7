"""``serve.json``: what serve announces, read back, and withdrawn only by the serve that wrote it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from localfc.fc.state import StateDir

if TYPE_CHECKING:
    from pathlib import Path


def test_the_announcement_reads_back_and_only_its_writer_withdraws_it(tmp_path: Path) -> None:
    state = StateDir(tmp_path / ".localfc")
    doc = {"host": "127.0.0.1", "port": 9000, "pid": os.getpid()}
    state.announce(doc)
    assert state.announced() == doc
    assert [p.name for p in state.root.iterdir()] == ["serve.json"]  # no temporary file left
    state.withdraw(9001)  # another serve's port: a newer serve's announcement stays
    assert state.announced() == doc
    state.withdraw(9000)
    assert not state.announcement.exists()


def test_withdrawing_nothing_or_a_damaged_file_is_quiet(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.withdraw(9000)
    state.announcement.write_text("[1, 2]", encoding="utf-8")
    state.withdraw(9000)
    assert state.announcement.exists()
