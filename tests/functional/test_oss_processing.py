"""Object processing end to end: objects uploaded with oss2 to the local OSS, the function run
with FC-shaped events and contexts, outputs checked with oss2. Only the cloud's failures are
simulated (``faults``: a proxy in front of the local OSS)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar
from urllib.parse import quote, unquote

import oss2
import pytest
from PIL import Image

from algorithms import parallel
from algorithms.errors import InputRejected
from algorithms.object_base import ObjectAlgorithm
from algorithms.table_summary import SummaryOptions, TableSummariser
from algorithms.thumbnailer import Thumbnailer, ThumbnailOptions
from runtime.errors import RetryInvocation
from runtime.events import recognise
from runtime.events.timer import TimerEvent
from tests.fixtures.invocation import call, http_event, legacy_context, py312_context
from tests.fixtures.oss_processing import oss_event, oss_event_record

if TYPE_CHECKING:
    from collections.abc import Callable

    from algorithms.object_base import ObjectInfo, OutputSink
    from runtime.objects import ObjectFunction
    from tests.fixtures.oss_processing import FaultProxy, LocalBucket

REPO = Path(__file__).resolve().parents[2]
CSV = b"city,temp\nOslo,3\nRome,18\nOslo,\n"
HOSTILE_KEYS = ["uploads/cat photo.jpg", "uploads/a+b.jpg", "uploads/100%.jpg", "uploads/猫 写真.jpg"]


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def ctx(name: str = "table-summary", **kwargs: Any) -> Any:
    return legacy_context(function_name=name, timeout="60", **kwargs)


def records_of(answer: Any) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in answer.doc["records"]}


@pytest.fixture
def summariser(object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket) -> ObjectFunction:
    return object_function(TableSummariser(), endpoint=oss_bucket.endpoint, output_prefix="summaries/")


@pytest.fixture
def thumbnailer(object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket) -> ObjectFunction:
    options = ThumbnailOptions(sizes=((128, 128), (320, 320)))
    return object_function(Thumbnailer(options), endpoint=oss_bucket.endpoint, output_prefix="thumbnails/")


# --- the happy path ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", HOSTILE_KEYS)
@pytest.mark.parametrize("encoded", [True, False], ids=["url-encoded", "raw"])
def test_an_upload_becomes_thumbnails_whatever_the_key(
    thumbnailer: ObjectFunction, oss_bucket: LocalBucket, key: str, encoded: bool
) -> None:
    oss_bucket.client.put_object(key, jpeg())
    event_key = quote(key, safe="/") if encoded else key
    answer = call(thumbnailer.handler, oss_event(oss_event_record(oss_bucket.name, event_key)), ctx("thumbnailer"))
    (record,) = answer.doc["records"]
    assert (record["status"], record["key"]) == ("processed", key)
    folder = f"thumbnails/{key.replace('%', '%25')}/"
    assert oss_bucket.keys("thumbnails/") == [f"{folder}128x128.jpg", f"{folder}320x320.jpg", f"{folder}_manifest.json"]
    assert Image.open(io.BytesIO(oss_bucket.read(f"{folder}320x320.jpg"))).size == (320, 240)
    meta = oss_bucket.meta(f"{folder}128x128.jpg")
    assert unquote(meta["x-oss-meta-source-key"]) == key
    assert meta["x-oss-meta-source-etag"] == record["etag"]
    assert (meta["x-oss-meta-producer"], meta["x-oss-meta-producer-version"]) == ("thumbnailer", "LATEST")
    manifest = json.loads(oss_bucket.read(f"{folder}_manifest.json"))
    assert manifest["source"]["key"] == key and len(manifest["outputs"]) == 2


def test_python312_context_takes_the_keys_from_the_environment(
    summariser: ObjectFunction, oss_bucket: LocalBucket, env_credentials: tuple[str, str, str]
) -> None:
    oss_bucket.client.put_object("exports/a.csv", CSV)
    context = py312_context(function_name="table-summary", version_id="7", qualifier="prod")
    answer = call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, "exports/a.csv")), context)
    assert answer.doc["records"][0]["status"] == "processed"
    assert oss_bucket.meta("summaries/exports/a.csv/summary.json")["x-oss-meta-producer-version"] == "7"
    summary = json.loads(oss_bucket.read("summaries/exports/a.csv/summary.json"))
    assert summary["rows"] == 3


def test_worker_processes_started_by_the_function_write_the_same_summary(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket
) -> None:
    # The algorithm asks for two processes; the runtime forks them at setup, binds them to each
    # object, and stops them at preStop. Small blocks, so that many go to the workers.
    rows = b"".join(b"%d,name-%d,%d.5\n" % (i, i % 97, i % 13) for i in range(20_000))
    oss_bucket.client.put_object("exports/big.csv", b"id,name,value\n" + rows)
    options = SummaryOptions(block_bytes=4096)
    one = object_function(TableSummariser(options), endpoint=oss_bucket.endpoint, output_prefix="one/")
    two = object_function(
        TableSummariser(SummaryOptions(block_bytes=4096, workers=2)), endpoint=oss_bucket.endpoint, output_prefix="two/"
    )
    assert one.pool is None and two.pool is not None and len(two.pool.pids()) == 2
    workers = two.pool.pids()
    event = oss_event(oss_event_record(oss_bucket.name, "exports/big.csv"))
    for app in (one, two):
        assert call(app.handler, event, ctx()).doc["records"][0]["status"] == "processed"
    summary = oss_bucket.read("one/exports/big.csv/summary.json")
    assert json.loads(summary)["rows"] == 20_000
    assert oss_bucket.read("two/exports/big.csv/summary.json") == summary
    assert two.pool.pids() == workers  # no worker failed (and was replaced) along the way
    two.pre_stop(ctx())
    assert not two.pool.running


class _Pid:
    """A task that says which process ran it."""

    def __call__(self, line: bytes) -> int:
        return os.getpid()


class WhereItRan(ObjectAlgorithm):
    """Maps its lines over the worker processes the runtime binds, and writes their pids."""

    name: ClassVar[str] = "where_it_ran"
    processes = 2

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        lines = source.read().splitlines()
        with parallel.workers() as pool:
            pids = sorted(set(pool.map(_Pid, (), lines))) if pool is not None else []
        outputs.write("pids.json", json.dumps(pids).encode(), "application/json")
        return {"processes": len(pids)}


def test_an_algorithm_gets_the_functions_worker_processes_for_each_object(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket
) -> None:
    app = object_function(WhereItRan(), endpoint=oss_bucket.endpoint, output_prefix="pids/")
    assert app.pool is not None
    oss_bucket.client.put_object("in/lines.txt", b"line\n" * 50)
    answer = call(app.handler, oss_event(oss_event_record(oss_bucket.name, "in/lines.txt")), ctx("where-it-ran"))
    assert answer.doc["records"][0]["status"] == "processed"
    pids = json.loads(oss_bucket.read("pids/in/lines.txt/pids.json"))
    assert pids == sorted(app.pool.pids()) and os.getpid() not in pids
    app.pre_stop(ctx("where-it-ran"))
    assert not app.pool.running


def test_one_bad_record_never_hides_the_others(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    oss_bucket.client.put_object("exports/good.csv", CSV)
    oss_bucket.client.put_object("exports/binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe garbage")
    event = oss_event(
        oss_event_record(oss_bucket.name, "exports/good.csv"),
        oss_event_record(oss_bucket.name, "exports/binary.csv"),
        oss_event_record(oss_bucket.name, "exports/deleted.csv"),
    )
    answer = call(summariser.handler, event, ctx())
    records = records_of(answer)
    assert records["exports/good.csv"]["status"] == "processed"
    assert records["exports/binary.csv"]["status"] == "rejected"
    assert "UTF-8" in records["exports/binary.csv"]["message"]
    assert records["exports/deleted.csv"]["status"] == "missing"
    assert answer.doc["counts"] == {"processed": 1, "skipped": 0, "rejected": 1, "missing": 1, "failed": 0}
    # The rejection is recorded next to the outputs, and nothing else was left for it.
    marker = json.loads(oss_bucket.read("summaries/exports/binary.csv/_error.json"))
    assert marker["error"]["code"] == "rejected" and "UTF-8" in marker["error"]["message"]
    assert oss_bucket.keys("summaries/exports/binary.csv/") == ["summaries/exports/binary.csv/_error.json"]


# --- idempotency and reprocessing -------------------------------------------------------------


def test_a_redelivered_event_does_no_work_and_says_so(
    summariser: ObjectFunction, oss_bucket: LocalBucket, capsys: pytest.CaptureFixture[str]
) -> None:
    oss_bucket.client.put_object("exports/a.csv", CSV)
    event = oss_event(oss_event_record(oss_bucket.name, "exports/a.csv"))
    call(summariser.handler, event, ctx())
    written = oss_bucket.client.head_object("summaries/exports/a.csv/summary.json").last_modified
    capsys.readouterr()
    again = call(summariser.handler, event, ctx(retry_count="1"))
    (record,) = again.doc["records"]
    assert (record["status"], record["code"]) == ("skipped", "already_processed")
    assert oss_bucket.client.head_object("summaries/exports/a.csv/summary.json").last_modified == written
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(line.get("code") == "already_processed" and "skipped" in line["message"] for line in logged)


def test_a_new_version_of_the_object_is_processed_again(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    oss_bucket.client.put_object("exports/a.csv", CSV)
    event = oss_event(oss_event_record(oss_bucket.name, "exports/a.csv"))
    call(summariser.handler, event, ctx())
    oss_bucket.client.put_object("exports/a.csv", CSV + b"Lima,20\n")
    answer = call(summariser.handler, event, ctx())
    assert answer.doc["records"][0]["status"] == "processed"
    assert json.loads(oss_bucket.read("summaries/exports/a.csv/summary.json"))["rows"] == 4


def test_reprocess_by_key_list_and_force(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    for name in ("a", "b"):
        oss_bucket.client.put_object(f"exports/{name}.csv", CSV)
    one = call(summariser.handler, {"bucket": oss_bucket.name, "key": "exports/a.csv"}, ctx())
    assert one.doc["records"][0]["status"] == "processed"
    listed = call(
        summariser.handler,
        {
            "objects": [
                {"bucket": oss_bucket.name, "key": "exports/a.csv"},
                {"bucket": oss_bucket.name, "key": "exports/b.csv"},
            ]
        },
        ctx(),
    )
    assert [r["status"] for r in listed.doc["records"]] == ["skipped", "processed"]
    forced = call(summariser.handler, {"bucket": oss_bucket.name, "key": "exports/a.csv", "force": True}, ctx())
    assert forced.doc["records"][0]["status"] == "processed"


def test_the_summary_names_the_operation_asked_for(summariser: ObjectFunction) -> None:
    """``operation`` on the summary line tells one object's reprocess from a prefix walk."""
    asks = {
        b'{"bucket": "b", "key": "k.csv"}': "reprocess",
        b'{"bucket": "b", "prefix": "exports/"}': "reprocess_prefix",
        (REPO / "tests" / "events" / "oss-put-object.json").read_bytes(): "oss_event",
    }
    for raw, operation in asks.items():
        assert summariser.operation_for(recognise(raw, 1 << 20)) == operation
    timer = TimerEvent("nightly", "2024-05-01T00:00:00Z", '{"bucket": "b", "prefix": ""}')
    assert summariser.operation_for(timer) == "reprocess_prefix"


