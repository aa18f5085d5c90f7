"""The local FC (``local_invoke.py serve``) against calling the handler in-process.

``serve`` runs in its own process (as a user runs it) with the repository's s.yaml; this
process is the client (``http.client``, keep-alive). Measured in the same run:

- warm latency p50/p99 of ``prime-checker`` through its HTTP trigger and through the
  InvokeFunction API, each as a ratio to the same call made in-process on a warm
  ``FunctionInstance`` (the baseline: no process boundary, no HTTP);
- throughput through the HTTP trigger with 4 client threads, ``--max-instances 2`` (this
  is a 2-core machine), as a ratio to in-process calls per second on one core;
- upload -> function start: oss2 PUT of a CSV under ``exports/`` until ``table-summary``'s
  ``FC Invoke Start`` line is in its log, as a ratio to the PUT round trip itself;
- cold start of a new instance (first call after the idle reaper stopped the last one), as a
  ratio to a bare ``python -c "import handlers.prime_checker"``.

Targets (issue 6): warm HTTP p50 <= 5 ms, >= 300 requests/s, upload -> start <= 100 ms.

    python -m bench local_fc
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import oss2

from localfc.fc.context import function_environment
from localfc.fc.instances.in_process import FunctionInstance
from localfc.fc.samples import http_event
from localfc.project.syaml import load_project

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
WARM_CALLS = 400
THROUGHPUT_SECONDS = 4.0
THROUGHPUT_CLIENTS = 4
UPLOADS = 30
COLD_STARTS = 3
BUCKET = "fc-algorithms-data"
TARGET_P50_MS = 5.0
TARGET_RPS = 300.0
TARGET_UPLOAD_MS = 100.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send fd 1 to /dev/null (the handler logs a JSON line per call)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


# --- the baseline: the handler in this process -------------------------------------------
def in_process_calls(http_event: bytes, direct_event: bytes) -> tuple[list[float], list[float], float]:
    project = load_project(ROOT / "s.yaml")
    _, props = project.function("prime-checker")
    code_dir = project.code_dir(props)
    with open(os.devnull, "w") as null, quiet_stdout():
        instance = FunctionInstance(props, code_dir, function_environment(props, code_dir), log=null)
        instance.invoke(http_event, "warmup")

        def timed(event: bytes) -> list[float]:
            samples = []
            for _ in range(WARM_CALLS):
                started = time.perf_counter()
                instance.invoke(event, str(uuid.uuid4()))
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        http_samples, direct_samples = timed(http_event), timed(direct_event)
        started, count = time.perf_counter(), 0
        while time.perf_counter() - started < 1.0:
            instance.invoke(http_event, str(uuid.uuid4()))
            count += 1
        rate = count / (time.perf_counter() - started)
    return http_samples, direct_samples, rate


# --- serve in its own process -----------------------------------------------------------
class Serve:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        command = [
            sys.executable, str(ROOT / "local_invoke.py"), "serve", "-t", str(ROOT / "s.yaml"), "--port", "0",
            "--quiet", "--no-timers", "--no-sls", "--max-instances", "2", "--idle-timeout", "1",
            "--state-dir", str(state_dir),
        ]  # fmt: skip
        env = {**os.environ, "FC_DEPLOY_BUCKET": BUCKET}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.port = 0
        self.oss = ""
        self._logs: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            words = line.split()
            if words[:1] == ["oss"] and words[1].startswith("http://"):
                self.oss = words[1]
            if words[:1] == ["ready"]:
                self.port = int(words[1].rsplit(":", 1)[1])
                break
        if not self.port:
            raise RuntimeError("serve did not start")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def log_lines(self, function: str) -> list[dict[str, Any]]:
        """Every record of the function's log so far (read incrementally)."""
        path = self.state_dir / "logs" / f"{function}.jsonl"
        offset, records = self._logs.get(function, (0, []))
        if path.exists():
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
            complete = data[: data.rfind(b"\n") + 1]
            records = records + [json.loads(line) for line in complete.splitlines() if line]
            self._logs[function] = (offset + len(complete), records)
        return records

    def stop(self) -> None:
        self.process.send_signal(2)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def call(connection: http.client.HTTPConnection, method: str, path: str, body: bytes) -> bytes:
    connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return data


