"""``local_invoke.py invoke --invocation-type async``: what ``s invoke --invocation-type
async`` does against FC, done against the running ``serve``.

An asynchronous invocation only means something where a queue outlives the call: FC keeps
it, retries a failure by the function's ``asyncInvokeConfig`` and sends the outcome to its
destinations. Locally that is ``serve`` (``localfc/fc/async_queue.py``), so the event goes
to serve's FC 3.0 API through the official client, like any SDK caller's, and this command
prints the request id FC (serve) queued. No serve: one line that says how to start it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from localfc.release.client import CONNECTION_FAILED, FcCallError, FcClient
from localfc.release.connection import ConnectionSetupError, resolve_connection

if TYPE_CHECKING:
    import argparse

    from localfc.fc.state import StateDir
    from localfc.project.syaml import FunctionProps, Project

EXIT_UNREACHABLE = 3


def invoke_async(
    args: argparse.Namespace, project: Project, props: FunctionProps, event: bytes, state: StateDir
) -> int:
    try:
        connection = resolve_connection(
            endpoint=args.endpoint,
            use_fc=False,
            region=props.region,
            account_id=None,
            access=project.access,
            state_dir=state.root,
        )
    except ConnectionSetupError as exc:
        print(f"error: --invocation-type async runs on the local FC's queue: {exc}", file=sys.stderr)
        return 2
    try:
        request_id = FcClient(connection).invoke_async(props.functionName, event, args.qualifier)
    except FcCallError as exc:
        if exc.code == CONNECTION_FAILED:
            print(f"error: {exc.message} — is `python local_invoke.py serve` running?", file=sys.stderr)
            return EXIT_UNREACHABLE
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(request_id)
    print(
        f"queued for asynchronous invocation by the local FC at {connection.describe()}; follow it with"
        f" `python local_invoke.py logs {props.functionName} --request-id {request_id} --tail`",
        file=sys.stderr,
    )
    return 0
