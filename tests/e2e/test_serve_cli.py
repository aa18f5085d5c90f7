"""``local_invoke.py serve`` as a user runs it: a subprocess on port 0 that prints its
endpoints, serves them, and drains in-flight calls on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest
import requests

from tests.fixtures.serve import BASIC_APP, eventually

_HTTP_LINE = re.compile(
    r"^\s+http\s+(?P<url>http://127\.0\.0\.1:\d+/\S+)\s+(?P<function>\S+)\s+trigger=(?P<trigger>\S+)"
)


@pytest.fixture
def serve_process(tmp_path, python, repo):
    env = {**os.environ, "LOCALFC_E2E_OUT": str(tmp_path / "out")}
    command = [
        python, "local_invoke.py", "serve", "-t", str(BASIC_APP), "--port", "0",
        "--no-oss", "--no-timers", "--state-dir", str(tmp_path / "state"),
        "--code-from", "venv",  # the test app imports oss2 from the dev venv without declaring it
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner: list[str] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip("\n"))
        if line.startswith("ready"):
            break
    else:
        process.kill()
    try:
        yield process, banner, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def endpoints(banner: list[str]) -> dict[str, str]:
    return {m["function"] + "/" + m["trigger"]: m["url"] for m in map(_HTTP_LINE.match, banner) if m}


def test_serve_prints_every_endpoint_of_s_yaml(serve_process):
    _, banner, tmp_path = serve_process
    assert banner[-1].startswith("ready  http://127.0.0.1:")
    found = endpoints(banner)
    assert set(found) == {"echo/http", "echo/signed", "slow/http", "crash/http"}
    assert found["echo/signed"].endswith("/echo@signed/")
    assert any(line.split()[:1] == ["api"] and "/2023-03-30/functions/" in line for line in banner)
    assert any(line.split()[:1] == ["timer"] and "every-second" in line and "--no-timers" in line for line in banner)
    assert any("bucket=e2e-in" in line and "not firing" in line for line in banner)
    announced = json.loads((tmp_path / "state" / "serve.json").read_text())  # how `release` finds serve
    assert banner[-1].split()[1] == announced["url"] == "http://" + announced["endpoint"]
    response = requests.post(found["echo/http"] + "hello", data=b"hi", timeout=30)
    assert response.status_code == 200
    assert response.json()["event"]["rawPath"] == "/hello"


def test_ctrl_c_drains_in_flight_calls_and_runs_prestop(serve_process):
    process, banner, tmp_path = serve_process
    urls = endpoints(banner)
    assert requests.get(urls["echo/http"], timeout=30).status_code == 200  # an echo instance exists
    answers: list[requests.Response] = []
    caller = threading.Thread(
        target=lambda: answers.append(requests.post(urls["slow/http"], json={"sleep": 0.8}, timeout=30))
    )
    caller.start()
    log = tmp_path / "state" / "logs" / "slow.jsonl"
    eventually(lambda: log.exists() and "FC Invoke Start" in log.read_text(), timeout=30)
    process.send_signal(signal.SIGINT)
    caller.join(timeout=30)
    assert answers and answers[0].status_code == 200  # the call in flight finished
    assert process.wait(timeout=30) == 0
    assert "stopped" in process.stderr.read()
    assert not (tmp_path / "state" / "serve.json").exists()
    prestops = [json.loads(line) for line in (tmp_path / "out" / "prestop.jsonl").read_text().splitlines()]
    assert [p["function"] for p in prestops] == ["echo"]


def test_serve_binds_loopback_only(serve_process):
    _, banner, _ = serve_process
    port = int(re.search(r"127\.0\.0\.1:(\d+)", banner[-1]).group(1))
    with open("/proc/net/tcp") as table:
        listening = [line.split() for line in table.readlines()[1:] if line.split()[3] == "0A"]
    ours = [row for row in listening if int(row[1].split(":")[1], 16) == port]
    assert ours and all(row[1].split(":")[0] == "0100007F" for row in ours)
