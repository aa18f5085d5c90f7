"""No credential ever reaches a log line, a response or a shipped event.

Every function of s.yaml is run the way the local FC runs it (``localfc.fc.instances.in_process``), in
both context shapes, with distinctive fake keys in the context and in the environment, on
every shared event file and on broken inputs; then algorithms that try hard to leak (log
the environment, raise with the secret in the message, ship it, name a metric after it).
The ``leak_check`` fixture (tests/fixtures/credential_leaks.py) does the searching.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel

from algorithms import business_events, metrics
from algorithms.base import Algorithm
from algorithms.errors import InputRejected
from localfc.fc.context import LocalCredentials, function_environment
from localfc.fc.instances.in_process import FunctionInstance
from localfc.project.syaml import load_project
from runtime import AlgorithmFunction, Route
from tests.fixtures.credential_leaks import CANARIES, CONTEXT_KEYS, ENV_KEYS, LeakCheck
from tests.fixtures.invocation import call, http_event
from tests.fixtures.oss_processing import LocalBucket, oss_event, oss_event_record

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localfc.services.sls import SlsReceiver
    from tests.fixtures.sls import ShippingTarget

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "tests" / "events"
RUNTIMES = ("python3.10", "python3.12")


def broken_events() -> list[bytes]:
    """Inputs that take the error paths: unparsable, unknown routes, refused methods, too big."""
    return [
        b"",
        b"\xff\xfe not json",
        b'{"number": "not a number"}',
        b"[1, 2, 3]",
        json.dumps(http_event("POST", "/no-such-route", "{}")).encode(),
        json.dumps(http_event("DELETE", "/check", "")).encode(),
        json.dumps(http_event("POST", "/detect", '{"text": "12345"}')).encode(),
        json.dumps(http_event("POST", "/check", "x" * 300_000)).encode(),
        json.dumps(http_event("GET", "/languages")).encode(),
        json.dumps({"bucket": "no-such-bucket", "key": "in/a.csv"}).encode(),
    ]


def event_files() -> list[bytes]:
    return [path.read_bytes() for path in sorted(EVENTS.glob("*.json"))]


@pytest.fixture
def fresh_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import handler modules anew: their module-level apps keep settings from first use."""
    for name in [n for n in sys.modules if n == "handlers" or n.startswith("handlers.")]:
        monkeypatch.delitem(sys.modules, name)


def run_function(
    leak_check: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
    resource: str,
    runtime: str,
    events: list[bytes],
    extra_env: dict[str, str] | None = None,
) -> list[str]:
    """Run ``events`` through one warm local instance; returns the error types FC would report."""
    project = load_project(REPO / "s.yaml")
    _, props = project.function(resource)
    code_dir = project.code_dir(props)
    env = function_environment(props, code_dir, runtime=runtime, credentials=LocalCredentials(*ENV_KEYS.values()))
    env.update(extra_env or {})
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # restored after the test, unlike FunctionInstance.start's update
    framing = io.StringIO()
    instance = FunctionInstance(props, code_dir, env, runtime=runtime, log=framing)
    context_keys = LocalCredentials(*CONTEXT_KEYS.values())
    errors = []
    for number, event in enumerate(events):
        result = instance.invoke(event, f"req-{resource}-{runtime}-{number}", credentials=context_keys)
        leak_check.watch(f"{resource}/{runtime} response #{number}", result.body)
        leak_check.watch(f"{resource}/{runtime} error #{number}", result.error_message)
        errors.append(result.error_type)
    instance.stop(f"req-{resource}-stop")
    leak_check.watch(f"{resource}/{runtime} FC framing and tracebacks", framing.getvalue())
    return errors


@pytest.mark.usefixtures("fresh_handlers")
@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("resource", ["prime-checker", "language-detector"])
def test_request_functions_never_show_the_keys(
    leak_check: LeakCheck, monkeypatch: pytest.MonkeyPatch, resource: str, runtime: str
) -> None:
    errors = run_function(leak_check, monkeypatch, resource, runtime, event_files() + broken_events())
    out, _ = leak_check.read_output()
    assert out.count('"event":"invocation"') == len(errors), "every invocation wrote its summary line"
    leak_check.assert_clean()


@pytest.mark.usefixtures("fresh_handlers")
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_object_functions_never_show_the_keys(
    leak_check: LeakCheck, monkeypatch: pytest.MonkeyPatch, oss_bucket: LocalBucket, runtime: str
) -> None:
    oss_bucket.client.put_object("exports/good.csv", b"name,count\nab,1\ncd,2\n")
    oss_bucket.client.put_object("uploads/not-an-image.jpg", b"this is not a JPEG")
    events = [
        json.dumps(oss_event(oss_event_record(oss_bucket.name, "exports/good.csv"))).encode(),
        json.dumps(oss_event(oss_event_record(oss_bucket.name, "exports/missing.csv"))).encode(),
        json.dumps(oss_event(oss_event_record(oss_bucket.name, "uploads/not-an-image.jpg"))).encode(),
        json.dumps({"bucket": oss_bucket.name, "key": "exports/good.csv"}).encode(),
        *event_files(),
        *broken_events(),
    ]
    env = {"APP_OSS_ENDPOINT": oss_bucket.endpoint, "APP_OUTPUT_BUCKET": oss_bucket.name}
    for resource in ("table-summary", "thumbnailer"):
        run_function(leak_check, monkeypatch, resource, runtime, events, env)
    out, _ = leak_check.read_output()
    assert '"event":"object"' in out, "the object code paths ran"
    leak_check.assert_clean()


