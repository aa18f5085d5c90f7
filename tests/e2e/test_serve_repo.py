"""The repository's own s.yaml under ``serve``: the real algorithms behind their HTTP triggers,
the official FC SDK, and oss2 uploads that fire the object functions."""

from __future__ import annotations

import io
import json

import oss2
import pytest
import requests
from alibabacloud_fc20230330 import models
from PIL import Image

from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET
from tests.fixtures.serve import eventually, fc_client, start_serve

pytestmark = pytest.mark.slow  # the object functions import oss2 and Pillow at cold start

BUCKET = "fc-algorithms-data"  # s.yaml's ${vars.bucket} default


@pytest.fixture(scope="module")
def repo_serve(tmp_path_factory, s_yaml, monkeypatch_module):
    monkeypatch_module.delenv("FC_DEPLOY_BUCKET", raising=False)
    with start_serve(s_yaml, tmp_path_factory.mktemp("serve-repo"), run_oss=True, run_timers=False) as handle:
        yield handle


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def bucket(repo_serve):
    return oss2.Bucket(oss2.Auth(FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET), repo_serve.fc.oss_endpoint, BUCKET)


def test_prime_checker_over_its_http_trigger(repo_serve):
    answer = requests.post(repo_serve.url + "/prime-checker/check", json={"number": 97}, timeout=30)
    assert answer.status_code == 200
    assert answer.json()["is_prime"] is True
    factors = requests.get(repo_serve.url + "/prime-checker/check", params={"number": 12}, timeout=30).json()
    assert factors["factors"] == [2, 2, 3]
    bad = requests.post(repo_serve.url + "/prime-checker/check", data=b"{not json", timeout=30)
    assert bad.status_code == 400  # the runtime's error answer comes through as the function's status


def test_language_detector_through_the_official_sdk(repo_serve):
    client = fc_client(repo_serve.fc)
    response = client.invoke_function(
        "language-detector",
        models.InvokeFunctionRequest(body=json.dumps({"text": "the quick brown fox jumps over the lazy dog"}).encode()),
    )
    assert response.status_code == 200
    assert json.loads(response.body.read())["language"] == "en"


def output(bucket, key: str) -> bytes | None:
    try:
        return bucket.get_object(key).read()
    except oss2.exceptions.NoSuchKey:
        return None


def test_csv_upload_fires_table_summary(repo_serve, bucket):
    bucket.put_object("exports/e2e.csv", b"a,b\n1,2\n3,4\n")
    summary = json.loads(eventually(lambda: output(bucket, "summaries/exports/e2e.csv/summary.json"), timeout=60))
    assert summary["rows"] == 2


def test_image_upload_fires_thumbnailer(repo_serve, bucket):
    image = io.BytesIO()
    Image.new("RGB", (600, 400), "red").save(image, "PNG")
    bucket.put_object("uploads/red.png", image.getvalue())
    thumbnail = eventually(lambda: output(bucket, "thumbnails/uploads/red.png/256x256.jpg"), timeout=60)
    assert Image.open(io.BytesIO(thumbnail)).size[0] <= 256
    # The outputs land outside the trigger's prefix: no loop, and serve says they match nothing.
    assert eventually(
        lambda: any(
            "thumbnails/uploads/red.png" in line and "no trigger" in line for line in repo_serve.console.lines()
        )
    )