def test_reprocess_a_prefix_page_by_page(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    for i in range(5):
        oss_bucket.client.put_object(f"exports/{i}.csv", CSV)
    oss_bucket.client.put_object("exports/notes.txt", b"x")
    request = {"bucket": oss_bucket.name, "prefix": "exports/", "suffix": ".csv", "limit": 3}
    first = call(summariser.handler, request, ctx())
    assert first.doc["walk"]["truncated"] is True
    assert [r["key"] for r in first.doc["records"]] == ["exports/0.csv", "exports/1.csv", "exports/2.csv"]
    rest = call(summariser.handler, {**request, "marker": first.doc["walk"]["next_marker"]}, ctx())
    assert [r["key"] for r in rest.doc["records"]] == ["exports/3.csv", "exports/4.csv"]
    assert rest.doc["walk"]["truncated"] is False
    # Walking the whole bucket never feeds the function its own outputs.
    everything = call(summariser.handler, {"bucket": oss_bucket.name, "prefix": ""}, ctx())
    assert everything.doc["walk"]["skipped_outputs"] == 10
    assert all(r["key"].startswith("exports/") for r in everything.doc["records"])


def test_a_timer_payload_runs_the_same_reprocess_path(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    oss_bucket.client.put_object("exports/a.csv", CSV)
    payload = json.dumps({"bucket": oss_bucket.name, "prefix": "exports/"})
    timer = {"triggerTime": "2024-05-01T04:00:00Z", "triggerName": "nightly-reprocess", "payload": payload}
    answer = call(summariser.handler, timer, ctx())
    assert answer.doc["records"][0]["status"] == "processed"


def test_a_bad_reprocess_request_is_a_clear_error(summariser: ObjectFunction) -> None:
    answer = call(summariser.handler, {"key": "exports/a.csv"}, ctx())
    assert answer.doc["error"]["code"] == "ValidationError"
    assert "bucket" in answer.doc["error"]["message"]


# --- loop guard --------------------------------------------------------------------------------


def test_events_for_the_functions_own_outputs_are_skipped_with_a_warning(
    summariser: ObjectFunction, oss_bucket: LocalBucket, capsys: pytest.CaptureFixture[str]
) -> None:
    oss_bucket.client.put_object("exports/a.csv", CSV)
    call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, "exports/a.csv")), ctx())
    before = oss_bucket.keys()
    capsys.readouterr()
    output = "summaries/exports/a.csv/summary.json"
    answer = call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, output)), ctx())
    assert (answer.doc["records"][0]["status"], answer.doc["records"][0]["code"]) == ("skipped", "loop_guard")
    # An output copied back under an input prefix still carries this function's metadata.
    oss_bucket.client.copy_object(oss_bucket.name, output, "exports/copied.csv")
    copied = call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, "exports/copied.csv")), ctx())
    assert copied.doc["records"][0]["code"] == "loop_guard"
    assert oss_bucket.keys() == sorted([*before, "exports/copied.csv"])
    assert "loop_guard" in capsys.readouterr().out


