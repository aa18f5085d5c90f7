"""``ObjectFunction``: an object algorithm behind OSS triggers, direct invokes and timers.

    # handlers/thumbnailer.py
    from algorithms.thumbnailer import Thumbnailer
    from runtime.objects import ObjectFunction

    app = ObjectFunction(Thumbnailer)
    initialize, handler, pre_stop = app.initialize, app.handler, app.pre_stop

The answer is a per-record summary (JSON). If any record failed for a retryable reason, the
handler raises ``RetryInvocation`` after processing every record, so FC retries the
asynchronous invocation; records already done are then skipped by the idempotency check.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import pydantic

from algorithms.object_base import ObjectAlgorithm
from runtime.errors import BadRequestError, RetryInvocation, ValidationError
from runtime.events import DirectInvoke, Event, HttpRequest, OssEvent, TimerEvent
from runtime.events.timer import payload_json
from runtime.events.trigger import json_text
from runtime.function import Answer, FunctionRuntime
from runtime.objects import retry
from runtime.objects.clients import BucketClients
from runtime.objects.errors import ObjectStoreError
from runtime.objects.outcome import RecordResult, counts, retry_message
from runtime.objects.processor import ObjectProcessor
from runtime.objects.settings import ObjectSettings
from runtime.objects.targets import ReprocessRequest, Target, from_oss_event

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from runtime.context import InvocationContext
    from runtime.processes import ProcessPool
    from runtime.settings import RuntimeSettings

log = logging.getLogger("runtime.objects")

# Stop starting new objects when less than this is left before the function timeout: the
# rest is reported (walks return a marker to continue from; events are retried).
_SAFETY_MARGIN_S = 10.0
_SAFETY_FRACTION = 0.1


class ObjectFunction(FunctionRuntime):
    """Adapter from FC events to an ``ObjectAlgorithm``.

    ``algorithm`` is an instance or a factory (called once in setup, so configuration errors
    surface as an initialization failure with a log line instead of an import error).
    """

    def __init__(
        self,
        algorithm: ObjectAlgorithm | Callable[[], ObjectAlgorithm],
        settings: RuntimeSettings | None = None,
        object_settings: ObjectSettings | None = None,
        name: str = "",
    ) -> None:
        if isinstance(algorithm, ObjectAlgorithm):
            self._algorithm: ObjectAlgorithm | None = algorithm
            self._factory: Callable[[], ObjectAlgorithm] | None = None
        else:
            self._algorithm, self._factory = None, algorithm
        super().__init__(name or str(getattr(algorithm, "name", "object_algorithm")), settings)
        self._explicit_object_settings = object_settings
        self.object_settings: ObjectSettings | None = object_settings
        self.clients: BucketClients | None = None
        self.retry_policy = retry.RetryPolicy()
        self.pool: ProcessPool | None = None  # the algorithm's worker processes, if it wants some

    @property
    def algorithm(self) -> ObjectAlgorithm:
        if self._algorithm is None:
            raise RuntimeError("setup() has not run")
        return self._algorithm

    def setup(self) -> None:
        settings = self._explicit_object_settings or ObjectSettings.from_env()
        if self._algorithm is None and self._factory is not None:
            self._algorithm = self._factory()
        self.algorithm.setup()
        if self.algorithm.processes > 1:
            if self.pool is None:
                from runtime.processes import ProcessPool  # noqa: PLC0415 - only for algorithms that use it

                self.pool = ProcessPool(self.algorithm.processes, name=self.algorithm.name)
            # Forked now, once per instance, while the process has a single thread (see
            # runtime/processes/pool.py); reused by every object.
            self.pool.start()
        self.object_settings = settings
        self.clients = BucketClients(timeout_s=settings.timeout_s)
        self.retry_policy = retry.RetryPolicy(attempts=settings.attempts)
        # Pay oss2's import (a few hundred ms) in the initializer, not in the first event.
        import oss2  # noqa: F401, PLC0415

        # oss2 logs every error answer at INFO, including the 404s that the idempotency and
        # key-candidate checks expect; our own lines say what happened.
        logging.getLogger("oss2").setLevel(logging.WARNING)

    def teardown(self) -> None:
        if self.pool is not None:
            self.pool.stop()
        if self._algorithm is not None:
            self._algorithm.teardown()
        if self.clients is not None:
            self.clients.clear()

    def operation_for(self, event: Event) -> str:
        """``oss_event`` for an OSS trigger's records, ``reprocess`` for a request naming
        objects (a direct invoke or a timer's payload), ``reprocess_prefix`` for one naming a
        prefix to walk; HTTP is refused."""
        if isinstance(event, HttpRequest):
            raise BadRequestError(
                f"{self.algorithm_name} processes OSS objects; invoke it with an OSS event or"
                ' {"bucket": ..., "key": ...}, not over HTTP'
            )
        if isinstance(event, OssEvent):
            return "oss_event"
        payload = _payload(event)
        return "reprocess_prefix" if isinstance(payload, dict) and payload.get("prefix") is not None else "reprocess"

    def handle(self, event: Event, ctx: InvocationContext, operation: str) -> Answer:
        force = False
        walk: ReprocessRequest | None = None
        if isinstance(event, OssEvent):
            targets: Iterator[Target] = iter(from_oss_event(event))
            invalid = [
                RecordResult("", f"events[{index}]", "skipped", "invalid_record", reason)
                for index, reason in event.invalid
            ]
        else:
            request = _reprocess_request(event)
            force = request.force
            invalid = []
            if request.prefix is not None:
                walk = request
                targets = iter(())
            else:
                targets = iter(request.targets())
        processor = self._processor(ctx)
        policy = self.retry_policy.with_deadline(ctx.deadline)
        results: list[RecordResult] = list(invalid)
        walk_state: dict[str, Any] = {}
        if walk is not None:
            targets = self._walk(walk, ctx, policy, processor, walk_state)
        for target in targets:
            if self._out_of_time(ctx):
                if walk is not None:
                    walk_state["truncated"] = True
                    walk_state["next_marker"] = walk_state.get("last_done", walk.marker)
                    break
                results.append(
                    RecordResult(
                        target.bucket,
                        target.key,
                        "failed",
                        "out_of_time",
                        "not started: too little time left before the function timeout",
                        retryable=True,
                    )
                )
                continue
            result = processor.process(target, ctx, policy, force=force)
            results.append(result)
            walk_state["last_done"] = target.key
        tally = counts(results)
        fields = {"objects": len(results), **{k: v for k, v in tally.items() if v}}
        if any(r.status == "failed" and r.retryable for r in results):
            raise RetryInvocation(retry_message(results), fields)
        answer: dict[str, Any] = {
            "function": ctx.function_name or self.algorithm_name,
            "version": ctx.version,
            "counts": tally,
            "records": [r.to_dict() for r in results],
        }
        if walk is not None:
            walk_state.pop("last_done", None)
            answer["walk"] = {"bucket": walk.bucket, "prefix": walk.prefix, **walk_state}
        return Answer(json_text(answer), fields)

    def _processor(self, ctx: InvocationContext) -> ObjectProcessor:
        if self.object_settings is None or self.clients is None:
            raise RuntimeError("setup() has not run")
        return ObjectProcessor(
            self.algorithm, self.object_settings, self.clients, ctx.function_name or self.algorithm_name, self.pool
        )

    def _walk(
        self,
        request: ReprocessRequest,
        ctx: InvocationContext,
        policy: retry.RetryPolicy,
        processor: ObjectProcessor,
        state: dict[str, Any],
    ) -> Iterator[Target]:
        """List ``prefix`` page by page (never the whole listing in memory), skipping this
        function's own outputs quietly; stops after ``limit`` objects with a marker."""
        bucket_name = str(request.bucket)
        assert self.object_settings is not None and self.clients is not None
        endpoint = self.object_settings.endpoint_for(ctx.region, in_fc=bool(ctx.instance_id))
        bucket = self.clients.bucket(bucket_name, endpoint, ctx.credentials)
        same_bucket = (self.object_settings.output_bucket or bucket_name) == bucket_name
        state.update(listed=0, skipped_outputs=0, truncated=False, next_marker="")
        marker = request.marker
        while True:
            page = retry.call(
                lambda m=marker: bucket.list_objects(prefix=request.prefix or "", marker=m, max_keys=1000),  # type: ignore[misc]
                f"LIST {request.prefix}",
                policy,
            )
            for item in page.object_list:
                key = str(item.key)
                if same_bucket and processor.layout.is_output(key):
                    state["skipped_outputs"] += 1
                    continue
                if request.suffix and not key.endswith(request.suffix):
                    continue
                if key.endswith("/"):
                    continue
                if state["listed"] >= request.limit:
                    state["truncated"] = True
                    state["next_marker"] = state.get("last_done", marker)
                    return
                state["listed"] += 1
                yield Target(bucket=bucket_name, candidates=(key,))
            if not page.is_truncated:
                return
            marker = page.next_marker

    @staticmethod
    def _out_of_time(ctx: InvocationContext) -> bool:
        if ctx.deadline is None:
            return False
        margin = min(_SAFETY_MARGIN_S, ctx.timeout_s * _SAFETY_FRACTION)
        return time.monotonic() > ctx.deadline - margin


def _payload(event: Event) -> Any:
    """What a direct invoke or a timer asks for (a timer's JSON payload; None: it has none)."""
    if isinstance(event, TimerEvent):
        return payload_json(event)
    if isinstance(event, DirectInvoke):
        return event.payload
    raise BadRequestError("unsupported event")  # pragma: no cover - every Event kind is handled above


def _reprocess_request(event: Event) -> ReprocessRequest:
    payload = _payload(event)
    if payload is None and isinstance(event, TimerEvent):
        raise BadRequestError(f"timer {event.trigger_name!r} has no payload; give it a reprocess request as JSON")
    if not isinstance(payload, dict):
        raise BadRequestError(
            'expected an OSS event or {"bucket": ..., "key": ...} / {"objects": [...]} / {"prefix": ...}'
        )
    try:
        return ReprocessRequest.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc, "reprocess request") from None


__all__ = ["ObjectFunction", "ObjectStoreError"]
