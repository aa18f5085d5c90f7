"""Direct shipping of business and audit events to a logstore, with aliyun-log-python-sdk.

FC already sends stdout to the function's logstore; this is for events that belong
elsewhere (an audit trail, business records kept longer or read by other teams). The
events an invocation emits through ``algorithms.business_events.emit`` are buffered and
sent in one ``PutLogs`` at the end of the invocation, signed with the invocation's own STS
credentials. Without ``APP_SHIP_PROJECT`` / ``APP_SHIP_LOGSTORE`` nothing is shipped and
each event becomes a log line instead (``"event":"business"``), so none is lost.

Shipping never fails an invocation and never holds it long: one attempt (the SDK's ten
retries with one-second sleeps are cut short), a timeout of ``APP_SHIP_TIMEOUT_MS``
(default 1000 ms) capped by the time the invocation has left, and a failure becomes a
warning line (``"event":"ship_failed"``) with the reason and the number of events lost.
``aliyun.log`` (~200 ms to import) is imported only when shipping is configured, during
the initializer. It is an optional dependency (every import of it is guarded by ``except
ImportError``): ``local_invoke.py package`` leaves it out of a function's code package, so a
function that ships gets it from a layer (s.yaml ``layers:``); without it, shipping is off and
the events are logged, with one error line that says why.

    # s.yaml environmentVariables
    APP_SHIP_PROJECT: my-audit-project
    APP_SHIP_LOGSTORE: prime-audit
    # APP_SLS_ENDPOINT defaults to https://<region>-intranet.log.aliyuncs.com
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from algorithms.business_events import RESERVED_FIELDS, problem
from runtime import constants, logs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from runtime.context import InvocationContext
    from runtime.credentials import Credentials

#: Events beyond this many in one invocation are dropped (and counted in the warning).
MAX_EVENTS = 1000
DEFAULT_TIMEOUT_MS = 1000
# Below this much time left in the invocation, shipping is skipped rather than risked.
_MIN_REMAINING_MS = 100
MISSING_SDK = (
    "aliyun-log-python-sdk is not in this function's package (an optional dependency);"
    " give the function a layer with it (s.yaml `layers:`)"
)

log = logging.getLogger("runtime.shipping")


class ShippingError(Exception):
    """SLS could not be reached or answered 5xx; raised inside the SDK to stop its retries."""


class ShippingSettings(NamedTuple):
    """Where events go. An explicit argument beats the environment.

    >>> ShippingSettings.from_env({"APP_SHIP_PROJECT": "p", "APP_SHIP_LOGSTORE": "s"}).enabled
    True
    """

    project: str = ""
    logstore: str = ""
    endpoint: str = ""
    topic: str = ""
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    misconfiguration: str = ""  # why shipping is off despite some settings (reported once)

    @property
    def enabled(self) -> bool:
        return bool(self.project and self.logstore) and not self.misconfiguration

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ShippingSettings:
        env = os.environ if environ is None else environ
        project = env.get(constants.APP_SHIP_PROJECT, "").strip()
        logstore = env.get(constants.APP_SHIP_LOGSTORE, "").strip()
        issue = ""
        if bool(project) != bool(logstore):
            issue = f"set both {constants.APP_SHIP_PROJECT} and {constants.APP_SHIP_LOGSTORE} (only one is set)"
        raw_timeout = env.get(constants.APP_SHIP_TIMEOUT_MS, "").strip()
        timeout_ms = DEFAULT_TIMEOUT_MS
        if raw_timeout:
            try:
                timeout_ms = int(raw_timeout)
            except ValueError:
                timeout_ms = 0
            if timeout_ms <= 0:
                issue = f"{constants.APP_SHIP_TIMEOUT_MS}={raw_timeout!r}: expected a positive number of milliseconds"
        endpoint = env.get(constants.APP_SLS_ENDPOINT, "").strip()
        if not endpoint and env.get(constants.FC_REGION):
            endpoint = default_endpoint(env[constants.FC_REGION])
        return cls(
            project=project,
            logstore=logstore,
            endpoint=endpoint,
            topic=env.get(constants.APP_SHIP_TOPIC, "").strip(),
            timeout_ms=timeout_ms if timeout_ms > 0 else DEFAULT_TIMEOUT_MS,
            misconfiguration=issue,
        )


def default_endpoint(region: str) -> str:
    """SLS in the function's own region, over Alibaba Cloud's internal network.

    >>> default_endpoint("cn-hangzhou")
    'https://cn-hangzhou-intranet.log.aliyuncs.com'
    """
    return f"https://{region}-intranet.log.aliyuncs.com"


class ShipResult:
    """What ``Shipper.ship`` did with the events of one invocation (filled in as it goes)."""

    __slots__ = ("duration_ms", "error", "lost", "sent")

    def __init__(self, sent: int = 0, lost: int = 0, duration_ms: float = 0.0, error: str = "") -> None:
        self.sent = sent
        self.lost = lost
        self.duration_ms = duration_ms
        self.error = error


class EventBuffer:
    """The ``algorithms.business_events.Sink`` of one invocation when shipping is on."""

    __slots__ = ("dropped", "events")

    def __init__(self) -> None:
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.dropped = 0

    def emit(self, name: str, fields: dict[str, Any]) -> None:
        checked = _checked(name, fields)
        if checked is None:
            self.dropped += 1
        elif len(self.events) >= MAX_EVENTS:
            self.dropped += 1
            if self.dropped == 1:
                log.warning("more than %d business events in one invocation; the rest are dropped", MAX_EVENTS)
        else:
            self.events.append((time.time(), name, checked))


class LoggedEvents:
    """The sink when shipping is off: each event becomes a log line right away."""

    __slots__ = ()

    def emit(self, name: str, fields: dict[str, Any]) -> None:
        checked = _checked(name, fields)
        if checked is not None:
            # Written whatever APP_LOG_LEVEL says, as a shipped event would be.
            logs.emit(
                log,
                logging.INFO,
                f"business event {name}",
                {"event": "business", "business_event": name, "data": checked},
                always=True,
            )


LOGGED_EVENTS = LoggedEvents()


def _checked(name: str, fields: dict[str, Any]) -> dict[str, Any] | None:
    """The fields to send, or None when the event cannot be sent (a warning says why)."""
    reason = problem(name, {})
    if reason is not None:
        log.warning("business event dropped: %s", reason, extra={"event": "business_event_dropped"})
        return None
    clash = RESERVED_FIELDS.intersection(fields)
    if clash:
        log.warning(
            "business event %s: field(s) %s are set by the runtime; the event's own values are dropped",
            name,
            ", ".join(sorted(clash)),
        )
        return {k: v for k, v in fields.items() if k not in clash}
    return fields


class Shipper:
    """Sends the buffered events of an invocation to the configured logstore.

    One per function instance: it keeps one ``LogClient`` (and its keep-alive connection)
    while the invocation credentials stay the same.

        shipper = Shipper(ShippingSettings(project="p", logstore="audit", endpoint="http://127.0.0.1:8070"))
        result = shipper.ship(buffer, ctx, algorithm="prime_checker")
    """

    def __init__(self, settings: ShippingSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client: Any = None
        self._client_key: tuple[str, ...] = ()
        # Read on every invocation by ``sink``: the two properties behind it, once.
        self._enabled = settings.enabled
        self._unreported_problem = settings.misconfiguration

    @classmethod
    def from_env(cls) -> Shipper:
        return cls(ShippingSettings.from_env())

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def sink(self) -> EventBuffer | LoggedEvents:
        """Where this invocation's events go: a buffer to ship, or the log."""
        if self._unreported_problem:
            problem, self._unreported_problem = self._unreported_problem, ""
            log.error(
                "direct shipping is off: %s; business events go to the function log",
                problem,
                extra={"event": "ship_misconfigured"},
            )
        return EventBuffer() if self._enabled else LOGGED_EVENTS

    def warm(self) -> None:
        """Import the SLS SDK now (in the initializer) rather than in the first request."""
        if self.enabled:
            try:
                import aliyun.log  # noqa: F401, PLC0415 - only functions that ship pay for it
            except ImportError:
                self._enabled = False
                self._unreported_problem = MISSING_SDK

    def ship(self, buffer: EventBuffer, ctx: InvocationContext, algorithm: str) -> ShipResult:
        """Send the events in one PutLogs; never raises. Failures are logged, not raised."""
        started = time.perf_counter()
        result = ShipResult(lost=buffer.dropped)
        if not buffer.events:
            return result
        try:
            error = self._send(buffer.events, ctx, algorithm)
        except ShippingError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or an SDK surprise must not fail the invocation
            error = f"{type(exc).__name__}: {exc}"
        result.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        if error:
            result.lost += len(buffer.events)
            result.error = error
            log.warning(
                "business events not shipped: %s",
                error,
                extra={
                    "event": "ship_failed",
                    "ship_error": error,
                    "events_lost": result.lost,
                    "duration_ms": result.duration_ms,
                },
            )
        else:
            result.sent = len(buffer.events)
        return result

    def _send(self, events: list[tuple[float, str, dict[str, Any]]], ctx: InvocationContext, algorithm: str) -> str:
        settings = self.settings
        credentials = ctx.credentials
        if credentials is None:
            return "no credentials: give the function a role (s.yaml `role`) so that FC passes STS keys"
        endpoint = settings.endpoint or (default_endpoint(ctx.region) if ctx.region else "")
        if not endpoint:
            return f"no SLS endpoint: set {constants.APP_SLS_ENDPOINT}"
        remaining = ctx.remaining_ms()
        timeout_ms = settings.timeout_ms if remaining is None else min(settings.timeout_ms, remaining - 50)
        if timeout_ms < _MIN_REMAINING_MS:
            return f"only {remaining} ms left in the invocation"

        try:
            from aliyun.log import LogException, LogItem, PutLogsRequest  # noqa: PLC0415 - lazy: ~200 ms
        except ImportError:
            raise ShippingError(MISSING_SDK) from None

        # The scope's list also holds the keys FC put in the environment at instance start.
        scope = logs.current_scope()
        secrets = scope.secrets if scope is not None else credentials.secrets()
        common = {
            "request_id": ctx.request_id,
            "function": ctx.function_name,
            "qualifier": ctx.qualifier,
            "version": ctx.version,
            "algorithm": algorithm,
        }
        items = []
        for created, name, fields in events:
            contents = [(key, _text(value)) for key, value in logs.redact(fields, secrets).items()]
            contents += [("event", logs.redact(name, secrets)), *common.items()]
            second = int(created)
            items.append(LogItem(timestamp=second, contents=contents, time_nano_part=int((created - second) * 1e9)))
        request = PutLogsRequest(
            settings.project,
            settings.logstore,
            settings.topic or ctx.function_name,
            ctx.instance_id or "fc",  # always a source: without one the SDK probes the host's IP
            items,
        )
        with self._lock:
            client = self._client_for(endpoint, credentials)
            client.timeout = timeout_ms / 1000
            try:
                client.put_logs(request)
            except LogException as exc:
                return f"SLS refused the events: {exc.get_error_code()}: {exc.get_error_message()}"
            except ShippingError as exc:
                return str(exc)
        return ""

    def _client_for(self, endpoint: str, credentials: Credentials) -> Any:
        key = (endpoint, credentials.access_key_id, credentials.access_key_secret, credentials.security_token)
        if self._client is None or key != self._client_key:
            self._client = _fail_fast_client(endpoint, credentials)
            self._client_key = key
        return self._client


