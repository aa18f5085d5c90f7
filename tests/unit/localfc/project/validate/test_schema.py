"""The project's verdict on props agrees with the fc3 component's official JSON Schema.

``shared/reference/fc3-schema.json`` (draft-07, devsapp/fc3 ``src/schema.json``) is the oracle
for "would fc3 accept these props". On the repository's s.yaml, on every sample, and on
randomly mutated props: wherever the schema rejects a prop, ``validate`` reports an error on
the same prop path; and every error of a schema-checkable rule (``SCHEMA_RULES``) is one the
schema reports too. The per-trigger-type configs are held to the schema's own definitions
(``IHttpTriggerConfig``...), which the schema applies only loosely (see ``fc3_spec``).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localfc.project.syaml import ProjectError, load_project
from localfc.project.validate import Problem, validate_file
from localfc.project.validate.fc3_spec import FUNCTION_PROPS, TRIGGER_CONFIGS
from localfc.project.validate.props import SCHEMA_RULES, TRIGGER_CONFIG_RULES, check_props
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
SCHEMA_FILE = REPO.parent / "shared" / "reference" / "fc3-schema.json"
SAMPLES = REPO / "tests" / "samples" / "s-yaml"
TRIGGER_DEFINITIONS = {"http": "IHttpTriggerConfig", "oss": "IOssTriggerConfig", "timer": "ITimerTriggerConfig"}

if not SCHEMA_FILE.is_file():
    pytest.skip(
        f"the official fc3 schema is not at {SCHEMA_FILE} (shared/ is not beside this clone)", allow_module_level=True
    )

from jsonschema import Draft7Validator  # noqa: E402  (only needed when the schema is there)

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
PROPS_VALIDATOR = Draft7Validator(SCHEMA)
CONFIG_VALIDATORS = {
    kind: Draft7Validator({"$ref": f"#/definitions/{name}", "definitions": SCHEMA["definitions"]})
    for kind, name in TRIGGER_DEFINITIONS.items()
}
_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def _join(base: str, rest: str) -> str:
    if not rest or not base:
        return base or rest
    return f"{base}{rest}" if rest.startswith("[") else f"{base}.{rest}"


def schema_errors(validator: Draft7Validator, instance: Any, prefix: str = "") -> set[tuple[str, bool]]:
    """(prop path, is-anyOf) of every schema error; a missing required prop is reported at its
    own path, like validate does."""
    found = set()
    for error in validator.iter_errors(instance):
        path = _path(error.absolute_path)
        if error.validator == "required":
            match = _REQUIRED.match(error.message)
            assert match, error.message
            path = _join(path, match.group(1))
        found.add((_join(prefix, path) if prefix else path, error.validator in ("anyOf", "oneOf")))
    return found


def _under(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith((f"{ancestor}.", f"{ancestor}["))


def assert_agrees(schema: set[tuple[str, bool]], ours: list[Problem], rules: frozenset[str], where: str) -> None:
    errors = [p for p in ours if p.is_error]
    for path, any_of in schema:
        assert any(p.path == path or (any_of and _under(p.path, path)) for p in errors), (
            f"{where}: the schema rejects {path!r}, validate reports nothing there: {[p.path for p in errors]}"
        )
    for problem in errors:
        if problem.rule not in rules:
            continue
        assert any(problem.path == path or (any_of and _under(problem.path, path)) for path, any_of in schema), (
            f"{where}: validate says {problem.path}: {problem.message} [{problem.rule}], the schema accepts it"
        )


def _schema_quirks(props: Any, errors: set[tuple[str, bool]]) -> set[tuple[str, bool]]:
    # With no runtime at all, the schema's `if` (runtime in [custom-container, micro-sandbox])
    # holds vacuously and asks for customContainerConfig; validate reports the missing runtime.
    if isinstance(props, dict) and "runtime" not in props:
        errors.discard(("customContainerConfig", False))
    return errors


def check_resource(name: str, props: Any, problems: list[Problem], where: str) -> None:
    # A problem reported once at a var counts for each prop that uses the var.
    at_vars = [replace(p, resource=r, path=path) for p in problems for r, path in p.uses if r == name]
    ours = [p for p in problems if p.resource == name] + at_vars
    schema = _schema_quirks(props, schema_errors(PROPS_VALIDATOR, props))
    assert_agrees(schema, ours, SCHEMA_RULES, where)
    triggers = props.get("triggers") if isinstance(props, dict) else None
    for i, trigger in enumerate(triggers if isinstance(triggers, list) else []):
        if not isinstance(trigger, dict) or not isinstance(trigger.get("triggerConfig"), dict):
            continue
        validator = CONFIG_VALIDATORS.get(str(trigger.get("triggerType")))
        if validator is None:
            continue
        prefix = f"triggers[{i}].triggerConfig"
        expected = schema_errors(validator, trigger["triggerConfig"], prefix)
        mine = [p for p in ours if _under(p.path, prefix)]
        assert_agrees(expected, mine, TRIGGER_CONFIG_RULES, f"{where} {prefix}")


def _readable_files() -> list[Path]:
    files = [REPO / "s.yaml"]
    for sample in sorted(SAMPLES.glob("*.yaml")):
        try:
            load_project(sample, environ={}, strict=False)
        except ProjectError:
            continue  # unreadable samples (YAML syntax, no resources) have no props to compare
        files.append(sample)
    return files


@pytest.mark.parametrize("file", _readable_files(), ids=lambda p: p.name)
def test_validate_agrees_with_the_official_schema(file: Path) -> None:
    project = load_project(file, environ={}, strict=False)
    result = validate_file(file, environ={}, use_import=False)
    for name, resource in project.resources.items():
        if resource.component.split("@")[0] == "fc3":
            check_resource(name, resource.props, result.problems, f"{file.name} {name}")


def test_spec_table_transcribes_the_schema() -> None:
    """Every prop the table knows exists in the schema with the same enum and bounds."""
    properties = SCHEMA["properties"]

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return SCHEMA["definitions"][ref.rsplit("/", 1)[-1]] if ref else node

    for name, spec in FUNCTION_PROPS.properties.items():
        assert name in properties, f"{name} is not a prop of the fc3 schema"
        official = resolve(properties[name])
        if spec.enum:
            assert sorted(map(str, spec.enum)) == sorted(map(str, official["enum"])), name
        for ours, theirs in ((spec.minimum, "minimum"), (spec.maximum, "maximum"), (spec.multiple_of, "multipleOf")):
            assert ours == official.get(theirs), f"{name}.{theirs}"
    for kind, spec in TRIGGER_CONFIGS.items():
        official = SCHEMA["definitions"][TRIGGER_DEFINITIONS[kind]]
        assert sorted(spec.required) == sorted(official["required"]), kind
        assert sorted(spec.properties) == sorted(official["properties"]), kind


_VALID = {
    "region": "cn-hangzhou",
    "functionName": "checker",
    "runtime": "python3.10",
    "code": "./",
    "handler": "handlers.prime_checker.handler",
    "memorySize": 512,
    "cpu": 0.5,
    "diskSize": 512,
    "timeout": 10,
    "instanceConcurrency": 1,
    "environmentVariables": {"PYTHONPATH": "/code/python"},
    "logConfig": "auto",
    "instanceLifecycleConfig": {"initializer": {"handler": "handlers.prime_checker.initialize", "timeout": 10}},
    "asyncInvokeConfig": {"maxAsyncRetryAttempts": 3},
    "triggers": [
        {"triggerName": "http", "triggerType": "http", "triggerConfig": {"authType": "anonymous", "methods": ["GET"]}},
        {
            "triggerName": "up",
            "triggerType": "oss",
            "sourceArn": "acs:oss:cn-hangzhou:1:b",
            "triggerConfig": {
                "events": ["oss:ObjectCreated:PutObject"],
                "filter": {"key": {"prefix": "in/", "suffix": ""}},
            },
        },
        {
            "triggerName": "nightly",
            "triggerType": "timer",
            "triggerConfig": {"cronExpression": "0 0 4 * * *", "enable": True},
        },
    ],
}
_PATHS = [
    ("region",),
    ("functionName",),
    ("runtime",),
    ("code",),
    ("handler",),
    ("memorySize",),
    ("cpu",),
    ("diskSize",),
    ("timeout",),
    ("instanceConcurrency",),
    ("environmentVariables", "PYTHONPATH"),
    ("environmentVariables",),
    ("logConfig",),
    ("instanceLifecycleConfig", "initializer", "timeout"),
    ("instanceLifecycleConfig", "initializer", "handler"),
    ("asyncInvokeConfig", "maxAsyncRetryAttempts"),
    ("triggers", 0, "triggerType"),
    ("triggers", 0, "triggerConfig"),
    ("triggers", 0, "triggerConfig", "methods"),
    ("triggers", 0, "triggerConfig", "authType"),
    ("triggers", 1, "triggerConfig", "events"),
    ("triggers", 1, "triggerConfig", "filter", "key", "prefix"),
    ("triggers", 2, "triggerConfig", "enable"),
    ("layers",),
    ("internetAccess",),
]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=100_000),
    st.sampled_from([0.05, 0.25, 1.5, 16.5, 512.0, 64, 128, 32768, 32832, 10240, 86401, 200, 201, 8, 9]),
    st.sampled_from(["", "auto", "python3.12", "python3.11", "nodejs18", "cn-shanghai", "GET", "jwt", "x"]),
    st.lists(st.sampled_from(["GET", "FETCH", "oss:ObjectCreated:*", "oss:Bad", 1]), max_size=3),
    st.dictionaries(st.sampled_from(["project", "logstore", "a"]), st.sampled_from(["p", 1]), max_size=2),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), value=_VALUES, delete=st.booleans())
def test_mutated_props_agree_with_the_schema(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    props = json.loads(json.dumps(_VALID))
    node: Any = props
    for part in path[:-1]:
        node = node[part]
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    check_resource("f", props, check_props("f", props), f"{path}={'<deleted>' if delete else value!r}")
