"""What happened to each object of an invocation, and the invocation's answer built from it.

Every record ends in one status:

- ``processed``: outputs and manifest written;
- ``skipped``: nothing to do (already processed for this ETag, an output of this function,
  a folder placeholder, not an ObjectCreated event, ...), ``code`` says which;
- ``rejected``: the object itself is unusable (empty, wrong type, corrupt); an error marker
  was written next to the outputs and the object is not retried;
- ``missing``: the object no longer exists (deleted before it could be processed);
- ``failed``: something a retry may fix (or that FC's onFailure destination must keep);
  ``retryable`` is true and the invocation fails so that FC retries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["processed", "skipped", "rejected", "missing", "failed"]
STATUSES: tuple[Status, ...] = ("processed", "skipped", "rejected", "missing", "failed")


@dataclass(slots=True)
class RecordResult:
    """The outcome of one object.

    >>> RecordResult("b", "in/a.csv", "skipped", code="already_processed").to_dict()["status"]
    'skipped'
    """

    bucket: str
    key: str
    status: Status
    code: str = ""
    message: str = ""
    retryable: bool = False
    etag: str = ""
    outputs: list[str] = field(default_factory=list)
    marker: str = ""  # manifest (processed) or error marker (rejected) key
    duration_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"bucket": self.bucket, "key": self.key, "status": self.status}
        for name in ("code", "message", "etag", "marker"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.status == "failed":
            out["retryable"] = self.retryable
        if self.outputs:
            out["outputs"] = self.outputs
        out["duration_ms"] = self.duration_ms
        return out


def counts(results: list[RecordResult]) -> dict[str, int]:
    tally: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] += 1
    return tally


def retry_message(results: list[RecordResult]) -> str:
    """The message of the RetryInvocation raised when some records should be retried."""
    failed = [r for r in results if r.status == "failed" and r.retryable]
    first = failed[0]
    return (
        f"{len(failed)} of {len(results)} objects failed with a retryable error"
        f" (first: {first.key}: {first.message}); FC retries the invocation,"
        " objects already processed are skipped"
    )
