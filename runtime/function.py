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
from runtime.context import InvocationContext
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
        self._ready = False
        self._cold = True
        self._setup_lock = threading.Lock()
        self._shipper: Shipper | None = None

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
    def shipper(self) -> Shipper:
        """Direct shipping of business events, configured from the environment once."""
        if self._shipper is None:
            self._shipper = Shipper.from_env()
        return self._shipper

    def initialize(self, context: Any) -> None:
        """FC initializer: run setup once for this instance; a failure fails the invocation."""
        ctx = InvocationContext.from_fc(context)
        settings = self.settings
        logs.configure(settings.log_level)
        with logs.scope(self._scope_fields(ctx, phase="initialize"), self._secrets(ctx)):
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
        settings = self.settings
        ctx = InvocationContext.from_fc(context)
        summary = Summary()
        parsed: Event | None = None
        metrics = InvocationMetrics()
        events = self.shipper.sink()
        with (
            logs.scope(self._scope_fields(ctx), self._secrets(ctx)),
            algorithm_metrics.binding(metrics),
            business_events.binding(events),
        ):
            try:
                self._ensure_ready()
                parsed = recognise(event, settings.max_body_bytes)
                summary.trigger = parsed.kind
                result = self.handle(parsed, ctx, summary)
            except RetryInvocation as exc:
                summary.status, summary.error_code = 503, "RetryInvocation"
                self._finish(
                    summary, started, ctx, metrics=metrics, events=events, level=logging.ERROR, message=str(exc)
                )
                self._cold = False
                raise
            except FunctionError as exc:
                result = self._failed(exc, parsed, event, ctx, summary)
            except Exception:
                log.exception("unexpected error in %s", self.algorithm_name)
                result = self._failed(InternalError(), parsed, event, ctx, summary)
            self._finish(summary, started, ctx, metrics=metrics, events=events)
        self._cold = False
        return result

    def pre_stop(self, context: Any) -> None:
        """FC preStop: release resources before the instance is destroyed."""
        ctx = InvocationContext.from_fc(context)
        with logs.scope(self._scope_fields(ctx, phase="pre_stop"), self._secrets(ctx)):
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

    def _scope_fields(self, ctx: InvocationContext, phase: str = "") -> dict[str, Any]:
        fields: dict[str, Any] = {
            "request_id": ctx.request_id,
            "function": ctx.function_name,
            "qualifier": ctx.qualifier,
            "version": ctx.version,
            "cold_start": self._cold,
        }
        if phase:
            fields["phase"] = phase
        return fields

    def _secrets(self, ctx: InvocationContext) -> tuple[str, ...]:
        """The invocation's keys plus those FC put in ``ALIBABA_CLOUD_*`` at instance start
        (on python3.9/3.10 the two differ once the STS token is refreshed). The environment
        does not change during an instance's life, so it is read once."""
        if self._environment_secrets is None:
            from_env = credentials.from_environment()
            self._environment_secrets = from_env.secrets() if from_env is not None else ()
        own = ctx.credentials.secrets() if ctx.credentials is not None else ()
        return own if own == self._environment_secrets else own + self._environment_secrets

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
        fields: dict[str, Any] = {
            "event": "invocation",
            "duration_ms": _ms(started),
            "status": summary.status,
            "trigger": summary.trigger,
            "algorithm": self.algorithm_name,
            "operation": summary.operation,
        }
        if summary.error_code:
            fields["error_code"] = summary.error_code
        if ctx.retry_count:
            fields["retry_count"] = ctx.retry_count
        if ctx.instance_id:
            fields["instance_id"] = ctx.instance_id
        if metrics.values:
            fields["metrics"] = metrics.values
        if shipped is not None:
            fields["shipped_events"] = shipped.sent
            fields["ship_ms"] = shipped.duration_ms
        fields.update(summary.fields)
        logs.emit(log, level, message or "invocation finished", fields)


def json_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _looks_like_http(raw: bytes) -> bool:
    """Guess the trigger of an event too broken or too big to parse (only to shape the error)."""
    if not isinstance(raw, (bytes, bytearray)):
        return False
    return b'"requestContext"' in raw[:8192] or b'"requestContext"' in raw[-8192:]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
