"""One instance pool per function version, for ``serve``: made on a version's first call with
its spec (``version_specs.py``) and cap, retired when a deploy, a delete or a code change
replaces what it runs (busy instances finish their calls first), and the housekeeping of all
of them: the memory watch, the idle reaper, closing retired pools once drained.
``Invoker`` (``invocations.py``) is these pools plus the one way to call them."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from localfc.fc.debugging import DEBUG_TIMEOUT_S
from localfc.fc.instances.pool import InstancePool, PoolClosedError, ThrottledError
from localfc.fc.version_specs import spec_for
from localfc.project.syaml.model import LATEST

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.fc.console import Console
    from localfc.fc.instances.logs import InstanceLogs
    from localfc.fc.instances.spec import InstanceSpec
    from localfc.fc.options import ServeOptions
    from localfc.fc.package_sources import PackageSources
    from localfc.fc.qualifiers import Resolved, Resolver
    from localfc.project.syaml.model import FunctionProps


def _same_code(a: FunctionProps, b: FunctionProps) -> bool:
    """Whether instances started for ``a`` run what ``b`` describes (triggers do not matter)."""
    return a is b or a.model_dump(exclude={"triggers"}) == b.model_dump(exclude={"triggers"})


class VersionPools:
    """The instance pools of every function version ``serve`` has called."""

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
        # May build a package: not under the lock.
        spec = spec_for(resolved, self.options, sources=self.sources, extra_env=self.extra_env, note=self.console.note)
        with self._lock:
            if self._closed:
                # A call that arrives while serve shuts down: a pool made now would start an
                # instance that close() has already passed by, and nobody would stop it.
                raise PoolClosedError("serve is shutting down")
            pool = self._pools.get(key)
            if pool is None:
                debugged = spec.debug_port is not None
                pool = InstancePool(
                    spec,
                    self.logs,
                    max_instances=self._max_instances(spec, cap),
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
                pool.max_instances = self._max_instances(pool.spec, cap)
        return retired

    def code_changed(self, code_dir: Path) -> list[str]:
        """LATEST pools running from ``code_dir`` get new instances for their next calls."""
        names = []
        for pool in self.pools():
            if pool.spec.version_id == "" and pool.spec.code_dir == code_dir:
                if pool.spec.source is not None and pool.spec.source.isolated:
                    # Run from a package: the next call builds the new one, in a new pool;
                    # this one is retired like a deployed-over pool (closed once drained).
                    with self._lock:
                        key = (pool.spec.function_name, pool.spec.version_id)
                        retired = self._retire_locked(key) if self._pools.get(key) is pool else 0
                else:
                    retired = pool.retire_all()
                if retired:
                    names.append(pool.spec.function_name)
        return names

    def _retire_locked(self, key: tuple[str, str]) -> int:
        """Take the pool of ``key`` out of service; it closes once drained (``tick``)."""
        pool = self._pools.pop(key)
        self._retiring.append(pool)
        return pool.retire_all()

    def _max_instances(self, spec: InstanceSpec, cap: int | None) -> int:
        """A debugged function has one instance (one debug port); else its ConcurrencyConfig's
        cap (0 throttles before a pool is asked), else ``--max-instances``."""
        if spec.debug_port is not None:
            return 1
        return self.options.max_instances if cap is None else max(1, cap)

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

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pools = [*self._pools.values(), *self._retiring]
        threads = [threading.Thread(target=p.close, daemon=True) for p in pools]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
