"""A summary of a CSV, TSV or JSON Lines export, computed in one streaming pass.

Output ``summary.json``: the row count, and per column the number of values and nulls, the
minimum, maximum and mean of numeric columns, and an estimate of the number of distinct
values. Memory stays constant whatever the object size: the input is read in blocks of about
1 MiB, each block is reduced to per-column figures, and distinct values are counted with a
K-minimum-values sketch (exact up to ``sketch_size`` distinct values, about 3 % error above).

Speed is where this design earns its keep (about 45 MB/s per core on a typical export, see
docs/oss.md): the common case (a block without quotes whose lines all have the header's
number of fields) is checked and split with a few C-level calls on the undecoded bytes
(ASCII cells stay ``bytes``: for ASCII they hash, compare and parse exactly like ``str``),
and reduced per column with builtins (``set``, ``map(float, ...)``, ``sum``, ``min``), so
the per-cell work runs in C. Numbers of a column with few distinct values are parsed once
per value; a column of mostly unique values skips the set and feeds its cells straight to
the sketch. Blocks with quotes or ragged lines go through the ``csv`` module for the rest of
the file, which is correct for quoted newlines and slower. None of this changes a figure:
sums still add every cell in input order, block by block.

With ``SummaryOptions.workers`` above 1 (the function's vCPUs, from s.yaml), CSV/TSV blocks
are reduced in that many worker processes (``algorithms.parallel``; the runtime runs them),
since the work is pure Python and one process uses one core. Each block's figures come back to this
process and are added in block order (``ColumnStats.merge_block``): the per-block partial sums
are the same floats added in the same order, and the distinct sketches merge exactly, so the
output is identical to the sequential one. From the first block the workers cannot take (quotes,
ragged lines, not UTF-8) this process goes on alone, as the sequential path does. JSON Lines
stay sequential (their parsing is mostly ``json.loads``, already C).

Gzip-compressed inputs (``.csv.gz``, ``.jsonl.gz``) are decompressed on the fly.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zlib
from collections import deque
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, AnyStr, BinaryIO, ClassVar, TypeVar

from algorithms import parallel
from algorithms.errors import InputRejected
from algorithms.object_base import ObjectAlgorithm

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from algorithms.object_base import ObjectInfo, OutputSink

_T = TypeVar("_T")

SUMMARY_NAME = "summary.json"
DEFAULT_BLOCK_BYTES = 1 << 20
DEFAULT_MAX_LINE_BYTES = 16 << 20
DEFAULT_SKETCH_SIZE = 1024
MAX_COLUMNS = 1000
# Cell values counted as missing, besides the empty cell.
NULL_TOKENS = frozenset({"", "null", "NULL", "Null", "NA", "N/A", "n/a", "NaN", "nan", "None", "none"})
# The same tokens as ASCII bytes, for cells of ASCII blocks (kept apart from NULL_TOKENS:
# comparing bytes with str would warn under ``python -b``).
_NULL_BYTES = frozenset(token.encode() for token in NULL_TOKENS)
_DELIMITERS = (",", "\t", ";", "|")
_CSV_ROWS_PER_BATCH = 8192
_HASH_OFFSET = 1 << 63  # Python hashes are signed 64-bit; KMV wants them in [0, 2**64)
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json")


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """Limits of the summariser.

    ``workers``: processes reducing CSV/TSV blocks (``TableSummariser.processes``); 1 (the
    default) reduces them in this process. Set it to the function's vCPUs (s.yaml ``cpu``), not
    ``os.cpu_count()``, which in FC counts the host's CPUs.

    >>> SummaryOptions(max_line_bytes=1024).block_bytes
    1048576
    """

    block_bytes: int = DEFAULT_BLOCK_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    sketch_size: int = DEFAULT_SKETCH_SIZE
    max_columns: int = MAX_COLUMNS
    workers: int = 1


class DistinctSketch:
    """K minimum values (KMV) over 64-bit hashes: exact below ``k`` distinct values.

    >>> sketch = DistinctSketch(k=64); sketch.update(str(i) for i in range(1000))
    >>> 800 < sketch.estimate()[0] < 1250
    True
    """

    __slots__ = ("k", "limit", "threshold", "values")

    def __init__(self, k: int = DEFAULT_SKETCH_SIZE) -> None:
        self.k = k
        # Trimming back to k sorts the set: let it grow by a quarter first, so that a column
        # of unique values is not sorted after every block. The k smallest hashes end up the
        # same: a looser (older) threshold only lets more candidates in.
        self.limit = k + k // 4
        self.values: set[int] = set()
        self.threshold: int | None = None  # the k-th smallest hash at the last trim

    def update(self, items: Iterable[Any], exclude: Iterable[Any] = ()) -> set[int]:
        """Add ``items`` (repeats are fine), leaving out the hashes of ``exclude`` (nulls).
        Returns the hashes that were candidates (for :meth:`merge` into another sketch)."""
        threshold = self.threshold
        # Once full, only hashes below the k-th smallest can matter. A comprehension is 1.8x
        # as fast here as filter(threshold.__gt__, ...) on Python 3.11+ (even on 3.10).
        new = set(map(hash, items)) if threshold is None else {h for item in items if (h := hash(item)) < threshold}
        if exclude:
            new.difference_update(map(hash, exclude))
        self.values |= new
        if len(self.values) > self.limit:
            self._trim()
        return new

    def merge(self, hashes: Iterable[int]) -> None:
        """Add hashes returned by another sketch's :meth:`update` (which shares this
        process's hash secret). The result is exactly the sketch of all the items: every hash
        among the k smallest overall was below the other sketch's threshold, so it was sent."""
        threshold = self.threshold
        self.values |= set(hashes) if threshold is None else {h for h in hashes if h < threshold}
        if len(self.values) > self.limit:
            self._trim()

    def _trim(self) -> None:
        kept = sorted(self.values)[: self.k]
        self.values = set(kept)
        self.threshold = kept[-1]

    def estimate(self) -> tuple[int, bool]:
        """(estimated distinct count, whether it is exact)."""
        if len(self.values) > self.k:
            self._trim()
        if self.threshold is None:
            return len(self.values), True
        fraction = (self.threshold + _HASH_OFFSET + 1) / float(1 << 64)
        return round((self.k - 1) / fraction), False


