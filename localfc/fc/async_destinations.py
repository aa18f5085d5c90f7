"""Async destinations: where a finished async task's record goes (``onSuccess`` /
``onFailure`` of ``asyncInvokeConfig.destinationConfig``) and what that record holds.

Only destinations that are local functions (``acs:fc:<region>:<account>:functions/<name>``)
are emulated: they receive the record (see ``destination_record``) as an async invocation.
Any other destination is reported on the console and marks the task's
``destinationStatus`` ``Failed``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from localfc.fc.api.errors import ApiError
from localfc.fc.async_tasks import now_ms
from localfc.fc.context import function_arn

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.async_tasks import AsyncTask
    from localfc.fc.console import Console
    from localfc.fc.invocations import Invocation
    from localfc.project.syaml.model import AsyncInvokeConfig


def destination_function(arn: str) -> tuple[str, str] | None:
    """``acs:fc:<region>:<account>:functions/<name>[/<qualifier>]`` -> (name, qualifier)."""
    parts = arn.split(":", 4)
    if len(parts) != 5 or parts[0] != "acs" or parts[1] != "fc" or not parts[4].startswith("functions/"):
        return None
    name, _, qualifier = parts[4][len("functions/") :].partition("/")
    return (name, qualifier or "LATEST") if name else None


def destination_record(task: AsyncTask, invocation: Invocation | None, condition: str) -> dict[str, Any]:
    """What a destination function receives (modelled on FC's destination event)::

        {"timestamp": <ms>, "requestContext": {"requestId", "functionArn", "condition",
          "approximateInvokeCount"}, "requestPayload": "<original event>",
         "responseContext": {"statusCode", "functionError"}, "responsePayload": "<answer>"}

    ``condition`` is ``Success``, ``UnhandledInvocationError`` or ``EventExpired``.
    """
    if invocation is None:
        response_payload, function_error, status_code = "", "", 0
    elif invocation.ok:
        response_payload = invocation.outcome.body.decode("utf-8", "replace")
        function_error, status_code = "", 200
    else:
        response_payload = json.dumps(invocation.error_document(), ensure_ascii=False)
        function_error, status_code = "UnhandledInvocationError", 200
    return {
        "timestamp": now_ms(),
        "requestContext": {
            "requestId": task.request_id,
            "functionArn": function_arn(task.resolved.props.region, task.function_name),
            "condition": condition,
            "approximateInvokeCount": task.attempts,
        },
        "requestPayload": task.payload.decode("utf-8", "replace"),
        "responseContext": {"statusCode": status_code, "functionError": function_error},
        "responsePayload": response_payload,
    }


def send_to_destination(
    task: AsyncTask,
    invocation: Invocation | None,
    condition: str,
    *,
    config: AsyncInvokeConfig | None,
    submit: Callable[[str, str, bytes], object],
    console: Console,
) -> None:
    """Send the record of a finished ``task`` to the destination ``config`` names for
    ``condition`` (none: nothing happens); ``submit(name, qualifier, record)`` queues it."""
    destinations = config.destinationConfig if config is not None else None
    target = None
    if destinations is not None:
        target = destinations.onSuccess if condition == "Success" else destinations.onFailure
    if target is None:
        return
    parsed = destination_function(target.destination)
    if parsed is None:
        task.destination_status = "Failed"
        console.note(f"{task.function_name}: destination {target.destination} is not a function (not emulated)")
        return
    record = json.dumps(destination_record(task, invocation, condition), ensure_ascii=False).encode("utf-8")
    try:
        submit(parsed[0], parsed[1], record)
    except Exception as exc:
        task.destination_status = "Failed"
        console.note(
            f"{task.function_name}: destination {target.destination} failed: "
            f"{exc.message if isinstance(exc, ApiError) else exc}"
        )
        return
    task.destination_status = "Succeeded"
