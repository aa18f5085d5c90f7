"""Run one invocation of ``function:qualifier``: resolve the version, take a slot in its pool,
call the instance, report to the live view. Every trigger (HTTP, API, async, OSS, timer)
goes through ``Invoker.invoke``.
"""

from __future__ import annotations

import base64
import os
import threading
import time
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from localfc.fc.context import function_environment
from localfc.fc.debugging import DEBUG_TIMEOUT_S
from localfc.fc.deployments.launch import deployed_source, is_deployed
from localfc.fc.instances.parent import CallOutcome, Instance, InstanceSpec, InstanceStartError
from localfc.fc.instances.pool import InstancePool, ThrottledError
from localfc.project.syaml.model import LATEST

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.fc.console import Console
    from localfc.fc.instances.logs import InstanceLogs
    from localfc.fc.options import ServeOptions
    from localfc.fc.package_sources import PackageSources
    from localfc.fc.qualifiers import Resolved, Resolver
    from localfc.project.syaml.model import FunctionProps

# How long a synchronous caller may wait for a free slot beyond the function's own timeout.
_QUEUE_SLACK_S = 30.0
# A call that found its instance already dead goes to another one, at most this many times.
_REROUTES = 3
_LOG_TAIL_BYTES = 4096
# Variables of the developer's shell an instance must not inherit: FC sets its own.
NOT_INHERITED_PREFIXES = ("FC_", "PYTHON", "ALIBABA_CLOUD_", "VIRTUAL_ENV")


@dataclass
class Invocation:
    """One finished invocation, whatever triggered it."""

    request_id: str
    function_name: str
    qualifier: str
    version_id: str
    instance_id: str
    trigger: str
    outcome: CallOutcome
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.outcome.kind == "ok"

    @property
    def version_label(self) -> str:
        return self.version_id or "LATEST"

    def log_tail(self) -> str:
        """Base64 of the last 4 KB of the call's log, as FC's ``x-fc-log-result``."""
        text = "\n".join(self.outcome.log_lines).encode("utf-8", "replace")[-_LOG_TAIL_BYTES:]
        return base64.b64encode(text).decode("ascii")

    def error_document(self) -> dict[str, str]:
        """FC's error body for a failed call (the stack trace stays in the log)."""
        return {"errorMessage": self.outcome.error_message, "errorType": _error_type_name(self.outcome)}


def _same_code(a: FunctionProps, b: FunctionProps) -> bool:
    """Whether instances started for ``a`` run what ``b`` describes (triggers do not matter)."""
    return a is b or a.model_dump(exclude={"triggers"}) == b.model_dump(exclude={"triggers"})


def _error_type_name(outcome: CallOutcome) -> str:
    names = {"timeout": "FunctionTimeoutError", "memory": "MemoryLimitExceeded", "crash": "InstanceCrashed"}
    if outcome.kind in names:
        return names[outcome.kind]
    if outcome.kind == "init":
        return "InitializationError"
    # "ValueError: bad input" -> "ValueError", as FC's errorType is the exception class.
    head = outcome.error_message.split(":", 1)[0]
    return head if head.isidentifier() else "UnhandledInvocationError"


