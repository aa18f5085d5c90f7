"""OSS trigger events: parsing FC's documented shape, and object-key decoding in one place."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

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
