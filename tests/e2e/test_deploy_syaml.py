"""How deployed functions and s.yaml's relate, and the configs a deploy sets: `s info` of s.yaml
functions, a deploy that takes an s.yaml function over, `s remove` of it (it stays removed
across restarts), ConcurrencyConfig as the instance cap, async config and timers set through
the API."""

from __future__ import annotations

import base64
import io
import json
import threading
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
import requests
from alibabacloud_fc20230330 import models
from darabonba.runtime import RuntimeOptions

from tests.fixtures.deploy import DEPLOY_APP, fc3_remove, walker_zip
from tests.fixtures.serve import BASIC_APP, eventually, fc_client, start_serve

if TYPE_CHECKING:
    from pathlib import Path


def _zip_code(zip_bytes: bytes) -> Any:
    return models.InputCodeLocation(zip_file=base64.b64encode(zip_bytes).decode())


def _create(client: Any, name: str, zip_bytes: bytes, **fields: Any) -> None:
    body = models.CreateFunctionInput(
        function_name=name, runtime="python3.10", handler="app.handler", code=_zip_code(zip_bytes), **fields
    )
    client.create_function(models.CreateFunctionRequest(body=body))


def test_s_info_and_s_plan_read_syaml_functions(tmp_path: Path) -> None:
    with start_serve(BASIC_APP, tmp_path / "state", run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        config = client.get_async_invoke_config("flaky", models.GetAsyncInvokeConfigRequest(qualifier="LATEST")).body
        assert config.max_async_retry_attempts == 3
        assert config.destination_config.on_failure.destination.endswith("functions/recorder")
        listed = client.list_async_invoke_configs(models.ListAsyncInvokeConfigsRequest(function_name="flaky")).body
        assert [c.function_arn.rsplit("/", 1)[-1] for c in listed.configs] == ["flaky"]
        with pytest.raises(Exception, match="AsyncConfigNotExists"):
            client.get_async_invoke_config("echo", models.GetAsyncInvokeConfigRequest(qualifier="LATEST"))
        function = client.get_function("echo", models.GetFunctionRequest()).body
        assert function.internet_access is True and function.code_checksum is None  # served from the working tree
        assert client.list_vpc_bindings("echo").body.vpc_ids == []
        scaling = client.get_scaling_config("echo", models.GetScalingConfigRequest(qualifier="LATEST")).body
        assert (scaling.function_arn, scaling.min_instances, scaling.current_instances) == (None, None, None)
        provision = client.get_provision_config("echo", models.GetProvisionConfigRequest(qualifier="LATEST")).body
        assert (provision.function_arn, provision.target, provision.current) == (None, None, None)
        assert (
            client.list_scaling_configs(models.ListScalingConfigsRequest(function_name="echo")).body.scaling_configs
            == []
        )
        assert client.get_concurrency_config("echo").body.reserved_concurrency is None
        assert client.get_trigger("echo", "http").body.trigger_type == "http"


def test_a_deploy_takes_over_the_syaml_function_and_remove_keeps_it_removed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    zip_bytes = walker_zip(tmp_path, "v1")
    with start_serve(DEPLOY_APP, state, run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        assert requests.get(f"{handle.url}/resident/hi", timeout=30).text == "resident from the working tree"
        update = models.UpdateFunctionInput(code=_zip_code(zip_bytes), handler="app.handler")
        client.update_function("resident", models.UpdateFunctionRequest(body=update))
        # The deployed zip runs now, behind the trigger s.yaml declared.
        assert requests.get(f"{handle.url}/resident/hi", timeout=30).text == "v1 /hi"
        assert client.get_function("resident", models.GetFunctionRequest()).body.code_size == len(zip_bytes)
        assert fc3_remove(client, "resident") == []
        assert requests.get(f"{handle.url}/resident/hi", timeout=30).status_code == 404
    with start_serve(DEPLOY_APP, state, run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        with pytest.raises(Exception, match="FunctionNotFound"):
            client.get_function("resident", models.GetFunctionRequest())
        _create(client, "resident", zip_bytes)  # deploying it again is a create, as on FC
        assert (
            client.invoke_function("resident", models.InvokeFunctionRequest(body=b"{}")).body.read()
            == b'{"version": "v1", "layer": ""}'
        )


def test_reserved_concurrency_caps_the_instances(tmp_path: Path) -> None:
    zip_bytes = walker_zip(tmp_path, "v1")
    with start_serve(DEPLOY_APP, tmp_path / "state", run_oss=False, run_timers=False, max_instances=4) as handle:
        client = fc_client(handle.fc)
        _create(client, "walker", zip_bytes, timeout=10)
        trigger = models.CreateTriggerInput(
            trigger_name="http",
            trigger_type="http",
            trigger_config=json.dumps({"authType": "anonymous", "methods": ["GET"]}),
        )
        client.create_trigger("walker", models.CreateTriggerRequest(body=trigger))

        def cap(n: int) -> None:
            body = models.PutConcurrencyInput(reserved_concurrency=n)
            client.put_concurrency_config("walker", models.PutConcurrencyConfigRequest(body=body))

        cap(0)
        throttled = requests.get(f"{handle.url}/walker/x", timeout=30)
        assert (throttled.status_code, throttled.json()["Code"]) == (429, "ResourceExhausted")
        cap(1)
        answers: list[str] = []
        calls = [
            threading.Thread(target=lambda: answers.append(requests.get(f"{handle.url}/walker/slow", timeout=30).text))
            for _ in range(3)
        ]
        for call in calls:
            call.start()
        for call in calls:
            call.join(timeout=60)
        assert answers == ["v1 /slow"] * 3
        (pool,) = handle.fc.invoker.pools()
        assert pool.cold_starts == 1  # three concurrent calls, one instance: they queued
        client.delete_concurrency_config("walker")
        assert client.get_concurrency_config("walker").body.reserved_concurrency is None


def test_async_config_and_timers_set_through_the_api_apply(tmp_path: Path) -> None:
    failing = io.BytesIO()
    with zipfile.ZipFile(failing, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    raise RuntimeError('always')\n")
    with start_serve(DEPLOY_APP, tmp_path / "state", run_oss=False, run_timers=True) as handle:
        client = fc_client(handle.fc)
        _create(client, "failing", failing.getvalue())

        def attempts_of_one_task() -> int:
            headers = models.InvokeFunctionHeaders(x_fc_invocation_type="Async")
            answer = client.invoke_function_with_options(
                "failing", models.InvokeFunctionRequest(body=b"{}"), headers, RuntimeOptions()
            )
            task_id = answer.headers["x-fc-async-task-id"]
            task = eventually(
                lambda: (
                    (t := client.get_async_task("failing", task_id, models.GetAsyncTaskRequest()).body).status
                    == "Failed"
                    and t
                ),
                timeout=30,
            )
            return int(task.already_retried_times) + 1

        for retries in (0, 2):
            body = models.PutAsyncInvokeConfigInput(max_async_retry_attempts=retries)
            client.put_async_invoke_config("failing", models.PutAsyncInvokeConfigRequest(qualifier="LATEST", body=body))
            assert attempts_of_one_task() == retries + 1

        walker = walker_zip(tmp_path, "v1")
        _create(client, "ticker", walker)
        timer = models.CreateTriggerInput(
            trigger_name="tick",
            trigger_type="timer",
            trigger_config=json.dumps({"cronExpression": "@every 1s", "enable": True, "payload": "from-the-api"}),
        )
        client.create_trigger("ticker", models.CreateTriggerRequest(body=timer))
        eventually(
            lambda: any(
                t.status == "Succeeded" and "from-the-api" in (t.task_payload or "")
                for t in client.list_async_tasks("ticker", models.ListAsyncTasksRequest()).body.tasks or []
            ),
            timeout=30,
            message="the timer created through the API never fired",
        )