class Invoker:
    """Instances of every function version, and the one way to invoke them.

    >>> invoker.invoke("prime-checker", b'{"number": 7}').outcome.body   # doctest: +SKIP
    b'{"number":7,"is_prime":true,...}'
    """

    def __init__(
        self,
        resolver: Resolver,
        logs: InstanceLogs,
        options: ServeOptions,
        console: Console,
        *,
        extra_env: dict[str, str] | None = None,
        instance_cap: Callable[[str], int | None] | None = None,
    ) -> None:
        self.resolver = resolver
        self.logs = logs
        self.options = options
        self.console = console
        self.extra_env = dict(extra_env or {})
        # A function's own instance cap (its ConcurrencyConfig), else --max-instances.
        self.instance_cap = instance_cap or (lambda _name: None)
        # Where instances get their code (``--code-from``); None: the code directory, dev venv.
        self.sources: PackageSources | None = None
        self._pools: dict[tuple[str, str], InstancePool] = {}
        # Pools replaced by a deploy or a delete: their busy instances finish, then they close.
        self._retiring: list[InstancePool] = []
        self._lock = threading.Lock()
        self._closed = False

    # --- pools --------------------------------------------------------------------
    def resolve(self, function_name: str, qualifier: str) -> Resolved:
        """Raises ``ApiError`` (FC's 404) when the function or qualifier is unknown."""
        return self.resolver.resolve(function_name, qualifier or "LATEST")

    def pool_for(self, resolved: Resolved) -> InstancePool:
        """The pool of a function version; raises InstanceStartError when its code cannot be had
        (a package that does not build, a missing layer)."""
        name = resolved.props.functionName
        key = (name, resolved.version_id)
        cap = self.instance_cap(name)
        if cap == 0:
            raise ThrottledError(f"{name} has reservedConcurrency 0: every invocation is throttled")
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None and resolved.version_id == "" and not _same_code(pool.spec.props, resolved.props):
                # LATEST was deployed again: either this caller resolved before the deploy
                # (the pool is current) or the pool predates it (retire it, start afresh).
                current = self.resolver.resolve(name, LATEST)
                if _same_code(pool.spec.props, current.props):
                    return pool
                self._retire_locked(key)
                pool, resolved = None, current
        if pool is not None:
            return pool
        spec = self._spec(resolved)  # may build a package: not under the lock
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                debugged = spec.debug_port is not None  # one instance: one debug port
                pool = InstancePool(
                    spec,
                    self.logs,
                    max_instances=1 if debugged else self.options.max_instances if cap is None else cap,
                    idle_timeout_s=DEBUG_TIMEOUT_S if debugged else self.options.idle_timeout_s,
                )
                self._pools[key] = pool
            return pool

    def function_changed(self, name: str) -> list[str]:
        """After a deploy or delete of ``name``: pools whose code or config is no longer what
        serves are retired (busy instances finish their calls first); caps are applied.
        Returns the labels of the retired pools."""
        try:
            current: Resolved | None = self.resolver.resolve(name, LATEST)
        except Exception:  # deleted
            current = None
        cap = self.instance_cap(name)
        retired = []
        with self._lock:
            for key, pool in list(self._pools.items()):
                if key[0] != name:
                    continue
                if current is None or (key[1] == "" and not _same_code(pool.spec.props, current.props)):
                    self._retire_locked(key)
                    retired.append(pool.spec.version_label)
                    continue
                if key[1] == "":
                    pool.spec = replace(pool.spec, props=current.props)  # a trigger changed, not the code
                pool.max_instances = self.options.max_instances if cap is None else max(1, cap)
        return retired

    def _retire_locked(self, key: tuple[str, str]) -> None:
        pool = self._pools.pop(key)
        pool.retire_all()
        self._retiring.append(pool)

    def code_dirs(self) -> set[Path]:
        """Code directories some pool (current or retiring) may still start or run from."""
        with self._lock:
            return {p.spec.code_dir for p in [*self._pools.values(), *self._retiring]}

    @property
    def retiring(self) -> int:
        with self._lock:
            return len(self._retiring)

    def pools(self) -> list[InstancePool]:
        with self._lock:
            return list(self._pools.values())

    def _close_drained(self) -> int:
        """Close retiring pools that have no instance left; how many were closed."""
        with self._lock:
            for pool in self._retiring:
                pool.retire_all()  # an instance a waiter started after the deploy
            drained = [p for p in self._retiring if p.drained]
            self._retiring = [p for p in self._retiring if p not in drained]
        for pool in drained:
            pool.close()
        return len(drained)

    def _spec(self, resolved: Resolved) -> InstanceSpec:
        props = resolved.props
        lifecycle = props.instanceLifecycleConfig
        debugged = props.functionName == self.options.debug_function and not resolved.version_id
        source = None
        from localfc.fc.package_sources import CodeSourceUnavailableError  # noqa: PLC0415 - builds packages

        try:
            if is_deployed(props):
                source = deployed_source(props, resolved.code_dir, self.sources, self.console.note)
            elif self.sources is not None and not debugged:
                # A debugged function runs from the working tree, where the IDE's breakpoints are.
                source = self.sources.source_for(props, resolved.code_dir, resolved.version_id)
        except CodeSourceUnavailableError as exc:
            raise InstanceStartError(str(exc)) from None
        # /code is the unpacked package when the function runs from it (PYTHONPATH: /code/python).
        mounted = source.code_dir if source is not None else resolved.code_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED_PREFIXES)}
        env.update(function_environment(props, mounted, version_id=resolved.version_id))
        env.update(self.extra_env)
        return InstanceSpec(
            function_name=props.functionName,
            version_id=resolved.version_id,
            props=props,
            code_dir=resolved.code_dir,
            runtime=props.runtime,
            environment=env,
            concurrency=max(1, props.instanceConcurrency),
            timeout_s=DEBUG_TIMEOUT_S if debugged else float(props.timeout),
            init_timeout_s=DEBUG_TIMEOUT_S
            if debugged
            else float(lifecycle.initializer.timeout if lifecycle and lifecycle.initializer else 3),
            prestop_timeout_s=float(lifecycle.preStop.timeout if lifecycle and lifecycle.preStop else 3),
            memory_mb=props.memorySize,
            debug_port=self.options.debug_port if debugged else None,
            source=source,
        )

    # --- invoking -----------------------------------------------------------------
    def invoke(
        self,
        function_name: str,
        event: bytes,
        *,
        qualifier: str = "LATEST",
        resolved: Resolved | None = None,
        trigger: str = "api",
        retry_count: int | None = None,
        request_id: str | None = None,
        wait_for_slot: bool = True,
        detail: str = "",
    ) -> Invocation:
        """Invoke synchronously and return how it ended (never raises for function failures;
        raises for an unknown function/qualifier, ``ThrottledError``, ``PoolClosedError``)."""
        resolved = resolved or self.resolve(function_name, qualifier)
        request_id = request_id or str(uuid.uuid4())
        started = time.perf_counter()
        try:
            pool = self.pool_for(resolved)
            deadline = None if not wait_for_slot else time.monotonic() + pool.spec.timeout_s + _QUEUE_SLACK_S
            instance = pool.acquire(deadline)
        except InstanceStartError as exc:
            outcome = CallOutcome(
                "start", error_type="UnhandledInvocationError", error_message=f"the function could not start: {exc}"
            )
            return self._finish(
                resolved=resolved,
                request_id=request_id,
                instance_id="",
                trigger=trigger,
                outcome=outcome,
                started=started,
                detail=detail,
            )
        instance, call = self._call(
            pool,
            instance,
            deadline=deadline,
            event=event,
            request_id=request_id,
            qualifier=resolved.qualifier,
            retry_count=retry_count,
        )
        return self._finish(
            resolved=resolved,
            request_id=request_id,
            instance_id=instance.instance_id,
            trigger=trigger,
            outcome=call,
            started=started,
            detail=detail,
        )

    @staticmethod
    def _call(
        pool: InstancePool,
        instance: Instance,
        *,
        deadline: float | None,
        event: bytes,
        request_id: str,
        qualifier: str,
        retry_count: int | None,
    ) -> tuple[Instance, CallOutcome]:
        """Run the call on ``instance``. A call that found its instance already dead (it died
        while idle, before the call reached it) goes to a live or new instance, as on FC."""
        for reroute in range(_REROUTES + 1):
            try:
                call = instance.call(event, request_id, qualifier, retry_count)
            except BaseException:
                pool.release(instance, None)
                raise
            pool.release(instance, call)  # a dead instance is removed here
            if call.started or reroute == _REROUTES:
                break
            try:
                instance = pool.acquire(deadline)
            except InstanceStartError:
                break
        return instance, call

    def _finish(
        self,
        *,
        resolved: Resolved,
        request_id: str,
        instance_id: str,
        trigger: str,
        outcome: CallOutcome,
        started: float,
        detail: str,
    ) -> Invocation:
        duration = round((time.perf_counter() - started) * 1000, 3)
        invocation = Invocation(
            request_id=request_id,
            function_name=resolved.props.functionName,
            qualifier=resolved.qualifier,
            version_id=resolved.version_id,
            instance_id=instance_id,
            trigger=trigger,
            outcome=outcome,
            duration_ms=duration,
        )
        if trigger != "http":  # HTTP triggers report with the status code they answered
            status = "ok" if outcome.kind == "ok" else outcome.kind
            extra = detail or ("" if outcome.kind == "ok" else outcome.error_message[:120])
            self.report(invocation, status, extra)
        return invocation

    def report(self, invocation: Invocation, status: str, detail: str = "") -> None:
        self.console.invocation(
            invocation.function_name,
            invocation.qualifier,
            invocation.version_id,
            trigger=invocation.trigger,
            status=status,
            duration_ms=invocation.duration_ms,
            detail=detail,
        )

    # --- housekeeping -------------------------------------------------------------
    def tick(self, now: float, check_memory: bool = True) -> int:
        """Memory watchdog, idle reaper and the closing of drained retired pools, called by
        the housekeeping thread. Returns how many retired pools were closed."""
        with self._lock:
            pools = [*self._pools.values(), *self._retiring]
        for pool in pools:
            if check_memory:
                for instance in pool.check_memory():
                    self.console.note(f"{instance.instance_id}: {instance.kill_detail}")
            for instance in pool.reap_idle(now):
                self.console.note(f"{instance.instance_id} idle for {pool.idle_timeout_s:g} s: stopped (preStop)")
        return self._close_drained()

    def code_changed(self, code_dir: Path) -> list[str]:
        """LATEST pools running from ``code_dir`` get new instances for their next calls."""
        names = []
        for pool in self.pools():
            if pool.spec.version_id == "" and pool.spec.code_dir == code_dir:
                if pool.spec.source is not None and pool.spec.source.isolated:
                    # Run from a package: the next call builds the new one, in a new pool.
                    with self._lock:
                        key = (pool.spec.function_name, pool.spec.version_id)
                        if self._pools.get(key) is pool:
                            del self._pools[key]
                if pool.retire_all():
                    names.append(pool.spec.function_name)
        return names

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pools = [*self._pools.values(), *self._retiring]
        threads = [threading.Thread(target=p.close, daemon=True) for p in pools]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
