"""s.yaml would be accepted by `s deploy`: every resource's props, after rendering
``${vars.*}`` and ``${env(...)}``, validate against the fc3 component's own JSON Schema
(draft-07), and every handler string names a callable that exists."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from localfc.fc.instances.in_process import resolve
from localfc.project.syaml import Project, load_project
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
SCHEMA = REPO.parent / "shared" / "reference" / "fc3-schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA.parent.parent.is_dir():
        pytest.skip(f"{SCHEMA.parent.parent} is missing: the fc3 schema lives outside the repository")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.fixture(scope="module")
def project() -> Project:
    # No environment: every ${env('X', 'default')} takes its default, as on a fresh clone.
    return load_project(REPO / "s.yaml", environ={})


def problems(validator: Draft7Validator, props: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(props)'}: {error.message}"
        for error in sorted(validator.iter_errors(props), key=lambda e: list(map(str, e.absolute_path)))
    ]


def test_s_yaml_declares_fc3_functions(project: Project) -> None:
    assert project.edition == "3.0.0"
    assert project.functions(), "s.yaml declares no fc3 function"
    assert all(r.component.split("@")[0] == "fc3" for r in project.resources.values())


def test_every_resource_validates_against_the_fc3_schema(validator: Draft7Validator, project: Project) -> None:
    found = {name: problems(validator, resource.props) for name, resource in project.resources.items()}
    assert found == {name: [] for name in project.resources}


def test_variables_are_rendered_before_validation(project: Project) -> None:
    text = json.dumps({name: r.props for name, r in project.resources.items()})
    assert "${" not in text
    assert all(r.props["region"] == "cn-hangzhou" for r in project.resources.values())


def test_the_schema_check_catches_a_wrong_prop(validator: Draft7Validator, project: Project) -> None:
    props = copy.deepcopy(next(iter(project.resources.values())).props)
    props["runtime"] = "python3.11"  # FC 3.0 has no python3.11
    props["memorySize"] = 100  # not a multiple of 64
    assert problems(validator, props)


@pytest.mark.parametrize("hook", ["handler", "initializer", "preStop"])
def test_every_handler_string_resolves_to_a_callable(project: Project, hook: str) -> None:
    for _, props in project.functions():
        if hook == "handler":
            dotted = props.handler
        else:
            lifecycle = props.instanceLifecycleConfig
            entry = getattr(lifecycle, hook, None) if lifecycle is not None else None
            if entry is None:
                continue
            dotted = entry.handler
        assert callable(resolve(project.code_dir(props), dotted)), f"{props.functionName}: {hook} {dotted}"


def test_every_function_finds_its_dependencies_and_logs_to_sls(project: Project) -> None:
    for _, props in project.functions():
        # `s build` installs requirements into code/python; without this they are not importable.
        assert props.environmentVariables.get("PYTHONPATH") == "/code/python", props.functionName
        assert props.logConfig, props.functionName


def test_http_functions_declare_an_initializer(project: Project) -> None:
    for _, props in project.functions():
        if any(t.triggerType == "http" for t in props.triggers):
            lifecycle = props.instanceLifecycleConfig
            assert lifecycle is not None and lifecycle.initializer is not None, props.functionName
