"""What our structured logs cost per invocation, against Python's default logging formatter.

One "invocation" writes what a typical one does: 5 lines from the algorithm
(``logger.info`` with a couple of ``extra`` fields) and the runtime's summary line, inside
the invocation's log scope (request id, function, version... and its STS keys to mask).

- baseline: ``logging.Formatter(logging.BASIC_FORMAT)`` — Python's default
  ``LEVEL:name:message`` text, no fields, no masking — writing the same 6 lines;
- ours: ``runtime.logs`` JSON lines (scope, extras, credential masking) with the summary
  written by ``logs.emit``, as ``FunctionRuntime`` does;
- for reference, python-json-logger's stock ``JsonFormatter`` with the same fields.

Every variant writes to the same null text stream, taking turns in chunks so background
load hits them alike.

    python -m bench logging_cost
"""

from __future__ import annotations

import io
import logging
import statistics
import sys
import time
from typing import TYPE_CHECKING

from pythonjsonlogger.json import JsonFormatter

from runtime import logs

if TYPE_CHECKING:
    from collections.abc import Callable

INVOCATIONS = 8_000
CHUNK = 400
USER_LINES = 5
SCOPE = {"request_id": "1-6650f5a0-3f2a", "function": "prime-checker", "qualifier": "prod", "version": "3"}
SECRETS = ("STS.NUgYrLnoC37mZZCNnAbez2Mh3", "9NG2P2zdj1bWsSfMMQmdyAWeRcLjo3URpiQxQi1AyM3q", "CAIS8AN1q6Ft5B2yfSjIr5")
SUMMARY = {"event": "invocation", "duration_ms": 1.234, "status": 200, "trigger": "http", "algorithm": "prime_checker"}


class NullSink(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


def _logger(name: str, formatter: logging.Formatter, stream: io.TextIOBase) -> logging.Logger:
    logger = logging.getLogger(f"bench.{name}")
    logger.handlers.clear()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def plain_invocation(logger: logging.Logger) -> None:
    for step in range(USER_LINES):
        logger.info("step %d done", step, extra={"rows": step * 10, "stage": "score"})
    logger.info("invocation finished", extra=SUMMARY)


def stock_json_invocation(logger: logging.Logger) -> None:
    # The stock formatter knows no scope: the same fields travel as extras.
    for step in range(USER_LINES):
        logger.info("step %d done", step, extra={**SCOPE, "rows": step * 10, "stage": "score"})
    logger.info("invocation finished", extra={**SCOPE, **SUMMARY})


def our_invocation(logger: logging.Logger, summary_logger: logging.Logger) -> None:
    with logs.scope({**SCOPE, "cold_start": False}, SECRETS):
        for step in range(USER_LINES):
            logger.info("step %d done", step, extra={"rows": step * 10, "stage": "score"})
        logs.emit(summary_logger, logging.INFO, "invocation finished", dict(SUMMARY))


def per_call_us(call: Callable[[], None], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    sink = NullSink()
    plain = _logger("plain", logging.Formatter(logging.BASIC_FORMAT), sink)
    stock = _logger("stock", JsonFormatter(json_ensure_ascii=False), sink)
    ours = _logger("ours", logs.JsonLineFormatter(), sink)
    summary_logger = logging.getLogger("bench.ours.runtime")
    real_stdout, sys.stdout = sys.stdout, sink  # logs.emit writes to sys.stdout, as in FC
    try:
        timings: dict[str, list[float]] = {"plain": [], "stock": [], "ours": []}
        for _ in range(INVOCATIONS // CHUNK):
            timings["plain"].append(per_call_us(lambda: plain_invocation(plain), CHUNK))
            timings["stock"].append(per_call_us(lambda: stock_json_invocation(stock), CHUNK))
            timings["ours"].append(per_call_us(lambda: our_invocation(ours, summary_logger), CHUNK))
    finally:
        sys.stdout = real_stdout
    base, json_stock, mine = (statistics.median(timings[k]) for k in ("plain", "stock", "ours"))
    print(f"logging cost per invocation ({USER_LINES} user lines + summary), median of {INVOCATIONS // CHUNK} chunks:")
    print(f"  Python default formatter (baseline)      {base:8.1f} µs")
    print(f"  python-json-logger stock JsonFormatter   {json_stock:8.1f} µs")
    print(f"  runtime.logs (scope, masking, emit)      {mine:8.1f} µs")
    print(f"ratio runtime.logs/default formatter: {mine / base:.2f}")
    print(f"ratio runtime.logs/stock python-json-logger: {mine / json_stock:.2f}")


if __name__ == "__main__":
    main()