class ColumnStats:
    """Figures of one column, fed block by block."""

    __slots__ = (
        "blocks",
        "count",
        "finite",
        "maximum",
        "minimum",
        "mostly_unique",
        "name",
        "nulls",
        "numeric",
        "sketch",
        "total",
    )

    def __init__(self, name: str, sketch_size: int) -> None:
        self.name = name
        self.count = 0
        self.nulls = 0
        self.numeric = True  # every non-null value so far is a number
        self.total = 0.0
        self.finite = 0  # numbers that entered total/min/max (inf and nan do not)
        self.minimum = math.inf
        self.maximum = -math.inf
        self.sketch = DistinctSketch(sketch_size)
        self.blocks = 0
        self.mostly_unique = False  # most cells of the last block whose set was built were distinct

    def add_text(self, values: list[str] | list[bytes], null_tokens: frozenset[Any] = NULL_TOKENS) -> set[int]:
        """A block of CSV cells of this column: str, or bytes when they are all ASCII
        (``null_tokens`` then holds the bytes forms). Returns the block's sketch candidates."""
        cells: list[Any] = values
        count = len(cells)
        self.blocks += 1
        # A column of mostly unique values (ids, e-mails, prices) once the sketch is full: a set
        # of its cells would hold nearly all of them only to feed the sketch, which looks at
        # each one again. Look for nulls in the cells and hash them into the sketch directly
        # (and count the distinct cells again every 16th block, in case the column changes).
        distinct: set[Any] | None = None
        if not (self.mostly_unique and self.sketch.threshold is not None and self.blocks % 16):
            distinct = set(cells)
            self.mostly_unique = len(distinct) * 2 > count
        present = null_tokens.intersection(cells if distinct is None else distinct)
        if present:
            nulls = sum(map(cells.count, present))
            if distinct is not None:
                distinct -= present
            self.nulls += nulls
            count -= nulls
            if self.numeric and count:
                # Only numbers need the non-null cells themselves; the empty cell alone (the
                # usual null) is dropped by filter(None) in C.
                only_empty = len(present) == 1 and not next(iter(present))
                cells = list(filter(None, cells)) if only_empty else [c for c in cells if c not in present]
        self.count += count
        if count and self.numeric:
            try:
                if distinct is not None and len(distinct) * 4 <= count:
                    # Few distinct values (quantities, ratings, years): parse each one once.
                    # The sum still runs over every cell in order, so it is the same float.
                    parsed = dict(zip(distinct, map(float, distinct), strict=True))
                    self._add_numbers(list(map(parsed.__getitem__, cells)), list(parsed.values()))
                else:
                    self._add_numbers(list(map(float, cells)))
            except ValueError:
                self.numeric = False
        if distinct is None:
            return self.sketch.update(cells, exclude=present)
        return self.sketch.update(distinct)

    def add_json(self, values: list[Any]) -> None:
        """A block of JSON values of this column (None for missing or null)."""
        present = [v for v in values if v is not None]
        self.nulls += len(values) - len(present)
        self.count += len(present)
        if present and self.numeric:
            if all(type(v) is int or type(v) is float for v in present):
                self._add_numbers([float(v) for v in present])
            else:
                self.numeric = False
        self.sketch.update(v if type(v) is str else json.dumps(v, sort_keys=True) for v in present)

    def add_missing(self, rows: int) -> None:
        self.nulls += rows

    # In a worker, a column's figures are taken block by block (so that the parent adds each
    # block's sum in block order, as the sequential path does); the sketch, the numeric flag
    # and the path choices carry over between the worker's blocks.

    def start_block(self) -> None:
        self.count = self.nulls = self.finite = 0
        self.total = 0.0
        self.minimum, self.maximum = math.inf, -math.inf

    def block_figures(self) -> tuple[int, int, bool, float, int, float, float]:
        return self.count, self.nulls, self.numeric, self.total, self.finite, self.minimum, self.maximum

    def merge_block(self, figures: tuple[int, int, bool, float, int, float, float], hashes: Iterable[int]) -> None:
        """Add a block reduced elsewhere (:meth:`block_figures`, the hashes its ``add_text``
        returned): the same additions, in the same order, as ``add_text`` on that block."""
        count, nulls, numeric, total, finite, minimum, maximum = figures
        self.blocks += 1
        self.count += count
        self.nulls += nulls
        if not numeric:
            self.numeric = False  # its figures then no longer matter, as in add_text
        elif self.numeric and finite:
            self.finite += finite
            self.total += total
            # A worker may take the other min/max path of add_text than this process would
            # have (its history differs): only the sign of a zero can then differ, and
            # _number() prints -0.0 and 0.0 alike.
            self.minimum = min(self.minimum, minimum)
            self.maximum = max(self.maximum, maximum)
        self.sketch.merge(hashes)

    def _add_numbers(self, numbers: list[float], distinct: list[float] | None = None) -> None:
        """``numbers`` in input order; ``distinct``, when known, holds each value once (a
        shorter list to take the minimum and maximum of)."""
        total = sum(numbers)  # one pass: finite unless some number is inf/nan (or it overflows)
        finite = numbers
        if not math.isfinite(total):
            finite = [n for n in numbers if math.isfinite(n)]
            total = sum(finite)
            if distinct is not None:
                distinct = [n for n in distinct if math.isfinite(n)]
        if finite:
            self.finite += len(finite)
            self.total += total
            extremes = finite if distinct is None else distinct
            self.minimum = min(self.minimum, min(extremes))  # noqa: PLW3301 - min(a, *big_list) copies the list
            self.maximum = max(self.maximum, max(extremes))  # noqa: PLW3301

    def report(self) -> dict[str, Any]:
        distinct, exact = self.sketch.estimate()
        kind = "empty" if self.count == 0 else ("number" if self.numeric else "string")
        out: dict[str, Any] = {"name": self.name, "type": kind, "count": self.count, "nulls": self.nulls}
        if kind == "number" and self.finite:
            out.update(minimum=_number(self.minimum), maximum=_number(self.maximum), mean=self.total / self.finite)
        out.update(distinct=distinct, distinct_exact=exact)
        return out


