"""Layers mounted as FC mounts them: a function names layer ARNs in s.yaml, the local FC has
those versions (created through the official client), and the function imports from
/opt/python: the first-configured layer wins a module both layers have, and the code package's
own python/ wins over every layer. A layer the local FC does not have: the function does not
start, with a message that says which one."""

from __future__ import annotations

import base64
import importlib
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from tests.fixtures.serve import start_serve

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

ACCOUNT = "1234567890123456"
S_YAML = f"""edition: 3.0.0
name: layered
resources:
  layered:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: layered
      runtime: python3.10
      code: ./code
      handler: app.handler
      timeout: 10
      environmentVariables:
        PYTHONPATH: /code/python
      layers:
        - acs:fc:cn-hangzhou:{ACCOUNT}:layers/first/versions/1
        - acs:fc:cn-hangzhou:{ACCOUNT}:layers/second/versions/1
  missing-layer:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: missing-layer
      runtime: python3.10
      code: ./code
      handler: app.handler
      layers:
        - acs:fc:cn-hangzhou:{ACCOUNT}:layers/nowhere/versions/7
"""
APP = """import json
def handler(event, context):
    import both, only_second, in_code
    return json.dumps({"both": both.WHO, "only_second": only_second.WHO, "in_code": in_code.WHO})
"""


def _zip(files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def test_layers_are_mounted_in_fcs_order(tmp_path: Path, fc_client_factory: Callable[[str], Any]) -> None:
    models = importlib.import_module("alibabacloud_fc20230330.models")
    (tmp_path / "code" / "python").mkdir(parents=True)
    (tmp_path / "s.yaml").write_text(S_YAML)
    (tmp_path / "code" / "app.py").write_text(APP)
    (tmp_path / "code" / "python" / "in_code.py").write_text("WHO = 'code package'\n")
    layers = {
        "first": {"python/both.py": "WHO = 'first'\n", "python/in_code.py": "WHO = 'first'\n"},
        "second": {"python/both.py": "WHO = 'second'\n", "python/only_second.py": "WHO = 'second'\n"},
    }
    with start_serve(tmp_path / "s.yaml", tmp_path / "state", run_oss=False, run_timers=False) as serve:
        client = fc_client_factory(f"127.0.0.1:{serve.fc.port}")
        for name, files in layers.items():
            body = models.CreateLayerVersionInput(code=models.InputCodeLocation(zip_file=_zip(files)))
            client.create_layer_version(name, models.CreateLayerVersionRequest(body=body))
        answer = client.invoke_function("layered", models.InvokeFunctionRequest(body=b"{}"))
        assert json.loads(answer.body.read()) == {"both": "first", "only_second": "second", "in_code": "code package"}
        exceptions = importlib.import_module("alibabacloud_tea_openapi.exceptions")
        with pytest.raises(exceptions.ServerException) as failed:
            client.invoke_function("missing-layer", models.InvokeFunctionRequest(body=b"{}"))
        assert failed.value.status_code == 502
        assert f"layer acs:fc:cn-hangzhou:{ACCOUNT}:layers/nowhere/versions/7 is not in the local FC" in str(
            failed.value.message
        )
