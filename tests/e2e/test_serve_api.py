"""The FC 3.0 OpenAPI subset of the local FC, driven by the official ``alibabacloud_fc20230330``
client (unmodified), plus raw HTTP for malformed requests."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from alibabacloud_fc20230330 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

from tests.fixtures.serve import eventually, fc_client


@pytest.fixture(scope="module")
def client(basic_serve):
    return fc_client(basic_serve.fc)


def invoke(client, name: str, body: bytes, qualifier: str | None = None, **headers: str):
    request = models.InvokeFunctionRequest(body=body, qualifier=qualifier)
    return client.invoke_function_with_options(
        name, request, models.InvokeFunctionHeaders(**headers), RuntimeOptions(read_timeout=30000)
    )


def test_sync_invoke_returns_the_function_result(client):
    response = invoke(client, "echo", b'{"hello": "sdk"}')
    assert response.status_code == 200
    doc = json.loads(response.body.read())
    assert doc["event"] == {"hello": "sdk"}
    assert response.headers["x-fc-request-id"] == doc["info"]["context"]["request_id"]
    assert response.headers["x-fc-function-version"] == "LATEST"
    assert "x-fc-error-type" not in response.headers


def test_tail_log_holds_this_calls_framing_lines(client):
    response = invoke(client, "echo", b"{}", x_fc_log_type="Tail")
    request_id = response.headers["x-fc-request-id"]
    tail = base64.b64decode(response.headers["x-fc-log-result"]).decode()
    assert len(base64.b64decode(response.headers["x-fc-log-result"])) <= 4096
    assert f"FC Invoke Start RequestId: {request_id}" in tail
    assert tail.rstrip().endswith(f"FC Invoke End RequestId: {request_id}")


def test_handler_exception_sets_x_fc_error_type(client):
    response = invoke(client, "echo", b'{"raise": "nope"}')
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(response.body.read())["errorMessage"] == "RuntimeError: nope"


def test_async_invoke_is_accepted_and_queryable_as_a_task(client):
    response = invoke(
        client, "flaky", json.dumps({"id": "sdk", "fail_times": 0}).encode(), x_fc_invocation_type="Async"
    )
    assert response.status_code == 202
    task_id = response.headers["x-fc-async-task-id"]

    def finished():
        task = client.get_async_task("flaky", task_id, models.GetAsyncTaskRequest()).body
        return task if task.status in ("Succeeded", "Failed") else None

    task = eventually(finished)
    assert task.status == "Succeeded"
    assert task.task_id == task_id
    assert json.loads(task.return_payload) == {"id": "sdk", "succeeded_on_retry": 0}
    listed = client.list_async_tasks("flaky", models.ListAsyncTasksRequest()).body.tasks
    assert task_id in [t.task_id for t in listed]


def test_async_task_id_from_the_caller_is_kept_and_duplicates_refused(client):
    headers = {"x_fc_invocation_type": "Async", "x_fc_async_task_id": "my_task-1"}
    body = json.dumps({"id": "dup", "fail_times": 0}).encode()
    assert invoke(client, "flaky", body, **headers).headers["x-fc-async-task-id"] == "my_task-1"
    with pytest.raises(ClientException) as caught:
        invoke(client, "flaky", body, **headers)
    assert caught.value.code == "AsyncTaskAlreadyExists"


def test_unknown_function_raises_function_not_found(client):
    with pytest.raises(ClientException) as caught:
        invoke(client, "no-such-function", b"{}")
    assert caught.value.status_code == 404
    assert caught.value.code == "FunctionNotFound"


def test_unknown_qualifier_raises_fc_404(client):
    with pytest.raises(ClientException) as caught:
        invoke(client, "echo", b"{}", qualifier="prod")
    assert caught.value.status_code == 404
    assert caught.value.code == "AliasNotFound"
    with pytest.raises(ClientException) as caught:
        invoke(client, "echo", b"{}", qualifier="41")
    assert caught.value.code == "VersionNotFound"


def test_get_and_list_functions(client):
    function = client.get_function("slow", models.GetFunctionRequest()).body
    assert (function.function_name, function.timeout, function.handler) == ("slow", 1, "app.slow")
    assert function.function_arn.endswith(":functions/slow")
    names = [f.function_name for f in client.list_functions(models.ListFunctionsRequest(limit=100)).body.functions]
    assert {"echo", "slow", "uploads"} <= set(names)
    page = client.list_functions(models.ListFunctionsRequest(prefix="ec", limit=1)).body
    assert [f.function_name for f in page.functions] == ["echo"] and page.next_token == "echo312"


def test_list_triggers_shows_the_local_http_url(client, basic_serve):
    triggers = client.list_triggers("echo", models.ListTriggersRequest()).body.triggers
    http = next(t for t in triggers if t.trigger_name == "http")
    assert http.http_trigger.url_internet == basic_serve.url + "/echo"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"x-fc-invocation-type": "Later"}, "InvalidArgument"),
        ({"x-fc-log-type": "Everything"}, "InvalidArgument"),
        ({"x-fc-invocation-type": "Async", "x-fc-async-task-id": "9 bad id"}, "InvalidArgument"),
    ],
)
def test_malformed_invoke_requests_are_400(basic_serve, headers, code):
    response = requests.post(basic_serve.url + "/2023-03-30/functions/echo/invocations", data=b"{}", headers=headers)
    assert response.status_code == 400
    assert response.json()["Code"] == code


def test_async_payload_over_128_kb_is_refused(basic_serve):
    response = requests.post(
        basic_serve.url + "/2023-03-30/functions/echo/invocations",
        data=b"x" * (128 * 1024 + 1),
        headers={"x-fc-invocation-type": "Async"},
    )
    assert response.status_code == 400
    assert response.json()["Code"] == "EntityTooLarge"


def test_unsupported_api_paths_are_fc_errors(basic_serve):
    response = requests.post(basic_serve.url + "/2023-03-30/functions/echo/code", data=b"{}")
    assert response.status_code == 400
    assert response.json()["Code"] == "PathNotSupported"
    assert requests.get(basic_serve.url + "/2023-03-30/custom-domains").json()["Code"] == "PathNotSupported"
    unknown = requests.get(basic_serve.url + "/2023-03-30/functions/nope/code")
    assert unknown.status_code == 404 and unknown.json()["Code"] == "FunctionNotFound"


@pytest.mark.parametrize(
    "path",
    [
        "/2023-03-30/functions?limit=%C2%B2",  # "²": str.isdigit() is true, int() raises (was a 500)
        "/2023-03-30/functions?limit=%D9%A1%D9%A0",  # Arabic-Indic "10": int() reads it
        "/2023-03-30/functions/echo/async-tasks?limit=%C2%B2",
        "/2023-03-30/functions/echo/async-tasks?includePayload=maybe",
        "/2023-03-30/functions/echo/versions?nextToken=%C2%B2",
        "/2023-03-30/functions/echo/aliases?limit=101",
    ],
)
def test_bad_numbers_and_flags_in_the_query_are_400(basic_serve, path):
    response = requests.get(basic_serve.url + path)
    assert response.status_code == 400, response.text
    assert response.json()["Code"] == "InvalidArgument"


def test_a_deeply_nested_json_body_is_400_not_500(basic_serve):
    response = requests.post(
        basic_serve.url + "/2023-03-30/functions/echo/aliases", data=b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    )
    assert response.status_code == 400, response.text
    assert response.json()["Code"] == "InvalidArgument"
