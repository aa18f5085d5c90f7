"""Async tasks: the record of one asynchronous invocation (status, attempts, events, what it
returned) in the ``AsyncTask`` shape of the FC 3.0 API, and the book of every function's
tasks that GetAsyncTask, ListAsyncTasks and StopAsyncTask read.

A task goes ``Enqueued`` -> ``Running`` (-> ``Retrying`` -> ``Running``)* and ends
``Succeeded``, ``Failed``, ``Expired``, ``Invalid`` or ``Stopped`` (``Stopping`` while an
attempt runs). Tasks live in memory; the book keeps the newest finished ones.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.context import function_arn

if TYPE_CHECKING:
    from localfc.fc.qualifiers import Resolved

TERMINAL = frozenset({"Succeeded", "Failed", "Stopped", "Expired", "Invalid"})
_KEEP_FINISHED_TASKS = 5000


def now_ms() -> int:
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
    created_ms: int = field(default_factory=now_ms)
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
            {"eventId": len(self.events) + 1, "status": status, "timestamp": now_ms(), "eventDetail": detail}
        )

    def finish(self, status: str, detail: str = "") -> None:
        """End the task with a terminal ``status``; ``detail`` is the error of a failed one."""
        self.status = status
        self.ended_ms = now_ms()
        if status != "Succeeded" and detail:
            self.error_message = detail
        self.record(status, detail)
        self.done.set()

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


class TaskBook:
    """Every function's tasks by id, in the order they were submitted."""

    def __init__(self) -> None:
        self._tasks: dict[str, dict[str, AsyncTask]] = {}
        self._lock = threading.Lock()

    def add(self, task: AsyncTask) -> None:
        """Keep ``task``; raises ApiError 409 when its function already has a task of that id."""
        with self._lock:
            tasks = self._tasks.setdefault(task.function_name, {})
            if task.task_id in tasks:
                raise ApiError(
                    409,
                    "AsyncTaskAlreadyExists",
                    f"async task '{task.task_id}' of function '{task.function_name}' already exists",
                )
            tasks[task.task_id] = task
            _trim(tasks)

    def get(self, function_name: str, task_id: str) -> AsyncTask:
        with self._lock:
            task = self._tasks.get(function_name, {}).get(task_id)
        if task is None:
            raise ApiError(
                404, "AsyncTaskNotFound", f"async task '{task_id}' of function '{function_name}' does not exist"
            )
        return task

    def list(self, function_name: str, status: str = "", prefix: str = "") -> list[AsyncTask]:
        """The function's tasks, newest first, with this status and task id prefix."""
        with self._lock:
            tasks = list(self._tasks.get(function_name, {}).values())
        return [t for t in reversed(tasks) if (not status or t.status == status) and t.task_id.startswith(prefix)]

    def stop(self, function_name: str, task_id: str) -> AsyncTask:
        """StopAsyncTask: a waiting task stops now; a running one after its attempt."""
        task = self.get(function_name, task_id)
        if task.status in TERMINAL:
            raise errors.invalid_argument(f"async task '{task_id}' has already finished ({task.status})")
        if task.status == "Running":
            task.stop_requested = True
            task.status = "Stopping"
            task.record("Stopping")
        else:
            task.finish("Stopped", "stopped by StopAsyncTask")
        return task


def _trim(tasks: dict[str, AsyncTask]) -> None:
    if len(tasks) <= _KEEP_FINISHED_TASKS:
        return
    for task_id in [t.task_id for t in tasks.values() if t.status in TERMINAL][: len(tasks) - _KEEP_FINISHED_TASKS]:
        del tasks[task_id]
