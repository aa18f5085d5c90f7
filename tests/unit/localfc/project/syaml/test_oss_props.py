"""The object functions in s.yaml: valid fc3 props, safe triggers, outputs that cannot loop."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from localfc.project.syaml import Project, load_project
from runtime.objects.keys import normalise_prefix
from runtime.objects.targets import ReprocessRequest
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
SCHEMA = REPO.parent / "shared" / "reference" / "fc3-schema.json"
OBJECT_FUNCTIONS = ("thumbnailer", "table-summary")
ONE_CALL_PER_OBJECT = {
    "oss:ObjectCreated:PutObject",
    "oss:ObjectCreated:PostObject",
    "oss:ObjectCreated:CompleteMultipartUpload",
}


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(REPO / "s.yaml", environ={})


@pytest.mark.skipif(not SCHEMA.is_file(), reason="the fc3 schema lives in ../shared/reference")
@pytest.mark.parametrize("name", OBJECT_FUNCTIONS)
def test_props_validate_against_the_fc3_schema(project: Project, name: str) -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(project.resources[name].props)
    ]
    assert errors == []


@pytest.mark.parametrize("name", OBJECT_FUNCTIONS)
def test_oss_triggers_fire_once_per_finished_object(project: Project, name: str) -> None:
    _, props = project.function(name)
    oss = [t for t in props.triggers if t.triggerType == "oss"]
    assert oss
    for trigger in oss:
        assert set(trigger.oss().events) == ONE_CALL_PER_OBJECT  # never oss:ObjectCreated:*
        assert trigger.invocationRole.endswith(":role/aliyunosseventnotificationrole")
        assert trigger.sourceArn.startswith("acs:oss:")


@pytest.mark.parametrize("name", OBJECT_FUNCTIONS)
def test_outputs_never_overlap_any_oss_trigger_of_the_bucket(project: Project, name: str) -> None:
    _, props = project.function(name)
    prefix = normalise_prefix(props.environmentVariables["APP_OUTPUT_PREFIX"])
    out_bucket = props.environmentVariables["APP_OUTPUT_BUCKET"]
    for _, other in project.functions():
        for trigger in other.triggers:
            if trigger.triggerType == "oss" and trigger.oss_bucket == out_bucket:
                watched = trigger.oss().filter.key.prefix
                assert not prefix.startswith(watched) and not watched.startswith(prefix), (name, trigger.triggerName)


@pytest.mark.parametrize("name", OBJECT_FUNCTIONS)
def test_failures_are_retried_then_kept(project: Project, name: str) -> None:
    _, props = project.function(name)
    config = props.asyncInvokeConfig
    assert config is not None and config.maxAsyncRetryAttempts >= 1
    assert config.destinationConfig is not None and config.destinationConfig.onFailure is not None
    assert props.role.startswith("acs:ram::")


def test_the_nightly_timer_sends_a_reprocess_request(project: Project) -> None:
    _, props = project.function("table-summary")
    (timer,) = [t for t in props.triggers if t.triggerType == "timer"]
    request = ReprocessRequest.model_validate_json(timer.timer().payload)
    assert request.prefix == "exports/" and request.bucket
