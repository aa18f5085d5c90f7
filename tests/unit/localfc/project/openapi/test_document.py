"""``local_invoke.py openapi``: an OpenAPI 3.1 document that validates, with every route of
every HTTP function and every field of their input and output models, and the error answers
of runtime/errors.py."""

from __future__ import annotations

import json
import typing
from typing import TYPE_CHECKING, Any

import pytest
from openapi_spec_validator import validate

from localfc.cli import main
from localfc.project.openapi import OpenApiError, openapi_for
from localfc.project.syaml import load_project
from runtime.errors import FunctionError
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import BaseModel


def _handlers() -> dict[str, Any]:
    from handlers import language_detector, prime_checker  # noqa: PLC0415 - the apps under test

    return {"prime-checker": prime_checker.app, "language-detector": language_detector.app}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_for(load_project(REPO / "s.yaml"))


def _properties(doc: dict[str, Any], model: type[BaseModel]) -> set[str]:
    schemas = doc["components"]["schemas"]
    found = schemas.get(model.__name__) or schemas.get(f"{model.__name__}-Input") or {}
    return set(found.get("properties", {}))


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_and_every_model_field_appears(document: dict[str, Any]) -> None:
    for function, app in _handlers().items():
        for route in app.router.routes:
            operation = document["paths"][f"/{function}{route.path}"][route.method.lower()]
            model = app.operations[route.operation].input_model
            if route.method == "GET":
                assert {p["name"] for p in operation.get("parameters", [])} == set(model.model_fields)
            else:
                assert _properties(document, model) == set(model.model_fields)
            output_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            output = document["components"]["schemas"][output_ref.rsplit("/", 1)[-1]]
            output_model = typing.get_type_hints(app.operations[route.operation].call)["return"]
            assert set(output["properties"]) == set(output_model.model_fields)
    expected = {"/prime-checker/check", "/language-detector/detect", "/language-detector/languages"}
    assert set(document["paths"]) == expected


def test_error_answers_are_those_of_the_runtime(document: dict[str, Any]) -> None:
    operation = document["paths"]["/prime-checker/check"]["post"]
    assert {"400", "404", "405", "413", "422", "500", "503"} <= set(operation["responses"])
    assert "ValidationError" in operation["responses"]["422"]["description"]
    assert "InputRejected" in operation["responses"]["422"]["description"]
    answer = document["components"]["schemas"]["ErrorAnswer"]
    codes = set(answer["properties"]["error"]["properties"]["code"]["enum"])
    every: set[str] = set()
    pending: list[type[FunctionError]] = [FunctionError]
    while pending:
        cls = pending.pop()
        every.add(cls.code)
        pending += cls.__subclasses__()
    assert codes == every


def test_one_function_and_object_functions_are_not_http_ones(tmp_path: Path) -> None:
    project = load_project(REPO / "s.yaml")
    one = openapi_for(project, ["prime-checker"], server_url="http://127.0.0.1:9000/prime-checker")
    validate(one)
    assert set(one["paths"]) == {"/check"} and one["servers"][0]["url"].endswith("/prime-checker")
    with pytest.raises(OpenApiError, match=r"'thumbnailer' is not an HTTP function.*prime-checker"):
        openapi_for(project, ["thumbnailer"])
    with pytest.raises(OpenApiError, match="did you mean 'prime-checker'"):
        openapi_for(project, ["prime-cheker"])


def test_the_command_prints_or_writes_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "language-detector", "-t", str(REPO / "s.yaml")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["paths"]) == {"/detect", "/languages"}
    target = tmp_path / "api.json"
    assert main(["openapi", "-t", str(REPO / "s.yaml"), "-o", str(target)]) == 0
    assert capsys.readouterr().err == f"wrote {target}\n"
    validate(json.loads(target.read_text()))
    assert main(["openapi", "nope", "-t", str(REPO / "s.yaml")]) == 2
    assert capsys.readouterr().err.startswith("error: 'nope' is not an HTTP function")


def test_swagger_ui_and_the_docs_are_never_deployed() -> None:
    deployed = (REPO / "requirements.txt").read_text().lower()
    assert "swagger" not in deployed and "debugpy" not in deployed and "openapi" not in deployed
    assert "localfc/" in (REPO / ".fcignore").read_text().splitlines()
