"""The code zip is written to a temporary file and renamed: a failed build leaves neither a
half-written zip nor the temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from localfc.project.package.archive import write_zip


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("x = 1\n")
    out = tmp_path / "dist" / "f.zip"
    write_zip(out, code, [Path("app.py")], None)
    before = out.read_bytes()
    with pytest.raises(FileNotFoundError):
        write_zip(out, code, [Path("app.py"), Path("vanished.py")], None)
    assert out.read_bytes() == before  # the previous zip is untouched
    assert sorted(p.name for p in out.parent.iterdir()) == ["f.zip"]
