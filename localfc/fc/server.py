"""``LocalFC``: the whole s.yaml on 127.0.0.1 — one HTTP port for the HTTP triggers and the FC
API, the local OSS firing OSS triggers, timers, async queues, and the instance pools.

    with LocalFC(load_project("s.yaml"), ServeOptions(port=0)) as fc:
        requests.post(fc.url + "/prime-checker/check", json={"number": 97})

This module wires the parts together, starts and stops them, and re-wires them when the
control plane (``s deploy``) changes a function. Who answers a request is ``dispatch``'s;
the local OSS and SLS are ``local_services``'; the thread between requests is
``housekeeping``'s.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from localfc.fc.api.control_routes import ControlApi
from localfc.fc.api.router import OpenApi
from localfc.fc.api_docs import ApiDocs
from localfc.fc.async_queue import AsyncQueues, applicable_config
from localfc.fc.console import Console
from localfc.fc.context import LOCAL_ACCOUNT_ID
from localfc.fc.deployments import Catalog, ControlPlane, DeploymentStore
from localfc.fc.dispatch import MAX_REQUEST_BODY, Dispatcher, error_page
from localfc.fc.housekeeping import Housekeeping
from localfc.fc.instances.logs import InstanceLogs
from localfc.fc.invocations import Invoker
from localfc.fc.layers import LayerStore
from localfc.fc.local_services import endpoint_variables, read_local_object, start_oss, start_sls
from localfc.fc.options import HOST, ServeOptions
from localfc.fc.package_sources import PackageSources
from localfc.fc.qualifiers import make_resolver
from localfc.fc.state import StateDir
from localfc.fc.triggers.http import HttpRoutes
from localfc.fc.triggers.oss import OssEventRouter, oss_triggers
from localfc.fc.triggers.timers import TimerScheduler, timer_triggers
from localfc.project.package.layer_specs import parse_layer_arn
from localfc.services.http_server import HttpServer, ServerLimits

if TYPE_CHECKING:
    from types import TracebackType

    from localfc.fc.qualifiers import Resolved
    from localfc.project.syaml.model import AsyncInvokeConfig, Project


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
        self.dispatcher = Dispatcher(self)
        self.housekeeping = Housekeeping(
            self.invoker, self.catalog, self.console, self.options, state_dir=self.state.root
        )
        self._oss_router: OssEventRouter | None = None
        self.oss: Any = None
        self.sls: Any = None
        self.scheduler: TimerScheduler | None = None
        self.notes: list[str] = []  # problems found at start (bad cron, no OSS package…)
        self._server: HttpServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> LocalFC:
        if self.options.run_oss:
            started = start_oss(
                self.options.oss_port,
                self.oss_triggers,
                self.queues,
                self.console,
                region=self.catalog.region,
                notes=self.notes,
            )
            if started is not None:
                self.oss, self._oss_router = started
                self.control.read_object = read_local_object
        if self.options.run_sls:
            self.sls = start_sls(self.state.root / "sls")
        self.invoker.extra_env.update(endpoint_variables(self.oss_endpoint, self.sls_endpoint))
        limits = self.options.http_limits or ServerLimits(max_body_bytes=MAX_REQUEST_BODY)
        self._server = HttpServer(
            self.dispatcher.wsgi,
            port=self.options.port,
            limits=limits,
            name="fc",
            errors=error_page,
            server_header="LocalFC",
        )
        self._server.start()
        self.housekeeping.watch_code(self.project)
        self.housekeeping.collect_code(removed_too=True)
        self.notes.extend(self.catalog.notes)
        self._spawn(lambda: self.housekeeping.run(self._stop), "fc-housekeeping")
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
            self.state.announce(doc)
        except OSError as exc:
            self.notes.append(f"cannot write {self.state.announcement}: {exc.strerror or exc}")

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, drain_s: float = 30.0) -> None:
        """Stop accepting work, let in-flight calls finish (up to ``drain_s``), run preStop,
        stop everything. Safe to call twice."""
        if self._stop.is_set():
            return
        self._stop.set()
        server = self._server
        if server is not None:
            self.state.withdraw(server.port)
            server.shutdown()  # no new connections; requests being served go on, then close
        deadline = time.monotonic() + drain_s
        self.dispatcher.drain(deadline)
        if self.scheduler is not None:
            self.scheduler.stop()
        self.housekeeping.close()
        dropped = self.queues.close(max(0.0, deadline - time.monotonic()))
        if dropped:
            self.console.note(f"{dropped} queued async invocation(s) dropped")
        self.invoker.close()
        for service in (self.oss, self.sls):
            if service is not None:
                with contextlib.suppress(Exception):
                    service.stop()
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
