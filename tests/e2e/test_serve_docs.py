"""``serve``'s ``/-/docs/``: an OpenAPI document per HTTP function that points at serve, and a
Swagger UI page whose files come from this machine (no CDN: it works offline)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
import requests
from openapi_spec_validator import validate

from tests.fixtures.paths import REPO
from tests.fixtures.serve import start_serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fixtures.serve import ServeHandle

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeHandle]:
    state: Path = tmp_path_factory.mktemp("serve-docs")
    saved = os.environ.pop("FC_DEPLOY_BUCKET", None)
    try:
        with start_serve(REPO / "s.yaml", state, run_oss=False, run_timers=False) as handle:
            yield handle
    finally:
        if saved is not None:
            os.environ["FC_DEPLOY_BUCKET"] = saved


def test_each_http_function_has_a_document_pointing_at_serve(repo_serve: ServeHandle) -> None:
    index = requests.get(repo_serve.url + "/-/docs/", timeout=30)
    assert index.status_code == 200 and 'href="/-/docs/prime-checker/"' in index.text
    assert "thumbnailer" not in index.text  # an object function has no HTTP API
    document = requests.get(repo_serve.url + "/-/docs/prime-checker/openapi.json", timeout=120).json()
    validate(document)
    assert document["servers"][0]["url"] == repo_serve.url + "/prime-checker"
    # what the document promises, serve answers
    answer = requests.post(document["servers"][0]["url"] + "/check", json={"number": 7}, timeout=30)
    assert answer.status_code == 200 and answer.json()["is_prime"] is True
    assert requests.get(repo_serve.url + "/-/docs/openapi.json", timeout=120).json()["paths"]


def test_the_swagger_page_loads_its_files_from_serve(repo_serve: ServeHandle) -> None:
    page = requests.get(repo_serve.url + "/-/docs/language-detector/", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'src="/-/docs/assets/swagger-ui-bundle.js"' in page.text and "http" not in page.text.split("<body>")[1]
    script = requests.get(repo_serve.url + "/-/docs/assets/swagger-ui-bundle.js", timeout=30)
    assert script.status_code == 200 and script.headers["Content-Type"] == "application/javascript"
    assert requests.get(repo_serve.url + "/-/docs/assets/..%2Fsecret.py", timeout=30).status_code == 404
    assert requests.get(repo_serve.url + "/-/docs/thumbnailer/", timeout=30).status_code == 404
