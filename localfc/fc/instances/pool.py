"""The instances of one function version: reuse warm ones, scale out under load, retire and reap.

FC semantics reproduced here:
- an instance takes up to ``instanceConcurrency`` calls at once; more concurrent calls start
  more instances, up to a cap (``--max-instances``); beyond it callers wait for a free slot;
- an instance whose call timed out, ran out of memory, crashed or whose initializer failed
  is destroyed; the next call gets a fresh one;
- an idle instance is reaped after ``idle_timeout`` seconds (preStop runs first);
- ``retire_all`` (the code of LATEST changed, a deploy) lets busy instances finish, then stops them.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from localfc.fc.instances.parent import Instance
from localfc.fc.instances.spec import InstanceStartError

if TYPE_CHECKING:
    from localfc.fc.instances.logs import InstanceLogs
    from localfc.fc.instances.outcome import CallOutcome
    from localfc.fc.instances.spec import InstanceSpec

_START_TIMEOUT_S = 120.0  # importing a heavy handler on a busy machine


class ThrottledError(RuntimeError):
    """Every instance is busy, the cap is reached and no slot freed up in time."""


class PoolClosedError(RuntimeError):
    """serve is shutting down."""


class InstancePool:
    """Instances of one (function, version).

    >>> pool = InstancePool(spec, logs, max_instances=4, idle_timeout_s=300)   # doctest: +SKIP
    >>> with pool.slot(deadline=None) as instance:                             # doctest: +SKIP
    ...     outcome = instance.call(b"{}", "req-1", "LATEST")
    """

    _serial = itertools.count(1)

    def __init__(self, spec: InstanceSpec, logs: InstanceLogs, *, max_instances: int, idle_timeout_s: float) -> None:
        self.spec = spec
        self.logs = logs
        self.max_instances = max(1, max_instances)
        self.idle_timeout_s = idle_timeout_s
        self.closed = False
        self.cold_starts = 0
        self._cond = threading.Condition()
        self._instances: list[Instance] = []
        self._ready: set[Instance] = set()
        self._reserved: dict[Instance, int] = {}
        self._retired: set[Instance] = set()
        self._starting = 0
        self._waiters = 0
        self._start_failures = 0
        self._last_start_error = ""

    # --- acquiring a slot ---------------------------------------------------------
    def acquire(self, deadline: float | None) -> Instance:
        """Reserve a slot on a ready instance, starting one if needed (``deadline``: monotonic)."""
        with self._cond:
            self._waiters += 1
            failures_seen = self._start_failures
            try:
                while True:
                    if self.closed:
                        raise PoolClosedError("serve is shutting down")
                    instance = self._free_instance()
                    if instance is not None:
                        self._reserved[instance] = self._reserved.get(instance, 0) + 1
                        return instance
                    if self._start_failures != failures_seen:
                        raise InstanceStartError(self._last_start_error)
                    capacity_coming = self._starting * self.spec.concurrency
                    if self._waiters > capacity_coming and len(self._instances) < self.max_instances:
                        self._spawn()
                        continue
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise ThrottledError(
                            f"all {len(self._instances)} instances of {self.spec.function_name} are busy"
                            f" (max {self.max_instances}, instanceConcurrency {self.spec.concurrency})"
                        )
                    self._cond.wait(remaining)
            finally:
                self._waiters -= 1

    def release(self, instance: Instance, outcome: CallOutcome | None) -> None:
        """Give the slot back; destroy the instance if the call's outcome requires it."""
        with self._cond:
            self._reserved[instance] = self._reserved.get(instance, 1) - 1
            instance.last_used = time.monotonic()
            destroy = (outcome is not None and outcome.retires_instance) or not instance.alive
            if destroy:
                self._remove_locked(instance)
                stop = True
            else:
                stop = instance in self._retired and self._reserved[instance] <= 0
                if stop:
                    self._remove_locked(instance)
            self._cond.notify_all()
        if destroy:
            # A dead or poisoned instance gets no preStop (FC destroys it).
            instance.kill(instance.kill_reason or (outcome.kind if outcome is not None else "dead"))
        elif stop:
            _background(instance.stop, f"fc-stop-{instance.instance_id}")

    def _free_instance(self) -> Instance | None:
        best: Instance | None = None
        for instance in self._instances:
            if instance not in self._ready or instance in self._retired or not instance.alive:
                continue
            used = self._reserved.get(instance, 0)
            if used >= self.spec.concurrency:
                continue
            # Prefer the most recently used instance so the others go idle and get reaped.
            if best is None or (used, -instance.last_used) < (self._reserved.get(best, 0), -best.last_used):
                best = instance
        return best

    def _spawn(self) -> None:
        instance_id = (
            f"{self.spec.function_name}-{self.spec.version_label.lower()}-{next(self._serial)}-{uuid.uuid4().hex[:6]}"
        )
        spec = self.spec
        environment = dict(spec.environment)
        environment["FC_INSTANCE_ID"] = instance_id
        instance = Instance(_with_env(spec, environment), instance_id, self.logs, on_exit=self._on_exit)
        self._instances.append(instance)
        self._starting += 1
        self.cold_starts += 1
        _background(lambda: self._start(instance), f"fc-start-{instance_id}")

    def _start(self, instance: Instance) -> None:
        error = ""
        try:
            instance.start()
            # Under a debugger the start waits for the IDE to attach, however long that takes.
            instance.wait_ready(_START_TIMEOUT_S if self.spec.debug_port is None else None)
        except InstanceStartError as exc:
            error = str(exc)
        with self._cond:
            self._starting -= 1
            if error:
                self._remove_locked(instance)
                self._start_failures += 1
                self._last_start_error = error
            elif instance in self._retired or self.closed:
                self._remove_locked(instance)
                error = "retired"
            else:
                self._ready.add(instance)
            self._cond.notify_all()
        if error:
            instance.kill("start-failed") if error != "retired" else instance.stop()

    def _on_exit(self, instance: Instance) -> None:
        with self._cond:
            if instance in self._instances and self._reserved.get(instance, 0) <= 0:
                self._remove_locked(instance)
            self._cond.notify_all()

    def _remove_locked(self, instance: Instance) -> None:
        if instance in self._instances:
            self._instances.remove(instance)
        self._ready.discard(instance)
        self._retired.discard(instance)
        self._reserved.pop(instance, None)

    def prestart(self) -> None:
        """Start one instance now if there is none (serve --debug: the IDE can attach first)."""
        with self._cond:
            if not self._instances and not self.closed:
                self._spawn()

    # --- housekeeping -------------------------------------------------------------
    def retire_all(self) -> int:
        """Stop using the current instances (the code changed); busy ones finish first."""
        with self._cond:
            current = list(self._instances)
            idle = [i for i in current if self._reserved.get(i, 0) <= 0 and i in self._ready]
            self._retired.update(current)
            for instance in idle:
                self._remove_locked(instance)
            self._cond.notify_all()
        for instance in idle:
            _background(instance.stop, f"fc-stop-{instance.instance_id}")
        return len(current)

    def reap_idle(self, now: float) -> list[Instance]:
        """Remove instances idle for longer than ``idle_timeout_s`` and stop them (preStop first)."""
        with self._cond:
            idle = [
                i
                for i in self._instances
                if i in self._ready and self._reserved.get(i, 0) <= 0 and now - i.last_used > self.idle_timeout_s
            ]
            for instance in idle:
                self._remove_locked(instance)
        for instance in idle:
            _background(instance.stop, f"fc-reap-{instance.instance_id}")
        return idle

    def check_memory(self) -> list[Instance]:
        """Kill instances whose resident memory exceeds ``memorySize``."""
        limit = self.spec.memory_mb * 1024 * 1024
        killed = []
        with self._cond:
            candidates = [i for i in self._instances if i in self._ready and i.alive]
        for instance in candidates:
            rss = instance.rss_bytes()
            if rss > limit:
                instance.kill(
                    "memory",
                    f"Function exceeded its memory limit: {rss / 1048576:.0f} MB used, memorySize is"
                    f" {self.spec.memory_mb} MB (the instance was killed)",
                )
                killed.append(instance)
        if killed:
            with self._cond:
                for instance in killed:
                    if self._reserved.get(instance, 0) <= 0:
                        self._remove_locked(instance)
                self._cond.notify_all()
        return killed

    @property
    def drained(self) -> bool:
        """No instance, none starting, nobody waiting: a retired pool can be closed."""
        with self._cond:
            return not self._instances and not self._starting and not self._waiters

    def snapshot(self) -> list[Instance]:
        with self._cond:
            return list(self._instances)

    def close(self) -> None:
        """Stop every instance (preStop for the healthy ones), in parallel."""
        with self._cond:
            self.closed = True
            instances = list(self._instances)
            self._instances.clear()
            self._ready.clear()
            self._cond.notify_all()
        threads = [_background(i.stop, f"fc-close-{i.instance_id}") for i in instances]
        for thread in threads:
            thread.join(timeout=self.spec.prestop_timeout_s + 5)


def _with_env(spec: InstanceSpec, environment: dict[str, str]) -> InstanceSpec:
    return replace(spec, environment=environment)


def _background(target: object, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread
