"""``LocalFC``: the whole s.yaml on 127.0.0.1 — one HTTP port for the HTTP triggers and the FC
API, the local OSS firing OSS triggers, timers, async queues, and the instance pools.

    with LocalFC(load_project("s.yaml"), ServeOptions(port=0)) as fc:
        requests.post(fc.url + "/prime-checker/check", json={"number": 97})
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from localfc.fc.api import code_upload, errors
from localfc.fc.api.control_routes import ControlApi
from localfc.fc.api.errors import ApiError, as_api_error
from localfc.fc.api.router import MAX_SYNC_PAYLOAD, PREFIX, OpenApi
from localfc.fc.async_queue import AsyncQueues, applicable_config
from localfc.fc.code_watch import CodeWatcher
from localfc.fc.console import Console
from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, LOCAL_ACCOUNT_ID, credentials_from_env
from localfc.fc.deployments import Catalog, ControlPlane, DeploymentStore
from localfc.fc.deployments.launch import is_deployed
from localfc.fc.instances.logs import InstanceLogs
from localfc.fc.instances.pool import PoolClosedError, ThrottledError
from localfc.fc.invocations import Invoker
from localfc.fc.layers import LayerStore
from localfc.fc.options import HOST, ServeOptions
from localfc.fc.package_sources import PackageSources
from localfc.fc.qualifiers import make_resolver
from localfc.fc.signature import SignatureError, verify
from localfc.fc.state import StateDir
from localfc.fc.triggers.http import HttpRoutes, build_event, method_not_allowed, to_response
from localfc.fc.triggers.oss import OssEventRouter, oss_triggers
from localfc.fc.triggers.timers import TimerScheduler, timer_triggers
from localfc.fc.wire import Request, Response
from localfc.project.package.layer_specs import parse_layer_arn
from runtime import constants

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from localfc.fc.qualifiers import Resolved
    from localfc.fc.triggers.http import HttpRoute
    from localfc.project.syaml.model import AsyncInvokeConfig, Project

log = logging.getLogger("localfc.fc")

# An HTTP event wraps the body in JSON (and base64 grows it by a third): read a bit more.
MAX_REQUEST_BODY = MAX_SYNC_PAYLOAD


class LocalFC:
    """The local Function Compute for one project; see ``docs/local-fc.md``."""

    def __init__(self, project: Project, options: ServeOptions | None = None) -> None:
        self.options = options or ServeOptions()
        self.state = StateDir.for_project(project.path, self.options.state_dir)
        # s.yaml overlaid with what the API deployed: ``self.project`` is what serve runs.
        self.catalog = Catalog(project, DeploymentStore(self.state.functions))
        self.project = project = self.catalog.view
        self.console = Console(self.options.console)
        self.logs = InstanceLogs(self.state.logs)
        self.resolver, versions_api = make_resolver(self.state.root, project)
        self.routes = HttpRoutes(project)
        self.oss_triggers = oss_triggers(project)
        self.timers = timer_triggers(project)
        self.layers = LayerStore(self.state.layers, region=self.catalog.region, account_id=LOCAL_ACCOUNT_ID)
        self.invoker = Invoker(self.resolver, self.logs, self.options, self.console, instance_cap=self._instance_cap)
        self.invoker.sources = PackageSources(
            project, self.state.root, self.options.code_from, self.layers, note=self.console.note
        )
        self.queues = AsyncQueues(self.invoker, self.options, self.console, async_config=self._async_config)
        self.control = ControlPlane(
            self.catalog,
            read_object=None,  # set when the local OSS starts
            check_qualifier=self._check_qualifier,
            versions_dir=lambda name: self.state.root / "versions" / name,
            on_change=self._deployed,
        )
        control_api = ControlApi(
            self.catalog,
            self.control,
            resolve=self.invoker.resolve,
            http_url=self._http_url,
            layer_size=self._layer_size,
        )
        self.api = OpenApi(
            project,
            invoker=self.invoker,
            queues=self.queues,
            control_api=control_api,
            versions_api=versions_api,
            layers=self.layers,
        )
        self._oss_router: OssEventRouter | None = None
        self.oss: Any = None
        self.sls: Any = None
        self.scheduler: TimerScheduler | None = None
        self.watcher = CodeWatcher()
        self.notes: list[str] = []  # problems found at start (bad cron, no OSS package…)
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._in_flight = 0
        self._in_flight_cond = threading.Condition()
        self._secrets = self._accepted_keys()

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> LocalFC:
        extra_env: dict[str, str] = {}
        if self.options.run_oss:
            self._start_oss(extra_env)
        if self.options.run_sls:
            self._start_sls(extra_env)
        self.invoker.extra_env.update(extra_env)
        self._server = _Server((HOST, self.options.port), _Handler)
        self._server.app = self
        self._spawn(self._server.serve_forever, "fc-http")
        for _, props in self.project.functions():
            if not is_deployed(props):  # an unpacked zip never changes
                self.watcher.watch(self.project.code_dir(props))
        self._collect_code(removed_too=True)
        self.notes.extend(self.catalog.notes)
        self._spawn(self._housekeeping, "fc-housekeeping")
        for timer in self.timers:
            if timer.error:
                self.notes.append(f"timer {timer.function_name}/{timer.trigger_name}: {timer.error} (not scheduled)")
        if self.options.run_timers:
            self.scheduler = TimerScheduler(self.timers, self.queues, self.console)
            self.scheduler.start()
        self._announce()
        return self

    def _announce(self) -> None:
        """Write ``<state>/serve.json`` so other tools (``release``) find this server."""
        doc = {
            "endpoint": f"{HOST}:{self.port}",
            "url": self.url,
            "host": HOST,
            "port": self.port,
            "oss_endpoint": self.oss_endpoint,
            "sls_endpoint": self.sls_endpoint,
            "s_yaml": str(self.project.path),
            "pid": os.getpid(),
        }
        try:
            self.state.root.mkdir(parents=True, exist_ok=True)
            temporary = self.state.announcement.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(doc, indent=1), encoding="utf-8")
            temporary.replace(self.state.announcement)
        except OSError as exc:
            self.notes.append(f"cannot write {self.state.announcement}: {exc.strerror or exc}")

    def _withdraw(self) -> None:
        try:
            doc = json.loads(self.state.announcement.read_text(encoding="utf-8"))
            if doc.get("pid") == os.getpid() and doc.get("port") == self.port:
                self.state.announcement.unlink()
        except (OSError, ValueError, AttributeError):
            pass

    def _start_oss(self, extra_env: dict[str, str]) -> None:
        try:
            from localfc.services.oss import OssServer  # noqa: PLC0415 - moto costs ~0.5 s; --no-oss skips it
        except ImportError as exc:
            self.notes.append(f"local OSS not available ({exc}); OSS triggers will not fire")
            return
        router = self._oss_router = OssEventRouter(self.oss_triggers, self.queues, self.console)
        buckets = sorted({t.bucket for t in self.oss_triggers if t.bucket} | {code_upload.CODE_BUCKET})
        self.oss = OssServer(self.options.oss_port, buckets=buckets, on_event=router, region=self.catalog.region)
        self.oss.start()
        self.control.read_object = _read_local_object
        extra_env[_env_name("APP_OSS_ENDPOINT")] = self.oss.endpoint

    def _start_sls(self, extra_env: dict[str, str]) -> None:
        try:
            from localfc.services.sls import SlsReceiver  # noqa: PLC0415 - optional, loads the SLS protobuf classes
        except ImportError:
            return
        self.sls = SlsReceiver(HOST, port=0, store_dir=self.state.root / "sls")
        self.sls.start()
        extra_env[_env_name("APP_SLS_ENDPOINT")] = self.sls.endpoint

    def stop(self, drain_s: float = 30.0) -> None:
        """Stop accepting work, let in-flight calls finish (up to ``drain_s``), run preStop,
        stop everything. Safe to call twice."""
        if self._stop.is_set():
            return
        self._stop.set()
        server = self._server
        if server is not None:
            self._withdraw()
            server.shutdown()  # no new connections; requests being served go on
        deadline = time.monotonic() + drain_s
        with self._in_flight_cond:
            while self._in_flight and time.monotonic() < deadline:
                self._in_flight_cond.wait(max(0.0, deadline - time.monotonic()))
        if self.scheduler is not None:
            self.scheduler.stop()
        dropped = self.queues.close(max(0.0, deadline - time.monotonic()))
        if dropped:
            self.console.note(f"{dropped} queued async invocation(s) dropped")
        self.invoker.close()
        if self.oss is not None:
            with contextlib.suppress(Exception):
                self.oss.stop()
        if self.sls is not None:
            with contextlib.suppress(Exception):
                self.sls.stop()
        if server is not None:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self.logs.close()

    def __enter__(self) -> LocalFC:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalFC is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def oss_endpoint(self) -> str:
        return str(self.oss.endpoint) if self.oss is not None else ""

    @property
    def sls_endpoint(self) -> str:
        return str(self.sls.endpoint) if self.sls is not None else ""

    # --- deployments ----------------------------------------------------------------
    def _deployed(self, name: str) -> None:
        """Re-wire serve after the control plane changed ``name``: routes, OSS triggers and
        timers are rebuilt from the new view; instances of the old code drain and stop."""
        view = self.catalog.view
        self.project = self.api.project = view
        self.resolver.project = view
        self.routes = HttpRoutes(view)
        self.oss_triggers = oss_triggers(view)
        if self._oss_router is not None and self.oss is not None:
            for bucket in {t.bucket for t in self.oss_triggers if t.bucket}:
                self.oss.create_bucket(bucket)
            self._oss_router.triggers = self.oss_triggers
        self.timers = timer_triggers(view)
        if self.scheduler is not None:
            self.scheduler.replace(self.timers)
        retired = self.invoker.function_changed(name)
        action = "deployed" if self.catalog.record(name) is not None else "removed"
        drained = f"; instances of {', '.join(retired)} finish their calls and stop" if retired else ""
        self.console.note(f"{name}: {action} through the FC API{drained}")

    def _check_qualifier(self, name: str, qualifier: str) -> None:
        self.invoker.resolve(name, qualifier)  # FC's 404 for a version or alias that does not exist

    def _instance_cap(self, name: str) -> int | None:
        record = self.catalog.records.get(name)
        return record.reservedConcurrency if record is not None and not record.removed else None

    def _async_config(self, resolved: Resolved) -> AsyncInvokeConfig | None:
        name = resolved.props.functionName
        if not self.catalog.is_deployed(name):
            return applicable_config(resolved)
        return self.catalog.async_config(name, resolved.qualifier)

    def _http_url(self, function_name: str, trigger_name: str) -> str:
        for route in self.routes.routes:
            if route.function_name == function_name and route.trigger_name == trigger_name:
                return self.url + route.prefix
        return ""

    def _layer_size(self, arn: str) -> int | None:
        parsed = parse_layer_arn(arn)
        path = self.layers.zip_path(parsed.name, parsed.version) if parsed is not None else None
        return path.stat().st_size if path is not None else None

    def _collect_code(self, *, removed_too: bool) -> None:
        """Delete code packages and removed functions no instance runs from any more."""
        try:
            self.catalog.store.collect(
                self.catalog.records, self.invoker.code_dirs() | self.catalog.code_dirs(), removed_too=removed_too
            )
        except OSError as exc:
            log.warning("cleaning %s failed: %s", self.catalog.store.root, exc)

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _housekeeping(self) -> None:
        interval = max(0.01, self.options.housekeeping_interval_s)
        reload_s = self.options.reload_interval_s
        next_code_check = time.monotonic() + reload_s
        while not self._stop.wait(interval):
            now = time.monotonic()
            try:
                if self.invoker.tick(now):
                    self._collect_code(removed_too=not self.invoker.retiring)
                if reload_s > 0 and now >= next_code_check:
                    next_code_check = now + reload_s
                    for code_dir in self.watcher.changed():
                        names = self.invoker.code_changed(code_dir)
                        if names:
                            self.console.note(
                                f"code changed in {code_dir}: new instances for LATEST of {', '.join(names)}"
                            )
            except Exception:
                log.exception("housekeeping failed")

    def _accepted_keys(self) -> dict[str, str]:
        keys = {FAKE_ACCESS_KEY_ID: FAKE_ACCESS_KEY_SECRET}
        env = credentials_from_env()
        keys[env.access_key_id] = env.access_key_secret
        keys.update(self.options.access_keys)
        return keys

    # --- requests -------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one HTTP request (the HTTP server calls this from its threads)."""
        with self._in_flight_cond:
            self._in_flight += 1
        try:
            return self._dispatch(request)
        finally:
            with self._in_flight_cond:
                self._in_flight -= 1
                self._in_flight_cond.notify_all()

    def _dispatch(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            if request.path.startswith(PREFIX):
                return self.api.handle(request)
            if request.path.startswith(code_upload.PREFIX):
                return code_upload.temp_bucket_token(request, request_id, oss_running=self.oss is not None)
            if request.path in ("", "/"):
                return _json_response(200, self.index(), request_id)
            matched = self.routes.match(request.path)
            if matched is None:
                raise self._no_route(request.path)
            return self._http_trigger(request, *matched)
        except Exception as exc:
            error = as_api_error(exc)
            if error is None:
                log.exception("request %s %s failed (request id %s)", request.method, request.path, request_id)
                error = ApiError(500, "InternalError", "internal error in the local FC; see the serve output")
            return error.to_response(request_id)

    def _no_route(self, path: str) -> ApiError:
        segment = path.lstrip("/").split("/", 1)[0].split("@", 1)[0]
        try:
            _, props = self.project.function(segment)
        except LookupError:
            return ApiError(404, "FunctionNotFound", f"no function and no HTTP trigger at {path!r}; GET / lists them")
        return ApiError(
            404, "TriggerNotFound", f"function {props.functionName} has no such HTTP trigger; GET / lists them"
        )

    def _http_trigger(self, request: Request, route: HttpRoute, raw_path: str) -> Response:
        request_id = str(uuid.uuid4())
        if not route.allows(request.method):
            raise method_not_allowed(route, request.method)
        self._check_auth(request, route, raw_path)
        event = build_event(request, route, raw_path, request_id)
        try:
            invocation = self.invoker.invoke(
                route.function_name, event, qualifier=route.qualifier, trigger="http", request_id=request_id
            )
        except ThrottledError as exc:
            raise ApiError(429, "ResourceExhausted", str(exc)) from None
        except PoolClosedError:
            raise ApiError(503, "ServiceUnavailable", "the local FC is shutting down") from None
        response = to_response(invocation)
        detail = f"{request.method} {raw_path}"
        if not invocation.ok:
            detail += f"  {invocation.outcome.error_message[:120]}"
        self.invoker.report(invocation, str(response.status), detail)
        return response

    def _check_auth(self, request: Request, route: HttpRoute, raw_path: str) -> None:
        if route.auth_type == "anonymous":
            return
        if route.auth_type == "jwt":
            # JWT verification needs the trigger's JWKS: not emulated, but a token is required.
            if not request.header("Authorization").lower().startswith("bearer "):
                raise ApiError(401, "Unauthorized", "this trigger uses jwt auth: send Authorization: Bearer <token>")
            return
        try:
            verify(
                method=request.method,
                paths=(request.path, raw_path),
                query=request.query(),
                headers=request.headers,
                body=request.body,
                secrets=self._secrets,
            )
        except SignatureError as exc:
            raise ApiError(403, exc.code, exc.message) from None

    def index(self) -> dict[str, Any]:
        """What ``GET /`` answers: every endpoint of this serve run."""
        return {
            "api": f"{self.url}{PREFIX}functions",
            "http": [
                {
                    "function": r.function_name,
                    "trigger": r.trigger_name,
                    "url": self.url + r.prefix + "/",
                    "methods": sorted(r.methods),
                    "authType": r.auth_type,
                    "qualifier": r.qualifier,
                }
                for r in self.routes.routes
            ],
            "oss": self.oss_endpoint,
            "logs": str(self.state.logs),
        }


def _read_local_object(bucket: str, key: str) -> Iterator[bytes] | None:
    """The chunks of an object of the local OSS (same process), or None when absent."""
    from localfc.services.oss import moto_s3  # noqa: PLC0415 - loaded with the local OSS

    found = moto_s3.get_object(bucket, key)
    return None if found is None else found.iter_chunks()


def _env_name(default: str) -> str:
    """The variable name runtime/constants.py gives a local endpoint (one place for names)."""
    return str(getattr(constants, default, default))


def _json_response(status: int, doc: Any, request_id: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "x-fc-request-id": request_id}
    return Response(status, headers, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: LocalFC


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a warm call must not pay a TCP handshake
    server_version = "LocalFC"
    sys_version = ""
    # Headers and body leave in one write (flushed after each request): written separately,
    # Nagle's algorithm and the client's delayed ACK add ~40 ms to every response.
    wbufsize = -1
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ApiError as exc:
            self.close_connection = True
            self._send(exc.to_response(str(uuid.uuid4())), head=False)
            return
        path, _, query = self.path.partition("?")
        request = Request(
            method=self.command,
            path=path,
            query_string=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        response = self.server.app.handle(request)
        self._send(response, head=self.command == "HEAD")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length", "0") or "0"
        if not length_text.isdigit():
            raise errors.invalid_argument("Content-Length is not a number")
        length = int(length_text)
        if length > MAX_REQUEST_BODY:
            raise errors.entity_too_large(MAX_REQUEST_BODY)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise errors.invalid_argument("malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_REQUEST_BODY:
                raise errors.entity_too_large(MAX_REQUEST_BODY)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, item)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the console prints one line per invocation instead
