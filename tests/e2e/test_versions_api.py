"""The official FC 3.0 client (``alibabacloud_fc20230330``), unmodified, against the local FC
(``serve``): every versions/aliases call it makes and every error it surfaces."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fixtures.versions import ProbeApp

FN = "canary-probe"


@pytest.fixture
def client(probe_fc: Any, fc_client_factory: Callable[[str], Any]) -> Any:
    return fc_client_factory(f"127.0.0.1:{probe_fc.port}")


@pytest.fixture
def models() -> Any:
    return importlib.import_module("alibabacloud_fc20230330.models")


def publish(client: Any, models: Any, description: str = "") -> str:
    request = models.PublishFunctionVersionRequest(body=models.PublishVersionInput(description=description))
    return str(client.publish_function_version(FN, request).body.version_id)


def fc_error(call: Callable[[], Any]) -> Any:
    exceptions = importlib.import_module("alibabacloud_tea_openapi.exceptions")
    with pytest.raises(exceptions.ClientException) as caught:
        call()
    return caught.value


def test_publish_list_and_delete_versions(probe_app: ProbeApp, client: Any, models: Any) -> None:
    assert publish(client, models, "first") == "1"
    probe_app.set_build("v2")
    assert publish(client, models) == "2"

    newest = client.list_function_versions(FN, models.ListFunctionVersionsRequest(limit=1)).body
    assert [v.version_id for v in newest.versions] == ["2"]  # what `s version publish`'s "latest" reads
    assert newest.next_token == "1"

    assert client.delete_function_version(FN, "2").status_code == 204
    listed = client.list_function_versions(FN, models.ListFunctionVersionsRequest()).body
    assert [(v.version_id, v.description) for v in listed.versions] == [("1", "first")]


def test_alias_with_canary_through_the_sdk(probe_app: ProbeApp, client: Any, models: Any) -> None:
    publish(client, models)
    probe_app.set_build("v2")
    publish(client, models)

    body = models.CreateAliasInput(alias_name="prod", version_id="1", additional_version_weight={"2": 0.2})
    created = client.create_alias(FN, models.CreateAliasRequest(body=body)).body
    assert (created.alias_name, created.version_id, created.additional_version_weight) == ("prod", "1", {"2": 0.2})

    update = models.UpdateAliasInput(version_id="2", additional_version_weight={})
    updated = client.update_alias(FN, "prod", models.UpdateAliasRequest(body=update)).body
    assert (updated.version_id, updated.additional_version_weight) == ("2", {})
    assert client.get_alias(FN, "prod").body.version_id == "2"
    aliases = client.list_aliases(FN, models.ListAliasesRequest()).body.aliases
    assert [a.alias_name for a in aliases] == ["prod"]

    assert client.delete_alias(FN, "prod").status_code == 204
    assert fc_error(lambda: client.get_alias(FN, "prod")).code == "AliasNotFound"


def test_bad_input_comes_back_as_fc_errors(probe_app: ProbeApp, client: Any, models: Any) -> None:
    publish(client, models)
    probe_app.set_build("v2")
    publish(client, models)

    def create(version: str, weights: dict[str, Any]) -> Any:
        body = models.CreateAliasInput(alias_name="prod", version_id=version, additional_version_weight=weights)
        return fc_error(lambda: client.create_alias(FN, models.CreateAliasRequest(body=body)))

    cases = [
        (create("1", {"2": 1.5}), 400, "InvalidArgument", "between 0 and 1"),
        (create("1", {"1": 0.1}), 400, "AdditionalVersionContainsMajorVersion", "own version"),
        (create("1", {"2": 0.1, "3": 0.1}), 400, "InvalidArgument", "one canary version"),
        (create("9", {}), 404, "VersionNotFound", "'9'"),
    ]
    for error, status, code, text in cases:
        assert (error.status_code, error.code) == (status, code)
        assert text in error.message

    body = models.CreateAliasInput(alias_name="prod", version_id="1", additional_version_weight={"2": 0.1})
    client.create_alias(FN, models.CreateAliasRequest(body=body))
    in_use = fc_error(lambda: client.delete_function_version(FN, "2"))
    assert (in_use.status_code, in_use.code) == (412, "PreconditionFailed")
    assert "used by alias 'prod'" in in_use.message

    unchanged = fc_error(lambda: publish(client, models))
    assert (unchanged.status_code, unchanged.code) == (412, "PreconditionFailed")
    assert "nothing changed" in unchanged.message

    missing = fc_error(lambda: client.list_aliases("no-such-function", models.ListAliasesRequest()))
    assert (missing.status_code, missing.code) == (404, "FunctionNotFound")
