"""The path every object takes, whether an OSS trigger or a reprocess request named it.

1. Skip what must not be processed: events other than ObjectCreated, folder placeholders,
   and — the loop guard — objects under this function's output prefix or carrying its
   provenance metadata.
2. HEAD the object (trying each key candidate: see ``runtime/events/oss.py``) to learn its
   current ETag, size, type and CRC; a missing object ends as ``missing``.
3. Idempotency: a manifest (or error marker) for the same source ETag means the work is
   done; skip unless ``force``.
4. Refuse empty objects and wrong content types; stream the object through the algorithm;
   write the manifest last, as the commit point. If anything fails before it, the outputs
   written by this attempt are deleted again.
5. ``InputRejected`` from the algorithm becomes an error marker next to the outputs and the
   status ``rejected``; any other failure is ``failed`` and retryable.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from algorithms import parallel
from algorithms.errors import InputRejected
from algorithms.object_base import ObjectInfo
from runtime.objects import retry
from runtime.objects.errors import ObjectMissingError, ObjectStoreError
from runtime.objects.keys import ERROR_MARKER_NAME, MANIFEST_NAME, OutputLayout
from runtime.objects.metadata import META_PREFIX, Provenance
from runtime.objects.outcome import RecordResult, Status
from runtime.objects.reader import ObjectReader, open_stream
from runtime.objects.sink import ObjectOutputs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from algorithms.object_base import ObjectAlgorithm
    from runtime.context import InvocationContext
    from runtime.objects.clients import BucketClients
    from runtime.objects.retry import RetryPolicy
    from runtime.objects.settings import ObjectSettings
    from runtime.objects.targets import Target
    from runtime.processes import ProcessPool

log = logging.getLogger("runtime.objects")

# Chunks (of APP_OSS_READ_CHUNK bytes) read ahead by a background thread while the algorithm
# works: enough to ride out a slow response, few enough to keep memory flat (4 MiB by default).
READ_AHEAD_CHUNKS = 4

_LOG_LEVELS = {
    "processed": logging.INFO,
    "skipped": logging.INFO,
    "rejected": logging.WARNING,
    "missing": logging.WARNING,
    "failed": logging.ERROR,
}


class ObjectProcessor:
    """Runs one algorithm over objects; one instance per function instance."""

    def __init__(
        self,
        algorithm: ObjectAlgorithm,
        settings: ObjectSettings,
        clients: BucketClients,
        function_name: str,
        workers: ProcessPool | None = None,
    ) -> None:
        self.algorithm = algorithm
        self.settings = settings
        self.clients = clients
        self.function_name = function_name
        self.workers = workers
        self.layout = OutputLayout(settings.output_prefix)

    def process(self, target: Target, ctx: InvocationContext, policy: RetryPolicy, force: bool = False) -> RecordResult:
        """Process one object; never raises (every failure is a ``RecordResult``)."""
        started = time.perf_counter()
        try:
            result = self._process(target, ctx, policy, force)
        except ObjectStoreError as exc:
            status: Status = "missing" if isinstance(exc, ObjectMissingError) else "failed"
            result = RecordResult(
                target.bucket, target.key, status, code=exc.code, message=exc.message, retryable=exc.retryable
            )
        except Exception as exc:
            # A bug or an unexpected library error: retry, and let FC's onFailure keep the event.
            log.exception("unexpected error while processing an object", extra={"key": target.key})
            result = RecordResult(
                target.bucket,
                target.key,
                "failed",
                code="internal",
                message=f"unexpected {type(exc).__name__}; see the function log",
                retryable=True,
            )
        result.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        self._log(result, target)
        return result

    def _process(self, target: Target, ctx: InvocationContext, policy: RetryPolicy, force: bool) -> RecordResult:
        skip = self._skip_before_reading(target)
        if skip is not None:
            return skip
        endpoint = self.settings.endpoint_for(ctx.region or target.region, in_fc=bool(ctx.instance_id))
        source = self.clients.bucket(target.bucket, endpoint, ctx.credentials)
        key, head = self._head_first(source, target, policy)
        info = ObjectInfo(
            bucket=target.bucket,
            key=key,
            size=int(head.content_length or 0),
            etag=str(head.etag or ""),
            content_type=str(head.content_type or ""),
            user_meta=_user_meta(head.headers),
        )
        if self._is_own_output(info.user_meta):
            return _skipped(target, "loop_guard", "carries this function's output metadata", key=key, etag=info.etag)
        output_bucket = self.settings.output_bucket or target.bucket
        sink = ObjectOutputs(
            source if output_bucket == target.bucket else self.clients.bucket(output_bucket, endpoint, ctx.credentials),
            layout=self.layout,
            source_key=key,
            provenance=Provenance(target.bucket, key, info.etag, self.function_name, ctx.version),
            part_size=self.settings.part_size,
            policy=policy,
        )
        # Under force nobody looked for an error marker: delete it after success anyway.
        marker_found = force
        if not force:
            done, marker_found = self._done_before(target, sink, info, policy)
            if done is not None:
                return done
        return self._run(source, info, head, sink, ctx, delete_marker=marker_found)

    def _skip_before_reading(self, target: Target) -> RecordResult | None:
        """Skips decided from the event alone, before any OSS call (cheap, and no loop can start)."""
        if target.event_name and not target.event_name.startswith("ObjectCreated:"):
            return _skipped(target, "not_created_event", f"{target.event_name} events are not processed")
        if target.key.endswith("/"):
            return _skipped(target, "folder", "a folder placeholder, not a file")
        output_bucket = self.settings.output_bucket or target.bucket
        if output_bucket == target.bucket and any(self.layout.is_output(k) for k in target.candidates):
            return _skipped(target, "loop_guard", f"under this function's output prefix {self.layout.prefix}")
        if self._is_own_output(target.user_meta):
            return _skipped(target, "loop_guard", "carries this function's output metadata")
        return None

    def _done_before(
        self, target: Target, sink: ObjectOutputs, info: ObjectInfo, policy: RetryPolicy
    ) -> tuple[RecordResult | None, bool]:
        """Idempotency: a manifest or error marker of the same source ETag means nothing to do.

        Also says whether an error marker of another ETag exists (to delete after success)."""
        manifest = sink.key_of(MANIFEST_NAME)
        if self._existing(sink.bucket, manifest, sink.provenance, policy) is True:
            return _skipped(
                target,
                "already_processed",
                "outputs exist for this ETag",
                key=info.key,
                etag=info.etag,
                marker=manifest,
            ), False
        marker = sink.key_of(ERROR_MARKER_NAME)
        marker_state = self._existing(sink.bucket, marker, sink.provenance, policy)
        if marker_state is True:
            skipped = _skipped(
                target,
                "already_rejected",
                "rejected before for this ETag; reprocess with force to try again",
                key=info.key,
                etag=info.etag,
                marker=marker,
            )
            return skipped, True
        return None, marker_state is not None

    def _run(
        self,
        source: Any,
        info: ObjectInfo,
        head: Any,
        sink: ObjectOutputs,
        ctx: InvocationContext,
        *,
        delete_marker: bool,
    ) -> RecordResult:
        """Stream the object through the algorithm; the manifest, written last, commits the outputs."""
        try:
            if info.size == 0:
                raise InputRejected("the object is empty (0 bytes)")
            self.algorithm.check(info)
            reader = ObjectReader(
                source, info.key, size=info.size, etag=info.etag, crc64=head.server_crc, policy=sink.policy
            )
            with (
                open_stream(reader, self.settings.read_chunk, read_ahead=READ_AHEAD_CHUNKS) as stream,
                parallel.binding(self.workers),
            ):
                summary = dict(self.algorithm.process(stream, info, sink) or {})
            manifest = sink.write_reserved(MANIFEST_NAME, _manifest_body(info, sink, ctx, summary))
        except InputRejected as exc:
            sink.rollback()
            marker = sink.write_reserved(ERROR_MARKER_NAME, _marker_body(info, sink, ctx, exc))
            return RecordResult(
                info.bucket, info.key, "rejected", "rejected", exc.message, etag=info.etag, marker=marker
            )
        except BaseException:
            sink.rollback()
            raise
        if delete_marker:
            self._delete_quietly(sink.bucket, sink.key_of(ERROR_MARKER_NAME), sink.policy)
        return RecordResult(
            info.bucket, info.key, "processed", etag=info.etag, outputs=list(sink.committed), marker=manifest
        )

    def _head_first(self, bucket: Any, target: Target, policy: RetryPolicy) -> tuple[str, Any]:
        """HEAD each key candidate in turn; the first that exists is the object.

        Whether FC URL-encodes ``object.key`` in OSS events is unconfirmed, so the event
        layer offers the decoded key first and the key as received second (see
        ``runtime/events/oss.py``); asking OSS is the only way to know which one is real.
        """
        for candidate in target.candidates:
            try:
                return candidate, retry.call(lambda c=candidate: bucket.head_object(c), f"HEAD {candidate}", policy)  # type: ignore[misc]
            except ObjectMissingError:
                continue
        raise ObjectMissingError(f"{target.key} does not exist (deleted before it could be processed?)")

    def _existing(self, bucket: Any, key: str, provenance: Provenance, policy: RetryPolicy) -> bool | None:
        """None: ``key`` does not exist; True: it was written for the same source object and
        ETag; False: it exists for something else (an older version of the object)."""
        try:
            head = retry.call(lambda: bucket.head_object(key), f"HEAD {key}", policy)
        except ObjectMissingError:
            return None
        found = Provenance.from_meta(_user_meta(head.headers))
        return found is not None and found.same_source(provenance)

    def _is_own_output(self, user_meta: Mapping[str, str]) -> bool:
        found = Provenance.from_meta(user_meta) if user_meta else None
        return found is not None and found.producer == self.function_name

    @staticmethod
    def _delete_quietly(bucket: Any, key: str, policy: RetryPolicy) -> None:
        try:
            retry.call(lambda: bucket.delete_object(key), f"DELETE {key}", policy)
        except Exception as exc:  # a stale marker must not fail a processed record
            log.warning("could not remove a stale error marker", extra={"key": key, "error": str(exc)})

    def _log(self, result: RecordResult, target: Target) -> None:
        fields: dict[str, Any] = {
            "event": "object",
            "bucket": result.bucket,
            "key": result.key,
            # Not "status": in the summary line that is the HTTP status, a number in the SLS index.
            "object_status": result.status,
            "duration_ms": result.duration_ms,
        }
        if result.code:
            fields["code"] = result.code
        if result.etag:
            fields["etag"] = result.etag
        if result.outputs:
            fields["outputs"] = len(result.outputs)
        if target.event_name:
            fields["event_name"] = target.event_name
        if result.status == "failed":
            fields["retryable"] = result.retryable
        message = f"object {result.status}" + (f": {result.message}" if result.message else "")
        log.log(_LOG_LEVELS[result.status], message, extra=fields)


def _skipped(
    target: Target, code: str, message: str, *, key: str = "", etag: str = "", marker: str = ""
) -> RecordResult:
    return RecordResult(target.bucket, key or target.key, "skipped", code, message, etag=etag, marker=marker)


def _user_meta(headers: Any) -> dict[str, str]:
    return {
        str(name).lower()[len(META_PREFIX) :]: str(value)
        for name, value in dict(headers or {}).items()
        if str(name).lower().startswith(META_PREFIX)
    }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _source(info: ObjectInfo) -> dict[str, Any]:
    return {"bucket": info.bucket, "key": info.key, "etag": info.etag, "size": info.size}


def _record_header(info: ObjectInfo, sink: ObjectOutputs, ctx: InvocationContext) -> dict[str, Any]:
    """What every manifest and error marker says first: which object, which function, which call."""
    provenance = sink.provenance
    return {
        "source": _source(info),
        "function": provenance.producer,
        "version": provenance.producer_version,
        "request_id": ctx.request_id,
    }


def _manifest_body(info: ObjectInfo, sink: ObjectOutputs, ctx: InvocationContext, summary: dict[str, Any]) -> bytes:
    body = {
        **_record_header(info, sink, ctx),
        "processed_at": _now(),
        "outputs": sink.committed,
        "bytes_written": sink.bytes_written,
        "result": summary,
    }
    return json.dumps(body, ensure_ascii=False, indent=1, default=str).encode()


def _marker_body(info: ObjectInfo, sink: ObjectOutputs, ctx: InvocationContext, exc: InputRejected) -> bytes:
    body = {
        **_record_header(info, sink, ctx),
        "rejected_at": _now(),
        "error": {"code": "rejected", "message": exc.message, "details": exc.details},
        "retry": "not retried; fix the object (upload it again) or reprocess with force after fixing the function",
    }
    return json.dumps(body, ensure_ascii=False, indent=1, default=str).encode()
