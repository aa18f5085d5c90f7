"""What the function writes to stdout: one JSON object per line with the invocation's scope,
one summary line per invocation, and never a credential — whoever tries to log it."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel

from algorithms.base import Algorithm
from algorithms.prime_checker import PrimeChecker
from runtime import AlgorithmFunction, Route
from tests.fixtures.invocation import (
    ENV_KEY_ID,
    ENV_SECRET,
    ENV_TOKEN,
    SECRETS,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    call,
    http_event,
    json_lines,
    legacy_context,
    py312_context,
)

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.usefixtures("clean_fc_env")

REQUIRED = ("request_id", "function", "qualifier", "version", "cold_start", "level", "message")


class TextIn(BaseModel):
    text: str


class TextOut(BaseModel):
    text: str


class Chatty(Algorithm[TextIn, TextOut]):
    """Logs what it is given the careless ways real code does, then maybe fails."""

    name: ClassVar[str] = "chatty"

    def run(self, data: TextIn) -> TextOut:
        log = logging.getLogger("algorithms.chatty")
        env = {k: v for k, v in os.environ.items() if k.startswith("ALIBABA_CLOUD_")}
        log.info("got %s", data.text)
        log.info("environment", extra={"env": env, "access_key_secret": data.text, "nested": {"token": data.text}})
        log.warning("credentials %r", env)
        log.info({"raw": data.text, "list": [data.text, env]})
        if data.text.startswith("fail"):
            raise RuntimeError(f"cannot connect with {data.text} and {env}")
        return TextOut(text="ok")


def lines_of(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return json_lines(capsys.readouterr().out)


def summaries(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == "invocation"]


def test_every_line_is_one_json_object_with_the_invocation_scope(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check")])
    app.initialize(legacy_context(request_id="req-init", qualifier="prod", version_id="3"))
    call(
        app.handler,
        http_event("POST", "/check", '{"number": 97}'),
        legacy_context(request_id="req-a", qualifier="prod", version_id="3"),
    )
    call(
        app.handler,
        http_event("POST", "/check", '{"number": -1}'),
        legacy_context(request_id="req-b", qualifier="prod", version_id="3"),
    )

    lines = lines_of(capsys)
    assert len(lines) >= 3
    for line in lines:
        for name in REQUIRED:
            assert name in line, f"{name} missing from {line}"
        assert (line["function"], line["qualifier"], line["version"]) == ("prime-checker", "prod", "3")
        assert line["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    assert {line["request_id"] for line in lines} == {"req-init", "req-a", "req-b"}


def test_one_summary_line_per_invocation_with_duration_status_and_algorithm(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check")])
    app.initialize(legacy_context())
    capsys.readouterr()
    call(app.handler, http_event("POST", "/check", '{"number": 97}'), legacy_context(request_id="ok"))
    call(app.handler, http_event("POST", "/check", '{"number": -1}'), legacy_context(request_id="bad"))
    call(app.handler, http_event("GET", "/nowhere"), legacy_context(request_id="lost"))

    found = summaries(lines_of(capsys))
    assert [s["request_id"] for s in found] == ["ok", "bad", "lost"]
    assert [s["status"] for s in found] == [200, 422, 404]
    for line in found:
        assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
        assert line["algorithm"] == "prime_checker"
        assert line["trigger"] == "http"
    assert found[1]["error_code"] == "ValidationError"


def test_cold_start_is_true_until_the_first_invocation_ends(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker())
    app.initialize(legacy_context())
    call(app.handler, {"number": 4})
    call(app.handler, {"number": 5})
    lines = lines_of(capsys)
    initialized = [line for line in lines if line.get("event") == "initialize"]
    assert [line["cold_start"] for line in initialized] == [True]
    assert [s["cold_start"] for s in summaries(lines)] == [True, False]


def test_summary_line_carries_the_retry_count(capsys: pytest.CaptureFixture[str]) -> None:
    app = AlgorithmFunction(PrimeChecker())
    call(app.handler, {"number": 4}, legacy_context(retry_count="2"))
    assert summaries(lines_of(capsys))[0]["retry_count"] == 2


def test_log_level_from_the_environment_filters_lines(
    capsys: pytest.CaptureFixture[str], clean_fc_env: pytest.MonkeyPatch
) -> None:
    clean_fc_env.setenv("APP_LOG_LEVEL", "ERROR")
    try:
        app = AlgorithmFunction(PrimeChecker())
        call(app.handler, {"number": -4})  # a warning ("request rejected") and an INFO summary
        assert lines_of(capsys) == []
    finally:
        logging.getLogger().setLevel(logging.INFO)


# --- credentials --------------------------------------------------------------------------------
def assert_no_secret(text: str, secrets: tuple[str, ...] = SECRETS) -> None:
    for secret in secrets:
        assert secret not in text, f"credential {secret[:6]}... leaked"


def run_chatty(
    capsys: pytest.CaptureFixture[str], text: str, context: Any, invoke: Callable[..., Any] = call
) -> tuple[str, str]:
    app = AlgorithmFunction(Chatty())
    app.initialize(context)
    answer = invoke(app.handler, http_event("POST", "/", json.dumps({"text": text})), context)
    return capsys.readouterr().out, answer.text


@pytest.mark.parametrize("secret", [STS_KEY_ID, STS_SECRET, STS_TOKEN])
def test_context_credentials_never_reach_a_log_line(
    capsys: pytest.CaptureFixture[str], env_credentials: tuple[str, str, str], secret: str
) -> None:
    out, response = run_chatty(capsys, secret, legacy_context())
    json_lines(out)  # still one JSON object per line after masking
    assert "***" in out
    assert_no_secret(out)
    assert_no_secret(response)


@pytest.mark.parametrize("secret", [ENV_KEY_ID, ENV_SECRET, ENV_TOKEN])
def test_environment_credentials_never_reach_a_log_line_on_python312(
    capsys: pytest.CaptureFixture[str], env_credentials: tuple[str, str, str], secret: str
) -> None:
    out, response = run_chatty(capsys, secret, py312_context())
    assert_no_secret(out)
    assert_no_secret(response)


def test_environment_credentials_are_masked_even_when_the_context_has_other_keys(
    capsys: pytest.CaptureFixture[str], env_credentials: tuple[str, str, str]
) -> None:
    # python3.10: the context carries refreshed keys, the environment those of the instance start.
    out, _ = run_chatty(capsys, ENV_TOKEN, legacy_context())
    assert_no_secret(out)


@pytest.mark.parametrize("secret", [STS_SECRET, ENV_TOKEN])
def test_credentials_in_an_exception_message_are_masked_in_the_traceback(
    capsys: pytest.CaptureFixture[str], env_credentials: tuple[str, str, str], secret: str
) -> None:
    out, response = run_chatty(capsys, f"fail {secret}", legacy_context())
    lines = json_lines(out)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and "RuntimeError" in errors[0]["exc_info"]
    assert_no_secret(out)
    assert json.loads(response)["error"]["code"] == "InternalError"
    assert_no_secret(response)


def test_credentials_are_masked_when_setup_fails(
    capsys: pytest.CaptureFixture[str], env_credentials: tuple[str, str, str]
) -> None:
    class LeakySetup(PrimeChecker):
        def setup(self) -> None:
            raise ConnectionError(f"login failed for {STS_KEY_ID}:{STS_SECRET} / {ENV_SECRET}")

    app = AlgorithmFunction(LeakySetup())
    with pytest.raises(Exception, match="setup of prime_checker failed") as caught:
        app.initialize(legacy_context())
    out = capsys.readouterr().out
    assert "ConnectionError" in out
    assert_no_secret(out)
    assert_no_secret(str(caught.value))


def test_credential_named_keys_are_masked_in_any_mapping_not_only_dicts(capsys: pytest.CaptureFixture[str]) -> None:
    # A read-only view of request headers must be masked (and stay a JSON object) like a dict.
    from types import MappingProxyType  # noqa: PLC0415 - only this test needs it

    from runtime import logs  # noqa: PLC0415

    logs.configure()
    headers = MappingProxyType({"authorization": "Bearer not-for-logs-123", "accept": "*/*"})
    logging.getLogger("algorithms.x").info("request", extra={"headers": headers})
    line = json_lines(capsys.readouterr().out)[-1]
    assert line["headers"] == {"authorization": "***", "accept": "*/*"}


def test_without_an_initializer_the_first_line_of_an_instance_is_json_too(
    capsys: pytest.CaptureFixture[str], clean_fc_env: pytest.MonkeyPatch
) -> None:
    # A fresh instance: FC's own plain-text handler (none here), not yet replaced by ours. The
    # shipping misconfiguration is reported on the first invocation, before anything else.
    from runtime.logs import output  # noqa: PLC0415 - only this test needs its internals

    clean_fc_env.setattr(logging.getLogger(), "handlers", [])
    clean_fc_env.setattr(output._Installed, "handler", None)
    clean_fc_env.setenv("APP_SHIP_PROJECT", "only-the-project")
    app = AlgorithmFunction(PrimeChecker())
    call(app.handler, {"number": 7}, legacy_context())
    lines = json_lines(capsys.readouterr().out)  # every line is a JSON object
    assert [line["event"] for line in lines] == ["ship_misconfigured", "invocation"]


def test_first_invocations_at_once_install_one_json_handler(clean_fc_env: pytest.MonkeyPatch) -> None:
    # Instance concurrency without an initializer: several first invocations configure the
    # logs at once. Two handlers side by side would write every line twice.
    from runtime.logs import output  # noqa: PLC0415 - only this test needs its internals

    root = logging.getLogger()
    clean_fc_env.setattr(root, "handlers", [])
    clean_fc_env.setattr(output._Installed, "handler", None)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    try:
        for _ in range(50):
            root.handlers.clear()
            output._Installed.handler = None
            start = threading.Barrier(8)
            threads = [threading.Thread(target=_configure_after, args=(start,)) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(root.handlers) == 1
    finally:
        sys.setswitchinterval(interval)


def _configure_after(start: threading.Barrier) -> None:
    from runtime import logs  # noqa: PLC0415 - as the tests above

    start.wait()
    logs.configure("INFO")
