"""The sample object algorithms, with plain pytest: no OSS, no FC (MemorySink collects outputs)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tracemalloc
from typing import Any

import pytest
from PIL import Image

from algorithms.errors import InputRejected
from algorithms.object_base import MemorySink, ObjectAlgorithm, ObjectInfo
from algorithms.table_summary import DistinctSketch, SummaryOptions, TableSummariser
from algorithms.thumbnailer import Thumbnailer, ThumbnailOptions


def info(key: str, data: bytes = b"", content_type: str = "") -> ObjectInfo:
    return ObjectInfo(bucket="b", key=key, size=len(data), etag="E", content_type=content_type)


def image_bytes(size: tuple[int, int] = (1200, 800), fmt: str = "JPEG", mode: str = "RGB", **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 128)[: len(mode)] if mode != "L" else 128).save(buffer, fmt, **save)
    return buffer.getvalue()


# --- the contract ----------------------------------------------------------------------------


class _Types(ObjectAlgorithm):
    name = "types"
    content_types = ("image/", "text/csv")


@pytest.mark.parametrize("content_type", ["image/png", "text/csv; charset=utf-8", "application/octet-stream", ""])
def test_accepted_and_generic_content_types_pass(content_type: str) -> None:
    _Types().check(info("k", b"x", content_type))


def test_a_wrong_content_type_is_rejected_with_what_was_expected() -> None:
    with pytest.raises(InputRejected, match=r"text/plain.*image/\*, text/csv"):
        _Types().check(info("k", b"x", "text/plain"))


def test_memory_sink_keeps_nothing_from_a_failed_output() -> None:
    sink = MemorySink()
    with pytest.raises(RuntimeError), sink.open("a.bin") as out:
        out.write(b"half")
        raise RuntimeError("boom")
    assert sink.outputs == {}


# --- thumbnailer -------------------------------------------------------------------------------


def test_thumbnails_fit_each_box_and_keep_the_aspect_ratio() -> None:
    data = image_bytes((1200, 800))
    sink = MemorySink()
    result = Thumbnailer(ThumbnailOptions(sizes=((256, 256), (600, 600)))).process(
        io.BytesIO(data), info("a.jpg", data, "image/jpeg"), sink
    )
    assert [t["name"] for t in result["thumbnails"]] == ["256x256.jpg", "600x600.jpg"]
    small = Image.open(io.BytesIO(sink.outputs["256x256.jpg"]))
    large = Image.open(io.BytesIO(sink.outputs["600x600.jpg"]))
    assert (small.format, small.size) == ("JPEG", (256, 171))
    assert large.size == (600, 400)
    assert sink.content_types["256x256.jpg"] == "image/jpeg"


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when displayed
    data = image_bytes((800, 400), exif=exif.tobytes())
    sink = MemorySink()
    Thumbnailer(ThumbnailOptions(sizes=((200, 200),))).process(io.BytesIO(data), info("p.jpg", data), sink)
    assert Image.open(io.BytesIO(sink.outputs["200x200.jpg"])).size == (100, 200)


def test_transparent_png_becomes_a_jpeg_on_white_or_a_webp_with_alpha() -> None:
    data = image_bytes((400, 400), "PNG", "RGBA")
    jpeg, webp = MemorySink(), MemorySink()
    Thumbnailer(ThumbnailOptions(sizes=((100, 100),))).process(io.BytesIO(data), info("t.png", data), jpeg)
    Thumbnailer(ThumbnailOptions(sizes=((100, 100),), format="WEBP")).process(
        io.BytesIO(data), info("t.png", data), webp
    )
    assert Image.open(io.BytesIO(jpeg.outputs["100x100.jpg"])).mode == "RGB"
    assert Image.open(io.BytesIO(webp.outputs["100x100.webp"])).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not an image at all", "not a readable image"),
        (image_bytes()[:2000], "corrupt"),
        (b"", "empty"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not a readable image"),
    ],
    ids=["text", "truncated-jpeg", "empty", "eps"],
)
def test_unreadable_images_are_rejected(data: bytes, reason: str) -> None:
    with pytest.raises(InputRejected, match=reason):
        Thumbnailer().process(io.BytesIO(data), info("x.jpg", data), MemorySink())


def test_oversized_files_and_pixel_bombs_are_rejected_before_decoding() -> None:
    data = image_bytes((3000, 3000), "PNG", "L")
    with pytest.raises(InputRejected, match="larger than"):
        Thumbnailer(ThumbnailOptions(max_bytes=1000)).process(io.BytesIO(data), info("x.png", data), MemorySink())
    with pytest.raises(InputRejected, match="pixels"):
        Thumbnailer(ThumbnailOptions(max_pixels=1_000_000)).process(io.BytesIO(data), info("x.png", data), MemorySink())


@pytest.mark.parametrize(
    ("sizes", "fmt", "quality", "message"),
    [
        ("256", "JPEG", "85", "WIDTHxHEIGHT"),
        ("0x10", "JPEG", "85", "out of range"),
        ("256x256", "GIF", "85", "format"),
        ("256x256", "JPEG", "high", "whole numbers"),
        ("", "JPEG", "85", "at least one"),
    ],
)
def test_bad_configuration_is_explained(sizes: str, fmt: str, quality: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ThumbnailOptions.parse(sizes, fmt, quality)


# --- table summary -----------------------------------------------------------------------------


def summarise(data: bytes, key: str = "t.csv", content_type: str = "", **options: Any) -> dict[str, Any]:
    sink = MemorySink()
    TableSummariser(SummaryOptions(**options)).process(io.BytesIO(data), info(key, data, content_type), sink)
    return dict(json.loads(sink.outputs["summary.json"]))


def column(summary: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in summary["columns"] if c["name"] == name)


CSV = b"city,temp,note\nOslo,3,\nRome,18.5,sunny\nOslo,NA,\nLima,-2,rain\n"


def test_csv_rows_and_per_column_statistics() -> None:
    summary = summarise(CSV)
    assert summary["rows"] == 4 and summary["format"] == "csv"
    temp = column(summary, "temp")
    assert (temp["type"], temp["count"], temp["nulls"]) == ("number", 3, 1)
    assert (temp["minimum"], temp["maximum"]) == (-2, 18.5)
    assert temp["mean"] == pytest.approx(19.5 / 3)
    city = column(summary, "city")
    assert (city["type"], city["distinct"], city["distinct_exact"]) == ("string", 3, True)
    assert column(summary, "note")["nulls"] == 2


def test_block_boundaries_do_not_change_the_result() -> None:
    rows = "".join(f"{i},{i * 0.5},name {i % 7}\n" for i in range(3000))
    data = ("id,value,name\n" + rows).encode()
    small_blocks = summarise(data, block_bytes=4096)
    assert small_blocks == summarise(data)
    assert small_blocks["rows"] == 3000
    assert column(small_blocks, "value")["maximum"] == 1499.5


def test_quoted_fields_with_delimiters_and_newlines_are_parsed_as_csv() -> None:
    rows = [["id", "text"], ["1", "plain"], ["2", "has, comma"], ["3", "two\nlines"], ["4", 'say "hi"']]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows * 1)
    tail = "".join(f"{5 + i},more\n" for i in range(2000))
    summary = summarise((buffer.getvalue() + tail).encode(), block_bytes=1024)
    assert summary["rows"] == 2004
    assert column(summary, "text")["distinct"] == 5


def test_ragged_rows_are_counted_not_fatal() -> None:
    summary = summarise(b"a,b\n1,2\n3\n4,5,6\n")
    assert (summary["rows"], summary["ragged_rows"]) == (3, 2)


def test_tsv_bom_crlf_and_blank_lines() -> None:
    data = "\ufeffname\tscore\r\n\r\nann\t1\r\nbob\t2\r\n".encode()
    summary = summarise(data, key="s.tsv")
    assert (summary["format"], summary["rows"]) == ("tsv", 2)
    assert [c["name"] for c in summary["columns"]] == ["name", "score"]
    assert column(summary, "score")["maximum"] == 2


def test_the_delimiter_is_sniffed_from_the_header() -> None:
    summary = summarise(b"a;b;c\n1;2;3\n")
    assert summary["delimiter"] == ";" and len(summary["columns"]) == 3


def test_a_column_with_text_is_not_numeric() -> None:
    summary = summarise(b"v\n1\n2\nthree\n", block_bytes=4)
    assert column(summary, "v")["type"] == "string"


def test_jsonl_keys_become_columns_with_nulls_for_missing_keys() -> None:
    lines = [{"id": 1, "tags": ["a"], "price": 2.5}, {"id": 2, "price": None}, {"id": 3, "name": "x", "price": 4}]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    summary = summarise(data, key="e.jsonl")
    assert summary["rows"] == 3 and summary["invalid_lines"] == 0
    assert column(summary, "price") | {} == column(summary, "price")
    assert (column(summary, "price")["count"], column(summary, "price")["nulls"]) == (2, 1)
    assert column(summary, "price")["mean"] == pytest.approx(3.25)
    assert (column(summary, "name")["count"], column(summary, "name")["nulls"]) == (1, 2)
    assert column(summary, "tags")["type"] == "string"


def test_jsonl_bad_lines_are_counted_with_their_numbers() -> None:
    summary = summarise(b'{"a": 1}\nnot json\n[1, 2]\n{"a": 2}\n', key="e.ndjson")
    assert (summary["rows"], summary["invalid_lines"], summary["first_invalid_lines"]) == (2, 2, [2, 3])


def test_gzip_exports_are_decompressed_on_the_fly() -> None:
    summary = summarise(gzip.compress(CSV), key="t.csv.gz", content_type="application/gzip")
    assert summary["rows"] == 4 and summary["compressed"] is True


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (b"\xff\xfe\x00binary\x00junk\n", "x.csv", "not UTF-8"),
        (b"\n\n\n", "x.csv", "no header"),
        (b"not json\n{oops\n", "x.jsonl", "no line is a JSON object"),
        (b"not gzip at all", "x.csv.gz", "gzip"),
        (b"a" * 5000, "x.csv", "longer than"),
    ],
    ids=["binary", "blank", "jsonl-garbage", "bad-gzip", "endless-line"],
)
def test_unreadable_exports_are_rejected(data: bytes, key: str, message: str) -> None:
    with pytest.raises(InputRejected, match=message):
        summarise(data, key=key, max_line_bytes=1024, block_bytes=1024)


def test_distinct_counts_are_estimated_within_a_few_percent() -> None:
    data = ("id\n" + "".join(f"user-{i}\n" for i in range(50_000))).encode()
    distinct = column(summarise(data), "id")
    assert distinct["distinct_exact"] is False
    # KMV with k=1024: about 3 % standard error, skewed high; str hashes are seeded per process,
    # so the estimate differs from run to run. ±20 % fails about once in 10^7 runs by chance
    # (±10 % did once in a few thousand), while a broken sketch is off by far more.
    assert 50_000 * 0.8 < distinct["distinct"] < 50_000 * 1.2


def test_the_same_value_counts_once_in_ascii_blocks_non_ascii_blocks_and_quoted_csv() -> None:
    # ASCII blocks are reduced as bytes, others as str, and from the first quote on the csv
    # module takes over: "Oslo" must be one value in all three.
    rows = [f"{i},{'Zürich' if i % 400 == 0 else 'Oslo'},{i % 3}\n" for i in range(3000)]
    rows[2500] = '2500,"Oslo",1\n'
    data = ("id,city,k\n" + "".join(rows)).encode()
    small_blocks = summarise(data, block_bytes=1024, sketch_size=8192)
    city = column(small_blocks, "city")
    assert (city["distinct"], city["distinct_exact"], city["count"]) == (2, True, 3000)
    assert (column(small_blocks, "id")["distinct"], column(small_blocks, "k")["distinct"]) == (3000, 3)
    # One block (non-ASCII, so all str) gives the same figures: integer sums are exact.
    assert small_blocks == summarise(data, sketch_size=8192)


def test_a_numeric_column_with_few_distinct_values_keeps_exact_figures() -> None:
    # Few distinct values are parsed once each; the sum must still add every cell in order.
    cells = ["0.1", "0.2", "", "0.3", "NA"] * 2000 + ["inf", "0.7"]
    data = ("x,label\n" + "".join(f"{cell},a\n" for cell in cells)).encode()
    x = column(summarise(data), "x")
    finite = [float(c) for c in cells if c not in ("", "NA", "inf")]
    assert (x["type"], x["count"], x["nulls"]) == ("number", 6002, 4000)
    assert (x["minimum"], x["maximum"]) == (0.1, 0.7)
    assert x["mean"] == sum(finite) / len(finite)  # the same float, not merely close


@pytest.mark.parametrize("batch", [1, 7, 100, 10_000])
def test_the_distinct_sketch_does_not_depend_on_how_values_arrive(batch: int) -> None:
    values = [f"v{i}" for i in range(10_000)]
    reference = DistinctSketch(k=64)
    reference.update(values)
    sketch = DistinctSketch(k=64)
    for start in range(0, len(values), batch):
        sketch.update(values[start : start + batch])
    assert sketch.estimate() == reference.estimate()
    assert sketch.estimate()[1] is False


def test_the_distinct_sketch_is_exact_up_to_k_values_and_no_further() -> None:
    exact, over = DistinctSketch(k=64), DistinctSketch(k=64)
    exact.update(str(i) for i in range(64))
    over.update(str(i) for i in range(65))
    assert exact.estimate() == (64, True)
    assert over.estimate()[1] is False


class _Generated(io.RawIOBase):
    """An endless-looking CSV produced on the fly: ``rows`` rows, never all in memory."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.next_row = 0
        self.pending = b"id,value,name\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if len(self.pending) < len(buffer) and self.next_row < self.rows:
            end = min(self.rows, self.next_row + len(buffer) // 16)
            lines = "".join(f"{i},{i % 100},name-{i % 1000}\n" for i in range(self.next_row, end))
            self.pending += lines.encode()
            self.next_row = end
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def test_memory_stays_flat_whatever_the_input_size() -> None:
    peaks = []
    options = SummaryOptions(block_bytes=32 * 1024)  # small blocks: many of them even in a small test
    for rows in (10_000, 40_000):
        tracemalloc.start()
        TableSummariser(options).process(
            io.BufferedReader(_Generated(rows), 64 * 1024),
            info("big.csv"),
            MemorySink(),
        )
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 4x the rows (about 0.25 MB vs 1 MB of CSV, 8 vs 32 blocks), the same peak: a block's worth.
    assert peaks[1] < peaks[0] * 1.25
    assert peaks[1] < 4 * 1024 * 1024
