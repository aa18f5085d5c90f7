"""OSS trigger events: parsing FC's documented shape, and object-key decoding in one place."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.events import OssEvent, recognise
from runtime.events.oss import key_candidates
from runtime.objects.targets import from_oss_event
from tests.fixtures.invocation import event_file

KEYS = ["uploads/cat photo.jpg", "uploads/a+b.jpg", "uploads/100%.jpg", "uploads/猫 写真.jpg", "uploads/plain.jpg"]


@pytest.mark.parametrize("key", KEYS)
def test_an_encoded_key_is_decoded_first_and_the_raw_key_kept_as_fallback(key: str) -> None:
    encoded = quote(key, safe="/")
    candidates = key_candidates(encoded)
    assert candidates[0] == key
    assert candidates[-1] == encoded


@pytest.mark.parametrize("key", KEYS)
def test_a_plain_key_is_tried_as_it_is(key: str) -> None:
    # Keys that arrive unencoded: a literal "+" or "%" must survive (unquote_plus would turn
    # "+" into a space; a stray "%" must not break decoding).
    assert key in key_candidates(key)
    if "%" not in key:
        assert key_candidates(key) == [key]
        assert key_candidates(key)[0] == key


def test_a_literal_percent_sequence_keeps_the_raw_key_as_a_candidate() -> None:
    # "100%25.jpg" might be the real name (not encoded) or "100%.jpg" encoded: both are tried.
    assert key_candidates("reports/100%25.jpg") == ["reports/100%.jpg", "reports/100%25.jpg"]


def test_percent_escapes_that_are_not_utf8_are_left_alone() -> None:
    assert key_candidates("bin/%FF%FE.dat") == ["bin/%FF%FE.dat"]


def test_the_documented_event_parses_into_records() -> None:
    event = recognise(event_file("oss-put-object.json"), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    (record,) = event.records
    assert (record.event_name, record.bucket, record.key) == (
        "ObjectCreated:PutObject",
        "fc-algorithms-data",
        "uploads/cat.jpg",
    )
    assert record.size == 2048 and record.content_type == "image/jpeg"


def test_every_record_of_a_multi_record_event_becomes_a_target() -> None:
    event = recognise(event_file("oss-multi-record.json"), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    targets = from_oss_event(event)
    assert [t.key for t in targets] == ["exports/orders-2024-05.csv", "exports/events.jsonl"]
    assert targets[0].event_name == "ObjectCreated:CompleteMultipartUpload"


def test_an_encoded_key_in_an_event_yields_decoded_and_raw_candidates() -> None:
    event = recognise(event_file("oss-encoded-key.json"), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    (target,) = from_oss_event(event)
    assert target.candidates == ("uploads/猫 photo+1%.jpg", "uploads/%E7%8C%AB%20photo%2B1%25.jpg")


def test_a_malformed_record_is_reported_and_does_not_hide_the_others() -> None:
    doc = json.loads(event_file("oss-multi-record.json"))
    del doc["events"][0]["oss"]["object"]["key"]
    event = recognise(json.dumps(doc).encode(), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    assert [r.key for r in event.records] == ["exports/events.jsonl"]
    assert event.invalid and event.invalid[0][0] == 0


def _one_record_changed(change: Any) -> OssEvent:
    doc = json.loads(event_file("oss-multi-record.json"))
    change(doc["events"][0])
    event = recognise(json.dumps(doc).encode(), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    return event


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r["oss"]["object"].update(objectMeta="text/csv"), id="objectMeta-a-string"),
        pytest.param(lambda r: r["oss"]["object"].update(objectMeta=[1]), id="objectMeta-a-list"),
        pytest.param(lambda r: r["oss"]["object"].update(size=float("inf")), id="size-infinite"),
        pytest.param(lambda r: r["oss"]["object"].update(size=float("nan")), id="size-nan"),
        pytest.param(lambda r: r["oss"]["object"].update(size=-1), id="size-negative"),
        pytest.param(lambda r: r["oss"]["object"].update(size=True), id="size-boolean"),
        pytest.param(lambda r: r["oss"]["object"].update(size="²"), id="size-superscript-digit"),
        pytest.param(lambda r: r["oss"].update(bucket="fc-algorithms-data"), id="bucket-a-string"),
        pytest.param(lambda r: r["oss"].update(object=None), id="object-null"),
    ],
)
def test_one_bad_record_is_that_records_invalid_result_only(change: Any) -> None:
    # These used to escape the parser (AttributeError, OverflowError): a 500 for the whole
    # event, and the other records lost.
    event = _one_record_changed(change)
    assert [r.key for r in event.records] == ["exports/events.jsonl"]
    assert [index for index, _ in event.invalid] == [0]


def test_sizes_that_are_whole_numbers_are_read() -> None:
    for size, expected in ((12, 12), (12.0, 12), ("34", 34), (None, 0), ("", 0)):
        event = _one_record_changed(lambda r, s=size: r["oss"]["object"].update(size=s))
        assert not event.invalid
        assert event.records[0].size == expected


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
_GOOD = json.loads(event_file("oss-put-object.json"))["events"][0]


def _damaged(record: Any, data: st.DataObject) -> Any:
    """The documented record with one field (at any depth) replaced by arbitrary JSON."""
    copy = json.loads(json.dumps(record))
    node, path = copy, data.draw(st.sampled_from(["oss", "oss.object", "oss.bucket", "oss.object.objectMeta"]))
    for step in path.split("."):
        node = node.setdefault(step, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict) and node:
        node[data.draw(st.sampled_from(sorted(node)))] = data.draw(_JSON)
    return copy


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_mix_of_good_and_damaged_records_parses_record_by_record(data: st.DataObject) -> None:
    records = data.draw(st.lists(st.booleans(), min_size=1, max_size=6))
    events = [_GOOD if good else _damaged(_GOOD, data) for good in records]
    event = recognise(json.dumps({"events": events}).encode(), max_body_bytes=1 << 20)
    assert isinstance(event, OssEvent)
    invalid = {index for index, _ in event.invalid}
    assert len(event.records) + len(invalid) == len(events)  # every record accounted for
    assert not invalid & {i for i, good in enumerate(records) if good}  # a good record is never lost
    for record in event.records:
        assert isinstance(record.size, int) and record.size >= 0
        assert isinstance(record.key, str) and record.key
