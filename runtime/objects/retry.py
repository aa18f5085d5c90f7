"""Retry an OSS call with exponential backoff, and translate oss2's errors into ours.

oss2 retries nothing for object calls, and a body being streamed fails with requests' or
urllib3's exceptions rather than oss2's. ``classify`` maps all of them to an
``ObjectStoreError`` once; ``call`` retries only what a retry can fix (5xx, timeouts, broken
connections, CRC mismatches) and never past the invocation's deadline.
"""

from __future__ import annotations

import http.client
import logging
import random
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from runtime.objects.errors import (
    IntegrityError,
    ObjectChangedError,
    ObjectMissingError,
    ObjectStoreError,
    StoreAccessError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
log = logging.getLogger("runtime.objects")

# HTTP statuses worth another attempt besides 5xx: request timeout and throttling.
_RETRY_STATUSES = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all, sleeping ``base_delay * 2**n`` (jittered, capped) between them.

    >>> RetryPolicy(attempts=3, base_delay=0.1).delay(1) <= 0.2
    True
    """

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    deadline: float | None = None  # time.monotonic() value not to sleep past

    def delay(self, attempt: int) -> float:
        """Sleep before try ``attempt + 1`` (``attempt`` counts from 1); full jitter."""
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(cap / 2, cap)  # jitter, not cryptography

    def with_deadline(self, deadline: float | None) -> RetryPolicy:
        return RetryPolicy(self.attempts, self.base_delay, self.max_delay, deadline)


def classify(exc: BaseException, what: str) -> ObjectStoreError:
    """Our error for any exception an oss2 call (or reading its body) can raise."""
    if isinstance(exc, ObjectStoreError):
        return exc
    import oss2.exceptions as oe  # noqa: PLC0415 - oss2 only loads in object functions
    import requests  # noqa: PLC0415

    if isinstance(exc, oe.InconsistentError):
        return IntegrityError(f"{what}: CRC-64 check failed; the transfer was corrupted")
    if isinstance(exc, oe.ServerError):
        return _from_status(int(exc.status), str(exc.code or exc.status), what)
    if isinstance(exc, oe.RequestError):
        return StoreUnavailableError(f"{what}: {_describe(exc.exception)}")
    if isinstance(exc, (requests.RequestException, http.client.HTTPException, socket.timeout, ConnectionError)):
        return StoreUnavailableError(f"{what}: {_describe(exc)}")
    if isinstance(exc, oe.OssError):
        return StoreAccessError(f"{what}: {type(exc).__name__}")
    raise exc


def _from_status(status: int, code: str, what: str) -> ObjectStoreError:
    if status == 404 and code != "NoSuchBucket":
        return ObjectMissingError(f"{what}: {code}")
    if status == 412:
        return ObjectChangedError(f"{what}: the object changed while it was being processed")
    if status >= 500 or status in _RETRY_STATUSES:
        return StoreUnavailableError(f"{what}: OSS answered {status} {code}")
    return StoreAccessError(f"{what}: OSS answered {status} {code}")


def _describe(exc: BaseException | None) -> str:
    """A short, credential-free description of a network failure."""
    if exc is None:
        return "connection failed"
    name = type(exc).__name__
    text = str(exc).lower()
    if "timed out" in text or "timeout" in name.lower():
        return f"timed out ({name})"
    if "name or service not known" in text or "nodename nor servname" in text or "failed to resolve" in text:
        return f"the endpoint's host name does not resolve ({name})"
    if "refused" in text:
        return f"connection refused ({name})"
    return f"connection failed ({name})"


def call(operation: Callable[[], T], what: str, policy: RetryPolicy) -> T:
    """Run ``operation``; on a retryable failure try again with backoff, up to ``policy.attempts``.

    Raises the last error as an ``ObjectStoreError``; non-retryable ones immediately.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return operation()
        except Exception as exc:
            error = classify(exc, what)
            if not _worth_retrying(error) or attempt >= policy.attempts:
                raise error from None
            pause = policy.delay(attempt)
            if policy.deadline is not None and time.monotonic() + pause >= policy.deadline:
                raise error from None
            log.warning(
                "OSS call failed, retrying",
                extra={"event": "oss_retry", "operation": what, "attempt": attempt, "error": error.message},
            )
            time.sleep(pause)


def _worth_retrying(error: ObjectStoreError) -> bool:
    return isinstance(error, (StoreUnavailableError, IntegrityError))