# --- algorithms that try to leak ------------------------------------------------------------


class LeakIn(BaseModel):
    how: str


class LeakOut(BaseModel):
    ok: bool


def _environment_keys() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("ALIBABA_CLOUD_")}


class Leaky(Algorithm[LeakIn, LeakOut]):
    """Does, on request, each careless thing real code does with credentials."""

    name: ClassVar[str] = "leaky"
    context: ClassVar[Any] = None  # the raw FC context, handed over by the test

    def run(self, data: LeakIn) -> LeakOut:
        log = logging.getLogger("algorithms.leaky")
        keys = _environment_keys()
        secret = keys["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]
        how = data.how
        if how == "log":
            log.info("keys %s", keys)
            log.info("context %r", Leaky.context)
            log.warning("connecting", extra={"access_key_secret": secret, "config": {"token": keys}, "raw": [secret]})
            log.info({"dict_message": secret})
            log.info("%s", secret.encode())
        elif how == "raise":
            raise RuntimeError(f"cannot connect with {keys}")
        elif how == "reject":
            raise InputRejected(f"refused for key {secret}", {"secret_used": secret, "hint": f"key={secret}"})
        elif how == "exception_log":
            try:
                raise ConnectionError(f"auth failed for {keys['ALIBABA_CLOUD_SECURITY_TOKEN']}")
            except ConnectionError:
                log.exception("retrying after %s", secret)
        elif how == "metric":
            metrics.add(secret, 1)
            metrics.add("ok_metric", float("nan"))
        elif how == "event":
            business_events.emit("key_used", key=secret, nested={"token": keys["ALIBABA_CLOUD_SECURITY_TOKEN"]})
            business_events.emit(secret, value=1)
        elif how == "big":
            log.info("x" * 200_000 + secret + "y" * 200_000)
        return LeakOut(ok=True)


class FailingSetup(Algorithm[LeakIn, LeakOut]):
    name: ClassVar[str] = "failing_setup"

    def setup(self) -> None:
        raise RuntimeError(f"model download refused for {_environment_keys()}")

    def run(self, data: LeakIn) -> LeakOut:
        return LeakOut(ok=True)


HOWS = ("log", "raise", "reject", "exception_log", "metric", "event", "big")


@pytest.fixture
def leaky_contexts(leak_check: LeakCheck) -> Iterator[list[Any]]:
    contexts = [leak_check.legacy_context(), leak_check.py312_context()]
    yield contexts
    Leaky.context = None


@pytest.mark.usefixtures("clean_fc_env")
def test_an_algorithm_that_tries_to_leak_is_masked(
    leak_check: LeakCheck, monkeypatch: pytest.MonkeyPatch, leaky_contexts: list[Any]
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ENV_KEYS.access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_KEYS.access_key_secret)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", ENV_KEYS.security_token)
    app = AlgorithmFunction(Leaky(), routes=[Route("POST", "/leak")])
    statuses = []
    for context in leaky_contexts:
        Leaky.context = context
        for how in HOWS:
            answer = call(app.handler, {"how": how}, context)
            leak_check.watch(f"response to {how}", answer.raw)
            statuses.append(answer.doc.get("error", {}).get("code", "ok"))
            http = call(app.handler, http_event("POST", "/leak", json.dumps({"how": how})), context)
            leak_check.watch(f"HTTP response to {how}", http.raw)
    assert "InternalError" in statuses and "InputRejected" in statuses
    out, _ = leak_check.read_output()
    assert "***" in out, "the keys were logged, and masked"
    leak_check.assert_clean()


@pytest.mark.usefixtures("clean_fc_env")
def test_setup_failure_messages_are_masked(leak_check: LeakCheck, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ENV_KEYS.access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_KEYS.access_key_secret)
    app = AlgorithmFunction(FailingSetup())
    for context in (leak_check.legacy_context(), leak_check.py312_context()):
        with pytest.raises(Exception) as raised:
            app.initialize(context)
        leak_check.watch("initializer error", str(raised.value))
        leak_check.watch("invocation after failed setup", call(app.handler, {"how": "x"}, context).raw)
    leak_check.assert_clean()


@pytest.mark.usefixtures("clean_fc_env")
def test_shipped_events_hold_no_keys(
    leak_check: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
    sls_receiver: SlsReceiver,
    shipping_env: ShippingTarget,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ENV_KEYS.access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_KEYS.access_key_secret)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", ENV_KEYS.security_token)
    app = AlgorithmFunction(Leaky())
    for context in (leak_check.legacy_context(), leak_check.py312_context()):
        call(app.handler, {"how": "event"}, context)
    received = sls_receiver.wait_for(2, logstore=shipping_env.logstore)
    assert "key_used" in {r.contents["event"] for r in received}
    leak_check.watch("received by SLS", [(r.topic, r.source, r.contents, r.tags) for r in received])
    for journal in (tmp_path / "sls").rglob("*.jsonl"):
        leak_check.watch(str(journal), journal.read_text(encoding="utf-8"))
    sls_receiver.stop()  # and now a failing shipment: its warning must not leak either
    call(app.handler, {"how": "event"}, leak_check.legacy_context())
    out, _ = leak_check.read_output()
    assert '"event":"ship_failed"' in out
    leak_check.assert_clean()


def test_the_canaries_are_what_the_checks_look_for() -> None:
    """The check itself must be able to fail: each canary is found when written as is."""
    check = LeakCheck(capfd=None)  # type: ignore[arg-type]
    for secret in CANARIES:
        check.seen = [("probe", f"prefix {secret[:12]} suffix")]
        assert check.leaks(), secret
