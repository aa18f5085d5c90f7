"""Direct shipping of business events: the runtime's PutLogs (through aliyun-log-python-sdk)
against the local SLS receiver — signed with the invocation's STS keys, one request per
invocation, and never failing or holding up the invocation when SLS is down, slow or
refusing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel

from algorithms import business_events
from algorithms.base import Algorithm
from localfc.services.sls import SlsReceiver
from runtime import AlgorithmFunction
from tests.fixtures.invocation import (
    ENV_KEY_ID,
    ENV_SECRET,
    STS_KEY_ID,
    STS_SECRET,
    call,
    json_lines,
    legacy_context,
    py312_context,
)
from tests.fixtures.sls import SHIP_LOGSTORE, SHIP_PROJECT, load_index, unindexed

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.usefixtures("clean_fc_env")
REPO = Path(__file__).resolve().parents[2]
# Without the fail-fast client the SDK sleeps 1 s before each of its ten retries.
BOUND_S = 1.0


class In(BaseModel):
    events: int = 1


class Out(BaseModel):
    ok: bool


class Auditing(Algorithm[In, Out]):
    name: ClassVar[str] = "auditing"

    def run(self, data: In) -> Out:
        for number in range(data.events):
            business_events.emit("item_scored", number=number, score=0.5, passed=True, tags={"team": "x"}, note="ünï")
        return Out(ok=True)


def lines_of(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return json_lines(capsys.readouterr().out)


def summary(lines: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [line for line in lines if line.get("event") == "invocation"]
    return found


@pytest.fixture
def signed_receiver(tmp_path: Path, clean_fc_env: pytest.MonkeyPatch) -> Iterator[SlsReceiver]:
    """A receiver that checks signatures against the test's STS and environment keys."""
    keys = {STS_KEY_ID: STS_SECRET, ENV_KEY_ID: ENV_SECRET}
    with SlsReceiver(store_dir=tmp_path / "sls", access_keys=keys) as receiver:
        clean_fc_env.setenv("APP_SHIP_PROJECT", SHIP_PROJECT)
        clean_fc_env.setenv("APP_SHIP_LOGSTORE", SHIP_LOGSTORE)
        clean_fc_env.setenv("APP_SLS_ENDPOINT", receiver.endpoint)
        clean_fc_env.setenv("FC_INSTANCE_ID", "c-instance-1")
        yield receiver


def warm_app() -> AlgorithmFunction:
    app = AlgorithmFunction(Auditing())
    app.initialize(legacy_context())  # imports aliyun.log now, as FC's initializer would
    return app


def test_events_are_shipped_at_the_end_signed_with_the_invocation_keys(
    signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    app = warm_app()
    before = time.time()
    answer = call(app.handler, {"events": 3}, legacy_context(request_id="req-1", qualifier="prod", version_id="4"))
    assert answer.doc == {"ok": True}
    received = signed_receiver.records(project=SHIP_PROJECT, logstore=SHIP_LOGSTORE)
    assert len(received) == 3 and len(signed_receiver.requests) == 1, "one PutLogs per invocation"
    (request,) = signed_receiver.requests
    assert (request.auth.access_key_id, request.auth.verified, request.auth.has_security_token) == (
        STS_KEY_ID,
        True,
        True,
    )
    first = received[0]
    assert first.contents == {
        "number": "0",
        "score": "0.5",
        "passed": "true",
        "tags": '{"team":"x"}',
        "note": "ünï",
        "event": "item_scored",
        "request_id": "req-1",
        "function": "prime-checker",
        "qualifier": "prod",
        "version": "4",
        "algorithm": "auditing",
    }
    assert (first.topic, first.source) == ("prime-checker", "c-instance-1")
    assert before - 1 <= first.time <= time.time()
    line = summary(lines_of(capsys))
    assert line["shipped_events"] == 3 and line["ship_ms"] > 0


def test_python312_ships_with_the_environment_keys(
    signed_receiver: SlsReceiver, clean_fc_env: pytest.MonkeyPatch
) -> None:
    clean_fc_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ENV_KEY_ID)
    clean_fc_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_SECRET)
    clean_fc_env.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")
    call(warm_app().handler, {"events": 1}, py312_context())
    (request,) = signed_receiver.requests
    assert (request.auth.access_key_id, request.auth.verified) == (ENV_KEY_ID, True)


def test_no_events_no_request(signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]) -> None:
    call(warm_app().handler, {"events": 0}, legacy_context())
    assert signed_receiver.requests == []
    assert "shipped_events" not in summary(lines_of(capsys))


def failed_fast(app: AlgorithmFunction, capsys: pytest.CaptureFixture[str], context: Any = None) -> dict[str, Any]:
    """Invoke once; the invocation must succeed within the bound. Returns the ship_failed line."""
    started = time.perf_counter()
    answer = call(app.handler, {"events": 2}, context or legacy_context())
    elapsed = time.perf_counter() - started
    assert answer.doc == {"ok": True}
    assert elapsed < BOUND_S, f"shipping held the invocation {elapsed:.2f} s"
    lines = lines_of(capsys)
    assert unindexed(lines) == []
    assert summary(lines)["shipped_events"] == 0
    (failure,) = [line for line in lines if line.get("event") == "ship_failed"]
    assert failure["level"] == "WARNING" and failure["events_lost"] == 2
    return failure


