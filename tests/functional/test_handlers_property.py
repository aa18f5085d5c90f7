"""Property: whatever bytes FC hands a handler, it answers — it never raises — and the answer is
well formed: FC's HTTP struct (int statusCode, str body holding JSON) or, for a direct invoke,
a JSON text; the JSON is either the algorithm's output or the error shape.

Every HTTP-only function of s.yaml is covered: the list comes from s.yaml, so a new function is
fuzzed as soon as it is declared.
"""

from __future__ import annotations

import base64
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localfc.project.syaml import load_project
from tests.fixtures.invocation import legacy_context

REPO = Path(__file__).resolve().parents[2]
EVENTS = sorted((REPO / "tests" / "events").glob("*.json"))
FUZZ = settings(
    max_examples=100,
    deadline=None,  # a shared 2-core CI machine has pauses that are not the handler's
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def http_only_handlers() -> list[str]:
    """``module.function`` of every s.yaml function whose triggers are all HTTP."""
    found = []
    for _, props in load_project(REPO / "s.yaml", environ={}).functions():
        kinds = {t.triggerType for t in props.triggers}
        if kinds == {"http"}:
            found.append(props.handler)
    return found


HANDLERS = http_only_handlers()


def load_handler(dotted: str) -> Any:
    module_name, _, attr = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    if hasattr(module, "initialize"):
        module.initialize(legacy_context())
    return getattr(module, attr)


@pytest.fixture(scope="module", params=HANDLERS)
def handler(request: pytest.FixtureRequest) -> Any:
    return load_handler(request.param)


# --- what a well-formed answer is -------------------------------------------------------------
def assert_well_formed(result: Any) -> None:
    if isinstance(result, dict):
        assert set(result) == {"statusCode", "headers", "isBase64Encoded", "body"}, result
        status = result["statusCode"]
        assert type(status) is int and 200 <= status <= 599, status
        assert isinstance(result["headers"], dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result["headers"].items())
        assert result["isBase64Encoded"] is False
        assert isinstance(result["body"], str)
        doc = json.loads(result["body"])
        if status >= 400:
            assert_error_shape(doc)
        else:
            assert isinstance(doc, dict) and "error" not in doc, doc
        if status == 405:
            assert result["headers"]["Allow"]
        return
    assert isinstance(result, str), f"handler returned {type(result).__name__}"
    doc = json.loads(result)
    assert isinstance(doc, dict), doc
    if "error" in doc:
        assert_error_shape(doc)


def assert_error_shape(doc: Any) -> None:
    assert isinstance(doc, dict) and set(doc) == {"error", "request_id"}, doc
    error = doc["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "details"}
    assert "Traceback (most recent call last)" not in json.dumps(doc)


# --- strategies ------------------------------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["v1", "GET", "POST", "/check", "/detect", "/languages", "acs:oss", 97, -1, 10**19]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def load_events() -> list[Any]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in EVENTS]


REAL_EVENTS = load_events()


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_of(value, (*prefix, index))
    return found


def mutate(doc: Any, data: st.DataObject) -> Any:
    """Replace, delete or add one node of a real event (the root included)."""
    path = data.draw(st.sampled_from(paths_of(doc)), label="path")
    if not path:
        return data.draw(json_values, label="new root")
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[data.draw(st.text(max_size=12), label="key")] = data.draw(json_values, label="value")
    else:
        parent[last] = data.draw(json_values, label="value")
    return doc


def body_variants() -> st.SearchStrategy[tuple[str, bool]]:
    """HTTP bodies: JSON-ish text, arbitrary text, valid and invalid base64."""
    json_text = json_values.map(json.dumps)
    b64 = st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode())
    return st.tuples(json_text | st.text(max_size=200), st.just(False)) | st.tuples(
        b64 | st.text(max_size=50), st.just(True)
    )


# --- properties --------------------------------------------------------------------------------
@FUZZ
@given(raw=st.binary(max_size=2048))
def test_arbitrary_bytes(handler: Any, raw: bytes) -> None:
    assert_well_formed(handler(raw, legacy_context()))


@FUZZ
@given(value=json_values)
def test_arbitrary_json(handler: Any, value: Any) -> None:
    assert_well_formed(handler(json.dumps(value).encode(), legacy_context()))


@FUZZ
@given(data=st.data())
def test_mutated_real_events(handler: Any, data: st.DataObject) -> None:
    doc = json.loads(json.dumps(data.draw(st.sampled_from(REAL_EVENTS), label="event")))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        doc = mutate(doc, data)
    assert_well_formed(handler(json.dumps(doc).encode(), legacy_context()))


@FUZZ
@given(data=st.data())
def test_real_http_events_with_any_method_path_and_body(handler: Any, data: st.DataObject) -> None:
    http_events = [e for e in REAL_EVENTS if isinstance(e, dict) and e.get("version") == "v1"]
    doc = json.loads(json.dumps(data.draw(st.sampled_from(http_events), label="event")))
    body, is_b64 = data.draw(body_variants(), label="body")
    doc["body"], doc["isBase64Encoded"] = body, is_b64
    http = doc["requestContext"]["http"]
    http["method"] = data.draw(
        st.sampled_from(["GET", "POST", "PUT", "HEAD", "get"]) | st.text(max_size=8), label="method"
    )
    http["path"] = data.draw(
        st.sampled_from(["/check", "/detect", "/languages", "/", ""]) | st.text(max_size=20), label="path"
    )
    doc["queryParameters"] = data.draw(
        st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3), label="query"
    )
    assert_well_formed(handler(json.dumps(doc).encode(), legacy_context()))


@FUZZ
@given(data=st.data())
def test_real_events_cut_or_with_bytes_flipped(handler: Any, data: st.DataObject) -> None:
    raw = bytearray(data.draw(st.sampled_from(EVENTS), label="file").read_bytes())
    for _ in range(data.draw(st.integers(0, 4), label="flips")):
        index = data.draw(st.integers(0, len(raw) - 1), label="index")
        raw[index] = data.draw(st.integers(0, 255), label="byte")
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    assert_well_formed(handler(bytes(raw[:cut]), legacy_context()))


def test_the_fuzzed_functions_come_from_s_yaml() -> None:
    # The property tests above are only as good as this list.
    assert "handlers.prime_checker.handler" in HANDLERS
    assert "handlers.language_detector.handler" in HANDLERS