def _fail_fast_client(endpoint: str, credentials: Credentials) -> Any:
    """A LogClient that gives up after one attempt instead of ten with 1 s sleeps.

    The SDK retries inside ``_send`` whenever ``_getHttpResponse`` raises its own
    ``LogException`` for a connection error or answers 5xx; raising another exception
    type from there ends the attempt at once. This relies on two private members of
    aliyun-log-python-sdk (pinned in requirements.txt); tests/functional/test_sls_shipping.py
    fails if a new SDK version changes them.
    """
    try:
        from aliyun.log import LogClient, LogException  # noqa: PLC0415 - lazy: ~200 ms
    except ImportError:
        raise ShippingError(MISSING_SDK) from None

    base: Any = LogClient  # the SDK's stubs do not declare the private method overridden here

    class FailFastLogClient(base):  # type: ignore[misc]
        def _getHttpResponse(
            self, method: str, url: str, params: Any, body: Any, headers: Any
        ) -> tuple[int, bytes, Any]:
            try:
                status, content, response_headers = super()._getHttpResponse(method, url, params, body, headers)
            except LogException as exc:
                raise ShippingError(f"cannot reach SLS at {endpoint}: {exc.get_error_message()}") from None
            if status >= 500:
                raise ShippingError(f"SLS at {endpoint} answered {status}")
            return status, content, response_headers

    client = FailFastLogClient(
        endpoint,
        credentials.access_key_id,
        credentials.access_key_secret,
        credentials.security_token or None,
        source="fc",
    )
    host = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}").hostname or ""
    if _is_ip(host) or host == "localhost":
        # The SDK sends to http://<project>.<host>, which cannot resolve for an IP (a local
        # receiver, a proxy); its own check misses IPs with a port. The project still
        # travels in the Host header.
        client._isRowIp = True
    return client


def _is_ip(host: str) -> bool:
    import ipaddress  # noqa: PLC0415 - 2 ms of every cold start, for a check made once per instance

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _text(value: Any) -> str:
    """PutLogs values are strings: numbers as written, booleans lower-case, the rest JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return logs.encode_json(value)
