"""Layers through the official FC 3.0 client (``alibabacloud_fc20230330``), unmodified, against
the local FC: create, get (by name and ARN), list, delete, FC's errors, kept across restarts."""

from __future__ import annotations

import base64
import importlib
import io
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from tests.fixtures.serve import BASIC_APP, start_serve

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def _layer_zip(text: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/shared_lib.py", text)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def fc_error(call: Callable[[], Any]) -> Any:
    exceptions = importlib.import_module("alibabacloud_tea_openapi.exceptions")
    with pytest.raises(exceptions.ClientException) as caught:
        call()
    return caught.value


def test_layer_versions_through_the_sdk(tmp_path: Path, fc_client_factory: Callable[[str], Any]) -> None:
    models = importlib.import_module("alibabacloud_fc20230330.models")

    def create(client: Any, name: str, text: str) -> Any:
        body = models.CreateLayerVersionInput(
            code=models.InputCodeLocation(zip_file=_layer_zip(text)),
            compatible_runtime=["python3.10", "python3.12"],
            description=f"{name} {text}",
        )
        return client.create_layer_version(name, models.CreateLayerVersionRequest(body=body)).body

    with start_serve(BASIC_APP, tmp_path / "state", run_oss=False, run_timers=False) as serve:
        client = fc_client_factory(f"127.0.0.1:{serve.fc.port}")
        first = create(client, "shared", "V = 1")
        second = create(client, "shared", "V = 2")
        create(client, "other", "V = 0")
        assert (first.version, second.version) == (1, 2)
        assert second.layer_version_arn == "acs:fc:cn-hangzhou:1234567890123456:layers/shared/versions/2"
        assert second.compatible_runtime == ["python3.10", "python3.12"]
        assert second.code_size > 0 and second.code_checksum.isdigit()

        got = client.get_layer_version("shared", "1").body
        assert (got.layer_name, got.version, got.description) == ("shared", 1, "shared V = 1")
        assert client.get_layer_version_by_arn(second.layer_version_arn).body.version == 2

        versions = client.list_layer_versions("shared", models.ListLayerVersionsRequest(limit=1)).body
        assert [v.version for v in versions.layers] == [1] and versions.next_version == 2
        layers = client.list_layers(models.ListLayersRequest()).body.layers
        assert [(lay.layer_name, lay.version) for lay in layers] == [("other", 1), ("shared", 2)]

        client.delete_layer_version("shared", "1")
        missing = fc_error(lambda: client.get_layer_version("shared", "1"))
        assert (missing.status_code, missing.code) == (404, "LayerNotFound")
        bad = fc_error(lambda: create(client, "bad name!", "V = 3"))
        assert (bad.status_code, bad.code) == (400, "InvalidArgument")
        not_zip = models.CreateLayerVersionInput(code=models.InputCodeLocation(zip_file="bm90IGEgemlw"))
        refused = fc_error(
            lambda: client.create_layer_version("shared", models.CreateLayerVersionRequest(body=not_zip))
        )
        assert (refused.status_code, refused.code) == (400, "InvalidArgument")
        assert "not a zip" in refused.message

    # kept in the state directory: a new serve still has them, and version numbers are not reused
    with start_serve(BASIC_APP, tmp_path / "state", run_oss=False, run_timers=False) as serve:
        client = fc_client_factory(f"127.0.0.1:{serve.fc.port}")
        listed = client.list_layer_versions("shared", models.ListLayerVersionsRequest()).body.layers
        assert [v.version for v in listed] == [2]
        assert create(client, "shared", "V = 3").version == 3