class TableSummariser(ObjectAlgorithm):
    """CSV/TSV/JSONL in, ``summary.json`` out.

    >>> from algorithms.object_base import MemorySink, ObjectInfo
    >>> data = b"city,temp\\nOslo,3\\nRome,18\\nOslo,\\n"
    >>> sink = MemorySink()
    >>> TableSummariser().process(io.BytesIO(data), ObjectInfo("b", "t.csv", len(data), "E"), sink)["rows"]
    3
    >>> json.loads(sink.outputs["summary.json"])["columns"][1]["mean"]
    10.5
    """

    name: ClassVar[str] = "table_summary"
    content_types: ClassVar[tuple[str, ...]] = (
        "text/",
        "application/csv",
        "application/vnd.ms-excel",  # what some browsers send for .csv
        "application/gzip",
        "application/x-gzip",
        *_JSONL_TYPES,
    )

    def __init__(self, options: SummaryOptions | None = None) -> None:
        self.options = options or SummaryOptions()
        self.processes = self.options.workers

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        key, media = info.key, info.media_type
        compressed = info.suffix == ".gz" or media in ("application/gzip", "application/x-gzip")
        stream: BinaryIO = source
        if compressed:
            stream = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[assignment]
            key = key[:-3] if key.lower().endswith(".gz") else key
            media = ""
        blocks = _line_blocks(stream, self.options)
        if key.lower().endswith(_JSONL_SUFFIXES) or media in _JSONL_TYPES:
            summary = _summarise_jsonl(_text_blocks(blocks), self.options)
        else:
            delimiter = "\t" if key.lower().endswith((".tsv", ".tab")) or media == "text/tab-separated-values" else None
            # None (this process alone) without workers, or while another object uses them.
            with parallel.workers() as workers:
                summary = _summarise_csv(blocks, self.options, delimiter, workers)
        summary["bytes"] = info.size
        summary["compressed"] = compressed
        outputs.write(SUMMARY_NAME, json.dumps(summary, ensure_ascii=False, indent=1).encode(), "application/json")
        return {"format": summary["format"], "rows": summary["rows"], "columns": len(summary["columns"])}