# --- bad input ---------------------------------------------------------------------------------


def test_empty_objects_wrong_types_and_corrupt_images_are_rejected_once(
    thumbnailer: ObjectFunction, oss_bucket: LocalBucket
) -> None:
    oss_bucket.client.put_object("uploads/empty.jpg", b"")
    oss_bucket.client.put_object("uploads/readme.jpg", b"hello", headers={"Content-Type": "text/plain"})
    oss_bucket.client.put_object("uploads/broken.jpg", jpeg()[:1500])
    oss_bucket.client.put_object("uploads/folder/", b"")
    keys = ["uploads/empty.jpg", "uploads/readme.jpg", "uploads/broken.jpg", "uploads/folder/"]
    event = oss_event(*(oss_event_record(oss_bucket.name, k) for k in keys))
    records = records_of(call(thumbnailer.handler, event, ctx("thumbnailer")))
    assert "empty" in records["uploads/empty.jpg"]["message"]
    assert "text/plain" in records["uploads/readme.jpg"]["message"]
    assert "corrupt" in records["uploads/broken.jpg"]["message"]
    assert [records[k]["status"] for k in keys[:3]] == ["rejected"] * 3
    assert (records["uploads/folder/"]["status"], records["uploads/folder/"]["code"]) == ("skipped", "folder")
    assert all(k.endswith("/_error.json") for k in oss_bucket.keys("thumbnails/"))
    # Redelivery does not retry a rejected object; a fixed upload (new ETag) is processed.
    again = records_of(call(thumbnailer.handler, event, ctx("thumbnailer")))
    assert again["uploads/broken.jpg"]["code"] == "already_rejected"
    oss_bucket.client.put_object("uploads/broken.jpg", jpeg())
    fixed = call(
        thumbnailer.handler, oss_event(oss_event_record(oss_bucket.name, "uploads/broken.jpg")), ctx("thumbnailer")
    )
    assert fixed.doc["records"][0]["status"] == "processed"
    assert "thumbnails/uploads/broken.jpg/_error.json" not in oss_bucket.keys("thumbnails/")


