from __future__ import annotations

import base64
import io
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from localfc.fc.api.errors import ApiError
from localfc.fc.deployments import Catalog, ControlPlane, DeploymentStore
from localfc.project.syaml import load_project
from tests.fixtures.deploy import DEPLOY_APP

if TYPE_CHECKING:
    from pathlib import Path


def _zip(size: int = 0) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n" + "#" * size)
    return base64.b64encode(buffer.getvalue()).decode()


def _plane(tmp_path: Path, max_zip_bytes: int = 10_000) -> tuple[ControlPlane, list[str]]:
    changed: list[str] = []
    store = DeploymentStore(tmp_path / "functions", max_zip_bytes=max_zip_bytes)
    plane = ControlPlane(
        Catalog(load_project(DEPLOY_APP), store),
        read_object=None,
        check_qualifier=lambda _name, _qualifier: None,
        versions_dir=lambda name: tmp_path / "versions" / name,
        on_change=changed.append,
    )
    return plane, changed


def _create(plane: ControlPlane, **fields: Any) -> None:
    doc = {"functionName": "f", "runtime": "python3.10", "handler": "app.handler", "code": {"zipFile": _zip()}}
    plane.create_function({**doc, **fields})


def test_a_package_over_the_limit_changes_nothing(tmp_path: Path) -> None:
    plane, changed = _plane(tmp_path, max_zip_bytes=1000)
    with pytest.raises(ApiError, match="over FC's limit") as caught:
        _create(plane, code={"zipFile": _zip(size=5000)})
    assert caught.value.status == 400
    assert (plane.catalog.record("f"), changed) == (None, [])
    assert not (tmp_path / "functions" / "f").exists()
    assert list((tmp_path / "functions" / ".uploads").iterdir()) == []


def test_a_checksum_that_does_not_match_is_refused(tmp_path: Path) -> None:
    plane, _ = _plane(tmp_path)
    with pytest.raises(ApiError, match="does not match the package's CRC-64"):
        _create(plane, code={"zipFile": _zip(), "checksum": "123"})
    assert plane.catalog.record("f") is None


def test_an_update_refused_halfway_keeps_the_previous_function(tmp_path: Path) -> None:
    plane, changed = _plane(tmp_path)
    _create(plane, timeout=5)
    before = plane.catalog.record("f")
    with pytest.raises(ApiError, match="memorySize"):
        plane.update_function("f", {"memorySize": 100, "code": {"zipFile": _zip(size=10)}})
    assert plane.catalog.record("f") == before
    assert changed == ["f"]
    assert Catalog(load_project(DEPLOY_APP), DeploymentStore(tmp_path / "functions")).record("f") == before


@pytest.mark.parametrize(
    "fields",
    [
        {"environmentVariables": {"A": 1}},
        {"instanceLifecycleConfig": {"initializer": {"timeout": 3}}},
        {"timeout": "ten"},
    ],
)
def test_configuration_serve_cannot_build_is_refused_before_anything_is_written(
    tmp_path: Path, fields: dict[str, Any]
) -> None:
    plane, changed = _plane(tmp_path)
    with pytest.raises(ApiError) as caught:
        _create(plane, **fields)
    assert (caught.value.status, plane.catalog.record("f"), changed) == (400, None, [])


def test_more_than_five_layers_is_refused(tmp_path: Path) -> None:
    plane, _ = _plane(tmp_path)
    layers = [f"acs:fc:cn-hangzhou:1234567890123456:layers/l{i}/versions/1" for i in range(6)]
    with pytest.raises(ApiError, match="at most 5 layers"):
        _create(plane, layers=layers)


def test_deleting_an_syaml_function_leaves_a_removal_that_survives(tmp_path: Path) -> None:
    plane, changed = _plane(tmp_path)
    plane.delete_trigger("resident", "http")
    plane.delete_function("resident")
    assert plane.catalog.record("resident") is None and changed == ["resident", "resident"]
    reloaded = Catalog(load_project(DEPLOY_APP), DeploymentStore(tmp_path / "functions"))
    assert reloaded.record("resident") is None and reloaded.names() == []


@pytest.mark.parametrize(
    "doc",
    [
        {"maxAsyncRetryAttempts": 9},
        {"destinationConfig": {"onFailure": "not an object"}},
        {"maxAsyncRetryAttempts": "3"},
    ],
)
def test_an_async_config_the_queue_cannot_read_is_refused(tmp_path: Path, doc: dict[str, Any]) -> None:
    plane, _ = _plane(tmp_path)
    _create(plane)
    with pytest.raises(ApiError) as caught:
        plane.put_async_config("f", "LATEST", doc)
    record = plane.catalog.record("f")
    assert caught.value.status == 400 and record is not None and record.asyncConfigs == {}
