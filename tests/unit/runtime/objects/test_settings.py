"""Object function settings: from s.yaml's environment variables, with clear errors."""

from __future__ import annotations

import pytest

from runtime.objects.errors import EndpointError
from runtime.objects.settings import DEFAULT_PART_SIZE, ObjectSettings
from runtime.settings import SettingsError


def test_defaults_need_only_an_output_prefix() -> None:
    settings = ObjectSettings.from_env({"APP_OUTPUT_PREFIX": "summaries"})
    assert settings.output_prefix == "summaries/"
    assert settings.part_size == DEFAULT_PART_SIZE
    assert settings.output_bucket == "" and settings.endpoint == ""


def test_a_missing_output_prefix_stops_the_instance_with_the_variable_named() -> None:
    with pytest.raises(SettingsError, match="APP_OUTPUT_PREFIX"):
        ObjectSettings.from_env({})


@pytest.mark.parametrize(
    ("name", "value"),
    [("APP_OSS_PART_SIZE", "1000"), ("APP_OSS_PART_SIZE", "lots"), ("APP_OSS_TIMEOUT", "0"), ("APP_OSS_RETRIES", "99")],
)
def test_out_of_range_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        ObjectSettings.from_env({"APP_OUTPUT_PREFIX": "out/", name: value})


def test_inside_fc_the_internal_endpoint_of_the_region_is_used() -> None:
    settings = ObjectSettings.from_env({"APP_OUTPUT_PREFIX": "out/"})
    assert settings.endpoint_for("cn-shanghai", in_fc=True) == "https://oss-cn-shanghai-internal.aliyuncs.com"
    assert settings.endpoint_for("cn-shanghai", in_fc=False) == "https://oss-cn-shanghai.aliyuncs.com"


def test_an_explicit_endpoint_wins_everywhere() -> None:
    settings = ObjectSettings.from_env({"APP_OUTPUT_PREFIX": "out/", "APP_OSS_ENDPOINT": "http://127.0.0.1:9000"})
    assert settings.endpoint_for("cn-hangzhou", in_fc=True) == "http://127.0.0.1:9000"


def test_no_region_and_no_endpoint_is_a_clear_error() -> None:
    with pytest.raises(EndpointError, match="APP_OSS_ENDPOINT"):
        ObjectSettings(output_prefix="out/").endpoint_for("", in_fc=True)