def test_very_long_keys_get_outputs_within_the_key_limit(summariser: ObjectFunction, oss_bucket: LocalBucket) -> None:
    key = "exports/" + "d" * 200 + "/" + "名" * 250 + ".csv"  # 958 bytes of UTF-8
    oss_bucket.client.put_object(key, CSV)
    answer = call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, quote(key, safe="/"))), ctx())
    (record,) = answer.doc["records"]
    assert record["status"] == "processed"
    assert all(len(k.encode()) <= 1023 and k.startswith("summaries/") for k in record["outputs"])
    assert unquote(oss_bucket.meta(record["outputs"][0])["x-oss-meta-source-key"]) == key


def test_missing_credentials_fail_the_record_without_asking_fc_to_retry(
    summariser: ObjectFunction, oss_bucket: LocalBucket, clean_fc_env: pytest.MonkeyPatch
) -> None:
    # A function without a role gets no keys on any retry: FC must not retry it (it used to
    # raise RetryInvocation). The record says why; nothing is written.
    oss_bucket.client.put_object("exports/a.csv", CSV)
    context = py312_context(function_name="table-summary")  # no keys in the context or the environment
    answer = call(summariser.handler, oss_event(oss_event_record(oss_bucket.name, "exports/a.csv")), context)
    record = records_of(answer)["exports/a.csv"]
    assert (record["status"], record["code"], record["retryable"]) == ("failed", "no_credentials", False)
    assert "role" in record["message"]
    assert oss_bucket.keys("summaries/") == []