def _line_blocks(stream: BinaryIO, options: SummaryOptions) -> Iterator[tuple[bytes, int]]:
    """Undecoded blocks that each end at a line end, with their offset in the input (for error
    messages); the last one gets a newline added."""
    carry = b""
    offset = 0  # bytes of the input before ``carry``
    first = True
    while True:
        chunk = _read(stream, options.block_bytes)
        if not chunk:
            break
        if first:
            first = False
            if chunk.startswith(b"\xef\xbb\xbf"):
                chunk, offset = chunk[3:], 3
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            carry += chunk
            if len(carry) > options.max_line_bytes:
                raise InputRejected(
                    f"a line is longer than {options.max_line_bytes} bytes; this does not look like CSV or JSON Lines"
                )
            continue
        # One copy per block: the carried partial line joined with the chunk's whole lines.
        block = b"".join((carry, memoryview(chunk)[:cut])) if carry or cut < len(chunk) else chunk
        yield block, offset
        offset += len(block)
        carry = chunk[cut:]
    if carry:
        yield carry + b"\n", offset


def _text_blocks(blocks: Iterator[tuple[bytes, int]]) -> Iterator[str]:
    """The blocks of :func:`_line_blocks`, decoded."""
    for block, offset in blocks:
        yield _decode(block, offset)


