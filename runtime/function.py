"""The FC entry points shared by every kind of function: initialize, handler, pre_stop.

``FunctionRuntime`` owns what does not depend on the algorithm: the context, the log scope,
setup once per instance (retried after a failure, as FC retries a failed initializer),
turning any exception into an error answer shaped for its trigger, and one summary line per
invocation. Subclasses implement ``handle`` (what to do with a recognised event: it returns
an ``Answer``) and, when they have several, ``operation_for`` (which operation an event asks
for).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from algorithms import business_events
from algorithms import metrics as algorithm_metrics
from runtime import credentials, logs
from runtime.context import InstanceEnvironment, InvocationContext
from runtime.errors import FunctionError, InitializationError, InternalError, RetryInvocation
from runtime.events import ANSWERS, Event, recognise, trigger_of
from runtime.metrics import InvocationMetrics
from runtime.settings import RuntimeSettings
from runtime.shipping import EventBuffer, LoggedEvents, Shipper

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger("runtime")


class Answer(NamedTuple):
    """What ``handle`` returns: the result as JSON text, which the event's trigger shapes
    (FC's HTTP response struct for an HTTP event, the text itself otherwise), and the fields
    it adds to the invocation's summary line (docs/log-schema.md).

    >>> Answer('{"ok":true}', {"objects": 2}).fields
    {'objects': 2}
    """

    body: str
    fields: Mapping[str, Any] | None = None


# What one invocation did, as ``_run`` returns it: (the answer FC returns, then what its
# summary line says: status, trigger — the event's kind, "unknown" when it could not be read
# —, operation, error code, the Answer's fields; and the RetryInvocation to raise once the
# line is written, if any). A plain tuple: the handler unpacks it at once, and a named
# tuple costs a Python-level call to build, per invocation.
Outcome = tuple[Any, int, str, str, str, "Mapping[str, Any] | None", "RetryInvocation | None"]


class FunctionRuntime:
    """Base of the adapters in ``runtime``; see ``AlgorithmFunction`` for the common one."""

    def __init__(self, algorithm_name: str, settings: RuntimeSettings | None = None) -> None:
        self.algorithm_name = algorithm_name
        self._explicit_settings = settings
        # Resolved (and the JSON log handler installed) on first use, explicit or not.
        self._settings: RuntimeSettings | None = None
        self._environment_secrets: tuple[str, ...] | None = None
        self._last_secrets: tuple[credentials.Credentials | None, tuple[str, ...]] = (None, ())
        self._instance: InstanceEnvironment | None = None
        self._ready = False
        self._cold = True
        self._setup_lock = threading.Lock()
        self._shipper: Shipper | None = None
        # Encoded summary fields by their values (see _finish).
        self._encoded_outcomes: dict[_SummaryKey, str] = {}

    # --- subclass hooks -------------------------------------------------------------
    def setup(self) -> None:
        """One-time work of the algorithm (called under a lock, retried after failure)."""

    def teardown(self) -> None:
        """Release what setup acquired."""

    def operation_for(self, event: Event) -> str:
        """The name of what ``handle`` will do with ``event``: the summary line's ``operation``.
        Asked before ``handle``, so that the line of a failed invocation names it too; a
        ``FunctionError`` raised here refuses the event."""
        return ""

    def handle(self, event: Event, ctx: InvocationContext, operation: str) -> Answer:
        """Answer a recognised event; a ``FunctionError`` becomes the error answer."""
        raise NotImplementedError

    # --- FC entry points ------------------------------------------------------------
    @property
    def settings(self) -> RuntimeSettings:
        if self._settings is None:
            self._settings = self._explicit_settings or RuntimeSettings.from_env()
            logs.configure(self._settings.log_level)
        return self._settings

    @property
    def instance(self) -> InstanceEnvironment:
        """The ``FC_*`` variables of this instance, read once: FC fixes them at its start."""
        if self._instance is None:
            self._instance = InstanceEnvironment.read()
        return self._instance

    @property
    def shipper(self) -> Shipper:
        """Direct shipping of business events, configured from the environment once."""
        if self._shipper is None:
            self._shipper = Shipper.from_env()
        return self._shipper

    def initialize(self, context: Any) -> None:
        """FC initializer: run setup once for this instance; a failure fails the invocation."""
        ctx = InvocationContext.from_fc(context, self.instance)
        settings = self.settings
        logs.configure(settings.log_level)
        with self._log_scope(ctx, phase="initialize"):
            started = time.perf_counter()
            try:
                self._ensure_ready()
            except InitializationError:
                # FC reports the failure and retries the initializer on a fresh instance.
                raise
            self.shipper.warm()
            log.info(
                "initialized",
                extra={"duration_ms": _ms(started), "algorithm": self.algorithm_name, "event": "initialize"},
            )

    def handler(self, event: bytes, context: Any) -> Any:
        """FC handler: recognise the event, run the algorithm, answer; never raises
        except ``RetryInvocation`` (so that FC retries an asynchronous invocation)."""
        started = time.perf_counter()
        max_body_bytes = self.settings.max_body_bytes  # first: resolving them installs the JSON log handler
        ctx = InvocationContext.from_fc(context, self.instance)
        metrics = InvocationMetrics()
        events = self.shipper.sink()
        # The log scope, metrics recorder and event sink of the invocation, bound with
        # set/reset rather than three context managers: a third of the cost, per invocation.
        scope_token = logs.SCOPE.set(self._log_scope(ctx))
        metrics_token = algorithm_metrics.RECORDER.set(metrics)
        events_token = business_events.SINK.set(events)
        try:
            answer, status, trigger, operation, error_code, own, retry = self._run(event, ctx, max_body_bytes)
            summary = (status, trigger, operation, error_code, ctx.retry_count, ctx.instance_id)
            if retry is None:
                self._finish(summary, own, started, ctx, metrics=metrics, events=events)
            else:
                message = str(retry)
                self._finish(
                    summary, own, started, ctx, metrics=metrics, events=events, level=logging.ERROR, message=message
                )
                raise retry
        finally:
            self._cold = False
            business_events.SINK.reset(events_token)
            algorithm_metrics.RECORDER.reset(metrics_token)
            logs.SCOPE.reset(scope_token)
        return answer

    def pre_stop(self, context: Any) -> None:
        """FC preStop: release resources before the instance is destroyed."""
        ctx = InvocationContext.from_fc(context, self.instance)
        with self._log_scope(ctx, phase="pre_stop"):
            try:
                self.teardown()
            except Exception:
                log.exception("pre_stop of %s failed", self.algorithm_name)
            log.info("instance stopping", extra={"algorithm": self.algorithm_name, "event": "pre_stop"})

    # --- internals ------------------------------------------------------------------
    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._setup_lock:
            if self._ready:
                return
            try:
                self.setup()
            except Exception as exc:
                log.exception("setup of %s failed", self.algorithm_name)
                raise InitializationError(
                    f"setup of {self.algorithm_name} failed ({type(exc).__name__});"
                    " it is retried on the next invocation"
                ) from None
            self._ready = True

    def _run(self, raw: bytes, ctx: InvocationContext, max_body_bytes: int) -> Outcome:
        """The algorithm's answer to ``raw``, or the error's, shaped for the event's trigger."""
        parsed: Event | None = None
        operation = ""
        try:
            self._ensure_ready()
            parsed = recognise(raw, max_body_bytes)
            operation = self.operation_for(parsed)
            body, fields = self.handle(parsed, ctx, operation)
            kind = parsed.kind
            return (ANSWERS[kind](body), 200, kind, operation, "", fields, None)
        except RetryInvocation as exc:
            trigger = parsed.kind if parsed is not None else "unknown"
            return (None, 503, trigger, operation, "RetryInvocation", exc.fields, exc)
        except FunctionError as exc:
            error = exc
        except Exception:
            log.exception("unexpected error in %s", self.algorithm_name)
            error = InternalError()
        scope = logs.current_scope()
        if scope is not None and scope.secrets:
            # An algorithm may quote a credential in a message meant for the caller.
            error.message = logs.redact(error.message, scope.secrets)
            error.details = logs.redact(error.details, scope.secrets)
        if error.status < 500:
            log.warning("request rejected: %s", error.message, extra={"error_code": error.code})
        answer = trigger_of(parsed, raw).error(error, ctx.request_id)
        return (
            answer,
            error.status,
            parsed.kind if parsed is not None else "unknown",
            operation,
            error.code,
            None,
            None,
        )

    def _log_scope(self, ctx: InvocationContext, phase: str = "") -> logs.LogScope:
        return logs.invocation_scope(
            ctx.request_id,
            ctx.function_name,
            ctx.qualifier,
            ctx.version,
            cold_start=self._cold,
            secrets=self._secrets(ctx),
            phase=phase,
        )

    def _secrets(self, ctx: InvocationContext) -> tuple[str, ...]:
        """The invocation's keys plus those FC put in ``ALIBABA_CLOUD_*`` at instance start
        (on python3.9/3.10 the two differ once the STS token is refreshed). The environment
        does not change during an instance's life, so it is read once."""
        if self._environment_secrets is None:
            from_env = credentials.from_environment()
            self._environment_secrets = from_env.secrets() if from_env is not None else ()
        # from_context returns the same object while the keys stay the same: the list is
        # built again only when they change.
        keys, secrets = self._last_secrets
        if keys is None or ctx.credentials is not keys:
            own = ctx.credentials.secrets() if ctx.credentials is not None else ()
            secrets = own if own == self._environment_secrets else own + self._environment_secrets
            self._last_secrets = (ctx.credentials, secrets)
        return secrets

    def _finish(
        self,
        key: _SummaryKey,
        own: Mapping[str, Any] | None,
        started: float,
        ctx: InvocationContext,
        *,
        metrics: InvocationMetrics,
        events: EventBuffer | LoggedEvents,
        level: int = logging.INFO,
        message: str = "",
    ) -> None:
        """Ship the invocation's business events, then write its summary line: the one
        record per invocation that carries its metrics (see docs/log-schema.md). ``key``:
        the fields from ``status`` to ``instance_id``; ``own``: the ``Answer``'s fields."""
        shipped = None
        if isinstance(events, EventBuffer) and (events.events or events.dropped):
            shipped = self.shipper.ship(events, ctx, self.algorithm_name)
        duration_ms = (time.perf_counter() - started) * 1000
        # After duration_ms, the runtime's fields repeat from one invocation to the next:
        # their encoding is kept per combination of values (a third of the cost of the line).
        fields: dict[str, Any] = {}
        if metrics.values:
            fields["metrics"] = metrics.values
        if shipped is not None:
            fields["shipped_events"] = shipped.sent
            fields["ship_ms"] = shipped.duration_ms
        if own:
            if not own.keys().isdisjoint(_SUMMARY_FIELDS):
                # A subclass overrides a field of the runtime: the value changes in place.
                fixed = {
                    "event": "invocation",
                    "duration_ms": round(duration_ms, 3),
                    **_outcome_fields(key, self.algorithm_name),
                }
                logs.emit(log, level, message or "invocation finished", {**fixed, **fields, **own})
                return
            fields.update(own)
        encoded = self._encoded_outcomes.get(key)
        if encoded is None:
            if len(self._encoded_outcomes) >= 256:  # operations and error codes are few; stay small
                self._encoded_outcomes.clear()
            encoded = logs.encode_fields(_outcome_fields(key, self.algorithm_name))
            self._encoded_outcomes[key] = encoded
        # ".3f" is the JSON of the duration rounded to the microsecond, and costs a third
        # of round() then repr(), per invocation.
        encoded = f'"event":"invocation","duration_ms":{duration_ms:.3f},{encoded}'
        logs.emit(log, level, message or "invocation finished", fields, encoded=encoded)


_SUMMARY_FIELDS = frozenset(
    {"event", "duration_ms", "status", "trigger", "algorithm", "operation", "error_code", "retry_count"}
    | {"instance_id", "metrics", "shipped_events", "ship_ms"}
)
# status, trigger, operation, error_code, retry_count, instance_id
_SummaryKey = tuple[int, str, str, str, int, str]


def _outcome_fields(key: _SummaryKey, algorithm: str) -> dict[str, Any]:
    """The summary fields from ``status`` to ``instance_id`` (see ``FunctionRuntime._finish``)."""
    status, trigger, operation, error_code, retry_count, instance_id = key
    fields: dict[str, Any] = {"status": status, "trigger": trigger, "algorithm": algorithm, "operation": operation}
    if error_code:
        fields["error_code"] = error_code
    if retry_count:
        fields["retry_count"] = retry_count
    if instance_id:
        fields["instance_id"] = instance_id
    return fields


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
