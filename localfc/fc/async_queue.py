"""Asynchronous invocation: a queue per function and the retry loop (backoff, event age
limit); the tasks' records and status live in ``async_tasks``, where a finished task's record
goes in ``async_destinations``.

What ``asyncInvokeConfig`` does here (FC's documented behaviour, scaled for local use):
- a failed attempt (the handler raised, timed out, ran out of memory, crashed, or the
  initializer failed) is retried up to ``maxAsyncRetryAttempts`` times (default 3); the
  n-th retry waits ``backoff * 2**(n-1)`` seconds (``--async-backoff``, default 1 s, capped
  by ``--async-backoff-max``); ``context.retry_count`` is the number of the retry;
- an event older than ``maxAsyncEventAgeInSeconds`` when its turn comes is dropped
  (status ``Expired``) and goes to onFailure;
- onSuccess/onFailure destinations that are local functions receive the destination record.

A config whose ``qualifier`` is set in s.yaml applies to that qualifier only; without it,
to every qualifier. Tasks live in memory: queued tasks are dropped when serve stops.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from typing import TYPE_CHECKING

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.async_destinations import send_to_destination
from localfc.fc.async_tasks import TERMINAL, AsyncTask, TaskBook, now_ms
from localfc.fc.instances.pool import PoolClosedError

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.console import Console
    from localfc.fc.invocations import Invocation, Invoker
    from localfc.fc.options import ServeOptions
    from localfc.fc.qualifiers import Resolved
    from localfc.project.syaml.model import AsyncInvokeConfig

MAX_ASYNC_PAYLOAD = 128 * 1024  # FC's limit for asynchronous invocations
_DEFAULT_RETRIES = 3
_DEFAULT_MAX_AGE_S = 86400


def applicable_config(resolved: Resolved) -> AsyncInvokeConfig | None:
    """The ``asyncInvokeConfig`` of s.yaml props that applies to this qualifier."""
    config = resolved.props.asyncInvokeConfig
    if config is None:
        return None
    if "qualifier" in config.model_fields_set and config.qualifier != resolved.qualifier:
        return None
    return config


class _FunctionQueue:
    """Due-time ordered tasks of one function and the threads that run them."""

    def __init__(self, owner: AsyncQueues, function_name: str, workers: int) -> None:
        self.owner = owner
        self.function_name = function_name
        self.cond = threading.Condition()
        self.heap: list[tuple[float, int, AsyncTask]] = []
        self.closed = False
        self.running = 0
        self.threads = [
            threading.Thread(target=self._loop, name=f"fc-async-{function_name}-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self.threads:
            thread.start()

    def push(self, task: AsyncTask, due: float) -> None:
        with self.cond:
            heapq.heappush(self.heap, (due, next(self.owner.sequence), task))
            self.cond.notify()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while not self.closed:
                    now = time.monotonic()
                    if self.heap and self.heap[0][0] <= now:
                        break
                    self.cond.wait(self.heap[0][0] - now if self.heap else None)
                if self.closed:
                    return
                _, _, task = heapq.heappop(self.heap)
                if task.status in TERMINAL:  # stopped while waiting
                    continue
                self.running += 1
            try:
                self.owner.run_attempt(self, task)
            finally:
                with self.cond:
                    self.running -= 1
                    self.cond.notify_all()

    def pending(self) -> int:
        with self.cond:
            return len(self.heap) + self.running

    def close(self, drain_s: float) -> int:
        """Stop taking tasks; wait up to ``drain_s`` for running ones. Returns tasks dropped."""
        deadline = time.monotonic() + drain_s
        with self.cond:
            self.closed = True
            self.cond.notify_all()
            while self.running and time.monotonic() < deadline:
                self.cond.wait(max(0.0, deadline - time.monotonic()))
            dropped = len(self.heap)
            self.heap.clear()
            return dropped


class AsyncQueues:
    """All async queues of a serve run.

    >>> task = queues.submit("csv-stats", "LATEST", b'{"events": [...]}', source="oss")   # doctest: +SKIP
    >>> task.done.wait(10); task.status                                                    # doctest: +SKIP
    'Succeeded'
    """

    def __init__(
        self,
        invoker: Invoker,
        options: ServeOptions,
        console: Console,
        async_config: Callable[[Resolved], AsyncInvokeConfig | None] = applicable_config,
    ) -> None:
        self.invoker = invoker
        self.options = options
        self.console = console
        # Which config applies to an invocation: s.yaml's, or one put through the API.
        self.async_config = async_config
        self.sequence = itertools.count()
        self.tasks = TaskBook()  # what GetAsyncTask, ListAsyncTasks and StopAsyncTask read
        self._queues: dict[str, _FunctionQueue] = {}
        self._lock = threading.Lock()
        self._closed = False

    # --- submitting -----------------------------------------------------------------
    def submit(
        self,
        function_name: str,
        qualifier: str,
        payload: bytes,
        *,
        task_id: str | None = None,
        source: str = "api",
        request_id: str | None = None,
    ) -> AsyncTask:
        """Queue an invocation; raises ApiError (unknown function/qualifier, payload too large,
        duplicate task id) before anything is queued."""
        if len(payload) > MAX_ASYNC_PAYLOAD:
            raise errors.entity_too_large(MAX_ASYNC_PAYLOAD)
        resolved = self.invoker.resolve(function_name, qualifier)
        name = resolved.props.functionName
        config = self.async_config(resolved)
        task = AsyncTask(
            task_id=task_id or f"task-{uuid.uuid4().hex}",
            function_name=name,
            qualifier=resolved.qualifier,
            payload=payload,
            request_id=request_id or str(uuid.uuid4()),
            source=source,
            resolved=resolved,
            max_retries=config.maxAsyncRetryAttempts if config is not None else _DEFAULT_RETRIES,
            max_age_s=config.maxAsyncEventAgeInSeconds if config is not None else _DEFAULT_MAX_AGE_S,
        )
        with self._lock:
            if self._closed:
                raise ApiError(503, "ServiceUnavailable", "the local FC is shutting down")
            self.tasks.add(task)
            queue = self._queues.get(name)
            if queue is None:
                queue = self._queues[name] = _FunctionQueue(self, name, self._workers(resolved))
        task.record("Enqueued")
        queue.push(task, time.monotonic())
        return task

    def _workers(self, resolved: Resolved) -> int:
        slots = self.options.max_instances * max(1, resolved.props.instanceConcurrency)
        return max(1, min(self.options.async_workers, slots))

    # --- running --------------------------------------------------------------------
    def run_attempt(self, queue: _FunctionQueue, task: AsyncTask) -> None:
        age_s = (now_ms() - task.created_ms) / 1000
        if age_s > task.max_age_s:
            task.finish("Expired", f"event older than maxAsyncEventAgeInSeconds ({task.max_age_s:g} s)")
            self._to_destination(task, None, "EventExpired")
            return
        task.status = "Running"
        task.attempts += 1
        task.started_ms = task.started_ms or now_ms()
        task.record("Dequeued" if task.attempts == 1 else "Retrying", f"attempt {task.attempts}")
        retry = task.attempts - 1
        detail = f"retry {retry}/{task.max_retries}" if retry else ""
        try:
            invocation = self.invoker.invoke(
                task.function_name,
                task.payload,
                resolved=task.resolved,
                trigger=task.source,
                retry_count=retry,
                request_id=task.request_id,
                wait_for_slot=False,
                detail=detail,
            )
        except PoolClosedError:
            task.status = "Enqueued"  # serve is stopping; the task is dropped with the queue
            return
        except Exception as exc:
            message = exc.message if isinstance(exc, ApiError) else f"{type(exc).__name__}: {exc}"
            task.finish("Invalid", message)
            return
        task.instance_id = invocation.instance_id
        task.duration_ms += invocation.outcome.duration_ms
        if invocation.ok:
            task.return_payload = invocation.outcome.body.decode("utf-8", "replace")
            task.finish("Succeeded")
            self._to_destination(task, invocation, "Success")
            return
        task.error_message = invocation.outcome.error_message
        if task.stop_requested:
            task.finish("Stopped", "stopped by StopAsyncTask")
            return
        if retry < task.max_retries:
            delay = min(self.options.async_backoff_s * (2**retry), self.options.async_backoff_max_s)
            task.status = "Retrying"
            task.record("Retrying", f"attempt {task.attempts} failed: {task.error_message[:200]}; next in {delay:g} s")
            queue.push(task, time.monotonic() + delay)
            return
        task.finish("Failed", task.error_message)
        self._to_destination(task, invocation, "UnhandledInvocationError")

    def _to_destination(self, task: AsyncTask, invocation: Invocation | None, condition: str) -> None:
        send_to_destination(
            task,
            invocation,
            condition,
            config=self.async_config(task.resolved),
            submit=lambda name, qualifier, record: self.submit(name, qualifier, record, source="destination"),
            console=self.console,
        )

    # --- stopping -------------------------------------------------------------------
    def pending(self) -> int:
        with self._lock:
            queues = list(self._queues.values())
        return sum(q.pending() for q in queues)

    def close(self, drain_s: float) -> int:
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
        return sum(q.close(drain_s) for q in queues)
