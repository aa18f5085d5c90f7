"""Raw oss2 throughput against the local OSS server, 64 MiB object, one process.

PUT and GET of one 64 MiB object through the official oss2 client (CRC-64 checked end to
end) against ``localfc.services.oss.OssServer`` on 127.0.0.1, compared with a baseline measured in
the same run: writing the same bytes to a temporary file and reading them back. Also prints
the server process's resident memory after the rounds, which stays bounded because large
bodies are spilled to temporary files and garbage-collected after each request.

    python -m bench oss_server
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import TYPE_CHECKING

import oss2
import psutil

from localfc.services.oss.server import OssServer

if TYPE_CHECKING:
    from collections.abc import Callable

SIZE = 64 * 1024 * 1024
ROUNDS = 3
MIB = 1024 * 1024


def _median_seconds(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _file_roundtrip(data: bytes) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "blob")

        def write() -> None:
            with open(path, "wb") as handle:
                handle.write(data)

        def read() -> bytes:
            with open(path, "rb") as handle:
                return handle.read()

        return _median_seconds(write), _median_seconds(read)


def main() -> None:
    data = os.urandom(SIZE)
    base_write, base_read = _file_roundtrip(data)
    process = psutil.Process()
    with OssServer(buckets=["bench"]) as server:
        bucket = oss2.Bucket(oss2.Auth("ak", "sk"), server.endpoint, "bench", enable_crc=True)
        rss_before = process.memory_info().rss
        put = _median_seconds(lambda: bucket.put_object("blob", data))
        get = _median_seconds(lambda: bucket.get_object("blob").read())
        rss_after = process.memory_info().rss
        server.reset()
    mb = SIZE / MIB
    print(f"   object: {mb:.0f} MiB, median of {ROUNDS}, oss2 with CRC-64 checks")
    for name, seconds, baseline in (("PUT", put, base_write), ("GET", get, base_read)):
        print(
            f"   {name}: {mb / seconds:7.0f} MiB/s   baseline (temp file): {mb / baseline:7.0f} MiB/s   "
            f"ratio local OSS / baseline: {baseline / seconds:.2f}"
        )
    print(f"   resident memory growth over {2 * ROUNDS} transfers: {(rss_after - rss_before) / MIB:.0f} MiB")