def _read(stream: BinaryIO, size: int) -> bytes:
    try:
        return stream.read(size)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise InputRejected(f"the gzip data is corrupt ({exc})") from None


def _decode(data: bytes, offset: int) -> str:
    try:
        return str(data, "utf-8")
    except UnicodeDecodeError as exc:
        raise InputRejected(
            f"not UTF-8 text: invalid byte at offset {offset + exc.start}; save the export as UTF-8",
            {"offset": offset + exc.start},
        ) from None


def _summarise_csv(
    blocks: Iterator[tuple[bytes, int]],
    options: SummaryOptions,
    delimiter: str | None,
    workers: parallel.Workers | None = None,
) -> dict[str, Any]:
    texts = _text_blocks(blocks)  # the header's block(s) only: the data blocks are taken undecoded
    first = next(texts, None)
    header_end = first.find("\n") if first is not None else -1
    while first is not None and not first[:header_end].strip():
        # Skip blank lines before the header (and blocks made only of them).
        first = first[header_end + 1 :] or next(texts, None)
        header_end = first.find("\n") if first is not None else -1
    if first is None:
        raise InputRejected("no header row: the object holds no text lines")
    header_line = first[:header_end].rstrip("\r")
    if delimiter is None:
        delimiter = max(_DELIMITERS, key=header_line.count)
    header = _header_names(header_line, delimiter, options.max_columns)
    columns = [ColumnStats(name, options.sketch_size) for name in header]
    counters = {"rows": 0, "ragged_rows": 0}
    rest = first[header_end + 1 :]
    pending: Iterator[tuple[bytes, int]] = iter(((rest.encode(), 0),)) if rest else iter(())
    remaining = _chain(pending, blocks)
    if workers is not None:
        reducer = (_BlockReducer, (len(columns), options.sketch_size, delimiter))
        remaining = _reduce_in_workers(workers, reducer, remaining, columns, counters)
    _reduce_here(remaining, columns, counters, delimiter)  # what the workers did not take
    return {
        "format": "csv" if delimiter != "\t" else "tsv",
        "delimiter": delimiter,
        "rows": counters["rows"],
        "ragged_rows": counters["ragged_rows"],
        "columns": [c.report() for c in columns],
    }


_Cells = tuple[list[bytes], list[bytes], frozenset[bytes]] | tuple[list[str], list[str], frozenset[str]]
# One column's figures for one block (ColumnStats.block_figures), and its sketch candidates.
_ColumnResult = tuple[tuple[int, int, bool, float, int, float, float], set[int]]


def _block_cells(block: bytes, offset: int, delimiter: str, ncols: int) -> _Cells | None:
    """The cells of a block that needs no csv module (see :func:`_simple_cells`), with the
    null tokens to compare them with; None if it does. Raises InputRejected if not UTF-8."""
    # ASCII cells stay bytes: splitting and hashing them is cheaper than str, and for
    # ASCII they are equal in every way the statistics see (float(), hash(), equality).
    if block.isascii():
        raw = _simple_cells(block, delimiter.encode(), b"\n", ncols)
        return None if raw is None else (*raw, _NULL_BYTES)
    text = _simple_cells(_decode(block, offset), delimiter, "\n", ncols)
    return None if text is None else (*text, NULL_TOKENS)


def _add_cells(cells: _Cells, columns: list[ColumnStats]) -> tuple[int, list[set[int]]]:
    """Reduce a block's cells into ``columns``: (rows, each column's sketch candidates)."""
    flat, last, tokens = cells
    rows = len(last)
    ncols = len(columns)
    candidates = []
    for index, column in enumerate(columns[:-1]):
        # Sliced just before use: the column's cells are then still in the CPU cache
        # when add_text hashes them (slicing all columns first costs about 10 %).
        candidates.append(column.add_text(flat[index : rows * ncols : ncols], tokens))
    candidates.append(columns[-1].add_text(last, tokens))
    return rows, candidates


