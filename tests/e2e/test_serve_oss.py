"""OSS triggers in the local FC: oss2 uploads to the local OSS fire the matching functions
asynchronously; tests wait for the outputs with a deadline."""

from __future__ import annotations

import json

import oss2
import pytest
import requests

from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET
from tests.fixtures.serve import BASIC_APP, eventually, start_serve


@pytest.fixture(scope="module")
def oss_serve(tmp_path_factory):
    with start_serve(BASIC_APP, tmp_path_factory.mktemp("serve-oss"), run_oss=True, run_timers=False) as handle:
        yield handle


@pytest.fixture(scope="module")
def bucket(oss_serve):
    return oss2.Bucket(oss2.Auth(FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET), oss_serve.fc.oss_endpoint, "e2e-in")


def uploads(serve) -> list[dict]:
    return [record for line in serve.out_lines("uploads.jsonl") for record in json.loads(line)["events"]]


def output(bucket, key: str) -> bytes | None:
    try:
        return bucket.get_object(key).read()
    except oss2.exceptions.NoSuchKey:
        return None


def test_put_object_fires_the_trigger_and_the_function_writes_its_output(oss_serve, bucket):
    bucket.put_object("in/hello.txt", b"hello oss", headers={"x-oss-meta-origin": "e2e"})
    assert eventually(lambda: output(bucket, "out/hello.txt.upper")) == b"HELLO OSS"
    record = next(r for r in uploads(oss_serve) if r["oss"]["object"]["key"] == "in/hello.txt")
    assert record["eventName"] == "ObjectCreated:PutObject"
    assert record["eventSource"] == "acs:oss"
    assert record["oss"]["bucket"]["name"] == "e2e-in"
    assert record["oss"]["object"]["size"] == len(b"hello oss")
    assert record["oss"]["object"]["eTag"]
    assert record["oss"]["object"]["objectMeta"]["userMeta"] == {"origin": "e2e"}


def test_function_gets_the_local_oss_endpoint(oss_serve):
    answer = requests.post(oss_serve.url + "/2023-03-30/functions/echo/invocations", data=b"{}").json()
    assert answer["info"]["env"]["APP_OSS_ENDPOINT"] == oss_serve.fc.oss_endpoint


def test_keys_outside_the_filter_do_not_fire_and_say_so(oss_serve, bucket):
    bucket.put_object("other/skip.txt", b"x")
    bucket.put_object("in/skip.csv", b"x")
    eventually(lambda: sum("no trigger matches" in line and "skip" in line for line in oss_serve.console.lines()) == 2)
    assert not any("skip" in r["oss"]["object"]["key"] for r in uploads(oss_serve))


def test_multipart_upload_fires_once_on_completion(oss_serve, bucket):
    key = "in/multi.txt"
    upload_id = bucket.init_multipart_upload(key).upload_id
    parts = []
    for number, chunk in enumerate([b"a" * (100 * 1024), b"b" * 10], start=1):
        parts.append(oss2.models.PartInfo(number, bucket.upload_part(key, upload_id, number, chunk).etag))
    bucket.complete_multipart_upload(key, upload_id, parts)
    assert eventually(lambda: output(bucket, "out/multi.txt.upper")) == b"A" * (100 * 1024) + b"B" * 10
    events = [r["eventName"] for r in uploads(oss_serve) if r["oss"]["object"]["key"] == key]
    assert events == ["ObjectCreated:CompleteMultipartUpload"]


def test_delete_fires_object_removed(oss_serve, bucket):
    bucket.put_object("in/doomed.txt", b"bye")
    eventually(lambda: output(bucket, "out/doomed.txt.upper"))
    bucket.delete_object("in/doomed.txt")
    eventually(
        lambda: any(
            r["eventName"] == "ObjectRemoved:DeleteObject" and r["oss"]["object"]["key"] == "in/doomed.txt"
            for r in uploads(oss_serve)
        )
    )


@pytest.mark.parametrize("name", ["with space.txt", "plus+sign.txt", "percent%20.txt", "中文 ключ.txt"])
def test_awkward_keys_arrive_as_stored(oss_serve, bucket, name):
    bucket.put_object("in/" + name, b"k")
    assert eventually(lambda: output(bucket, "out/" + name + ".upper")) == b"K"
    assert any(r["oss"]["object"]["key"] == "in/" + name for r in uploads(oss_serve))


def test_oss_invocations_show_in_the_live_view(oss_serve, bucket):
    bucket.put_object("in/view.txt", b"v")
    eventually(lambda: output(bucket, "out/view.txt.upper"))
    assert eventually(lambda: any("uploads" in line and " oss " in line for line in oss_serve.console.lines()))
