"""``handle_api``: the versions/aliases routes, bodies as the official client sends them,
paging, and errors in FC's JSON shape (never a traceback)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from localfc.fc.versions import handle_api

if TYPE_CHECKING:
    from localfc.fc.versions import VersionStore
    from tests.fixtures.versions import ProbeApp

BASE = "/2023-03-30/functions/canary-probe"
# Bodies that used to be 500s: nesting past Python's recursion limit, and NaN (not JSON).
DEEP_LIST = b"[" * 50_000 + b"]" * 50_000
DEEP_OBJECT = b'{"x":' * 5000 + b"1" + b"}" * 5000
NAN_WEIGHT = b'{"aliasName": "p", "versionId": "1", "additionalVersionWeight": {"2": NaN}}'


def call(store: VersionStore, method: str, path: str, body: Any = None, **query: str) -> tuple[int, Any]:
    raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    answer = handle_api(store, method, path, query, raw)
    assert answer is not None
    status, headers, payload = answer
    assert headers["x-fc-request-id"]
    return status, (json.loads(payload) if payload else None)


@pytest.fixture
def published(probe_app: ProbeApp, version_store: VersionStore) -> VersionStore:
    for build in ("v1", "v2", "v3"):
        probe_app.set_build(build)
        assert call(version_store, "POST", f"{BASE}/versions", {"description": build})[0] == 200
    return version_store


def test_paths_that_are_not_versions_or_aliases_are_left_to_serve(version_store: VersionStore) -> None:
    for path in (f"{BASE}/invocations", "/2023-03-30/functions/canary-probe", "/other", f"{BASE}/triggers/x"):
        assert handle_api(version_store, "POST", path, {}, b"") is None


def test_publish_answers_the_version_model(version_store: VersionStore) -> None:
    status, doc = call(version_store, "POST", f"{BASE}/versions", {"description": "first"})
    assert status == 200
    assert set(doc) == {"versionId", "description", "createdTime", "lastModifiedTime"}
    assert (doc["versionId"], doc["description"]) == ("1", "first")
    assert doc["createdTime"].endswith("Z")


def test_versions_are_listed_newest_first_by_default_with_paging(published: VersionStore) -> None:
    status, doc = call(published, "GET", f"{BASE}/versions", limit="2")
    assert status == 200
    assert [v["versionId"] for v in doc["versions"]] == ["3", "2"]
    assert doc["direction"] == "BACKWARD"
    _, rest = call(published, "GET", f"{BASE}/versions", limit="2", nextToken=doc["nextToken"])
    assert [v["versionId"] for v in rest["versions"]] == ["1"]
    assert "nextToken" not in rest
    _, forward = call(published, "GET", f"{BASE}/versions", direction="FORWARD")
    assert [v["versionId"] for v in forward["versions"]] == ["1", "2", "3"]


def test_alias_lifecycle(published: VersionStore) -> None:
    body = {"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"2": 0.2}, "description": "d"}
    status, created = call(published, "POST", f"{BASE}/aliases", body)
    assert status == 200
    assert {k: created[k] for k in body} == body
    _, updated = call(published, "PUT", f"{BASE}/aliases/prod", {"versionId": "2", "additionalVersionWeight": {}})
    assert (updated["versionId"], updated["additionalVersionWeight"], updated["description"]) == ("2", {}, "d")
    assert call(published, "GET", f"{BASE}/aliases/prod")[1] == updated
    call(published, "POST", f"{BASE}/aliases", {"aliasName": "staging", "versionId": "3"})
    _, listed = call(published, "GET", f"{BASE}/aliases", prefix="st")
    assert [a["aliasName"] for a in listed["aliases"]] == ["staging"]
    assert call(published, "DELETE", f"{BASE}/aliases/prod") == (204, None)
    assert call(published, "GET", f"{BASE}/aliases/prod")[0] == 404


def test_delete_version(published: VersionStore) -> None:
    assert call(published, "DELETE", f"{BASE}/versions/2") == (204, None)
    status, doc = call(published, "DELETE", f"{BASE}/versions/2")
    assert (status, doc["Code"]) == (404, "VersionNotFound")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", f"{BASE}/aliases", b"{not json", 400, "InvalidArgument"),
        ("POST", f"{BASE}/aliases", [1, 2], 400, "InvalidArgument"),
        ("POST", f"{BASE}/aliases", {"versionId": "1"}, 400, "InvalidArgument"),
        ("POST", f"{BASE}/aliases", {"aliasName": "prod"}, 400, "InvalidArgument"),
        ("POST", f"{BASE}/aliases", {"aliasName": "prod", "versionId": 1}, 400, "InvalidArgument"),
        (
            "POST",
            f"{BASE}/aliases",
            {"aliasName": "p", "versionId": "1", "additionalVersionWeight": [1]},
            400,
            "InvalidArgument",
        ),
        ("POST", f"{BASE}/versions", {"description": 5}, 400, "InvalidArgument"),
        pytest.param("POST", f"{BASE}/versions", DEEP_LIST, 400, "InvalidArgument", id="deep-list"),
        pytest.param("PUT", f"{BASE}/aliases/prod", DEEP_OBJECT, 400, "InvalidArgument", id="deep-object"),
        pytest.param("POST", f"{BASE}/aliases", NAN_WEIGHT, 400, "InvalidArgument", id="NaN"),
        ("PATCH", f"{BASE}/aliases/prod", {}, 400, "PathNotSupported"),
        ("GET", f"{BASE}/versions/1", None, 400, "PathNotSupported"),
        ("GET", "/2023-03-30/functions/nope/aliases", None, 404, "FunctionNotFound"),
    ],
)
def test_bad_requests_get_fc_errors(
    published: VersionStore, method: str, path: str, body: Any, status: int, code: str
) -> None:
    got_status, doc = call(published, method, path, body)
    assert (got_status, doc["Code"]) == (status, code)
    assert doc["Message"] and doc["RequestId"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "x"},
        {"limit": "²"},  # str.isdigit() says yes, int() says no: was a 500
        {"limit": "١٠"},  # Arabic-Indic digits: int() reads them
        {"direction": "SIDEWAYS"},
        {"nextToken": "²"},
        {"nextToken": "-1"},
    ],
)
@pytest.mark.parametrize("collection", ["versions", "aliases"])
def test_bad_list_parameters(published: VersionStore, query: dict[str, str], collection: str) -> None:
    if collection == "aliases" and query.keys() != {"limit"}:
        return  # direction and numeric tokens are parameters of ListVersions only
    status, doc = call(published, "GET", f"{BASE}/{collection}", **query)
    assert (status, doc["Code"]) == (400, "InvalidArgument")


def test_an_internal_failure_hides_its_detail(published: VersionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> Any:
        raise OSError("disk on fire at /secret/path")

    monkeypatch.setattr(published, "list_aliases", broken)
    status, doc = call(published, "GET", f"{BASE}/aliases")
    assert (status, doc["Code"]) == (500, "InternalError")
    assert "secret" not in json.dumps(doc) and "Traceback" not in json.dumps(doc)
