"""The FC entry points shared by every kind of function: initialize, handler, pre_stop.

``FunctionRuntime`` owns what does not depend on the algorithm: the context, the log scope,
setup once per instance (retried after a failure, as FC retries a failed initializer),
turning any exception into an error answer, and one summary line per invocation.
Subclasses implement ``handle`` (what to do with a recognised event) and ``error_result``
(how an error looks for that event).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from algorithms import business_events
from algorithms import metrics as algorithm_metrics
from runtime import credentials, logs
from runtime.context import InstanceEnvironment, InvocationContext
from runtime.errors import FunctionError, InitializationError, InternalError, RetryInvocation
from runtime.events import Event, recognise
from runtime.events.http import response as http_response
from runtime.metrics import InvocationMetrics
from runtime.settings import RuntimeSettings
from runtime.shipping import EventBuffer, LoggedEvents, Shipper

log = logging.getLogger("runtime")


class Summary:
    """What one invocation did; becomes the fields of its summary log line."""

    __slots__ = ("error_code", "fields", "operation", "status", "trigger")

    def __init__(self) -> None:
        self.status = 200
        self.trigger = "unknown"
        self.operation = ""
        self.error_code = ""
        self.fields: dict[str, Any] = {}


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
        self._encoded_outcomes: dict[_Outcome, str] = {}

    # --- subclass hooks -------------------------------------------------------------
    def setup(self) -> None:
        """One-time work of the algorithm (called under a lock, retried after failure)."""

    def teardown(self) -> None:
        """Release what setup acquired."""

    def handle(self, event: Event, ctx: InvocationContext, summary: Summary) -> Any:
        raise NotImplementedError

    def error_result(self, error: FunctionError, event: Event | None, raw: bytes, ctx: InvocationContext) -> Any:
        """The answer for a failed invocation; HTTP events get FC's struct, others JSON."""
        body = error.to_body(ctx.request_id)
        is_http = event.kind == "http" if event is not None else _looks_like_http(raw)
        if is_http:
            headers = (
                {"Allow": ", ".join(error.details["allowed"])}
                if error.status == 405 and isinstance(error.details, dict)
                else None
            )
            return http_response(error.status, body, headers)
        return json_text(body)

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
        summary = Summary()
        metrics = InvocationMetrics()
        events = self.shipper.sink()
        # The log scope, metrics recorder and event sink of the invocation, bound with
        # set/reset rather than three context managers: a third of the cost, per invocation.
        scope_token = logs.SCOPE.set(self._log_scope(ctx))
        metrics_token = algorithm_metrics.RECORDER.set(metrics)
        events_token = business_events.SINK.set(events)
        try:
            result = self._answer(event, ctx, summary, max_body_bytes)
        except RetryInvocation as exc:
            summary.status, summary.error_code = 503, "RetryInvocation"
            self._finish(summary, started, ctx, metrics=metrics, events=events, level=logging.ERROR, message=str(exc))
            raise
        else:
            self._finish(summary, started, ctx, metrics=metrics, events=events)
        finally:
            self._cold = False
            business_events.SINK.reset(events_token)
            algorithm_metrics.RECORDER.reset(metrics_token)
            logs.SCOPE.reset(scope_token)
        return result

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

    def _answer(self, event: bytes, ctx: InvocationContext, summary: Summary, max_body_bytes: int) -> Any:
        """The algorithm's answer to ``event``, or the error's; only ``RetryInvocation`` escapes."""
        parsed: Event | None = None
        try:
            self._ensure_ready()
            parsed = recognise(event, max_body_bytes)
            summary.trigger = parsed.kind
            return self.handle(parsed, ctx, summary)
        except RetryInvocation:
            raise
        except FunctionError as exc:
            return self._failed(exc, parsed, event, ctx, summary)
        except Exception:
            log.exception("unexpected error in %s", self.algorithm_name)
            return self._failed(InternalError(), parsed, event, ctx, summary)

    def _failed(
        self, error: FunctionError, parsed: Event | None, raw: bytes, ctx: InvocationContext, summary: Summary
    ) -> Any:
        summary.status, summary.error_code = error.status, error.code
        scope = logs.current_scope()
        if scope is not None and scope.secrets:
            # An algorithm may quote a credential in a message meant for the caller.
            error.message = logs.redact(error.message, scope.secrets)
            error.details = logs.redact(error.details, scope.secrets)
        if error.status < 500:
            log.warning("request rejected: %s", error.message, extra={"error_code": error.code})
        return self.error_result(error, parsed, raw, ctx)

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
        summary: Summary,
        started: float,
        ctx: InvocationContext,
        *,
        metrics: InvocationMetrics,
        events: EventBuffer | LoggedEvents,
        level: int = logging.INFO,
        message: str = "",
    ) -> None:
        """Ship the invocation's business events, then write its summary line: the one
        record per invocation that carries its metrics (see docs/log-schema.md)."""
        shipped = None
        if isinstance(events, EventBuffer) and (events.events or events.dropped):
            shipped = self.shipper.ship(events, ctx, self.algorithm_name)
        duration_ms = (time.perf_counter() - started) * 1000
        # After duration_ms, the runtime's fields repeat from one invocation to the next:
        # their encoding is kept per combination of values (a third of the cost of the line).
        outcome = (
            summary.status,
            summary.trigger,
            summary.operation,
            summary.error_code,
            ctx.retry_count,
            ctx.instance_id,
        )
        fields: dict[str, Any] = {}
        if metrics.values:
            fields["metrics"] = metrics.values
        if shipped is not None:
            fields["shipped_events"] = shipped.sent
            fields["ship_ms"] = shipped.duration_ms
        if summary.fields:
            if not summary.fields.keys().isdisjoint(_SUMMARY_FIELDS):
                # A subclass overrides a field of the runtime: the value changes in place.
                fixed = {
                    "event": "invocation",
                    "duration_ms": round(duration_ms, 3),
                    **_outcome_fields(outcome, self.algorithm_name),
                }
                logs.emit(log, level, message or "invocation finished", {**fixed, **fields, **summary.fields})
                return
            fields.update(summary.fields)
        encoded = self._encoded_outcomes.get(outcome)
        if encoded is None:
            if len(self._encoded_outcomes) >= 256:  # operations and error codes are few; stay small
                self._encoded_outcomes.clear()
            encoded = logs.encode_fields(_outcome_fields(outcome, self.algorithm_name))
            self._encoded_outcomes[outcome] = encoded
        # ".3f" is the JSON of the duration rounded to the microsecond, and costs a third
        # of round() then repr(), per invocation.
        encoded = f'"event":"invocation","duration_ms":{duration_ms:.3f},{encoded}'
        logs.emit(log, level, message or "invocation finished", fields, encoded=encoded)


_SUMMARY_FIELDS = frozenset(
    {"event", "duration_ms", "status", "trigger", "algorithm", "operation", "error_code", "retry_count"}
    | {"instance_id", "metrics", "shipped_events", "ship_ms"}
)
_Outcome = tuple[int, str, str, str, int, str]


def _outcome_fields(outcome: _Outcome, algorithm: str) -> dict[str, Any]:
    """The summary fields from ``status`` to ``instance_id`` (see ``FunctionRuntime._finish``)."""
    status, trigger, operation, error_code, retry_count, instance_id = outcome
    fields: dict[str, Any] = {"status": status, "trigger": trigger, "algorithm": algorithm, "operation": operation}
    if error_code:
        fields["error_code"] = error_code
    if retry_count:
        fields["retry_count"] = retry_count
    if instance_id:
        fields["instance_id"] = instance_id
    return fields


def json_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _looks_like_http(raw: bytes) -> bool:
    """Guess the trigger of an event too broken or too big to parse (only to shape the error)."""
    if not isinstance(raw, (bytes, bytearray)):
        return False
    return b'"requestContext"' in raw[:8192] or b'"requestContext"' in raw[-8192:]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
