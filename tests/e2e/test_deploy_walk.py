"""The whole `s deploy` walk against serve, with the official FC 3.0 client: create a new
function from a zip built by `package` (uploaded through tempBucketToken and the local OSS),
its HTTP and OSS triggers and async config; invoke through the trigger path; upload an object
and read the output; update the code; publish a version and an alias; `s remove`; nothing left.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import TYPE_CHECKING, Any

import oss2
import pytest
import requests
from alibabacloud_fc20230330 import models

from tests.fixtures.deploy import DEPLOY_APP, fc3_remove, upload_code, walker_input, walker_layer, walker_zip
from tests.fixtures.serve import eventually, fc_client, start_serve

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fixtures.serve import ServeHandle

DATA_BUCKET = "walk-data"


def _crc64(data: bytes) -> str:
    """FC's codeChecksum as oss2 computes CRC-64 (an implementation independent of serve's)."""
    crc = oss2.utils.Crc64()
    crc.update(data)
    return str(crc.crc)


def _http_trigger(client: Any, name: str = "walker") -> None:
    config = json.dumps({"authType": "anonymous", "methods": ["GET", "POST"], "disableURLInternet": False})
    body = models.CreateTriggerInput(
        trigger_name="http", trigger_type="http", qualifier="LATEST", trigger_config=config
    )
    client.create_trigger(name, models.CreateTriggerRequest(body=body))


def _oss_trigger(client: Any, bucket: str = DATA_BUCKET) -> None:
    config = json.dumps({"events": ["oss:ObjectCreated:*"], "filter": {"key": {"prefix": "in/", "suffix": ".txt"}}})
    body = models.CreateTriggerInput(
        trigger_name="uploads",
        trigger_type="oss",
        source_arn=f"acs:oss:cn-hangzhou:1234567890123456:{bucket}",
        invocation_role="acs:ram::1234567890123456:role/aliyunosseventnotificationrole",
        trigger_config=config,
    )
    client.create_trigger("walker", models.CreateTriggerRequest(body=body))


def _data_bucket(handle: ServeHandle) -> oss2.Bucket:
    bucket = oss2.Bucket(oss2.Auth("any", "any"), handle.fc.oss_endpoint, DATA_BUCKET)
    bucket.create_bucket(oss2.BUCKET_ACL_PUBLIC_READ_WRITE)  # the function writes with plain urllib
    return bucket


def _output(bucket: oss2.Bucket, key: str) -> bytes:
    return eventually(
        lambda: bucket.object_exists(f"out/{key}") and bucket.get_object(f"out/{key}").read(),
        timeout=30,
        message=f"no output for {key}",
    )


def _deploy_walker(handle: ServeHandle, client: Any, zip_bytes: bytes) -> None:
    layer = walker_layer(client, models)
    bucket, key = upload_code(handle.fc, zip_bytes)
    client.create_function(models.CreateFunctionRequest(body=walker_input(models, bucket, key, layer)))
    _http_trigger(client)
    _oss_trigger(client)
    config = models.PutAsyncInvokeConfigInput(max_async_event_age_in_seconds=3600, max_async_retry_attempts=1)
    client.put_async_invoke_config("walker", models.PutAsyncInvokeConfigRequest(qualifier="LATEST", body=config))


def test_deploy_invoke_upload_update_release_remove(tmp_path: Path) -> None:
    v1, v2 = walker_zip(tmp_path, "v1"), walker_zip(tmp_path, "v2")
    state = tmp_path / "state"
    with start_serve(DEPLOY_APP, state, run_timers=False) as handle:
        client = fc_client(handle.fc)
        data = _data_bucket(handle)
        _deploy_walker(handle, client, v1)

        function = client.get_function("walker", models.GetFunctionRequest()).body
        assert function.code_checksum == _crc64(v1)  # oss2's CRC-64, not ours
        assert function.code_size == len(v1)
        assert (function.state, function.last_update_status, function.internet_access) == ("Active", "Successful", True)
        (layer,) = function.layers
        assert layer.arn == "acs:fc:cn-hangzhou:1234567890123456:layers/walker-deps/versions/1" and layer.size > 0
        trigger = client.get_trigger("walker", "http").body
        assert json.loads(trigger.trigger_config)["methods"] == ["GET", "POST"]
        assert requests.get(trigger.http_trigger.url_internet + "/hello", timeout=30).text == "v1 /hello"
        config = client.get_async_invoke_config("walker", models.GetAsyncInvokeConfigRequest(qualifier="LATEST"))
        assert config.body.max_async_retry_attempts == 1

        data.put_object("in/first.txt", b"hello")
        assert _output(data, "in/first.txt") == b"v1:HELLO"

        # Update the code (base64 zipFile this time): new behaviour, new checksum.
        update = models.UpdateFunctionInput(code=models.InputCodeLocation(zip_file=base64.b64encode(v2).decode()))
        client.update_function("walker", models.UpdateFunctionRequest(body=update))
        assert requests.get(f"{handle.url}/walker/hello", timeout=30).text == "v2 /hello"
        assert client.get_function("walker", models.GetFunctionRequest()).body.code_checksum == _crc64(v2)
        data.put_object("in/second.txt", b"again")
        assert _output(data, "in/second.txt") == b"v2:AGAIN"

        version = client.publish_function_version(
            "walker", models.PublishFunctionVersionRequest(body=models.PublishVersionInput(description="v2"))
        ).body.version_id
        alias = models.CreateAliasInput(alias_name="prod", version_id=version)
        client.create_alias("walker", models.CreateAliasRequest(body=alias))
        answer = client.invoke_function("walker", models.InvokeFunctionRequest(body=b"{}", qualifier="prod"))
        assert json.loads(answer.body.read()) == {"version": "v2", "layer": "hello from the layer"}
        assert client.get_function("walker", models.GetFunctionRequest(qualifier=version)).body.code_checksum == _crc64(
            v2
        )

        assert fc3_remove(client, "walker") == []
        with pytest.raises(Exception, match="FunctionNotFound"):
            client.get_function("walker", models.GetFunctionRequest())
        assert requests.get(f"{handle.url}/walker/hello", timeout=30).status_code == 404
        names = [f.function_name for f in client.list_functions(models.ListFunctionsRequest()).body.functions]
        assert names == ["resident"]
        assert not (state / "functions" / "walker").exists()
        assert not (state / "versions" / "walker").exists()
        eventually(
            lambda: not [p for p in (state / "functions").iterdir() if not p.name.startswith(".uploads")],
            timeout=15,
            message="the removed function's files are still in the state directory",
        )


def test_deployed_function_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state"
    zip_bytes = walker_zip(tmp_path, "v1")
    with start_serve(DEPLOY_APP, state, run_timers=False) as handle:
        client = fc_client(handle.fc)
        _data_bucket(handle)
        _deploy_walker(handle, client, zip_bytes)
        client.put_concurrency_config(
            "walker", models.PutConcurrencyConfigRequest(body=models.PutConcurrencyInput(reserved_concurrency=2))
        )
        before = client.get_function("walker", models.GetFunctionRequest()).body.to_map()
    with start_serve(DEPLOY_APP, state, run_timers=False) as handle:
        client = fc_client(handle.fc)
        after = client.get_function("walker", models.GetFunctionRequest()).body.to_map()
        assert after == before
        triggers = client.list_triggers("walker", models.ListTriggersRequest()).body.triggers
        assert sorted(t.trigger_name for t in triggers) == ["http", "uploads"]
        assert client.get_concurrency_config("walker").body.reserved_concurrency == 2
        config = client.get_async_invoke_config("walker", models.GetAsyncInvokeConfigRequest()).body
        assert config.max_async_event_age_in_seconds == 3600
        assert requests.get(f"{handle.url}/walker/after-restart", timeout=30).text == "v1 /after-restart"
        # The OSS trigger fires again after the restart (its bucket is re-created empty).
        data = _data_bucket(handle)
        data.put_object("in/restart.txt", b"still")
        assert _output(data, "in/restart.txt") == b"v1:STILL"


def test_update_lets_the_call_in_flight_finish_on_the_old_code(tmp_path: Path) -> None:
    v1, v2 = walker_zip(tmp_path, "v1"), walker_zip(tmp_path, "v2")
    with start_serve(DEPLOY_APP, tmp_path / "state", run_oss=False, run_timers=False) as handle:
        client = fc_client(handle.fc)
        body = models.CreateFunctionInput(
            function_name="walker",
            runtime="python3.10",
            handler="app.handler",
            timeout=10,
            code=models.InputCodeLocation(zip_file=base64.b64encode(v1).decode()),
        )
        client.create_function(models.CreateFunctionRequest(body=body))
        _http_trigger(client)
        assert requests.get(f"{handle.url}/walker/warm", timeout=30).text == "v1 /warm"

        answers: list[str] = []
        slow = threading.Thread(
            target=lambda: answers.append(requests.get(f"{handle.url}/walker/slow", timeout=30).text)
        )
        slow.start()
        eventually(lambda: any(p.snapshot() and p.snapshot()[0].busy for p in handle.fc.invoker.pools()))
        update = models.UpdateFunctionInput(code=models.InputCodeLocation(zip_file=base64.b64encode(v2).decode()))
        client.update_function("walker", models.UpdateFunctionRequest(body=update))
        assert requests.get(f"{handle.url}/walker/next", timeout=30).text == "v2 /next"
        slow.join(timeout=30)
        assert answers == ["v1 /slow"]
