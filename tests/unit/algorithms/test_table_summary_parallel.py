"""The table summariser with worker processes (the runtime's ``ProcessPool``, bound as
``algorithms.parallel`` binds it): the same output as the sequential path, byte for byte, on
varied inputs; the workers stay usable after a refused input; a worker that died is replaced;
no processes, no parallelism."""

from __future__ import annotations

import gzip
import io
import logging
import math
import multiprocessing
import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from algorithms import parallel
from algorithms.errors import InputRejected
from algorithms.object_base import MemorySink, ObjectInfo
from algorithms.table_summary import SummaryOptions, TableSummariser
from runtime.processes import ProcessPool

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Small blocks (many of them go to the workers even in a small test) and a small sketch (so
# that distinct counts above it are estimates, merged from several processes' sketches).
OPTIONS = {"block_bytes": 2048, "sketch_size": 16}


class InProcesses(NamedTuple):
    """A summariser and the worker processes the runtime would bind to each of its objects."""

    summariser: TableSummariser
    pool: ProcessPool


def summarise(
    summariser: TableSummariser | InProcesses, data: bytes, key: str = "t.csv", content_type: str = "text/csv"
) -> bytes:
    sink = MemorySink()
    if isinstance(summariser, InProcesses):
        summariser, pool = summariser
    else:
        pool = None
    with parallel.binding(pool):
        summariser.process(io.BytesIO(data), ObjectInfo("b", key, len(data), "E", content_type), sink)
    return sink.outputs["summary.json"]


def in_processes(workers: int) -> InProcesses:
    summariser = TableSummariser(SummaryOptions(**OPTIONS, workers=workers))
    return InProcesses(summariser, ProcessPool(summariser.processes, name=summariser.name))


@pytest.fixture(scope="module")
def sequential() -> TableSummariser:
    return TableSummariser(SummaryOptions(**OPTIONS))


@pytest.fixture(scope="module", params=[2, 3], name="parallel")
def parallel_summariser(request: pytest.FixtureRequest) -> Iterator[InProcesses]:
    summariser = in_processes(request.param)
    assert summariser.pool.start() and len(summariser.pool.pids()) == request.param
    yield summariser
    summariser.pool.stop()
    assert not summariser.pool.running


def _cell(rnd: random.Random, kind: str, row: int) -> str:
    if rnd.random() < 0.08:
        return rnd.choice(["", "NA", "null", "N/A", "nan"])
    if kind == "int":
        return str(rnd.randint(-50, 50))
    if kind == "float":
        return repr(rnd.uniform(-1e6, 1e6))
    if kind == "special":  # numbers with inf and nan among them
        return rnd.choice(["inf", "-inf", "NaN", "1e300", "-0", "0", repr(rnd.random())])
    if kind == "unique":  # far more distinct values than the sketch holds
        return f"id-{row}-{rnd.randrange(10**9)}"
    if kind == "word":
        return rnd.choice(["alpha", "beta", "gamma", "delta"])
    if kind == "unicode":
        return rnd.choice(["Zürich", "北京", "São Paulo", "Kraków", "plain"])
    if kind == "late_text":  # numbers, then text far into the file (numeric turns off in a worker)
        return str(row) if row < 300 else f"x{row % 7}"
    raise AssertionError(kind)


def table(seed: int, rows: int, sep: str = ",", kinds: tuple[str, ...] | None = None) -> list[str]:
    rnd = random.Random(seed)
    all_kinds = ("int", "float", "special", "unique", "word", "unicode", "late_text")
    kinds = kinds or tuple(rnd.sample(all_kinds, rnd.randint(2, len(all_kinds))))
    lines = [sep.join(f"{kind}_{i}" for i, kind in enumerate(kinds))]
    lines += [sep.join(_cell(rnd, kind, row) for kind in kinds) for row in range(rows)]
    return lines


def csv_bytes(lines: list[str], newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode()


CASES: dict[str, Callable[[int], tuple[bytes, str]]] = {
    "numbers_nulls_inf_nan": lambda s: (csv_bytes(table(s, 3000, kinds=("int", "float", "special", "word"))), "t.csv"),
    "random_columns": lambda s: (csv_bytes(table(s, 2500)), "t.csv"),
    "high_cardinality": lambda s: (csv_bytes(table(s, 4000, kinds=("unique", "int"))), "t.csv"),
    "non_ascii_blocks": lambda s: (csv_bytes(table(s, 2000, kinds=("unicode", "float", "unique"))), "t.csv"),
    "tsv": lambda s: (csv_bytes(table(s, 2000, sep="\t")), "t.tsv"),
    "crlf": lambda s: (csv_bytes(table(s, 1500), newline="\r\n"), "t.csv"),
    "tiny": lambda s: (csv_bytes(table(s, 3)), "t.csv"),
    "header_only": lambda s: (csv_bytes(table(s, 0)), "t.csv"),
    "quoted_block_midway": lambda s: _with_line(s, 1200, '{0},"quoted, with a comma\nand a newline",{0}'),
    "ragged_line_midway": lambda s: _with_line(s, 900, "1,2,3,4,5,6,7"),
    "quoted_in_last_block": lambda s: _with_line(s, 1990, '7,"last",8'),
    "gzip": lambda s: (gzip.compress(csv_bytes(table(s, 2000))), "t.csv.gz"),
}


def _with_line(seed: int, at: int, line: str) -> tuple[bytes, str]:
    lines = table(seed, 2000, kinds=("int", "word", "float"))
    lines.insert(at, line.format(seed))
    return csv_bytes(lines), "t.csv"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", sorted(CASES))
def test_parallel_output_is_the_sequential_output(
    case: str, seed: int, sequential: TableSummariser, parallel: InProcesses
) -> None:
    data, key = CASES[case](seed)
    expected = summarise(sequential, data, key)
    assert summarise(parallel, data, key) == expected
    assert summarise(parallel, data, key) == expected  # the same workers, reused


def test_the_cases_cover_what_they_claim(sequential: TableSummariser) -> None:
    """Guard against a generator that no longer makes what the names say."""
    import json  # noqa: PLC0415

    def columns(case: str) -> list[dict[str, Any]]:
        data, key = CASES[case](1)
        return list(json.loads(summarise(sequential, data, key))["columns"])

    assert len(CASES["numbers_nulls_inf_nan"](1)[0]) > 20 * OPTIONS["block_bytes"]  # many blocks
    special = columns("numbers_nulls_inf_nan")[2]
    assert special["type"] == "number" and special["nulls"] > 0 and math.isfinite(special["mean"])
    assert not columns("high_cardinality")[0]["distinct_exact"]
    assert json.loads(summarise(sequential, *CASES["ragged_line_midway"](1)))["ragged_rows"] == 1
    assert len(CASES["tiny"](1)[0]) < OPTIONS["block_bytes"]


def test_non_utf8_block_midway_is_rejected_with_the_same_offset(
    sequential: TableSummariser, parallel: InProcesses
) -> None:
    data = csv_bytes(table(5, 2000, kinds=("int", "word")))
    bad = data[:30000] + b"\xff" + data[30000:]
    with pytest.raises(InputRejected) as expected:
        summarise(sequential, bad)
    with pytest.raises(InputRejected) as got:
        summarise(parallel, bad)
    assert str(got.value) == str(expected.value)
    good = csv_bytes(table(6, 2000))
    assert summarise(parallel, good) == summarise(sequential, good)  # workers still usable


def test_an_input_error_from_the_stream_midway_leaves_the_workers_usable(
    sequential: TableSummariser, parallel: InProcesses
) -> None:
    corrupt = gzip.compress(csv_bytes(table(7, 3000)))
    corrupt = corrupt[: len(corrupt) // 2] + bytes(200) + corrupt[len(corrupt) // 2 :]
    with pytest.raises(InputRejected, match="gzip"):
        summarise(parallel, corrupt, "t.csv.gz")
    assert parallel.pool.running
    good = csv_bytes(table(8, 2000))
    assert summarise(parallel, good) == summarise(sequential, good)


def test_jsonl_stays_sequential_and_unchanged(sequential: TableSummariser, parallel: InProcesses) -> None:
    data = b"".join(b'{"a": %d, "b": "x%d"}\n' % (i, i % 40) for i in range(3000))
    assert summarise(parallel, data, "t.jsonl") == summarise(sequential, data, "t.jsonl")


# --- the pool's life around objects -------------------------------------------------------------


def test_a_worker_killed_between_objects_is_replaced_before_the_next_object() -> None:
    summariser = in_processes(2)
    assert summariser.pool.start()
    try:
        data = csv_bytes(table(9, 3000))
        expected = summarise(TableSummariser(SummaryOptions(**OPTIONS)), data)
        old = summariser.pool.pids()
        os.kill(old[1], signal.SIGKILL)
        time.sleep(1.0)  # generous: the kill must have landed before the next object starts
        assert summarise(summariser, data) == expected  # not a failed (and retried) record
        assert set(summariser.pool.pids()).isdisjoint(old)
    finally:
        summariser.pool.stop()


def test_objects_summarised_at_once_share_the_workers_one_at_a_time() -> None:
    # instanceConcurrency above 1: an object that finds the pool busy is summarised in its own
    # thread; every answer is still the sequential one.
    summariser = in_processes(2)
    assert summariser.pool.start()
    try:
        inputs = [csv_bytes(table(seed, 4000)) for seed in range(6)]
        expected = [summarise(TableSummariser(SummaryOptions(**OPTIONS)), data) for data in inputs]
        with ThreadPoolExecutor(max_workers=3) as threads:
            results = list(threads.map(lambda data: summarise(summariser, data), inputs))
        assert results == expected
    finally:
        summariser.pool.stop()


def test_no_worker_processes_means_sequential_said_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, sequential: TableSummariser
) -> None:
    def refuse(self: Any) -> None:
        raise OSError(38, "Function not implemented")  # e.g. a sandbox without fork

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refuse)
    summariser = in_processes(2)
    data = csv_bytes(table(10, 2000))
    with caplog.at_level(logging.WARNING, logger="runtime.processes"):
        assert not summariser.pool.start()
        assert summarise(summariser, data) == summarise(sequential, data)
        assert summarise(summariser, data) == summarise(sequential, data)
    warnings = [r for r in caplog.records if "computing in one process" in r.getMessage()]
    assert len(warnings) == 1
    assert not summariser.pool.running


def test_one_worker_asks_for_no_processes() -> None:
    assert TableSummariser(SummaryOptions(workers=1)).processes == 1
    assert TableSummariser(SummaryOptions(workers=3)).processes == 3
