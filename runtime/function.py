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

from runtime import logs
from runtime.context import InvocationContext
from runtime.errors import FunctionError, InitializationError, InternalError, RetryInvocation
from runtime.events import Event, recognise
from runtime.events.http import response as http_response
from runtime.settings import RuntimeSettings

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
        self._settings: RuntimeSettings | None = settings
        self._ready = False
        self._cold = True
        self._setup_lock = threading.Lock()

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
            self._settings = RuntimeSettings.from_env()
            logs.configure(self._settings.log_level)
        return self._settings

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
        with logs.scope(self._scope_fields(ctx), self._secrets(ctx)):
            try:
                self._ensure_ready()
                parsed = recognise(event, settings.max_body_bytes)
                summary.trigger = parsed.kind
                result = self.handle(parsed, ctx, summary)
            except RetryInvocation as exc:
                summary.status, summary.error_code = 503, "RetryInvocation"
                self._log_summary(summary, started, ctx, level=logging.ERROR, message=str(exc))
                self._cold = False
                raise
            except FunctionError as exc:
                result = self._failed(exc, parsed, event, ctx, summary)
            except Exception:
                log.exception("unexpected error in %s", self.algorithm_name)
                result = self._failed(InternalError(), parsed, event, ctx, summary)
            self._log_summary(summary, started, ctx)
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

    @staticmethod
    def _secrets(ctx: InvocationContext) -> tuple[str, ...]:
        return ctx.credentials.secrets() if ctx.credentials is not None else ()

    def _log_summary(
        self, summary: Summary, started: float, ctx: InvocationContext, level: int = logging.INFO, message: str = ""
    ) -> None:
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
        fields.update(summary.fields)
        log.log(level, message or "invocation finished", extra=fields)


def json_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _looks_like_http(raw: bytes) -> bool:
    """Guess the trigger of an event too broken or too big to parse (only to shape the error)."""
    if not isinstance(raw, (bytes, bytearray)):
        return False
    return b'"requestContext"' in raw[:8192] or b'"requestContext"' in raw[-8192:]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
