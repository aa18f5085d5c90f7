"""Matching object events to OSS triggers, and the event the function receives."""

from __future__ import annotations

import json

import pytest

from localfc.fc.triggers.oss import OssTrigger, oss_event_payload
from localfc.services.oss.events import ObjectEvent

TRIGGER = OssTrigger(
    function_name="f",
    trigger_name="t",
    bucket="in-bucket",
    events=("oss:ObjectCreated:PutObject", "oss:ObjectCreated:CompleteMultipartUpload", "oss:ObjectRemoved:*"),
    prefix="in/",
    suffix=".csv",
    qualifier="LATEST",
    region="cn-hangzhou",
)


@pytest.mark.parametrize(
    ("event", "bucket", "key", "expected"),
    [
        ("ObjectCreated:PutObject", "in-bucket", "in/a.csv", True),
        ("ObjectCreated:CompleteMultipartUpload", "in-bucket", "in/deep/b.csv", True),
        ("ObjectRemoved:DeleteObject", "in-bucket", "in/a.csv", True),  # oss:ObjectRemoved:* wildcard
        ("ObjectCreated:UploadPart", "in-bucket", "in/a.csv", False),
        ("ObjectCreated:PostObject", "in-bucket", "in/a.csv", False),
        ("ObjectCreated:PutObject", "other", "in/a.csv", False),
        ("ObjectCreated:PutObject", "in-bucket", "out/a.csv", False),
        ("ObjectCreated:PutObject", "in-bucket", "in/a.csv.tmp", False),
        ("ObjectCreated:PutObject", "in-bucket", "In/a.csv", False),  # plain, case-sensitive match
    ],
)
def test_trigger_matching(event, bucket, key, expected):
    assert TRIGGER.matches(event, bucket, key) is expected


def test_created_wildcard_matches_every_created_event():
    wildcard = OssTrigger("f", "t", "b", ("oss:ObjectCreated:*",), "", "", "LATEST", "cn-hangzhou")
    assert wildcard.matches("ObjectCreated:UploadPart", "b", "k")
    assert not wildcard.matches("ObjectRemoved:DeleteObject", "b", "k")


def test_payload_is_fc_shaped_with_the_key_as_stored():
    event = ObjectEvent(
        "ObjectCreated:PutObject",
        "in-bucket",
        "in/a b+c%.csv",
        12,
        "ABCDEF",
        "text/csv",
        {"m": "1"},
        "REQ1",
        "10.1.2.3",
    )
    doc = json.loads(oss_event_payload(event, "cn-shanghai"))
    (record,) = doc["events"]
    assert record["eventName"] == "ObjectCreated:PutObject"
    assert record["region"] == "cn-shanghai"
    assert record["oss"]["object"]["key"] == "in/a b+c%.csv"
    assert record["oss"]["object"]["size"] == 12 and record["oss"]["object"]["eTag"] == "ABCDEF"
    assert record["oss"]["object"]["objectMeta"] == {"mimeType": "text/csv", "userMeta": {"m": "1"}}
    assert record["responseElements"]["requestId"] == "REQ1"
    assert record["requestParameters"]["sourceIPAddress"] == "10.1.2.3"