def timed_calls(connection: http.client.HTTPConnection, path: str, body: bytes) -> list[float]:
    call(connection, "POST", path, body)
    samples = []
    for _ in range(WARM_CALLS):
        started = time.perf_counter()
        call(connection, "POST", path, body)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def throughput(serve: Serve, path: str, body: bytes) -> float:
    counts = [0] * THROUGHPUT_CLIENTS
    stop_at = time.perf_counter() + THROUGHPUT_SECONDS

    def client(index: int) -> None:
        connection = serve.connection()
        while time.perf_counter() < stop_at:
            call(connection, "POST", path, body)
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THROUGHPUT_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def upload_to_start(serve: Serve) -> tuple[list[float], list[float]]:
    bucket = oss2.Bucket(oss2.Auth("bench", "bench"), serve.oss, BUCKET)

    def framing(kind: str) -> list[dict[str, Any]]:
        return [r for r in serve.log_lines("table-summary") if r["line"].startswith(f"FC Invoke {kind}")]

    def upload_and_wait(key: str) -> float:
        """Upload while the instance is idle (warm); the time its FC Invoke Start line was read."""
        before = len(framing("Start"))
        started = time.time()
        bucket.put_object(key, b"a,b\n1,2\n")
        wait_for(lambda: len(framing("Start")) > before, 60)
        when = datetime.fromisoformat(framing("Start")[before]["time"].replace("Z", "+00:00")).timestamp()
        wait_for(lambda: len(framing("End")) > before, 60)  # let it finish: the next upload finds it idle
        return (when - started) * 1000

    upload_and_wait("exports/warmup.csv")  # cold start of table-summary, not measured
    latencies = [upload_and_wait(f"exports/bench-{i}.csv") for i in range(UPLOADS)]
    puts = []
    for i in range(UPLOADS):  # the baseline: the same PUT, to a key no trigger matches
        started = time.perf_counter()
        bucket.put_object(f"bench-baseline/{i}.txt", b"a,b\n1,2\n")
        puts.append((time.perf_counter() - started) * 1000)
    return latencies, puts


def cold_starts(serve: Serve, path: str, body: bytes) -> list[float]:
    samples = []
    for _ in range(COLD_STARTS):
        wait_for(lambda: _count(serve, "FC PreStop End") >= _count(serve, "FC Initialize End"), 30)  # all reaped
        connection = serve.connection()
        started = time.perf_counter()
        call(connection, "POST", path, body)
        samples.append((time.perf_counter() - started) * 1000)
        connection.close()
    return samples


def _count(serve: Serve, prefix: str) -> int:
    return sum(1 for r in serve.log_lines("prime-checker") if r["line"].startswith(prefix))


def wait_for(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting")
        time.sleep(0.02)


def bare_import_ms() -> float:
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import handlers.prime_checker"], cwd=ROOT, check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def report(name: str, value: float, baseline: float, unit: str, target: str = "") -> None:
    ratio = value / baseline
    print(f"   {name:<38} {value:9.2f} {unit:<6} baseline {baseline:9.2f} {unit:<6} ratio {ratio:7.2f}  {target}")


def main() -> None:
    body = json.dumps({"number": 1_000_003}).encode()
    event = json.dumps(http_event("POST", "/check", body.decode())).encode()
    in_http, in_direct, in_rate = in_process_calls(event, body)
    with tempfile.TemporaryDirectory() as state:
        serve = Serve(Path(state))
        try:
            connection = serve.connection()
            via_http = timed_calls(connection, "/prime-checker/check", body)
            via_api = timed_calls(connection, "/2023-03-30/functions/prime-checker/invocations", body)
            connection.close()
            rate = throughput(serve, "/prime-checker/check", body)
            uploads, puts = upload_to_start(serve)
            cold = cold_starts(serve, "/prime-checker/check", body)
        finally:
            serve.stop()
    bare = bare_import_ms()
    p50 = percentile(via_http, 0.5)
    print(f"   warm calls: {WARM_CALLS} each; throughput: {THROUGHPUT_CLIENTS} clients for {THROUGHPUT_SECONDS:g} s")
    report("warm HTTP trigger p50", p50, percentile(in_http, 0.5), "ms", f"target <= {TARGET_P50_MS:g} ms")
    report("warm HTTP trigger p99", percentile(via_http, 0.99), percentile(in_http, 0.99), "ms")
    report("warm InvokeFunction API p50", percentile(via_api, 0.5), percentile(in_direct, 0.5), "ms")
    report("warm InvokeFunction API p99", percentile(via_api, 0.99), percentile(in_direct, 0.99), "ms")
    report("throughput, HTTP trigger", rate, in_rate, "req/s", f"target >= {TARGET_RPS:g} req/s")
    report(
        "upload -> start p50",
        percentile(uploads, 0.5),
        percentile(puts, 0.5),
        "ms",
        f"target <= {TARGET_UPLOAD_MS:g} ms",
    )
    report("upload -> start p99", percentile(uploads, 0.99), percentile(puts, 0.99), "ms")
    report("cold start (first call, new instance)", statistics.median(cold), bare, "ms")
    met = p50 <= TARGET_P50_MS and rate >= TARGET_RPS and percentile(uploads, 0.5) <= TARGET_UPLOAD_MS
    print(f"   targets {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
