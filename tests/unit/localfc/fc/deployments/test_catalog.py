from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.fc.deployments.catalog import Catalog
from localfc.fc.deployments.records import CodeRecord, FunctionRecord, TriggerRecord
from localfc.fc.deployments.store import DeploymentStore
from localfc.project.syaml import load_project
from tests.fixtures.deploy import DEPLOY_APP

if TYPE_CHECKING:
    from pathlib import Path


def _catalog(tmp_path: Path) -> Catalog:
    return Catalog(load_project(DEPLOY_APP), DeploymentStore(tmp_path / "functions"))


def test_without_deployments_the_view_is_syaml(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    (_, props) = catalog.view.function("resident")
    assert catalog.view.code_dir(props) == DEPLOY_APP.parent / "resident"
    record = catalog.record("resident")
    assert record is not None and [t.triggerName for t in record.triggers] == ["http"] and record.code is None
    assert catalog.record("walker") is None


def test_a_deployment_replaces_the_syaml_function_and_survives_a_reload(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    catalog.put(
        FunctionRecord(
            functionName="resident",
            config={"runtime": "python3.12", "handler": "main.handler", "memorySize": 256},
            code=CodeRecord(checksum="42", size=7),
        )
    )
    (_, props) = catalog.view.function("resident")
    assert (props.runtime, props.handler, props.memorySize, props.triggers) == ("python3.12", "main.handler", 256, [])
    assert catalog.view.code_dir(props) == tmp_path / "functions" / "resident" / "code" / "42"
    reloaded = _catalog(tmp_path)
    assert reloaded.view.function("resident")[1].handler == "main.handler"


def test_a_removed_syaml_function_stays_removed_and_api_functions_are_added(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    catalog.put(FunctionRecord(functionName="resident", removed=True))
    catalog.put(
        FunctionRecord(
            functionName="walker",
            config={"runtime": "python3.10", "handler": "app.handler"},
            code=CodeRecord(checksum="1", size=1),
            triggers=[TriggerRecord(triggerName="t", triggerType="http", triggerConfig={"methods": ["GET"]})],
        )
    )
    assert _catalog(tmp_path).names() == ["walker"]
    assert catalog.record("resident") is None
    assert catalog.view.function("walker")[1].triggers[0].http().methods == ["GET"]


def test_unchanged_functions_keep_their_props_object(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    walker = FunctionRecord(
        functionName="walker",
        config={"runtime": "python3.10", "handler": "app.handler"},
        code=CodeRecord(checksum="1", size=1),
    )
    catalog.put(walker)
    before = catalog.view.function("walker")[1], catalog.view.function("resident")[1]
    catalog.put(
        FunctionRecord(functionName="other", config={"runtime": "python3.10"}, code=CodeRecord(checksum="2", size=1))
    )
    after = catalog.view.function("walker")[1], catalog.view.function("resident")[1]
    assert after[0] is before[0] and after[1] is before[1]


def test_an_unreadable_record_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "functions" / "broken").mkdir(parents=True)
    (tmp_path / "functions" / "broken" / "function.json").write_text("{not json")
    catalog = _catalog(tmp_path)
    assert catalog.names() == ["resident"]
    assert any("broken" in note for note in catalog.notes)