def _reduce_here(
    blocks: Iterator[tuple[bytes, int]], columns: list[ColumnStats], counters: dict[str, int], delimiter: str
) -> None:
    """The sequential path: every block in this process."""
    for block, offset in blocks:
        cells = _block_cells(block, offset, delimiter, len(columns))
        if cells is None:
            # Quotes or ragged lines: the csv module takes over for the rest of the input,
            # because a quoted field may span the boundary of the next block.
            first_text = _decode(block, offset)
            _csv_module_rows(_chain(iter((first_text,)), _text_blocks(blocks)), delimiter, columns, counters)
            return
        counters["rows"] += _add_cells(cells, columns)[0]


class _BlockReducer:
    """A worker's state for one object: its own columns, fed only its blocks; returns each
    block's figures (None for a block it cannot take: the parent then goes on alone)."""

    def __init__(self, ncols: int, sketch_size: int, delimiter: str) -> None:
        self.columns = [ColumnStats("", sketch_size) for _ in range(ncols)]
        self.delimiter = delimiter

    def __call__(self, block: bytes) -> tuple[int, list[_ColumnResult]] | None:
        try:
            cells = _block_cells(block, 0, self.delimiter, len(self.columns))
        except InputRejected:
            return None  # not UTF-8: the parent raises it, with the offset
        if cells is None:
            return None
        for column in self.columns:
            column.start_block()
        rows, candidates = _add_cells(cells, self.columns)
        return rows, [(c.block_figures(), h) for c, h in zip(self.columns, candidates, strict=True)]


def _reduce_in_workers(
    workers: parallel.Workers,
    reducer: tuple[type[_BlockReducer], tuple[Any, ...]],
    blocks: Iterator[tuple[bytes, int]],
    columns: list[ColumnStats],
    counters: dict[str, int],
) -> Iterator[tuple[bytes, int]]:
    """Reduce the blocks in the workers, merging their figures in block order. Returns the
    blocks from the first one a worker could not take (then the rest of the input) for the
    sequential path, with the figures of every earlier block merged; nothing when all were.
    """
    # Blocks handed to the workers and not merged yet, oldest first, kept for the sequential
    # path; the workers take only a few at a time, which bounds the memory.
    in_flight: deque[tuple[bytes, int]] = deque()

    def handed_out() -> Iterator[bytes]:
        for item in blocks:
            in_flight.append(item)
            yield item[0]

    task, args = reducer
    with closing(workers.map(task, args, handed_out())) as results:
        for result in results:
            if result is None:  # refused: this block and the ones after it are done here
                return _chain(iter(in_flight), blocks)
            in_flight.popleft()
            rows, figures = result
            counters["rows"] += rows
            for column, (block_figures, hashes) in zip(columns, figures, strict=True):
                column.merge_block(block_figures, hashes)
    return iter(())


def _chain(head: Iterator[_T], tail: Iterator[_T]) -> Iterator[_T]:
    yield from head
    yield from tail


def _header_names(line: str, delimiter: str, max_columns: int) -> list[str]:
    try:
        names = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputRejected(f"the header row is not valid CSV ({exc})") from None
    if len(names) > max_columns:
        raise InputRejected(f"the header has {len(names)} columns; the limit is {max_columns}")
    seen: dict[str, int] = {}
    out = []
    for index, raw in enumerate(names):
        name = raw.strip() or f"column_{index + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _simple_cells(
    block: AnyStr, delimiter: AnyStr, newline: AnyStr, ncols: int
) -> tuple[list[AnyStr], list[AnyStr]] | None:
    """The cells of a block row after row, and those of its last column without line ends
    (the others are ``cells[i::ncols]``), if it needs no csv module: no quotes, and every
    line exactly ``ncols`` fields (no blank lines either: the csv module skips those)."""
    quote, carriage = (b'"', b"\r") if isinstance(block, bytes) else ('"', "\r")
    if quote in block:
        return None
    if carriage in block:
        block = block.replace(carriage + newline, newline)
    rows = block.count(newline)
    if ncols == 1 and (block.startswith(newline) or newline + newline in block):
        return None  # blank lines (with several columns, the length check below sees them)
    # A delimiter after every line end makes one flat list of cells in which a line end can
    # only be the last character of a cell. So if the cells in the last column's places hold
    # all the block's line ends, every line has exactly ncols fields: one C-level split and
    # one join check the shape, instead of splitting into lines and counting per line.
    cells = block.replace(newline, newline + delimiter).split(delimiter)
    if len(cells) != rows * ncols + 1:  # + 1: the empty cell after the last line end
        return None
    last = newline[:0].join(cells[ncols - 1 :: ncols])
    if last.count(newline) != rows:
        return None
    return cells, last.split(newline)[:-1]


