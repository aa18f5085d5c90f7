"""``local_invoke.py invoke FUNCTION``: run one function of s.yaml once, like ``s invoke``.

The event comes from ``-e/--event``, ``-f/--event-file`` or standard input. The result goes
to stdout; the function's logs go to stderr between FC's ``FC Invoke Start/End RequestId``
lines, then one line with the duration and the process's peak memory.

The call runs in this process, so ``breakpoint()`` in the algorithm opens pdb right here (and
stops the timeout clock); ``-d/--debug-port PORT`` waits for an IDE (debugpy) instead. The
function's ``timeout`` (and its initializer's) is enforced as FC does: the call ends with
FC's ``FunctionTimeoutError`` answer. ``memorySize`` is reported, not enforced (``serve``
stops an instance that goes over it).

``--invocation-type async`` hands the event to the running ``serve`` (FC's asynchronous
invocation: queued, retried, sent to its destinations) and prints the request id.

Object functions need an OSS endpoint: ``--oss-endpoint`` / ``APP_OSS_ENDPOINT``, else the
local OSS of a running ``serve``; without either, ``invoke`` refuses before running.

    python local_invoke.py invoke prime-checker -e '{"number": 97}'
    python local_invoke.py invoke prime-checker -f tests/events/http-post-prime.json
    echo '{"number": 12}' | python local_invoke.py invoke prime-checker
    python local_invoke.py invoke thumbnailer --invocation-type async -e '{"bucket": "b", "key": "uploads/a.jpg"}'
    python local_invoke.py invoke prime-checker -e '{"number": 97}' --code-from package   # what ships

Exit status: 0 success; 1 the function failed, timed out or answered with an error (an
object record missing, rejected or failed included); 2 bad usage (unknown function or
trigger, unreadable event file, no OSS endpoint for an object function); 3 ``serve`` could
not be reached (``--invocation-type async``).

``--code-from package`` runs the function from its package (built and cached as ``package``
builds it) in a process of FC's Python version that sees nothing of the dev venv; the default,
``venv``, imports the code into this process (instant). Layers named in s.yaml are mounted both
ways (``localfc.fc.package_sources``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.fc import samples
from localfc.fc.context import LOCAL_ACCOUNT_ID, RUNTIMES, function_environment
from localfc.fc.debugging import DebuggerUnavailableError, announce_and_listen
from localfc.fc.instances.in_process import FunctionInstance, HandlerResolutionError, peak_memory_mb
from localfc.fc.instances.single import invoke_isolated
from localfc.fc.instances.spec import InstanceStartError
from localfc.fc.instances.watchdog import call_within_timeouts
from localfc.fc.layers import LayerStore
from localfc.fc.package_sources import CODE_FROM, CodeSourceUnavailableError, PackageSources
from localfc.fc.state import StateDir
from localfc.names import did_you_mean
from localfc.project.syaml import ProjectError, load_project
from localfc.user_files import UnreadableFileError, read_user_file

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localfc.fc.instances.code_source import CodeSource
    from localfc.fc.instances.in_process import InvocationResult
    from localfc.project.syaml import FunctionProps, Project

HELP = "invoke one function of s.yaml once, like `s invoke`"
OSS_ENDPOINT_ENV = "APP_OSS_ENDPOINT"  # runtime/constants.py's name (the runtime is not imported here)


class UsageError(ValueError):
    """The invocation cannot start as asked; exit 2 with this one line."""


def _env_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", help="functionName or resource name in s.yaml")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-e", "--event", help="the event, as a string (JSON for most triggers)")
    source.add_argument("-f", "--event-file", help="read the event from a file")
    source.add_argument("--timer", metavar="TRIGGER", help="fire the named timer trigger of s.yaml once")
    parser.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    parser.add_argument("--qualifier", default="LATEST", help="qualifier the function sees (default LATEST)")
    parser.add_argument(
        "--invocation-type",
        choices=("sync", "async"),
        default="sync",
        type=str.lower,
        help="sync (default): run here and print the result; async: hand it to the running serve, like FC",
    )
    parser.add_argument("--runtime", choices=RUNTIMES, default=None, help="context shape (default: s.yaml's runtime)")
    parser.add_argument("--request-id", default=None, help="request id (default: a new UUID)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="the call's time limit (default: the function's timeout in s.yaml; 0: none)",
    )
    parser.add_argument(
        "--env",
        action="append",
        type=_env_pair,
        default=[],
        metavar="NAME=VALUE",
        help="extra environment variable for the function (repeatable)",
    )
    parser.add_argument("--silent", action="store_true", help="print only the result, not the function's logs")
    parser.add_argument(
        "--code-from",
        choices=CODE_FROM,
        default="venv",
        help="venv: import the code here (default, instant); package: run the built package on FC's Python,"
        " isolated from the venv; auto: the package when its wheels are cached",
    )
    parser.add_argument(
        "--from-package", dest="code_from", action="store_const", const="package", help="same as --code-from package"
    )
    parser.add_argument(
        "--oss-endpoint",
        default=os.environ.get(OSS_ENDPOINT_ENV) or None,
        metavar="URL",
        help=f"OSS endpoint for object functions (default: ${OSS_ENDPOINT_ENV}, else a running serve's local OSS)",
    )
    parser.add_argument(
        "-d",
        "--debug-port",
        type=int,
        default=None,
        metavar="PORT",
        help="wait for a debugger (debugpy, e.g. VS Code) on 127.0.0.1:PORT before the call; no timeout then",
    )
    parser.add_argument("--endpoint", default=None, help="FC API of serve for --invocation-type async (HOST:PORT)")
    parser.add_argument("--state-dir", default=None, help="where serve keeps its state (default: .localfc)")


def read_event(args: argparse.Namespace, timer_payload: str | None) -> bytes:
    if timer_payload is not None:
        return json.dumps(samples.timer_event(args.timer, timer_payload)).encode()
    if args.event is not None:
        return str(args.event).encode("utf-8")
    if args.event_file is not None:
        try:
            return read_user_file(Path(args.event_file), "an event file")
        except UnreadableFileError as exc:
            raise UsageError(f"-f {args.event_file}: {exc}") from None
    if not sys.stdin.isatty():
        return sys.stdin.buffer.read()
    return b""


@contextmanager
def _stdout_to_stderr(silent: bool) -> Iterator[int]:
    """Send everything written to fd 1 during the call to stderr (or nowhere with --silent),
    keeping a handle on the real stdout for the result. Works for C extensions too."""
    sys.stdout.flush()
    saved = os.dup(1)
    target = os.open(os.devnull, os.O_WRONLY) if silent else os.dup(2)
    os.dup2(target, 1)
    try:
        yield saved
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(target)


def run(args: argparse.Namespace) -> int:
    try:
        project = load_project(args.template)
        _, props = project.function(args.function)
        event = read_event(args, _timer_payload(args, props))
        state = StateDir.for_project(project.path, Path(args.state_dir) if args.state_dir else None)
        if args.invocation_type == "async":
            from localfc.commands.invoke_async import invoke_async  # noqa: PLC0415 - the FC SDK costs ~0.4 s

            return invoke_async(args, project, props, event, state)
        oss_endpoint = _oss_endpoint(args, project, props, state)
    except (ProjectError, LookupError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = _execute(args, project, props, event, oss_endpoint=oss_endpoint, state=state)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_result(result, args.silent, props)
    return 1 if result.failed else 0


def _execute(
    args: argparse.Namespace,
    project: Project,
    props: FunctionProps,
    event: bytes,
    *,
    oss_endpoint: str | None,
    state: StateDir,
) -> InvocationResult:
    """Run the call in this process or, from a package, in a process of FC's Python; raises
    ``UsageError`` when it cannot start."""
    code_dir = project.code_dir(props)
    if args.runtime:
        props = props.model_copy(update={"runtime": args.runtime})
    code_from = args.code_from
    if args.debug_port is not None and code_from != "venv":
        # The IDE's breakpoints are in the working tree, and debugpy lives in the dev venv.
        print("note: -d runs the working tree in the dev venv, not the package", file=sys.stderr)
        code_from = "venv"
    try:
        source = _code_source(project, props, code_dir, code_from, state)
    except CodeSourceUnavailableError as exc:
        raise UsageError(str(exc)) from None
    mounted = source.code_dir if source is not None else code_dir
    environment = function_environment(props, mounted, runtime=args.runtime)
    environment.update(dict(args.env))
    if oss_endpoint:
        # Object functions read it (runtime/objects/settings.py); without it they would call
        # the region's internal OSS endpoint, which only resolves inside Alibaba Cloud.
        environment[OSS_ENDPOINT_ENV] = oss_endpoint
    request_id = args.request_id or str(uuid.uuid4())
    if args.debug_port is not None:
        try:
            announce_and_listen(props.functionName, args.debug_port, code_dir)
        except DebuggerUnavailableError as exc:
            raise UsageError(str(exc)) from None
        args.timeout = 0.0  # the debugger owns the clock
    with open(os.devnull, "w") as devnull, _stdout_to_stderr(args.silent) as stdout:
        log = devnull if args.silent else sys.stderr
        if source is not None and source.isolated:
            try:
                result = invoke_isolated(
                    props,
                    code_dir,
                    source,
                    environment,
                    event=event,
                    request_id=request_id,
                    qualifier=args.qualifier,
                    timeout_s=args.timeout,
                    log=log,
                )
            except InstanceStartError as exc:
                raise UsageError(str(exc)) from None
        else:
            python_path = source.python_path(environment) if source is not None else None
            instance = FunctionInstance(
                props, code_dir, environment, runtime=args.runtime, log=log, python_path=python_path
            )
            try:
                instance.start()
            except HandlerResolutionError as exc:
                raise UsageError(str(exc)) from None
            result = call_within_timeouts(
                instance,
                props,
                event,
                request_id=request_id,
                qualifier=args.qualifier,
                timeout_s=args.timeout,
                answer_fd=stdout,
                log=log,
            )
    return result


def _timer_payload(args: argparse.Namespace, props: FunctionProps) -> str | None:
    if not args.timer:
        return None
    timers = [t for t in props.triggers if t.triggerType == "timer"]
    matches = [t for t in timers if t.triggerName == args.timer]
    if not matches:
        names = [t.triggerName for t in timers]
        hint = did_you_mean(args.timer, names)
        raise UsageError(
            f"{props.functionName} has no timer trigger {args.timer!r}{hint} (timers: {', '.join(names) or 'none'})"
        )
    return matches[0].timer().payload


def _oss_endpoint(args: argparse.Namespace, project: Project, props: FunctionProps, state: StateDir) -> str | None:
    """The OSS endpoint an object function gets, or None when it needs none (or sets its own)."""
    if args.oss_endpoint:
        return str(args.oss_endpoint)
    if OSS_ENDPOINT_ENV in props.environmentVariables or OSS_ENDPOINT_ENV in dict(args.env):
        return None
    from localfc.project.validate.adapters import handler_facts  # noqa: PLC0415 - only for this question

    if not handler_facts(project, props).writes_oss:
        return None
    serve = state.live_serve()
    endpoint = serve.get("oss_endpoint") if serve else None
    if isinstance(endpoint, str) and endpoint:
        if not args.silent:
            print(f"using the local OSS of the running serve: {endpoint}", file=sys.stderr)
        return endpoint
    raise UsageError(
        f"{props.functionName} reads and writes OSS and no OSS endpoint is set: start"
        f" `python local_invoke.py serve` (its local OSS is used), or pass --oss-endpoint URL"
        f" (or set {OSS_ENDPOINT_ENV})"
    )


def _code_source(
    project: Project, props: FunctionProps, code_dir: Path, mode: str, state: StateDir
) -> CodeSource | None:
    region = props.region
    layers = LayerStore(state.layers, region=region, account_id=LOCAL_ACCOUNT_ID)
    sources = PackageSources(project, state.root, mode, layers, note=lambda line: print(line, file=sys.stderr))
    return sources.source_for(props, code_dir, "")


def _print_result(result: InvocationResult, silent: bool, props: FunctionProps) -> None:
    if result.error_type:
        # FC's error document, without the stack trace (that went to the log above).
        body = {"errorMessage": result.error_message, "errorType": result.error_type}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
    else:
        sys.stdout.buffer.write(result.body + b"\n")
    sys.stdout.flush()
    for record in result.unusable_records:
        where = f"{record.get('bucket', '')}/{record.get('key', '')}"
        detail = record.get("message") or record.get("code") or ""
        print(f"error: {where}: {record.get('status')}" + (f" ({detail})" if detail else ""), file=sys.stderr)
    if silent:
        return
    peak_mb = peak_memory_mb()
    print(
        f"RequestId: {result.request_id}  Duration: {result.duration_ms:.2f} ms  Memory: {peak_mb:.0f} MB peak"
        f" of {props.memorySize} MB (this process, not limited here; serve enforces memorySize)",
        file=sys.stderr,
    )
    if peak_mb > props.memorySize:
        print(
            f"warning: the process peaked at {peak_mb:.0f} MB, over memorySize {props.memorySize} MB:"
            " on FC this instance would be stopped",
            file=sys.stderr,
        )
