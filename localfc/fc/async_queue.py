"""Asynchronous invocation: a queue per function, retries with backoff, event age limit,
onSuccess/onFailure destinations, and task status for the API.

What ``asyncInvokeConfig`` does here (FC's documented behaviour, scaled for local use):
- a failed attempt (the handler raised, timed out, ran out of memory, crashed, or the
  initializer failed) is retried up to ``maxAsyncRetryAttempts`` times (default 3); the
  n-th retry waits ``backoff * 2**(n-1)`` seconds (``--async-backoff``, default 1 s, capped
  by ``--async-backoff-max``); ``context.retry_count`` is the number of the retry;
- an event older than ``maxAsyncEventAgeInSeconds`` when its turn comes is dropped
  (status ``Expired``) and goes to onFailure;
- destinations that are local functions (``acs:fc:<region>:<account>:functions/<name>``)
  receive the destination record (see ``destination_record``) as an async invocation.

A config whose ``qualifier`` is set in s.yaml applies to that qualifier only; without it,
to every qualifier. Tasks live in memory: queued tasks are dropped when serve stops.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.context import LOCAL_ACCOUNT_ID
from localfc.fc.instances.pool import PoolClosedError

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.console import Console
    from localfc.fc.invocations import Invocation, Invoker
    from localfc.fc.options import ServeOptions
    from localfc.fc.qualifiers import Resolved
    from localfc.project.syaml.model import AsyncInvokeConfig

MAX_ASYNC_PAYLOAD = 128 * 1024  # FC's limit for asynchronous invocations
TERMINAL = frozenset({"Succeeded", "Failed", "Stopped", "Expired", "Invalid"})
_KEEP_FINISHED_TASKS = 5000
_DEFAULT_RETRIES = 3
_DEFAULT_MAX_AGE_S = 86400


def _ms() -> int:
    return int(time.time() * 1000)


@dataclass
class AsyncTask:
    """One asynchronous invocation and everything that happened to it."""

    task_id: str
    function_name: str
    qualifier: str
    payload: bytes
    request_id: str
    source: str  # api, oss, timer, destination
    resolved: Resolved
    max_retries: int
    max_age_s: float
    created_ms: int = field(default_factory=_ms)
    status: str = "Enqueued"
    attempts: int = 0
    started_ms: int = 0
    ended_ms: int = 0
    duration_ms: float = 0.0
    instance_id: str = ""
    return_payload: str = ""
    error_message: str = ""
    destination_status: str = ""
    stop_requested: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def record(self, status: str, detail: str = "") -> None:
        self.events.append(
            {"eventId": len(self.events) + 1, "status": status, "timestamp": _ms(), "eventDetail": detail}
        )

    def to_api(self, include_payload: bool = True) -> dict[str, Any]:
        """The ``AsyncTask`` shape of the FC 3.0 API (``GetAsyncTask``)."""
        doc: dict[str, Any] = {
            "taskId": self.task_id,
            "functionArn": function_arn(self.resolved.props.region, self.function_name),
            "qualifier": self.qualifier,
            "requestId": self.request_id,
            "status": self.status,
            "startedTime": self.started_ms or self.created_ms,
            "endTime": self.ended_ms,
            "durationMs": int(self.duration_ms),
            "alreadyRetriedTimes": max(0, self.attempts - 1),
            "instanceId": self.instance_id,
            "returnPayload": self.return_payload,
            "taskErrorMessage": self.error_message,
            "destinationStatus": self.destination_status,
            "events": list(self.events),
        }
        if include_payload:
            doc["taskPayload"] = self.payload.decode("utf-8", "replace")
        return doc


def function_arn(region: str, function_name: str) -> str:
    return f"acs:fc:{region}:{LOCAL_ACCOUNT_ID}:functions/{function_name}"


def destination_function(arn: str) -> tuple[str, str] | None:
    """``acs:fc:<region>:<account>:functions/<name>[/<qualifier>]`` -> (name, qualifier)."""
    parts = arn.split(":", 4)
    if len(parts) != 5 or parts[0] != "acs" or parts[1] != "fc" or not parts[4].startswith("functions/"):
        return None
    name, _, qualifier = parts[4][len("functions/") :].partition("/")
    return (name, qualifier or "LATEST") if name else None


def destination_record(task: AsyncTask, invocation: Invocation | None, condition: str) -> dict[str, Any]:
    """What a destination function receives (modelled on FC's destination event)::

        {"timestamp": <ms>, "requestContext": {"requestId", "functionArn", "condition",
          "approximateInvokeCount"}, "requestPayload": "<original event>",
         "responseContext": {"statusCode", "functionError"}, "responsePayload": "<answer>"}

    ``condition`` is ``Success``, ``UnhandledInvocationError`` or ``EventExpired``.
    """
    if invocation is None:
        response_payload, function_error, status_code = "", "", 0
    elif invocation.ok:
        response_payload = invocation.outcome.body.decode("utf-8", "replace")
        function_error, status_code = "", 200
    else:
        response_payload = json.dumps(invocation.error_document(), ensure_ascii=False)
        function_error, status_code = "UnhandledInvocationError", 200
    return {
        "timestamp": _ms(),
        "requestContext": {
            "requestId": task.request_id,
            "functionArn": function_arn(task.resolved.props.region, task.function_name),
            "condition": condition,
            "approximateInvokeCount": task.attempts,
        },
        "requestPayload": task.payload.decode("utf-8", "replace"),
        "responseContext": {"statusCode": status_code, "functionError": function_error},
        "responsePayload": response_payload,
    }


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
        self._queues: dict[str, _FunctionQueue] = {}
        self._tasks: dict[str, dict[str, AsyncTask]] = {}
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
            tasks = self._tasks.setdefault(name, {})
            if task.task_id in tasks:
                raise ApiError(
                    409, "AsyncTaskAlreadyExists", f"async task '{task.task_id}' of function '{name}' already exists"
                )
            tasks[task.task_id] = task
            self._trim(tasks)
            queue = self._queues.get(name)
            if queue is None:
                queue = self._queues[name] = _FunctionQueue(self, name, self._workers(resolved))
        task.record("Enqueued")
        queue.push(task, time.monotonic())
        return task

    def _workers(self, resolved: Resolved) -> int:
        slots = self.options.max_instances * max(1, resolved.props.instanceConcurrency)
        return max(1, min(self.options.async_workers, slots))

    @staticmethod
    def _trim(tasks: dict[str, AsyncTask]) -> None:
        if len(tasks) <= _KEEP_FINISHED_TASKS:
            return
        for task_id in [t.task_id for t in tasks.values() if t.status in TERMINAL][: len(tasks) - _KEEP_FINISHED_TASKS]:
            del tasks[task_id]

    # --- running --------------------------------------------------------------------
    def run_attempt(self, queue: _FunctionQueue, task: AsyncTask) -> None:
        age_s = (_ms() - task.created_ms) / 1000
        if age_s > task.max_age_s:
            self._finish(task, "Expired", f"event older than maxAsyncEventAgeInSeconds ({task.max_age_s:g} s)")
            self._to_destination(task, None, "EventExpired")
            return
        task.status = "Running"
        task.attempts += 1
        task.started_ms = task.started_ms or _ms()
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
            self._finish(task, "Invalid", message)
            return
        task.instance_id = invocation.instance_id
        task.duration_ms += invocation.outcome.duration_ms
        if invocation.ok:
            task.return_payload = invocation.outcome.body.decode("utf-8", "replace")
            self._finish(task, "Succeeded")
            self._to_destination(task, invocation, "Success")
            return
        task.error_message = invocation.outcome.error_message
        if task.stop_requested:
            self._finish(task, "Stopped", "stopped by StopAsyncTask")
            return
        if retry < task.max_retries:
            delay = min(self.options.async_backoff_s * (2**retry), self.options.async_backoff_max_s)
            task.status = "Retrying"
            task.record("Retrying", f"attempt {task.attempts} failed: {task.error_message[:200]}; next in {delay:g} s")
            queue.push(task, time.monotonic() + delay)
            return
        self._finish(task, "Failed", task.error_message)
        self._to_destination(task, invocation, "UnhandledInvocationError")

    def _finish(self, task: AsyncTask, status: str, detail: str = "") -> None:
        task.status = status
        task.ended_ms = _ms()
        if status != "Succeeded" and detail:
            task.error_message = detail
        task.record(status, detail)
        task.done.set()

    def _to_destination(self, task: AsyncTask, invocation: Invocation | None, condition: str) -> None:
        config = self.async_config(task.resolved)
        destinations = config.destinationConfig if config is not None else None
        target = None
        if destinations is not None:
            target = destinations.onSuccess if condition == "Success" else destinations.onFailure
        if target is None:
            return
        parsed = destination_function(target.destination)
        if parsed is None:
            task.destination_status = "Failed"
            self.console.note(
                f"{task.function_name}: destination {target.destination} is not a function (not emulated)"
            )
            return
        record = json.dumps(destination_record(task, invocation, condition), ensure_ascii=False).encode("utf-8")
        try:
            self.submit(parsed[0], parsed[1], record, source="destination")
        except Exception as exc:
            task.destination_status = "Failed"
            self.console.note(
                f"{task.function_name}: destination {target.destination} failed: "
                f"{exc.message if isinstance(exc, ApiError) else exc}"
            )
            return
        task.destination_status = "Succeeded"

    # --- the API --------------------------------------------------------------------
    def get(self, function_name: str, task_id: str) -> AsyncTask:
        with self._lock:
            task = self._tasks.get(function_name, {}).get(task_id)
        if task is None:
            raise ApiError(
                404, "AsyncTaskNotFound", f"async task '{task_id}' of function '{function_name}' does not exist"
            )
        return task

    def list(self, function_name: str, status: str = "", prefix: str = "") -> list[AsyncTask]:
        with self._lock:
            tasks = list(self._tasks.get(function_name, {}).values())
        return [t for t in reversed(tasks) if (not status or t.status == status) and t.task_id.startswith(prefix)]

    def stop(self, function_name: str, task_id: str) -> AsyncTask:
        task = self.get(function_name, task_id)
        if task.status in TERMINAL:
            raise errors.invalid_argument(f"async task '{task_id}' has already finished ({task.status})")
        if task.status == "Running":
            task.stop_requested = True
            task.status = "Stopping"
            task.record("Stopping")
        else:
            self._finish(task, "Stopped", "stopped by StopAsyncTask")
        return task

    def pending(self) -> int:
        with self._lock:
            queues = list(self._queues.values())
        return sum(q.pending() for q in queues)

    def close(self, drain_s: float) -> int:
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
        return sum(q.close(drain_s) for q in queues)