def _csv_module_rows(
    blocks: Iterator[str], delimiter: str, columns: list[ColumnStats], counters: dict[str, int]
) -> None:
    ncols = len(columns)
    lines = (line for block in blocks for line in io.StringIO(block, newline=""))
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    while True:
        try:
            batch = [row for row in islice(reader, _CSV_ROWS_PER_BATCH) if row]
        except csv.Error as exc:
            raise InputRejected(f"not readable as CSV after data row {counters['rows']} ({exc})") from None
        if not batch:
            return
        ragged = [row for row in batch if len(row) != ncols]
        if ragged:
            counters["ragged_rows"] += len(ragged)
            batch = [row[:ncols] + [""] * (ncols - len(row)) if len(row) != ncols else row for row in batch]
        counters["rows"] += len(batch)
        for column, values in zip(columns, zip(*batch, strict=True), strict=True):
            column.add_text(list(values))


def _summarise_jsonl(blocks: Iterator[str], options: SummaryOptions) -> dict[str, Any]:
    columns: dict[str, ColumnStats] = {}
    rows = 0
    invalid: list[int] = []  # line numbers of lines that are not JSON objects
    line_number = 0
    extra_keys = 0
    for block in blocks:
        lines = block.split("\n")
        lines.pop()
        records = _json_objects(lines)
        if records is None:
            records = _json_objects_line_by_line(lines, line_number, invalid)
        line_number += len(lines)
        if not records:
            continue
        keys: set[str] = set().union(*records)
        for key in keys:
            if key not in columns:
                if len(columns) >= options.max_columns:
                    extra_keys += 1
                    continue
                column = columns[key] = ColumnStats(key, options.sketch_size)
                column.add_missing(rows)  # rows seen before this key first appeared
            columns[key].add_json([r.get(key) for r in records])
        for key, column in columns.items():
            if key not in keys:
                column.add_missing(len(records))
        rows += len(records)
    if rows == 0 and invalid:
        raise InputRejected(
            f"no line is a JSON object ({len(invalid)} invalid lines, first at line {invalid[0]})",
            {"invalid_lines": len(invalid)},
        )
    return {
        "format": "jsonl",
        "rows": rows,
        "invalid_lines": len(invalid),
        "first_invalid_lines": invalid[:5],
        "keys_over_limit": extra_keys,
        "columns": [c.report() for c in columns.values()],
    }


def _json_objects(lines: list[str]) -> list[dict[str, Any]] | None:
    """Parse a block of JSON lines in one ``json.loads`` call; None if any line is not one object."""
    present = list(filter(str.strip, lines))
    if not present:
        return []
    try:
        values = json.loads("[" + ",".join(present) + "]")
    except ValueError:
        return None
    # "1, 2" on one line would parse as two values: the counts must match exactly.
    if len(values) != len(present) or not all(type(v) is dict for v in values):
        return None
    return values  # type: ignore[no-any-return]


def _json_objects_line_by_line(lines: list[str], offset: int, invalid: list[int]) -> list[dict[str, Any]]:
    """Slow path for a block with a bad line: keep the objects, note the bad line numbers."""
    records = []
    for number, line in enumerate(lines, start=offset + 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if isinstance(value, dict):
            records.append(value)
        else:
            invalid.append(number)
    return records


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value