# --- a misbehaving OSS -------------------------------------------------------------------------


def test_5xx_answers_are_retried_with_backoff(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket, faults: FaultProxy
) -> None:
    app = object_function(TableSummariser(), endpoint=faults.endpoint, output_prefix="summaries/")
    oss_bucket.client.put_object("exports/a.csv", CSV)
    head = faults.add("HEAD", "/exports/a.csv", status=503, times=1)
    get = faults.add("GET", "/exports/a.csv", status=500, times=1)
    put = faults.add("PUT", "/summary.json", status=503, times=1)
    answer = call(app.handler, {"bucket": oss_bucket.name, "key": "exports/a.csv"}, ctx())
    assert answer.doc["records"][0]["status"] == "processed"
    assert (head.hits, get.hits, put.hits) == (1, 1, 1)


def test_an_oss_outage_fails_the_record_as_retryable_and_leaves_nothing_half_written(
    object_function: Callable[..., ObjectFunction],
    oss_bucket: LocalBucket,
    faults: FaultProxy,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = object_function(
        Thumbnailer(ThumbnailOptions(sizes=((64, 64), (128, 128)))),
        endpoint=faults.endpoint,
        output_prefix="thumbnails/",
    )
    oss_bucket.client.put_object("uploads/a.jpg", jpeg())
    # The first thumbnail lands, the second never does: the first must be rolled back.
    faults.add("PUT", "/64x64.jpg", status=503, times=10)
    event = json.dumps(oss_event(oss_event_record(oss_bucket.name, "uploads/a.jpg"))).encode()
    with pytest.raises(RetryInvocation, match="retryable"):
        app.handler(event, ctx("thumbnailer"))
    assert oss_bucket.keys("thumbnails/") == []
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    failed = [line for line in logged if line.get("object_status") == "failed"]
    assert failed and failed[0]["code"] == "oss_unavailable" and failed[0]["retryable"] is True


@pytest.mark.parametrize(
    "how", [{"cut_after": 20_000}, {"stall_after": 20_000, "stall_s": 1.5}], ids=["cut", "timeout"]
)
def test_a_read_broken_mid_stream_resumes_where_it_stopped(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket, faults: FaultProxy, how: dict[str, Any]
) -> None:
    app = object_function(TableSummariser(), endpoint=faults.endpoint, output_prefix="summaries/", timeout_s=0.5)
    data = b"n,square\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(20_000))
    oss_bucket.client.put_object("exports/big.csv", data)
    fault = faults.add("GET", "/exports/big.csv", times=1, **how)
    answer = call(app.handler, {"bucket": oss_bucket.name, "key": "exports/big.csv"}, ctx())
    assert answer.doc["records"][0]["status"] == "processed"
    assert fault.hits == 1
    resumed = [path for method, path in faults.requests if method == "GET" and "big.csv" in path]
    assert len(resumed) == 2  # the broken read and one resume, not a restart from byte 0 twice
    assert json.loads(oss_bucket.read("summaries/exports/big.csv/summary.json"))["rows"] == 20_000


def test_an_object_overwritten_mid_read_is_not_mixed_with_the_new_version(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket, faults: FaultProxy
) -> None:
    app = object_function(TableSummariser(), endpoint=faults.endpoint, output_prefix="summaries/")
    oss_bucket.client.put_object("exports/big.csv", b"n\n" + b"1\n" * 50_000)
    faults.add(
        "GET", "/exports/big.csv", cut_after=1000, then=lambda: oss_bucket.client.put_object("exports/big.csv", CSV)
    )
    with pytest.raises(RetryInvocation, match="changed while it was being processed"):
        app.handler(json.dumps({"bucket": oss_bucket.name, "key": "exports/big.csv"}).encode(), ctx())
    assert oss_bucket.keys("summaries/") == []
    # The retry (FC's) then processes the new version from its start.
    answer = call(app.handler, {"bucket": oss_bucket.name, "key": "exports/big.csv"}, ctx())
    assert json.loads(oss_bucket.read("summaries/exports/big.csv/summary.json"))["rows"] == 3
    assert answer.doc["records"][0]["status"] == "processed"


def test_a_read_that_keeps_breaking_fails_as_retryable(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket, faults: FaultProxy
) -> None:
    app = object_function(TableSummariser(), endpoint=faults.endpoint, output_prefix="summaries/")
    oss_bucket.client.put_object("exports/big.csv", b"n\n" + b"1\n" * 50_000)
    faults.add("GET", "/exports/big.csv", times=100, cut_after=1000)
    with pytest.raises(RetryInvocation):
        app.handler(json.dumps({"bucket": oss_bucket.name, "key": "exports/big.csv"}).encode(), ctx())
    assert oss_bucket.keys("summaries/") == []


# --- large outputs -----------------------------------------------------------------------------


class Copier(ObjectAlgorithm):
    """Copies the object in 64 KiB chunks; fails after ``fail_after`` bytes if set."""

    name: ClassVar[str] = "copier"

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        copied = 0
        with outputs.open("copy.bin") as out:
            while chunk := source.read(64 * 1024):
                out.write(chunk)
                copied += len(chunk)
                if self.fail_after is not None and copied >= self.fail_after:
                    raise InputRejected("the copier gave up on purpose")
        return {"bytes": copied}


def test_large_outputs_use_multipart_and_appear_whole(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket, faults: FaultProxy
) -> None:
    app = object_function(Copier(), endpoint=faults.endpoint, output_prefix="copies/", part_size=100 * 1024)
    data = os.urandom(350 * 1024)
    oss_bucket.client.put_object("in/blob.bin", data)
    answer = call(app.handler, {"bucket": oss_bucket.name, "key": "in/blob.bin"}, ctx("copier"))
    assert answer.doc["records"][0]["status"] == "processed"
    assert oss_bucket.read("copies/in/blob.bin/copy.bin") == data
    assert oss_bucket.client.head_object("copies/in/blob.bin/copy.bin").object_type == "Multipart"
    assert oss_bucket.meta("copies/in/blob.bin/copy.bin")["x-oss-meta-source-key"] == "in/blob.bin"
    assert any("uploadId" in path for _, path in faults.requests)


def test_an_output_abandoned_midway_is_never_visible(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket
) -> None:
    app = object_function(
        Copier(fail_after=250 * 1024), endpoint=oss_bucket.endpoint, output_prefix="copies/", part_size=100 * 1024
    )
    oss_bucket.client.put_object("in/blob.bin", os.urandom(400 * 1024))
    answer = call(app.handler, {"bucket": oss_bucket.name, "key": "in/blob.bin"}, ctx("copier"))
    assert answer.doc["records"][0]["status"] == "rejected"
    assert oss_bucket.keys("copies/") == ["copies/in/blob.bin/_error.json"]
    assert list(oss2.MultipartUploadIterator(oss_bucket.client)) == []


# --- through local_invoke.py, as a user runs it ---------------------------------------------


@pytest.mark.slow
def test_local_invoke_runs_an_object_function_against_the_local_oss(oss_bucket: LocalBucket) -> None:
    oss_bucket.client.put_object("uploads/cat 1.jpg", jpeg())
    env = {**os.environ, "FC_DEPLOY_BUCKET": oss_bucket.name}
    event = subprocess.run(
        [sys.executable, "local_invoke.py", "event", "oss", "--bucket", oss_bucket.name, "--key", "uploads/cat 1.jpg"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = subprocess.run(
        [sys.executable, "local_invoke.py", "invoke", "thumbnailer", "--oss-endpoint", oss_bucket.endpoint, "--silent"],
        cwd=REPO,
        env=env,
        input=event,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"][0]["status"] == "processed"
    assert "thumbnails/uploads/cat 1.jpg/256x256.jpg" in oss_bucket.keys("thumbnails/")


class Slow(ObjectAlgorithm):
    """Takes ``seconds`` per object: stands in for real work when testing the time budget."""

    name: ClassVar[str] = "slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        time.sleep(self.seconds)
        outputs.write("done.txt", b"ok")
        return {}


def test_a_walk_stops_before_the_timeout_and_says_where_to_continue(
    object_function: Callable[..., ObjectFunction], oss_bucket: LocalBucket
) -> None:
    app = object_function(Slow(0.9), endpoint=oss_bucket.endpoint, output_prefix="done/")
    for name in ("a", "b", "c", "d"):
        oss_bucket.client.put_object(f"in/{name}.txt", b"x")
    # A 2 s function timeout keeps a 0.2 s margin: the second object starts at ~0.9 s, the
    # third would start at ~1.8 s, past the margin, so it is left for the next invocation.
    answer = call(
        app.handler, {"bucket": oss_bucket.name, "prefix": "in/"}, legacy_context(function_name="slow", timeout="2")
    )
    assert [r["key"] for r in answer.doc["records"]] == ["in/a.txt", "in/b.txt"]
    assert answer.doc["walk"]["truncated"] is True
    assert answer.doc["walk"]["next_marker"] == "in/b.txt"


def test_http_events_are_refused_with_a_hint(summariser: ObjectFunction) -> None:
    answer = call(summariser.handler, http_event("POST", "/", "{}"), ctx())
    assert answer.status == 400
    assert "bucket" in answer.error["message"]
