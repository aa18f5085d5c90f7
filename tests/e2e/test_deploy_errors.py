"""Bad input and faults of the control plane, as the official client sees them: FC's error
code and status for each, and nothing of a refused request visible afterwards."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
import requests
from alibabacloud_fc20230330 import models

from tests.fixtures.deploy import DEPLOY_APP, fc3_remove, walker_zip
from tests.fixtures.serve import fc_client, start_serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fixtures.serve import ServeHandle


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeHandle, Any, bytes]]:
    work = tmp_path_factory.mktemp("deploy-errors")
    zip_bytes = walker_zip(work, "v1")
    with start_serve(DEPLOY_APP, work / "state", run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        client.create_function(models.CreateFunctionRequest(body=_create("walker", zip_bytes)))
        yield handle, client, zip_bytes


def _create(name: str, zip_bytes: bytes, handler: str = "app.handler") -> Any:
    code = models.InputCodeLocation(zip_file=base64.b64encode(zip_bytes).decode())
    return models.CreateFunctionInput(function_name=name, runtime="python3.10", handler=handler, code=code)


def _error(call: Any) -> tuple[int, str, str]:
    with pytest.raises(Exception) as caught:
        call()
    exc: Any = caught.value
    return exc.statusCode, exc.code, str(exc.message)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_creating_a_function_that_exists_is_409(served: tuple[ServeHandle, Any, bytes]) -> None:
    _, client, zip_bytes = served
    status, code, _ = _error(
        lambda: client.create_function(models.CreateFunctionRequest(body=_create("walker", zip_bytes)))
    )
    assert (status, code) == (409, "FunctionAlreadyExists")
    status, code, _ = _error(
        lambda: client.create_function(models.CreateFunctionRequest(body=_create("resident", zip_bytes)))
    )
    assert (status, code) == (409, "FunctionAlreadyExists")  # s.yaml's function exists too


def test_unknown_function_and_trigger_are_404(served: tuple[ServeHandle, Any, bytes]) -> None:
    _, client, _ = served
    assert _error(lambda: client.get_function("nope", models.GetFunctionRequest()))[:2] == (404, "FunctionNotFound")
    update = models.UpdateFunctionRequest(body=models.UpdateFunctionInput(timeout=5))
    assert _error(lambda: client.update_function("nope", update))[:2] == (404, "FunctionNotFound")
    assert _error(lambda: client.delete_function("nope"))[:2] == (404, "FunctionNotFound")
    assert _error(lambda: client.get_trigger("walker", "nope"))[:2] == (404, "TriggerNotFound")
    assert _error(lambda: client.delete_trigger("walker", "nope"))[:2] == (404, "TriggerNotFound")
    request = models.GetAsyncInvokeConfigRequest(qualifier="LATEST")
    assert _error(lambda: client.get_async_invoke_config("walker", request))[:2] == (404, "AsyncConfigNotExists")


def test_code_that_is_not_a_zip_changes_nothing(served: tuple[ServeHandle, Any, bytes]) -> None:
    handle, client, _ = served
    before = client.get_function("walker", models.GetFunctionRequest()).body
    for bad in (b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40):
        code = models.InputCodeLocation(zip_file=base64.b64encode(bad).decode())
        update = models.UpdateFunctionRequest(body=models.UpdateFunctionInput(code=code, timeout=9))
        status, error_code, message = _error(lambda u=update: client.update_function("walker", u))
        assert (status, error_code) == (400, "InvalidArgument")
        assert "zip" in message
    function = client.get_function("walker", models.GetFunctionRequest()).body
    assert (function.code_checksum, function.timeout) == (before.code_checksum, before.timeout)
    not_base64 = models.UpdateFunctionInput(code=models.InputCodeLocation(zip_file="%%%"))
    assert _error(lambda: client.update_function("walker", models.UpdateFunctionRequest(body=not_base64)))[:2] == (
        400,
        "InvalidArgument",
    )
    assert not list((handle.fc.state.functions / ".uploads").glob("*"))


def test_a_zip_without_the_handler_module_fails_the_function_state(served: tuple[ServeHandle, Any, bytes]) -> None:
    handle, client, _ = served
    empty = _zip({"readme.txt": "no code here"})
    client.create_function(models.CreateFunctionRequest(body=_create("hollow", empty, handler="index.handler")))
    function = client.get_function("hollow", models.GetFunctionRequest()).body
    assert (function.state, function.last_update_status) == ("Failed", "Failed")
    assert "index.py" in function.state_reason and "index.py" in function.last_update_status_reason
    answer = requests.post(f"{handle.url}/2023-03-30/functions/hollow/invocations", data=b"{}", timeout=30)
    assert answer.status_code == 502 and "index" in answer.json()["errorMessage"]
    # Fixing the handler's module makes it Active again.
    fixed = _zip({"index.py": "def handler(event, context):\n    return 'fixed'\n"})
    code = models.InputCodeLocation(zip_file=base64.b64encode(fixed).decode())
    client.update_function("hollow", models.UpdateFunctionRequest(body=models.UpdateFunctionInput(code=code)))
    function = client.get_function("hollow", models.GetFunctionRequest()).body
    assert (function.state, function.last_update_status, function.state_reason) == ("Active", "Successful", None)
    assert client.invoke_function("hollow", models.InvokeFunctionRequest(body=b"{}")).body.read() == b"fixed"
    client.delete_function("hollow")


def test_paths_outside_the_code_directory_are_refused(served: tuple[ServeHandle, Any, bytes]) -> None:
    _, client, _ = served
    evil = _zip({"../escape.py": "x = 1", "app.py": "def handler(e, c):\n    return 1\n"})
    status, code, message = _error(
        lambda: client.create_function(models.CreateFunctionRequest(body=_create("evil", evil)))
    )
    assert (status, code) == (400, "InvalidArgument") and "outside" in message
    assert _error(lambda: client.get_function("evil", models.GetFunctionRequest()))[:2] == (404, "FunctionNotFound")


def test_bad_configuration_is_400_and_not_applied(served: tuple[ServeHandle, Any, bytes]) -> None:
    _, client, _ = served
    for update in (models.UpdateFunctionInput(memory_size=100), models.UpdateFunctionInput(runtime="python2.0")):
        status, code, _ = _error(
            lambda u=update: client.update_function("walker", models.UpdateFunctionRequest(body=u))
        )
        assert (status, code) == (400, "InvalidArgument")
    assert client.get_function("walker", models.GetFunctionRequest()).body.memory_size == 128


def test_raw_bodies_that_are_not_json_objects_are_400(served: tuple[ServeHandle, Any, bytes]) -> None:
    handle, _, _ = served
    for body in (b"{", b"[1, 2]", b"NaN", b""):
        answer = requests.post(f"{handle.url}/2023-03-30/functions", data=body, timeout=10)
        assert answer.status_code == 400 and answer.json()["Code"] == "InvalidArgument", body
    answer = requests.get(f"{handle.url}/2023-03-30/functions?limit=zero", timeout=10)
    assert (answer.status_code, answer.json()["Code"]) == (400, "InvalidArgument")
    answer = requests.put(
        f"{handle.url}/2023-03-30/functions/walker/concurrency", json={"reservedConcurrency": 1.5}, timeout=10
    )
    assert (answer.status_code, answer.json()["Code"]) == (400, "InvalidArgument")


def test_trigger_errors(served: tuple[ServeHandle, Any, bytes]) -> None:
    _, client, _ = served

    def create(name: str, config: str, qualifier: str = "LATEST", kind: str = "http") -> Any:
        body = models.CreateTriggerInput(
            trigger_name=name, trigger_type=kind, qualifier=qualifier, trigger_config=config
        )
        return lambda: client.create_trigger("walker", models.CreateTriggerRequest(body=body))

    http = json.dumps({"authType": "anonymous", "methods": ["GET"]})
    assert _error(create("t1", "{not json"))[:2] == (400, "InvalidArgument")
    assert _error(create("t1", json.dumps({"authType": "nobody", "methods": ["GET"]})))[:2] == (400, "InvalidArgument")
    assert _error(create("t1", json.dumps({"cronExpression": "61 * * * * *"}), kind="timer"))[:2] == (
        400,
        "InvalidArgument",
    )
    assert _error(create("t1", http, qualifier="prod"))[:2] == (404, "AliasNotFound")
    assert _error(create("t1", http, qualifier="7"))[:2] == (404, "VersionNotFound")
    create("t1", http)()
    assert _error(create("t1", http))[:2] == (409, "TriggerAlreadyExists")
    names = [t.trigger_name for t in client.list_triggers("walker", models.ListTriggersRequest()).body.triggers]
    assert names == ["t1"]
    status, code, message = _error(lambda: client.delete_function("walker"))
    assert (status, code) == (412, "FunctionNotEmpty") and "t1" in message
    update = models.UpdateTriggerRequest(body=models.UpdateTriggerInput(trigger_config="[]"))
    assert _error(lambda: client.update_trigger("walker", "t1", update))[:2] == (400, "InvalidArgument")
    assert json.loads(client.get_trigger("walker", "t1").body.trigger_config) == {
        "authType": "anonymous",
        "methods": ["GET"],
    }
    client.delete_trigger("walker", "t1")


def test_remove_of_a_half_removed_function_goes_on_and_reports(tmp_path: Path) -> None:
    zip_bytes = walker_zip(tmp_path, "v1")
    with start_serve(DEPLOY_APP, tmp_path / "state", run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        client.create_function(models.CreateFunctionRequest(body=_create("walker", zip_bytes)))
        configs = {
            "a": ("http", {"authType": "anonymous", "methods": ["GET"]}),
            "b": ("timer", {"cronExpression": "@every 1h", "enable": False, "payload": ""}),
        }
        for name, (kind, config) in configs.items():
            body = models.CreateTriggerInput(trigger_name=name, trigger_type=kind, trigger_config=json.dumps(config))
            client.create_trigger("walker", models.CreateTriggerRequest(body=body))
        client.delete_trigger("walker", "a")  # a first `s remove` stopped here
        assert _error(lambda: client.delete_trigger("walker", "a"))[:2] == (404, "TriggerNotFound")
        assert fc3_remove(client, "walker") == []
        assert _error(lambda: client.get_function("walker", models.GetFunctionRequest()))[:2] == (
            404,
            "FunctionNotFound",
        )
        assert fc3_remove(client, "walker") == ["FunctionNotFound"]  # nothing left: reported, not raised
        assert not (handle.fc.state.functions / "walker").exists()
