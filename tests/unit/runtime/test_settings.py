"""Typed settings from the environment variables s.yaml sets."""

from __future__ import annotations

import json

import pytest

from algorithms.prime_checker import PrimeChecker
from localfc.project.syaml import load_project
from runtime import AlgorithmFunction, Route
from runtime.settings import DEFAULT_MAX_BODY_BYTES, RuntimeSettings, SettingsError
from tests.fixtures.invocation import call, http_event
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
pytestmark = pytest.mark.usefixtures("clean_fc_env")


def test_defaults_without_environment() -> None:
    settings = RuntimeSettings.from_env({})
    assert (settings.log_level, settings.max_body_bytes, settings.service) == ("INFO", DEFAULT_MAX_BODY_BYTES, "")


def test_values_from_the_environment() -> None:
    env = {"APP_LOG_LEVEL": "debug", "APP_MAX_BODY_BYTES": " 2048 ", "APP_SERVICE": "algos"}
    assert RuntimeSettings.from_env(env) == RuntimeSettings(log_level="DEBUG", max_body_bytes=2048, service="algos")


def test_reads_os_environ_by_default(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("APP_MAX_BODY_BYTES", "4096")
    assert RuntimeSettings.from_env().max_body_bytes == 4096


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"APP_LOG_LEVEL": "LOUD"}, "APP_LOG_LEVEL"),
        ({"APP_MAX_BODY_BYTES": "64k"}, "APP_MAX_BODY_BYTES"),
        ({"APP_MAX_BODY_BYTES": "0"}, "APP_MAX_BODY_BYTES"),
        ({"APP_MAX_BODY_BYTES": "-1"}, "APP_MAX_BODY_BYTES"),
    ],
)
def test_a_bad_value_fails_with_the_variable_named(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        RuntimeSettings.from_env(env)


def test_bad_setting_fails_the_initializer_at_instance_start(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("APP_MAX_BODY_BYTES", "lots")
    app = AlgorithmFunction(PrimeChecker())
    with pytest.raises(SettingsError, match="APP_MAX_BODY_BYTES"):
        app.initialize(None)


def test_the_limit_from_the_environment_is_enforced(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("APP_MAX_BODY_BYTES", "64")
    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check")])
    answer = call(app.handler, http_event("POST", "/check", json.dumps({"number": 7, "pad": "x" * 100})))
    assert answer.status == 413


def test_an_explicit_argument_beats_the_environment(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("APP_MAX_BODY_BYTES", "64")
    app = AlgorithmFunction(
        PrimeChecker(), routes=[Route("POST", "/check")], settings=RuntimeSettings(max_body_bytes=10_000)
    )
    answer = call(app.handler, http_event("POST", "/check", json.dumps({"number": 7, "pad": "x" * 100})))
    assert answer.status == 422  # got past the size check; "pad" is not a field


def test_every_function_in_s_yaml_has_valid_settings() -> None:
    for _, props in load_project(REPO / "s.yaml").functions():
        settings = RuntimeSettings.from_env(props.environmentVariables)
        assert settings.max_body_bytes > 0, props.functionName
