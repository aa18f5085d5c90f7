"""What direct shipping of business events costs per invocation.

The same function (an algorithm that emits one business event per call) is invoked warm,
in one process, with the python3.10 context shape:

- baseline: shipping off — the event becomes a JSON log line on stdout (to a null stream);
- shipping: ``APP_SHIP_PROJECT``/``APP_SHIP_LOGSTORE`` set and ``APP_SLS_ENDPOINT`` pointing
  at the local SLS receiver (``localfc.services.sls``): one PutLogs (protobuf, lz4, signed with the
  invocation's STS keys, keep-alive connection) at the end of every invocation.

The receiver runs in the same process, so its decoding time is included: the figure is an
upper bound of the client's cost on loopback, not SLS's network latency.

    python -m bench shipping_cost
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel

from algorithms import business_events
from algorithms.base import Algorithm
from localfc.services.sls import SlsReceiver
from runtime import AlgorithmFunction

if TYPE_CHECKING:
    from collections.abc import Callable

INVOCATIONS = 2_000
CHUNK = 100
EVENT = b'{"number": 97}'


class CheckIn(BaseModel):
    number: int


class CheckOut(BaseModel):
    even: bool


class Audited(Algorithm[CheckIn, CheckOut]):
    name: ClassVar[str] = "audited"

    def run(self, data: CheckIn) -> CheckOut:
        business_events.emit("number_checked", number=data.number, even=data.number % 2 == 0)
        return CheckOut(even=data.number % 2 == 0)


class NullSink(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


def context() -> SimpleNamespace:
    return SimpleNamespace(
        request_id="bench-1",
        region="cn-hangzhou",
        credentials=SimpleNamespace(
            access_key_id="STS.BenchKeyId0123456789", access_key_secret="bench-secret-0123456789", security_token="tok"
        ),
        function=SimpleNamespace(name="audited", handler="x.handler", memory=256, timeout="60"),
        service=SimpleNamespace(qualifier="LATEST", version_id="", log_project="", log_store=""),
    )


def build(env: dict[str, str]) -> AlgorithmFunction:
    for name in ("APP_SHIP_PROJECT", "APP_SHIP_LOGSTORE", "APP_SLS_ENDPOINT"):
        os.environ.pop(name, None)
    os.environ.update(env)
    app = AlgorithmFunction(Audited())
    app.initialize(context())
    _ = app.shipper  # read the environment now, while it is set for this variant
    return app


def per_call_us(call: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    saved = dict(os.environ)
    real_stdout, sys.stdout = sys.stdout, NullSink()
    try:
        with SlsReceiver() as sls:
            logged = build({})
            shipped = build(
                {"APP_SHIP_PROJECT": "bench-project", "APP_SHIP_LOGSTORE": "audit", "APP_SLS_ENDPOINT": sls.endpoint}
            )
            ctx = context()
            for app in (logged, shipped):  # warm: imports, first connection
                for _ in range(20):
                    app.handler(EVENT, ctx)
            timings: dict[str, list[float]] = {"logged": [], "shipped": []}
            for _ in range(INVOCATIONS // CHUNK):
                timings["logged"].append(per_call_us(lambda: logged.handler(EVENT, ctx), CHUNK))
                timings["shipped"].append(per_call_us(lambda: shipped.handler(EVENT, ctx), CHUNK))
            received = len(sls.records())
    finally:
        sys.stdout = real_stdout
        os.environ.clear()
        os.environ.update(saved)
    base, ship = statistics.median(timings["logged"]), statistics.median(timings["shipped"])
    print(f"per invocation with one business event, median of {INVOCATIONS // CHUNK} chunks of {CHUNK}:")
    print(f"  shipping off: event logged as a JSON line (baseline)  {base:8.1f} µs")
    print(f"  shipping on: one PutLogs to the local SLS receiver      {ship:8.1f} µs")
    print(f"  direct shipping adds {ship - base:.1f} µs per invocation ({received} events received)")
    print(f"ratio shipping/no shipping: {ship / base:.2f}")


if __name__ == "__main__":
    main()