def test_a_receiver_that_is_down_costs_one_quick_attempt(
    signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    app = warm_app()
    call(app.handler, {"events": 1}, legacy_context())  # a kept-alive connection, then SLS goes away
    capsys.readouterr()
    signed_receiver.stop()
    assert "cannot reach SLS" in failed_fast(app, capsys)["ship_error"]


def test_5xx_is_not_retried(signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]) -> None:
    app = warm_app()
    signed_receiver.faults.fail(status=503)
    assert "answered 503" in failed_fast(app, capsys)["ship_error"]
    assert signed_receiver.records() == []


def test_a_slow_receiver_is_cut_off_at_the_timeout(
    signed_receiver: SlsReceiver, clean_fc_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_fc_env.setenv("APP_SHIP_TIMEOUT_MS", "200")
    app = warm_app()
    signed_receiver.faults.delay_s = 3.0
    assert "timed out" in failed_fast(app, capsys)["ship_error"].lower()


def test_a_refusal_is_reported_with_its_code(signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]) -> None:
    app = warm_app()
    wrong = legacy_context(credentials=(STS_KEY_ID, "a-secret-sls-does-not-know", "token"))
    assert "SignatureNotMatch" in failed_fast(app, capsys, wrong)["ship_error"]


def test_too_little_time_left_skips_the_shipment(
    signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    app = warm_app()
    assert "left in the invocation" in failed_fast(app, capsys, legacy_context(timeout="0.05"))["ship_error"]
    assert signed_receiver.requests == []


def test_without_credentials_nothing_is_sent_and_it_says_why(
    signed_receiver: SlsReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    app = warm_app()
    assert "no credentials" in failed_fast(app, capsys, py312_context())["ship_error"]


def test_half_a_configuration_logs_events_instead_and_says_so(
    sls_receiver: SlsReceiver, clean_fc_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_fc_env.setenv("APP_SHIP_PROJECT", SHIP_PROJECT)  # no logstore
    clean_fc_env.setenv("APP_SLS_ENDPOINT", sls_receiver.endpoint)
    app = AlgorithmFunction(Auditing())
    call(app.handler, {"events": 1}, legacy_context())
    call(app.handler, {"events": 1}, legacy_context())
    lines = lines_of(capsys)
    assert [line["event"] for line in lines if line["level"] == "ERROR"] == ["ship_misconfigured"], "said once"
    assert len([line for line in lines if line.get("event") == "business"]) == 2
    assert sls_receiver.requests == []


def test_shipped_fields_are_in_the_ship_index(signed_receiver: SlsReceiver) -> None:
    call(warm_app().handler, {"events": 1}, legacy_context())
    (record,) = signed_receiver.records()
    own = {"number", "score", "passed", "tags", "note"}
    assert set(record.contents) - own == set(load_index(REPO / "sls" / "ship-index.json")["keys"])


def test_the_sdk_members_the_fail_fast_client_relies_on_still_exist() -> None:
    """runtime/shipping.py overrides LogClient._getHttpResponse and sets _isRowIp (private)."""
    from aliyun.log import LogClient  # noqa: PLC0415

    client = LogClient("http://127.0.0.1:9", "id", "secret", source="test")
    assert callable(getattr(LogClient, "_getHttpResponse", None))
    assert hasattr(client, "_isRowIp") and client._isRowIp is False


def test_functions_that_do_not_ship_never_import_the_sls_sdk(tmp_path: Path) -> None:
    script = """
import json, sys
from types import SimpleNamespace as NS
import handlers.prime_checker as h
ctx = NS(request_id="r", function=NS(name="prime-checker", timeout="10", memory=256, handler="x"))
h.initialize(ctx)
h.handler(b'{"number": 97}', ctx)
print(json.dumps({"imported": "aliyun.log" in sys.modules}), file=sys.stderr)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"imported": False}


def test_without_the_sdk_in_the_package_shipping_is_off_and_says_why_once(
    signed_receiver: SlsReceiver, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A package built without the optional SDK (`local_invoke.py package` leaves it out).
    monkeypatch.setitem(sys.modules, "aliyun.log", None)
    app = warm_app()
    call(app.handler, {"events": 1}, legacy_context())
    call(app.handler, {"events": 1}, legacy_context())
    lines = lines_of(capsys)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert [line["event"] for line in errors] == ["ship_misconfigured"], "said once"
    assert "aliyun-log-python-sdk is not in this function's package" in errors[0]["message"]
    assert len([line for line in lines if line.get("event") == "business"]) == 2, "events are logged, not lost"
    assert signed_receiver.requests == []
