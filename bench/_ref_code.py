"""The deployed code (runtime/, handlers/, algorithms/) as it was at a git ref, for benchmarks
that measure today's code against it in the same run.

``cold_start`` and ``warm_overhead`` guard refactorings of the hot path: they run the
working tree's handler and the ref's side by side and print the ratio. The ref defaults to
``BASELINE_REF``; ``BENCH_AGAINST=<ref>`` (or ``--against <ref>``) picks another, and
``BENCH_AGAINST=none`` skips the comparison.

On a shared machine wall times wander by tens of percent from one process to the next, so
with ``--instructions`` both benchmarks also count the CPU instructions each tree executes
(valgrind's callgrind, where installed): the same count run after run, whatever the load.

    python -m bench.cold_start --against HEAD~3
    python -m bench.warm_overhead --instructions
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
# The commit the regrouping of issue 12 (runtime/logs split, triggers, process pool) started
# from: the code whose cold start and warm overhead it must not worsen by more than 10 %.
BASELINE_REF = "2ae9f580e00cee83e8882451501ed45165f9b4f5"
DEPLOYED = ("runtime", "handlers", "algorithms")


def chosen_ref(argv: list[str] | None = None) -> str | None:
    """The ref to compare with: ``--against REF`` in ``argv``, else ``BENCH_AGAINST``, else
    ``BASELINE_REF``; None for ``none``."""
    args = sys.argv[1:] if argv is None else argv
    ref = os.environ.get("BENCH_AGAINST", BASELINE_REF)
    if "--against" in args and args.index("--against") + 1 < len(args):
        ref = args[args.index("--against") + 1]
    return None if ref.lower() == "none" else ref


@contextmanager
def extracted(ref: str) -> Iterator[Path]:
    """A temporary directory holding runtime/, handlers/ and algorithms/ as they are at ``ref``
    (``git archive``: committed files only, no bytecode). Raises ``LookupError`` when git
    cannot give them (no repository, unknown ref)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, *DEPLOYED], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise LookupError(f"cannot extract {ref!r}: {archive.stderr.decode(errors='replace').strip()}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-ref-") as tmp,
        tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar,
    ):
        if sys.version_info >= (3, 12):
            tar.extractall(tmp, filter="data")
        else:
            tar.extractall(tmp)  # our own repository's archive
        yield Path(tmp)


def wants_instructions(argv: list[str] | None = None) -> bool:
    return "--instructions" in (sys.argv[1:] if argv is None else argv)


def instructions(code: str, cwd: Path, env: dict[str, str] | None = None) -> int | None:
    """CPU instructions that ``python -c code`` executes in ``cwd`` (callgrind's count, the
    hash seed fixed so that dict and set layouts repeat); None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    run_env = {**(os.environ if env is None else env), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        cwd=cwd,
        env=run_env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def short(ref: str) -> str:
    """``ref`` as a short commit id, for printing."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or ref
