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
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from localfc.fc.api import code_upload
from localfc.fc.api.control_routes import ControlApi
from localfc.fc.api.errors import ApiError
from localfc.fc.api.router import MAX_SYNC_PAYLOAD, PREFIX, OpenApi
from localfc.fc.api_docs import DOCS_PREFIX, ApiDocs
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
from localfc.fc.signature import ReplayGuard, SignatureError, verify
from localfc.fc.state import StateDir
from localfc.fc.triggers.http import HttpRoutes, build_event, method_not_allowed, to_response
from localfc.fc.triggers.oss import OssEventRouter, oss_triggers
from localfc.fc.triggers.timers import TimerScheduler, timer_triggers
from localfc.fc.wire import Request, Response
from localfc.project.package.layer_specs import parse_layer_arn
from localfc.services.http_server import RAW_HEADERS, HttpServer, ServerLimits
from runtime import constants

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from localfc.fc.qualifiers import Resolved
    from localfc.fc.triggers.http import HttpRoute
    from localfc.project.syaml.model import AsyncInvokeConfig, Project

log = logging.getLogger("localfc.fc")

MAX_REQUEST_BODY = MAX_SYNC_PAYLOAD
# What the FC port answers for requests it cannot read (UNCONFIRMED: FC's gateway answers these
# itself, in a format it does not document; ours is FC's API error shape).
_PROTOCOL_ERRORS = {
    400: (400, "BadRequest"),
    408: (408, "RequestTimeout"),
    413: (400, "EntityTooLarge"),  # what FC answers for a payload over its limit
    431: (431, "RequestHeaderFieldsTooLarge"),
    501: (501, "NotImplemented"),
}


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
        self.docs = ApiDocs(project, base_url=lambda: self.url)
        self._oss_router: OssEventRouter | None = None
        self.oss: Any = None
        self.sls: Any = None
        self.scheduler: TimerScheduler | None = None
        self.watcher = CodeWatcher()
        self.notes: list[str] = []  # problems found at start (bad cron, no OSS package…)
        self._server: HttpServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._in_flight = 0
        self._in_flight_cond = threading.Condition()
        self._secrets = self._accepted_keys()
        self._replays = ReplayGuard()

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> LocalFC:
        extra_env: dict[str, str] = {}
        if self.options.run_oss:
            self._start_oss(extra_env)
        if self.options.run_sls:
            self._start_sls(extra_env)
        self.invoker.extra_env.update(extra_env)
        limits = self.options.http_limits or ServerLimits(max_body_bytes=MAX_REQUEST_BODY)
        self._server = HttpServer(
            self.wsgi, port=self.options.port, limits=limits, name="fc", errors=_error_page, server_header="LocalFC"
        )
        self._server.start()
        if self.options.reload_interval_s > 0:
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
        if self.options.debug_function:
            # The instance starts now and waits for the IDE, before any request arrives.
            resolved = self.invoker.resolve(self.options.debug_function, "LATEST")
            self.invoker.pool_for(resolved).prestart()
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
        try:
            self.oss.start()
        except ValueError as exc:  # a trigger's bucket OSS would refuse (`validate` says so too)
            self.notes.append(f"local OSS not started: {exc}")
            self.oss = None
            return
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
            server.shutdown()  # no new connections; requests being served go on, then close
        deadline = time.monotonic() + drain_s
        with self._in_flight_cond:
            while self._in_flight and time.monotonic() < deadline:
                self._in_flight_cond.wait(max(0.0, deadline - time.monotonic()))
        if self.scheduler is not None:
            self.scheduler.stop()
        self.watcher.close()
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
            server.stop()
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
        return self._server.port

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
    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The HTTP server's entry: the request as received (raw target, raw headers)."""
        path, _, query = environ["RAW_URI"].partition("?")
        request = Request(
            method=environ["REQUEST_METHOD"],
            path=path,
            query_string=query,
            headers=list(environ[RAW_HEADERS]),
            body=environ["wsgi.input"].read(),
            source_ip=environ["REMOTE_ADDR"],
        )
        response = self.handle(request)
        headers = [
            (name, _wire_text(item))
            for name, value in response.headers.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} ", headers)
        return [response.body]

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
            return self._route(request, request_id)
        except ApiError as exc:
            return exc.to_response(request_id)
        except Exception:
            log.exception("request %s %s failed (request id %s)", request.method, request.path, request_id)
            error = ApiError(500, "InternalError", "internal error in the local FC; see the serve output")
            return error.to_response(request_id)

    def _route(self, request: Request, request_id: str) -> Response:
        """Which part of the local FC answers: the API, the docs, the code-upload token, the
        index, or an HTTP trigger (the rest of the paths)."""
        if request.path.startswith(PREFIX):
            return self.api.handle(request)
        if request.path.startswith(DOCS_PREFIX):
            return self.docs.handle(request)
        if request.path.startswith(code_upload.PREFIX):
            return code_upload.temp_bucket_token(request, request_id, oss_running=self.oss is not None)
        if request.path in ("", "/"):
            return _json_response(200, self.index(), request_id)
        matched = self.routes.match(request.path)
        if matched is None:
            raise self._no_route(request.path)
        return self._http_trigger(request, *matched)

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
                query=request.query_pairs(),  # every value the function will see
                headers=request.headers,
                body=request.body,
                secrets=self._secrets,
                replays=self._replays,
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
            "docs": f"{self.url}{DOCS_PREFIX}",
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


def _wire_text(value: str) -> str:
    """A header value as WSGI carries it: its UTF-8 bytes as latin-1 text (what FC's Go
    gateway sends for a non-ASCII value a function set)."""
    return value if value.isascii() else value.encode("utf-8", "replace").decode("latin-1")


def _error_page(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """FC's error document for a request the HTTP server refused (bad framing, too big, too slow)."""
    status, code = _PROTOCOL_ERRORS.get(status, (status, "InternalError" if status >= 500 else "BadRequest"))
    response = ApiError(status, code, message).to_response(str(uuid.uuid4()))
    headers = [(k, v) for k, v in response.headers.items() if isinstance(v, str)]
    return response.status, headers, response.body
