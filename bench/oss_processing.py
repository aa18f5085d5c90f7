"""Object processing against the local OSS: throughput, memory, thumbnails per second.

Everything runs against one local OSS (``local_invoke.py oss``) in its own process, and every
measured client runs in a fresh process of its own, so that the figures are the function's:

1. process-on-upload of a 200 MB CSV export through the table summariser — the function's
   handler invoked with the OSS trigger event of the uploaded object, exactly as FC would
   (HEADs, idempotency checks, streamed and CRC-checked GET, summary and manifest PUTs) —
   vs the baseline: raw oss2 ``get_object().read()`` + ``put_object`` of the same bytes.
   Target ratio >= 0.85. To explain the figure, the two halves of the function's work are
   measured on their own too: the runtime's stream read (I/O) and the summariser on bytes
   already in memory (compute).
2. peak RSS of the summarising process for 50 MB and 200 MB objects (target <= 120 MB, and
   not growing with the object size: the object is streamed, never held). With worker
   processes (``APP_SUMMARY_WORKERS``, as in s.yaml; ``BENCH_SUMMARY_WORKERS`` overrides it)
   the workers are shown too: each one's own peak (VmHWM, which counts the pages it shares
   with the parent since the fork), and the peak of the memory the whole tree really holds,
   sampled every 50 ms: the parent's RSS plus the workers' private pages.
3. thumbnails per second for a 12-megapixel photo (two sizes per photo), end to end through
   OSS, vs Pillow alone on bytes already in memory (the algorithm's own cost).

``python -m bench oss_processing``; sizes can be changed with BENCH_OSS_MB (default 200).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "bench-objects"
PHOTO_KEY = "uploads/photo-12mp.jpg"
THUMB_ROUNDS = 8
ROUNDS = 3  # of the interleaved throughput measurements
# Worker processes of the summariser: s.yaml's APP_SUMMARY_WORKERS for table-summary.
WORKERS = os.environ.get("BENCH_SUMMARY_WORKERS", "2")


# --- data ------------------------------------------------------------------------------------


def orders_csv(n_bytes: int, seed: int = 7) -> bytes:
    """A realistic e-commerce export: 11 columns, ~150 bytes per row, numbers, text, nulls."""
    rnd = random.Random(seed)
    countries = ["CN", "DE", "US", "FR", "JP", "BR", "IN", "GB"]
    statuses = ["paid", "shipped", "delivered", "refunded", "cancelled"]
    words = ["lamp", "chair", "desk", "mug", "pen", "book", "bag", "cable"]
    products = [(f"SKU-{i:05d}", f"Product {i} {words[i % 8]}") for i in range(400)]
    header = "order_id,created_at,customer_email,country,sku,product_name,quantity,unit_price,total,status,note\n"
    parts = [header]
    size = len(header)
    i = 0
    while size < n_bytes:
        i += 1
        sku, name = products[rnd.randrange(400)]
        quantity, price = rnd.randint(1, 9), round(rnd.uniform(1, 500), 2)
        note = "" if i % 5 else "leave at the door"
        line = (
            f"{100000 + i},2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}Z,"
            f"user{rnd.randrange(200000)}@example.com,{countries[i % 8]},{sku},{name},{quantity},{price},"
            f"{round(quantity * price, 2)},{statuses[i % 5]},{note}\n"
        )
        parts.append(line)
        size += len(line)
    return "".join(parts).encode()


def photo_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG that compresses like a photo (gradients plus noise), not like a flat fill."""
    from PIL import Image, ImageFilter  # noqa: PLC0415

    noise = Image.effect_noise((width // 4, height // 4), 48).resize((width, height))
    gradient = Image.linear_gradient("L").resize((width, height))
    rgb = Image.merge("RGB", (noise, gradient, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    rgb = rgb.filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


# --- the measured processes ----------------------------------------------------------------


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    VmHWM (Linux) is the high-water mark of this process's own address space. ru_maxrss is
    not: it survives exec, so a child started by a big parent reports the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> list[int]:
    """Pids of this process's children (the summariser's workers)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(entry.name))
    return found


def _private_kb(pid: int) -> int:
    """Pages of ``pid`` not shared with any other process (copied since the fork, or new)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    except OSError:
        pass
    return total


class TreeMemory:
    """Samples the memory of this process and its children: RSS of this one + private pages
    of the children (their shared pages are this process's, already counted)."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), daemon=True)

    def _run(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            self.sample()

    def sample(self) -> None:
        now = _status_kb("self", "VmRSS") + sum(_private_kb(pid) for pid in _children())
        self.peak_kb = max(self.peak_kb, now)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def child_baseline(endpoint: str, key: str) -> dict[str, Any]:
    import oss2  # noqa: PLC0415

    bucket = oss2.Bucket(oss2.Auth("bench-ak", "bench-sk"), endpoint, BUCKET)
    started = time.perf_counter()
    data = bucket.get_object(key).read()
    got = time.perf_counter()
    bucket.put_object(key + ".copy", data)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "get_seconds": got - started, "bytes": len(data), "peak_rss_mb": _peak_rss_mb()}


def child_stream(endpoint: str, key: str) -> dict[str, Any]:
    """The runtime's read path alone (ranged, resumable, CRC-checked), bytes discarded."""
    import oss2  # noqa: PLC0415

    from runtime.objects.reader import ObjectReader, open_stream  # noqa: PLC0415
    from runtime.objects.retry import RetryPolicy  # noqa: PLC0415

    bucket = oss2.Bucket(oss2.Auth("bench-ak", "bench-sk"), endpoint, BUCKET)
    started = time.perf_counter()
    head = bucket.head_object(key)
    reader = ObjectReader(
        bucket, key, size=head.content_length, etag=head.etag, crc64=head.server_crc, policy=RetryPolicy()
    )
    with open_stream(reader, 1 << 20) as stream:
        while stream.read(1 << 20):
            pass
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


def _invoke(handler: Any, payload: dict[str, Any], function: str) -> dict[str, Any]:
    from types import SimpleNamespace as NS  # noqa: PLC0415

    context = NS(
        request_id=f"bench-{time.monotonic_ns()}",
        region="cn-hangzhou",
        account_id="1234567890123456",
        credentials=NS(access_key_id="bench-ak", access_key_secret="bench-sk", security_token="bench-token"),
        function=NS(name=function, handler="", memory=2048, timeout="3600"),
        service=NS(name="", log_project="", log_store="", qualifier="LATEST", version_id=""),
        retry_count=None,
    )
    return dict(json.loads(handler(json.dumps(payload).encode(), context)))


def child_summarise(endpoint: str, event_json: str) -> dict[str, Any]:
    """The function as on upload: its handler with the OSS event of the object (built by the
    parent, so that this process imports nothing the function would not)."""
    os.environ.update(
        APP_OUTPUT_PREFIX="summaries/", APP_OSS_ENDPOINT=endpoint, APP_LOG_LEVEL="WARNING", APP_SUMMARY_WORKERS=WORKERS
    )
    import oss2  # noqa: PLC0415

    from handlers import table_summary  # noqa: PLC0415

    event = json.loads(event_json)
    key = event["events"][0]["oss"]["object"]["key"]
    # A previous run's outputs would make this upload a redelivery (skipped): remove them.
    bucket = oss2.Bucket(oss2.Auth("bench-ak", "bench-sk"), endpoint, BUCKET)
    bucket.batch_delete_objects([f"summaries/{key}/_manifest.json", f"summaries/{key}/summary.json"])
    table_summary.initialize(None)  # forks the workers, as FC's initializer does
    # The sampler thread starts after the fork, as the runtime's own threads do.
    with TreeMemory() as tree:
        started = time.perf_counter()
        answer = _invoke(table_summary.handler, event, "table-summary")
        seconds = time.perf_counter() - started
    status = answer["records"][0]["status"]
    if status != "processed":
        raise RuntimeError(f"summariser answered {answer}")
    workers = [_status_kb(pid, "VmHWM") / 1024 for pid in _children()]  # alive: kept for the next object
    table_summary.pre_stop(None)
    return {
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": workers,
        "tree_peak_mb": tree.peak_kb / 1024,
    }


def child_compute(endpoint: str, key: str) -> dict[str, Any]:
    """The summariser alone, on the object's bytes already in memory (no OSS, no runtime):
    sequential, and with the workers."""
    import oss2  # noqa: PLC0415

    from algorithms import parallel  # noqa: PLC0415
    from algorithms.object_base import MemorySink, ObjectInfo  # noqa: PLC0415
    from algorithms.table_summary import SummaryOptions, TableSummariser  # noqa: PLC0415
    from runtime.processes import ProcessPool  # noqa: PLC0415

    data = oss2.Bucket(oss2.Auth("bench-ak", "bench-sk"), endpoint, BUCKET).get_object(key).read()
    info = ObjectInfo(BUCKET, key, len(data), "E", "text/csv")
    seconds = {}
    for workers in (1, int(WORKERS)):
        summariser = TableSummariser(SummaryOptions(workers=workers))
        pool = ProcessPool(workers, name=summariser.name) if workers > 1 else None
        if pool is not None:
            pool.start()  # as ObjectFunction does at setup
        started = time.perf_counter()
        with parallel.binding(pool):
            summariser.process(io.BytesIO(data), info, MemorySink())
        seconds[workers] = time.perf_counter() - started
        if pool is not None:
            pool.stop()
    return {"seconds": seconds[1], "workers_seconds": seconds[int(WORKERS)], "bytes": len(data)}


def child_thumbnails(endpoint: str, rounds: int) -> dict[str, Any]:
    os.environ.update(
        APP_OUTPUT_PREFIX="thumbnails/",
        APP_OSS_ENDPOINT=endpoint,
        APP_LOG_LEVEL="WARNING",
        APP_THUMBNAIL_SIZES="256x256,1024x1024",
    )
    import oss2  # noqa: PLC0415

    from handlers import thumbnailer  # noqa: PLC0415

    thumbnailer.initialize(None)
    payload = {"bucket": BUCKET, "key": PHOTO_KEY, "force": True}
    _invoke(thumbnailer.handler, payload, "thumbnailer")  # warm: connections, decoder tables
    started = time.perf_counter()
    for _ in range(rounds):
        _invoke(thumbnailer.handler, payload, "thumbnailer")
    end_to_end = rounds / (time.perf_counter() - started)

    # The algorithm alone: same photo, already in memory, outputs kept in memory.
    from algorithms.object_base import MemorySink, ObjectInfo  # noqa: PLC0415

    data = oss2.Bucket(oss2.Auth("a", "b"), endpoint, BUCKET).get_object(PHOTO_KEY).read()
    algorithm = thumbnailer.build()
    info = ObjectInfo(BUCKET, PHOTO_KEY, len(data), "E", "image/jpeg")
    started = time.perf_counter()
    for _ in range(rounds):
        algorithm.process(io.BytesIO(data), info, MemorySink())
    alone = rounds / (time.perf_counter() - started)
    return {"per_second": end_to_end, "alone_per_second": alone, "peak_rss_mb": _peak_rss_mb()}


def child(mode: str, endpoint: str, arg: str) -> None:
    """Entry point of the measured subprocesses; prints one JSON line."""
    if mode == "baseline":
        result = child_baseline(endpoint, arg)
    elif mode == "stream":
        result = child_stream(endpoint, arg)
    elif mode == "summarise":
        result = child_summarise(endpoint, arg)
    elif mode == "compute":
        result = child_compute(endpoint, arg)
    else:
        result = child_thumbnails(endpoint, int(arg))
    print(json.dumps(result), flush=True)


def _run_child(mode: str, endpoint: str, arg: str) -> dict[str, Any]:
    code = f"from bench.oss_processing import child; child({mode!r}, {endpoint!r}, {arg!r})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- orchestration -----------------------------------------------------------------------------


class LocalOss:
    """``local_invoke.py oss`` in a process of its own (it must not share a GIL with the client)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "local_invoke.py", "oss", "--bucket", BUCKET, "--quiet"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.endpoint = ""
        deadline = time.monotonic() + 60
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("local OSS listening on "):
                self.endpoint = line.split()[-1]
                break
        if not self.endpoint:
            self.stop()
            raise RuntimeError("the local OSS did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _upload(endpoint: str, key: str, data: bytes) -> str:
    """PUT ``data`` and return the OSS trigger event FC would send for it (as JSON)."""
    import oss2  # noqa: PLC0415

    from localfc.fc.samples import oss_event, oss_record  # noqa: PLC0415

    bucket = oss2.Bucket(oss2.Auth("bench-ak", "bench-sk"), endpoint, BUCKET)
    content_type = "text/csv" if key.endswith(".csv") else "image/jpeg"
    etag = bucket.put_object(key, data, headers={"Content-Type": content_type}).etag
    record = oss_record(BUCKET, key, size=len(data), etag=etag, content_type=content_type)
    return json.dumps(oss_event(record))


def main() -> None:
    big_mb = int(os.environ.get("BENCH_OSS_MB", "200"))
    small_mb = max(1, big_mb // 4)
    oss = LocalOss()
    try:
        print(f"local OSS at {oss.endpoint} (own process); every client below runs in a fresh process")
        events = {
            mb: _upload(oss.endpoint, f"exports/orders-{mb}mb.csv", orders_csv(mb * 1_000_000))
            for mb in (small_mb, big_mb)
        }

        key = f"exports/orders-{big_mb}mb.csv"
        baseline, gets, streams, summarised, computed, computed_workers = [], [], [], [], [], []
        for _ in range(ROUNDS):  # interleaved, so that machine noise hits every side alike
            raw = _run_child("baseline", oss.endpoint, key)
            baseline.append(raw["seconds"])
            gets.append(raw["get_seconds"])
            streams.append(_run_child("stream", oss.endpoint, key)["seconds"])
            summarised.append(_run_child("summarise", oss.endpoint, events[big_mb])["seconds"])
            compute = _run_child("compute", oss.endpoint, f"exports/orders-{small_mb}mb.csv")
            computed.append(compute["bytes"] / compute["seconds"])
            computed_workers.append(compute["bytes"] / compute["workers_seconds"])
        base_s, summ_s = statistics.median(baseline), statistics.median(summarised)
        get_s, stream_s = statistics.median(gets), statistics.median(streams)
        size = big_mb * 1_000_000
        ratios = sorted(b / s for b, s in zip(baseline, summarised, strict=True))
        print(f"{big_mb} MB CSV, raw oss2 get_object+put_object: {size / base_s / 1e6:7.1f} MB/s ({base_s:.2f} s)")
        print(
            f"{big_mb} MB CSV, summariser process-on-upload ({WORKERS} worker processes):"
            f" {size / summ_s / 1e6:7.1f} MB/s ({summ_s:.2f} s)"
        )
        print(
            f"ratio summariser/raw_get_put throughput: {base_s / summ_s:.2f}  (target >= 0.85;"
            f" per round {ratios[0]:.2f}-{ratios[-1]:.2f})"
        )
        # Where the time goes: I/O (the runtime's streaming read vs a raw oss2 GET of the same
        # bytes) and compute (the summariser alone on bytes in memory).
        print(f"{big_mb} MB, runtime stream read (ranged, CRC-checked): {size / stream_s / 1e6:7.1f} MB/s")
        print(f"{big_mb} MB, raw oss2 get_object().read():            {size / get_s / 1e6:7.1f} MB/s")
        print(f"ratio runtime_stream_read/raw_get throughput: {get_s / stream_s:.2f}")
        compute_mbs = statistics.median(computed) / 1e6
        workers_mbs = statistics.median(computed_workers) / 1e6
        print(f"{small_mb} MB, summariser alone on bytes in memory:     {compute_mbs:7.1f} MB/s (one process)")
        print(f"{small_mb} MB, the same with {WORKERS} worker processes:      {workers_mbs:7.1f} MB/s")
        print(f"ratio summariser_compute/raw_get_put throughput: {compute_mbs / (size / base_s / 1e6):.2f}")

        memory = {mb: _run_child("summarise", oss.endpoint, events[mb]) for mb in (small_mb, big_mb)}
        for mb, m in memory.items():
            workers = ", ".join(f"{w:.1f}" for w in m["worker_peak_rss_mb"]) or "none"
            print(
                f"peak RSS of the summarising process, {mb:4d} MB object: {m['peak_rss_mb']:6.1f} MB"
                f"  (target <= 120 MB); workers' own peaks {workers} MB;"
                f" whole tree (RSS + workers' private) {m['tree_peak_mb']:.1f} MB"
            )
        small, big = memory[small_mb], memory[big_mb]
        print(
            f"ratio peak_rss_{big_mb}mb/peak_rss_{small_mb}mb: {big['peak_rss_mb'] / small['peak_rss_mb']:.2f},"
            f" whole tree {big['tree_peak_mb'] / small['tree_peak_mb']:.2f}  (flat = 1.00)"
        )

        photo = photo_jpeg()
        _upload(oss.endpoint, PHOTO_KEY, photo)
        thumbs = _run_child("thumbnails", oss.endpoint, str(THUMB_ROUNDS))
        print(
            f"12 MP JPEG ({len(photo) / 1e6:.1f} MB) -> 256x256 + 1024x1024: {thumbs['per_second']:.2f} photos/s"
            f" through OSS, {thumbs['alone_per_second']:.2f} photos/s Pillow alone"
        )
        print(f"ratio thumbnails_through_oss/pillow_alone: {thumbs['per_second'] / thumbs['alone_per_second']:.2f}")
    finally:
        oss.stop()


if __name__ == "__main__":
    main()
