"""Asynchronous invocation in the local FC: retries with backoff, ``context.retry_count``,
onSuccess/onFailure destinations, event age limit, task status through the API."""

from __future__ import annotations

import json

import requests

from tests.fixtures.serve import eventually


def invoke_async(url: str, function: str, payload: object, **headers: str) -> str:
    response = requests.post(
        f"{url}/2023-03-30/functions/{function}/invocations",
        data=json.dumps(payload).encode(),
        headers={"x-fc-invocation-type": "Async", **headers},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    assert response.content == b""
    return response.headers["x-fc-async-task-id"]


def task(url: str, function: str, task_id: str) -> dict:
    response = requests.get(f"{url}/2023-03-30/functions/{function}/async-tasks/{task_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def finished_task(url: str, function: str, task_id: str, timeout: float = 15) -> dict:
    return eventually(
        lambda: (doc := task(url, function, task_id))["status"] in ("Succeeded", "Failed", "Expired") and doc,
        timeout=timeout,
    )


def destination_records(serve, request_id: str) -> list[dict]:
    records = [json.loads(json.loads(line)["event"]) for line in serve.out_lines("recorder.jsonl")]
    return [r for r in records if r["requestContext"]["requestId"] == request_id]


def test_failed_attempts_are_retried_with_increasing_retry_count(basic_serve):
    task_id = invoke_async(basic_serve.url, "flaky", {"id": "twice", "fail_times": 2})
    doc = finished_task(basic_serve.url, "flaky", task_id)
    assert doc["status"] == "Succeeded"
    assert doc["alreadyRetriedTimes"] == 2
    attempts = [json.loads(line) for line in basic_serve.out_lines("flaky-twice.jsonl")]
    assert [a["retry_count"] for a in attempts] == [0, 1, 2]
    assert len({a["request_id"] for a in attempts}) == 1  # retries keep the request id
    assert [e["status"] for e in doc["events"]][:2] == ["Enqueued", "Dequeued"]


def test_success_goes_to_the_on_success_destination(basic_serve):
    task_id = invoke_async(basic_serve.url, "flaky", {"id": "ok", "fail_times": 0})
    doc = finished_task(basic_serve.url, "flaky", task_id)
    record = eventually(lambda: destination_records(basic_serve, doc["requestId"]))[0]
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["functionArn"].endswith(":functions/flaky")
    assert json.loads(record["requestPayload"]) == {"id": "ok", "fail_times": 0}
    assert json.loads(record["responsePayload"]) == {"id": "ok", "succeeded_on_retry": 0}
    assert eventually(lambda: task(basic_serve.url, "flaky", task_id)["destinationStatus"] == "Succeeded")


def test_exhausted_retries_fail_and_go_to_the_on_failure_destination(basic_serve):
    task_id = invoke_async(basic_serve.url, "flaky", {"id": "never", "fail_times": 99})
    doc = finished_task(basic_serve.url, "flaky", task_id)
    assert doc["status"] == "Failed"
    assert doc["alreadyRetriedTimes"] == 3  # maxAsyncRetryAttempts
    assert "failing attempt 3" in doc["taskErrorMessage"]
    assert len(basic_serve.out_lines("flaky-never.jsonl")) == 4
    record = eventually(lambda: destination_records(basic_serve, doc["requestId"]))[0]
    assert record["requestContext"]["condition"] == "UnhandledInvocationError"
    assert record["requestContext"]["approximateInvokeCount"] == 4
    assert record["responseContext"]["functionError"] == "UnhandledInvocationError"


def test_events_older_than_max_age_expire(basic_serve):
    task_id = invoke_async(basic_serve.url, "expiring", {})
    doc = finished_task(basic_serve.url, "expiring", task_id)
    assert doc["status"] == "Expired"  # maxAsyncEventAgeInSeconds: 1, each attempt takes 0.6 s
    # It expired before its 8 retries ran out. How many fit in the second depends on the
    # machine's speed (none when a loaded machine's cold start eats it), so no lower bound.
    assert 0 <= doc["alreadyRetriedTimes"] < 8
    record = eventually(lambda: destination_records(basic_serve, doc["requestId"]))[0]
    assert record["requestContext"]["condition"] == "EventExpired"


def test_unknown_task_is_404(basic_serve):
    response = requests.get(basic_serve.url + "/2023-03-30/functions/flaky/async-tasks/nope")
    assert response.status_code == 404
    assert response.json()["Code"] == "AsyncTaskNotFound"


def test_stop_async_task_stops_a_task_waiting_for_its_retry(basic_serve):
    task_id = invoke_async(basic_serve.url, "expiring", {}, **{"x-fc-async-task-id": "stop-me"})
    eventually(lambda: task(basic_serve.url, "expiring", task_id)["status"] in ("Running", "Retrying"))
    stop = requests.put(f"{basic_serve.url}/2023-03-30/functions/expiring/async-tasks/{task_id}/stop")
    assert stop.status_code == 200
    doc = finished_task_or_stopped(basic_serve.url, "expiring", task_id)
    assert doc["status"] == "Stopped"


def finished_task_or_stopped(url: str, function: str, task_id: str) -> dict:
    return eventually(
        lambda: (doc := task(url, function, task_id))["status"] in ("Stopped", "Failed", "Expired") and doc
    )
