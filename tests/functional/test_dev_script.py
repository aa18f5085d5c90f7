"""``./dev``'s set-up shows progress: one short line per package pip collects, then a count
(pip's own output is long and, on a terminal, coloured)."""

from __future__ import annotations

import subprocess

from tests.fixtures.paths import REPO

PIP_OUTPUT = """\
Collecting pydantic==2.14.3 (from -r requirements.txt (line 3))
  Using cached pydantic-2.14.3-py3-none-any.whl.metadata (100 kB)
Collecting oss2==2.19.1
  Downloading oss2-2.19.1.tar.gz (300 kB)
Installing collected packages: pydantic, oss2
Successfully installed oss2-2.19.1 pydantic-2.14.3
"""


def test_the_setup_prints_one_line_per_package_and_a_count() -> None:
    script = f'eval "$(sed -n "/^show_progress()/,/^}}/p" {REPO / "dev"})"; show_progress'
    done = subprocess.run(
        ["bash", "-c", script], input=PIP_OUTPUT, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "  [1] pydantic==2.14.3",
        "  [2] oss2==2.19.1",
        "  installing...",
        "  done: 2 packages installed",
    ]
    assert "\033[" not in done.stderr
