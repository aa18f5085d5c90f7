"""The repository's functions run from what ships: each one's package (built for FC's
python3.10, bytecode in, only its own distributions), unpacked read-only, run by python3.10 with
nothing from the dev venv on its path, behind its real triggers: HTTP, the official FC SDK, and
oss2 uploads that fire the object functions (oss2 with the pure-Python crcmod, Pillow's cp310
wheel). Skipped where python3.10 is not installed; the first run downloads the wheels."""

from __future__ import annotations

import io
import json

import oss2
import psutil
import pytest
import requests
from alibabacloud_fc20230330 import models
from PIL import Image

from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from tests.fixtures.packages import WHEELS_TIMEOUT_S
from tests.fixtures.serve import eventually, fc_client, start_serve

# The first test to build a package pays for the wheels' download (once per session).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fc_wheels"), pytest.mark.timeout(WHEELS_TIMEOUT_S)]
BUCKET = "fc-algorithms-data"


@pytest.fixture(scope="module")
def packaged_serve(tmp_path_factory, s_yaml):
    try:
        find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))
    patch = pytest.MonkeyPatch()
    patch.delenv("FC_DEPLOY_BUCKET", raising=False)
    state = tmp_path_factory.mktemp("serve-package")
    try:
        with start_serve(s_yaml, state, run_oss=True, run_timers=False, code_from="package") as handle:
            yield handle
    finally:
        patch.undo()


def _instance_python(handle, function: str) -> str:
    pools = [p for p in handle.fc.invoker.pools() if p.spec.function_name == function]
    pids = [i.pid for pool in pools for i in pool._instances]
    return psutil.Process(pids[0]).exe()


def test_prime_checker_runs_from_its_package_on_python310(packaged_serve):
    answer = requests.post(packaged_serve.url + "/prime-checker/check", json={"number": 97}, timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_prime"] is True
    assert _instance_python(packaged_serve, "prime-checker").endswith("python3.10")
    pool = next(p for p in packaged_serve.fc.invoker.pools() if p.spec.function_name == "prime-checker")
    source = pool.spec.source
    assert source is not None and source.isolated
    code = source.code_dir
    assert (code / "handlers" / "__pycache__" / "prime_checker.cpython-310.pyc").is_file()
    assert not (code / "algorithms" / "thumbnailer.py").exists()  # not in prime-checker's closure
    assert not (code / "python" / "PIL").exists() and not (code / "python" / "oss2").exists()
    assert not (code / "handlers" / "prime_checker.py").stat().st_mode & 0o222  # read-only, as /code


def test_language_detector_through_the_official_sdk(packaged_serve):
    client = fc_client(packaged_serve.fc)
    body = json.dumps({"text": "the quick brown fox jumps over the lazy dog"}).encode()
    response = client.invoke_function("language-detector", models.InvokeFunctionRequest(body=body))
    assert response.status_code == 200
    assert json.loads(response.body.read())["language"] == "en"


def test_object_functions_run_from_their_packages(packaged_serve):
    bucket = oss2.Bucket(oss2.Auth(FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET), packaged_serve.fc.oss_endpoint, BUCKET)
    image = io.BytesIO()
    Image.new("RGB", (600, 400), "blue").save(image, "PNG")
    bucket.put_object("uploads/blue.png", image.getvalue())
    bucket.put_object("exports/pkg.csv", b"a,b\n1,2\n3,4\n5,6\n")

    def output(key: str) -> bytes | None:
        try:
            return bucket.get_object(key).read()
        except oss2.exceptions.NoSuchKey:
            return None

    thumbnail = eventually(lambda: output("thumbnails/uploads/blue.png/256x256.jpg"), timeout=180)
    assert Image.open(io.BytesIO(thumbnail)).size[0] <= 256
    summary = json.loads(eventually(lambda: output("summaries/exports/pkg.csv/summary.json"), timeout=180))
    assert summary["rows"] == 3
    assert _instance_python(packaged_serve, "thumbnailer").endswith("python3.10")
