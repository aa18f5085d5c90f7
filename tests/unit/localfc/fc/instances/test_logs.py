"""``InstanceLogs``: one JSONL file per function, rotated so that it cannot grow without bound."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from localfc.fc.instances.logs import InstanceLogs, log_record

if TYPE_CHECKING:
    from pathlib import Path


def record(n: int) -> dict[str, object]:
    return log_record(
        function="f", qualifier="LATEST", version="LATEST", request_id=f"r-{n}", instance_id="i", stream="stdout",
        line=f"line {n} " + "x" * 80,
    )  # fmt: skip


def history(directory: Path, keep: int) -> list[str]:
    """Every request id kept, oldest first, reading the files as the module docstring says."""
    paths = [directory / f"f.jsonl.{g}" for g in range(keep, 0, -1)] + [directory / "f.jsonl"]
    return [json.loads(line)["request_id"] for p in paths if p.exists() for line in p.read_text().splitlines()]


def test_the_file_rotates_and_the_total_stays_bounded(tmp_path: Path) -> None:
    logs = InstanceLogs(tmp_path, max_bytes=2000, keep=2)
    for n in range(500):
        logs.write("f", [record(n)])
    logs.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.jsonl", "f.jsonl.1", "f.jsonl.2"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    kept = history(tmp_path, keep=2)
    assert kept == [f"r-{n}" for n in range(500 - len(kept), 500)]  # the newest, in order, no gap
    assert len(kept) >= 2 * (2000 // (len(json.dumps(record(499))) + 1)) + 1  # two full files and the current one


def test_a_batch_is_never_split_and_concurrent_writers_lose_nothing_recent(tmp_path: Path) -> None:
    logs = InstanceLogs(tmp_path, max_bytes=5000, keep=50)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: logs.write("f", [record(n), record(n + 10_000)]), range(400)))
    logs.close()
    kept = history(tmp_path, keep=50)
    assert sorted(kept) == sorted([f"r-{n}" for n in range(400)] + [f"r-{n + 10_000}" for n in range(400)])
    for path in tmp_path.iterdir():
        ids = [json.loads(line)["request_id"] for line in path.read_text().splitlines()]
        for n in (int(i[2:]) for i in ids if int(i[2:]) < 10_000):
            assert f"r-{n + 10_000}" in ids  # its batch partner is in the same file


def test_a_file_left_by_an_earlier_run_counts_toward_the_limit(tmp_path: Path) -> None:
    earlier = "".join(json.dumps(record(-n)) + "\n" for n in range(1, 8))  # about 1,800 bytes
    (tmp_path / "f.jsonl").write_text(earlier)
    logs = InstanceLogs(tmp_path, max_bytes=2000, keep=1)
    logs.write("f", [record(0)])
    logs.close()
    assert (tmp_path / "f.jsonl.1").read_text() == earlier
    assert history(tmp_path, keep=0) == ["r-0"]
