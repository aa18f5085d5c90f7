"""Async task records and the book GetAsyncTask, ListAsyncTasks and StopAsyncTask read."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from localfc.fc.api.errors import ApiError
from localfc.fc.async_tasks import AsyncTask, TaskBook


def task(task_id: str, function_name: str = "flaky") -> AsyncTask:
    resolved = SimpleNamespace(props=SimpleNamespace(region="cn-hangzhou"))
    return AsyncTask(
        task_id=task_id,
        function_name=function_name,
        qualifier="LATEST",
        payload=b'{"n": 1}',
        request_id="req-1",
        source="api",
        resolved=resolved,
        max_retries=3,
        max_age_s=60,
    )


def test_a_task_id_is_unique_per_function() -> None:
    book = TaskBook()
    book.add(task("t-1"))
    book.add(task("t-1", function_name="other"))
    with pytest.raises(ApiError) as raised:
        book.add(task("t-1"))
    assert (raised.value.status, raised.value.code) == (409, "AsyncTaskAlreadyExists")


def test_an_unknown_task_is_a_404() -> None:
    with pytest.raises(ApiError) as raised:
        TaskBook().get("flaky", "nope")
    assert (raised.value.status, raised.value.code) == (404, "AsyncTaskNotFound")


def test_list_is_newest_first_and_filters_by_status_and_prefix() -> None:
    book = TaskBook()
    for task_id in ("a-1", "b-1", "a-2"):
        book.add(task(task_id))
    book.get("flaky", "a-2").finish("Succeeded")
    assert [t.task_id for t in book.list("flaky")] == ["a-2", "b-1", "a-1"]
    assert [t.task_id for t in book.list("flaky", prefix="a-")] == ["a-2", "a-1"]
    assert [t.task_id for t in book.list("flaky", status="Enqueued")] == ["b-1", "a-1"]


def test_stopping_a_waiting_task_ends_it_at_once() -> None:
    book = TaskBook()
    book.add(task("t-1"))
    stopped = book.stop("flaky", "t-1")
    assert stopped.done.is_set()
    assert stopped.to_api()["status"] == "Stopped"
    assert stopped.to_api()["taskErrorMessage"] == "stopped by StopAsyncTask"


def test_stopping_a_running_task_waits_for_its_attempt() -> None:
    book = TaskBook()
    book.add(running := task("t-1"))
    running.status = "Running"
    book.stop("flaky", "t-1")
    assert (running.status, running.stop_requested, running.done.is_set()) == ("Stopping", True, False)


def test_a_finished_task_cannot_be_stopped() -> None:
    book = TaskBook()
    book.add(task("t-1"))
    book.get("flaky", "t-1").finish("Failed", "boom")
    with pytest.raises(ApiError) as raised:
        book.stop("flaky", "t-1")
    assert (raised.value.status, raised.value.code) == (400, "InvalidArgument")


def test_the_api_shape_counts_retries_not_attempts() -> None:
    record = task("t-1")
    record.attempts = 3
    record.finish("Failed", "ValueError: boom")
    doc = record.to_api(include_payload=False)
    assert doc["functionArn"] == "acs:fc:cn-hangzhou:1234567890123456:functions/flaky"
    assert (doc["alreadyRetriedTimes"], doc["taskErrorMessage"]) == (2, "ValueError: boom")
    assert "taskPayload" not in doc
    assert [e["status"] for e in doc["events"]] == ["Failed"]
