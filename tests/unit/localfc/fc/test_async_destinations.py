"""Where a finished async task's record goes, and what it holds."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest

from localfc.fc.api.errors import ApiError
from localfc.fc.async_destinations import destination_function, send_to_destination
from localfc.fc.async_tasks import AsyncTask
from localfc.fc.console import Console
from localfc.project.syaml.model import AsyncInvokeConfig


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("acs:fc:cn-hangzhou:123:functions/sink", ("sink", "LATEST")),
        ("acs:fc:cn-hangzhou:123:functions/sink/prod", ("sink", "prod")),
        ("acs:mns:cn-hangzhou:123:/queues/q/messages", None),
        ("acs:fc:cn-hangzhou:123:functions/", None),
        ("not an arn", None),
    ],
)
def test_only_function_destinations_are_emulated(arn: str, expected: tuple[str, str] | None) -> None:
    assert destination_function(arn) == expected


def task() -> AsyncTask:
    return AsyncTask(
        task_id="t-1",
        function_name="flaky",
        qualifier="LATEST",
        payload=b'{"n": 1}',
        request_id="req-1",
        source="api",
        resolved=SimpleNamespace(props=SimpleNamespace(region="cn-hangzhou")),
        max_retries=0,
        max_age_s=60,
        attempts=1,
    )


def config(on_failure: str) -> AsyncInvokeConfig:
    return AsyncInvokeConfig.model_validate({"destinationConfig": {"onFailure": {"destination": on_failure}}})


def sent_records(finished: AsyncTask, condition: str) -> list[tuple[str, str, bytes]]:
    """What reaches a failure destination that is the local function ``sink``."""
    sent: list[tuple[str, str, bytes]] = []
    sink = config("acs:fc:cn-hangzhou:123:functions/sink")
    send_to_destination(
        finished, None, condition, config=sink, submit=lambda *args: sent.append(args), console=Console(None)
    )
    return sent


def test_an_expired_event_reaches_the_failure_function() -> None:
    failed = task()
    (name, qualifier, record) = sent_records(failed, "EventExpired")[0]
    doc = json.loads(record)
    assert (name, qualifier, failed.destination_status) == ("sink", "LATEST", "Succeeded")
    assert doc["requestContext"]["condition"] == "EventExpired"
    assert doc["requestPayload"] == '{"n": 1}'


def test_no_success_destination_sends_nothing() -> None:
    done = task()
    assert sent_records(done, "Success") == []
    assert done.destination_status == ""


@pytest.mark.parametrize(
    ("destination", "refusal", "said"),
    [
        ("acs:mns:cn-hangzhou:123:/queues/q/messages", None, "is not a function (not emulated)"),
        ("acs:fc:cn-hangzhou:123:functions/gone", "function 'gone' does not exist", "function 'gone' does not exist"),
    ],
)
def test_a_destination_that_cannot_take_the_record_is_failed_and_said(
    destination: str, refusal: str | None, said: str
) -> None:
    def submit(*_args: object) -> None:
        if refusal is not None:
            raise ApiError(404, "FunctionNotFound", refusal)

    out = io.StringIO()
    failed = task()
    send_to_destination(failed, None, "EventExpired", config=config(destination), submit=submit, console=Console(out))
    assert failed.destination_status == "Failed"
    assert said in out.getvalue()
