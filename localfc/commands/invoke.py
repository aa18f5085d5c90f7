"""``local_invoke.py invoke FUNCTION``: run one function of s.yaml once, like ``s invoke``.

The event comes from ``-e/--event``, ``-f/--event-file`` or standard input. The result goes
to stdout; the function's logs go to stderr between FC's ``FC Invoke Start/End RequestId``
lines. Exit status: 0 success, 1 the function failed or answered with an error, 2 bad usage.

    python local_invoke.py invoke prime-checker -e '{"number": 97}'
    python local_invoke.py invoke prime-checker -f tests/events/http-post-prime.json
    echo '{"number": 12}' | python local_invoke.py invoke prime-checker
    python local_invoke.py invoke prime-checker -e '{"number": 97}' --code-from package   # what ships

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
from localfc.fc.instances.in_process import FunctionInstance, HandlerResolutionError, InvocationResult
from localfc.fc.instances.parent import InstanceSpec
from localfc.fc.instances.single import invoke_once
from localfc.fc.invocations import NOT_INHERITED_PREFIXES
from localfc.fc.layers import LayerStore
from localfc.fc.package_sources import CODE_FROM, CodeSourceUnavailableError, PackageSources
from localfc.fc.state import StateDir
from localfc.project.syaml import ProjectError, load_project

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from localfc.fc.instances.code_source import CodeSource
    from localfc.project.syaml import Project
    from localfc.project.syaml.model import FunctionProps

HELP = "invoke one function of s.yaml once, like `s invoke`"


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
    parser.add_argument("--runtime", choices=RUNTIMES, default=None, help="context shape (default: s.yaml's runtime)")
    parser.add_argument("--request-id", default=None, help="request id (default: a new UUID)")
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
        default=os.environ.get("APP_OSS_ENDPOINT") or None,
        metavar="URL",
        help="OSS endpoint for object functions, e.g. the local OSS http://127.0.0.1:PORT (default: $APP_OSS_ENDPOINT)",
    )


def read_event(args: argparse.Namespace, timer_payload: str | None) -> bytes:
    if timer_payload is not None:
        return json.dumps(samples.timer_event(args.timer, timer_payload)).encode()
    if args.event is not None:
        return str(args.event).encode("utf-8")
    if args.event_file is not None:
        return Path(args.event_file).read_bytes()
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
        timer_payload = None
        if args.timer:
            matches = [t for t in props.triggers if t.triggerName == args.timer and t.triggerType == "timer"]
            if not matches:
                timers = ", ".join(t.triggerName for t in props.triggers if t.triggerType == "timer") or "none"
                raise LookupError(f"{props.functionName} has no timer trigger {args.timer!r}; timers: {timers}")
            timer_payload = matches[0].timer().payload
        event = read_event(args, timer_payload)
    except (ProjectError, LookupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    code_dir = project.code_dir(props)
    if args.runtime:
        props = props.model_copy(update={"runtime": args.runtime})
    try:
        source = _code_source(project, props, code_dir, args.code_from)
    except CodeSourceUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mounted = source.code_dir if source is not None else code_dir
    environment = function_environment(props, mounted, runtime=args.runtime)
    environment.update(dict(args.env))
    if args.oss_endpoint:
        # Object functions read it (runtime/objects/settings.py); without it they would call
        # the region's internal OSS endpoint, which only resolves inside Alibaba Cloud.
        environment["APP_OSS_ENDPOINT"] = args.oss_endpoint
    request_id = args.request_id or str(uuid.uuid4())
    with open(os.devnull, "w") as devnull, _stdout_to_stderr(args.silent):
        log = devnull if args.silent else sys.stderr
        if source is not None and source.isolated:
            result = _invoke_isolated(
                props,
                code_dir,
                source,
                environment,
                event=event,
                request_id=request_id,
                qualifier=args.qualifier,
                log=log,
            )
            if result is None:
                return 2
        else:
            python_path = source.python_path(environment) if source is not None else None
            instance = FunctionInstance(
                props, code_dir, environment, runtime=args.runtime, log=log, python_path=python_path
            )
            try:
                instance.start()
            except HandlerResolutionError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            result = instance.invoke(event, request_id, qualifier=args.qualifier)
    _print_result(result, args.silent)
    return 1 if result.failed else 0


def _code_source(project: Project, props: FunctionProps, code_dir: Path, mode: str) -> CodeSource | None:
    state = StateDir.for_project(project.path)
    region = props.region
    layers = LayerStore(state.layers, region=region, account_id=LOCAL_ACCOUNT_ID)
    sources = PackageSources(project, state.root, mode, layers, note=lambda line: print(line, file=sys.stderr))
    return sources.source_for(props, code_dir, "")


def _invoke_isolated(
    props: FunctionProps,
    code_dir: Path,
    source: CodeSource,
    environment: dict[str, str],
    *,
    event: bytes,
    request_id: str,
    qualifier: str,
    log: TextIO,
) -> InvocationResult | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED_PREFIXES)}
    env.update(environment)
    lifecycle = props.instanceLifecycleConfig
    spec = InstanceSpec(
        function_name=props.functionName,
        version_id="",
        props=props,
        code_dir=code_dir,
        runtime=props.runtime,
        environment=env,
        concurrency=1,
        timeout_s=float(props.timeout),
        init_timeout_s=float(lifecycle.initializer.timeout if lifecycle and lifecycle.initializer else 3),
        prestop_timeout_s=float(lifecycle.preStop.timeout if lifecycle and lifecycle.preStop else 3),
        memory_mb=props.memorySize,
        source=source,
    )
    outcome = invoke_once(spec, event, request_id, qualifier, log)
    if outcome.kind == "start":
        print(f"error: {outcome.error_message}", file=sys.stderr)
        return None
    return InvocationResult(request_id, outcome.body, outcome.duration_ms, outcome.error_type, outcome.error_message)


def _print_result(result: InvocationResult, silent: bool) -> None:
    if result.error_type:
        # FC's error document, without the stack trace (that went to the log above).
        body = {"errorMessage": result.error_message, "errorType": result.error_type}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
    else:
        sys.stdout.buffer.write(result.body + b"\n")
    sys.stdout.flush()
    if not silent:
        print(f"RequestId: {result.request_id}  Duration: {result.duration_ms:.2f} ms", file=sys.stderr)
