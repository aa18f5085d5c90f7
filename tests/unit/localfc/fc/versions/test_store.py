"""Publishing, listing and deleting versions of the local FC: numbering, immutability,
.fcignore, persistence across restarts, and FC-style errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from localfc.fc.api.errors import ApiError
from localfc.fc.versions import VersionStore

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fixtures.versions import ProbeApp

FN = "canary-probe"


def _build_of(code_dir: Path) -> str:
    return (code_dir / "handlers" / "build.py").read_text().split("\n")[0]


def test_versions_are_numbered_from_one_and_never_reused(probe_app: ProbeApp, version_store: VersionStore) -> None:
    assert version_store.publish_function_version(FN, "first").versionId == "1"
    probe_app.set_build("v2")
    assert version_store.publish_function_version(FN).versionId == "2"
    version_store.delete_function_version(FN, "2")
    probe_app.set_build("v3")
    assert version_store.publish_function_version(FN).versionId == "3"
    assert [v.versionId for v in version_store.list_function_versions(FN)] == ["1", "3"]


def test_a_version_is_a_frozen_copy_while_latest_follows_the_working_tree(
    probe_app: ProbeApp, version_store: VersionStore
) -> None:
    version_store.publish_function_version(FN)
    probe_app.set_build("v2")

    v1 = version_store.resolve(FN, "1")
    latest = version_store.resolve(FN, "LATEST")

    assert _build_of(v1.code_dir) == "BUILD = 'v1'"
    assert _build_of(latest.code_dir) == "BUILD = 'v2'"
    assert latest.code_dir == probe_app.code.resolve()
    assert (v1.qualifier, v1.version_id, latest.version_id) == ("1", "1", "")


def test_configuration_is_part_of_the_version(probe_app: ProbeApp, version_store: VersionStore) -> None:
    version_store.publish_function_version(FN)
    probe_app.s_yaml.write_text(probe_app.s_yaml.read_text().replace("memorySize: 128", "memorySize: 256"))
    version_store.project = probe_app.load()

    assert version_store.publish_function_version(FN).versionId == "2"  # a config change is a change
    assert version_store.resolve(FN, "1").props.memorySize == 128
    assert version_store.resolve(FN, "2").props.memorySize == 256
    assert version_store.resolve(FN, "1").props.triggers == []  # triggers are not versioned


def test_the_snapshot_holds_what_s_deploy_would_package(probe_app: ProbeApp, version_store: VersionStore) -> None:
    (probe_app.code / "notes").mkdir()
    (probe_app.code / "notes" / "todo.md").write_text("ignored by .fcignore")
    (probe_app.code / "scratch.tmp").write_text("ignored by .fcignore")
    (probe_app.code / "handlers" / "__pycache__").mkdir()
    (probe_app.code / "handlers" / "__pycache__" / "probe.cpython-311.pyc").write_bytes(b"\0")

    code = version_store.resolve(FN, version_store.publish_function_version(FN).versionId).code_dir

    assert (code / "handlers" / "probe.py").is_file()
    assert (code / "runtime" / "function.py").is_file()
    assert not (code / "notes").exists()
    assert not (code / "scratch.tmp").exists()
    assert not (code / "handlers" / "__pycache__").exists()


def test_publishing_with_nothing_changed_is_refused(probe_app: ProbeApp, version_store: VersionStore) -> None:
    version_store.publish_function_version(FN)
    # Neither bytecode nor a trigger change makes a new version: triggers point at qualifiers.
    (probe_app.code / "handlers" / "__pycache__").mkdir()
    (probe_app.code / "handlers" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    probe_app.s_yaml.write_text(probe_app.s_yaml.read_text().replace("prefix: in/", "prefix: incoming/"))
    version_store.project = probe_app.load()

    with pytest.raises(ApiError) as caught:
        version_store.publish_function_version(FN)

    assert (caught.value.status, caught.value.code) == (412, "PreconditionFailed")
    assert "nothing changed" in caught.value.message and "since version 1" in caught.value.message
    assert [v.versionId for v in version_store.list_function_versions(FN)] == ["1"]


def test_state_survives_a_restart(probe_app: ProbeApp, version_store: VersionStore) -> None:
    version_store.publish_function_version(FN, "first")
    probe_app.set_build("v2")
    version_store.publish_function_version(FN)
    version_store.create_alias(FN, "prod", "1", {"2": 0.25})

    restarted = VersionStore(probe_app.state_dir, probe_app.load())

    assert [(v.versionId, v.description) for v in restarted.list_function_versions(FN)] == [("1", "first"), ("2", "")]
    assert restarted.get_alias(FN, "prod").additionalVersionWeight == {"2": 0.25}
    probe_app.set_build("v3")
    assert restarted.publish_function_version(FN).versionId == "3"


def test_state_file_is_plain_json_in_the_state_directory(probe_app: ProbeApp, version_store: VersionStore) -> None:
    version_store.publish_function_version(FN)
    doc = json.loads((probe_app.state_dir / "versions" / FN / "state.json").read_text())
    assert doc["nextVersionId"] == 2
    assert list(doc["versions"]) == ["1"]


def test_deleting_a_version_an_alias_uses_is_refused(probe_app: ProbeApp, version_store: VersionStore) -> None:
    version_store.publish_function_version(FN)
    probe_app.set_build("v2")
    version_store.publish_function_version(FN)
    version_store.create_alias(FN, "prod", "1", {"2": 0.1})

    for version in ("1", "2"):
        with pytest.raises(ApiError) as caught:
            version_store.delete_function_version(FN, version)
        assert caught.value.status == 412
        assert "alias 'prod'" in caught.value.message
    assert "canary" in caught.value.message
    assert len(version_store.list_function_versions(FN)) == 2


def test_unknown_function_and_version_are_404(version_store: VersionStore) -> None:
    with pytest.raises(ApiError) as caught:
        version_store.publish_function_version("no-such-function")
    assert (caught.value.status, caught.value.code) == (404, "FunctionNotFound")
    with pytest.raises(ApiError) as caught:
        version_store.delete_function_version(FN, "7")
    assert (caught.value.status, caught.value.code) == (404, "VersionNotFound")
    with pytest.raises(ApiError) as caught:
        version_store.resolve(FN, "7")
    assert caught.value.code == "VersionNotFound"


def test_a_corrupt_state_file_is_a_clear_error_not_a_crash(probe_app: ProbeApp, version_store: VersionStore) -> None:
    state = probe_app.state_dir / "versions" / FN / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    with pytest.raises(ApiError) as caught:
        version_store.publish_function_version(FN)
    assert caught.value.status == 500
    assert "state.json" in caught.value.message and "move it away" in caught.value.message
