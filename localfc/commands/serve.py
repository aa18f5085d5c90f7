"""``local_invoke.py serve``: run every function and trigger of s.yaml on 127.0.0.1.

    python local_invoke.py serve                 # port 9000, local OSS, timers, live view
    python local_invoke.py serve --port 0 --no-timers --max-instances 2
    python local_invoke.py serve --code-from package  # each function from its package, on FC's Python
    curl -X POST http://127.0.0.1:9000/prime-checker/check -d '{"number": 97}'

Prints every endpoint it serves, then one line per invocation. Ctrl-C lets in-flight calls
finish (preStop runs), a second Ctrl-C stops at once. See docs/local-fc.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from localfc.fc.banner import endpoint_lines
from localfc.fc.options import ServeOptions
from localfc.fc.package_sources import CODE_FROM
from localfc.fc.server import LocalFC
from localfc.project.syaml import ProjectError, load_project

HELP = "run the whole s.yaml locally: HTTP, OSS, timers, API"


def _key_pair(text: str) -> tuple[str, str]:
    key_id, sep, secret = text.partition(":")
    if not sep or not key_id or not secret:
        raise argparse.ArgumentTypeError("expected ACCESS_KEY_ID:ACCESS_KEY_SECRET")
    return key_id, secret


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-t", "--template", default=None, help="s.yaml to serve (default: ./s.yaml)")
    parser.add_argument("--port", type=int, default=9000, help="HTTP port for triggers and the API (0: any free port)")
    parser.add_argument("--oss-port", type=int, default=0, help="port of the local OSS (default: any free port)")
    parser.add_argument(
        "--code-from",
        choices=CODE_FROM,
        default="auto",
        help="run each function from its built package (FC's Python, isolated from the venv), from the dev venv,"
        " or auto: the package when FC's Python is installed and its wheels are cached (default)",
    )
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="logs, versions, aliases (default: .localfc/ next to s.yaml)"
    )
    parser.add_argument(
        "--max-instances", type=int, default=4, help="instances per function version at most (default 4)"
    )
    parser.add_argument(
        "--idle-timeout", type=float, default=300.0, help="seconds before an idle instance is reaped (default 300)"
    )
    parser.add_argument(
        "--reload-interval", type=float, default=1.0, help="seconds between code change checks; 0 = off (default 1)"
    )
    parser.add_argument(
        "--async-backoff",
        type=float,
        default=1.0,
        help="first async retry delay in seconds, doubled per retry (default 1)",
    )
    parser.add_argument(
        "--async-backoff-max", type=float, default=60.0, help="longest async retry delay in seconds (default 60)"
    )
    parser.add_argument(
        "--access-key",
        type=_key_pair,
        action="append",
        default=[],
        metavar="ID:SECRET",
        help="an AccessKey accepted by HTTP triggers with authType: function (repeatable)",
    )
    parser.add_argument("--no-oss", action="store_true", help="do not run the local OSS (OSS triggers will not fire)")
    parser.add_argument("--no-sls", action="store_true", help="do not run the local SLS receiver")
    parser.add_argument("--no-timers", action="store_true", help="do not fire timer triggers")
    parser.add_argument("--quiet", action="store_true", help="no live view, only the endpoints")
    parser.add_argument(
        "--drain-timeout", type=float, default=30.0, help="seconds Ctrl-C waits for in-flight calls (default 30)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        project = load_project(args.template)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.max_instances < 1:
        print("error: --max-instances must be at least 1", file=sys.stderr)
        return 2
    options = ServeOptions(
        port=args.port,
        oss_port=args.oss_port,
        state_dir=args.state_dir,
        max_instances=args.max_instances,
        idle_timeout_s=args.idle_timeout,
        reload_interval_s=args.reload_interval,
        async_backoff_s=args.async_backoff,
        async_backoff_max_s=args.async_backoff_max,
        run_oss=not args.no_oss,
        run_sls=not args.no_sls,
        run_timers=not args.no_timers,
        console=None if args.quiet else sys.stdout,
        access_keys=dict(args.access_key),
        code_from=args.code_from,
    )
    fc = LocalFC(project, options)
    try:
        fc.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        fc.stop(drain_s=0)
        return 1
    print("\n".join(endpoint_lines(fc)), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    print("stopping: draining in-flight calls (Ctrl-C again to stop now)", file=sys.stderr, flush=True)
    try:
        fc.stop(drain_s=args.drain_timeout)
    except KeyboardInterrupt:
        print("stopped without draining", file=sys.stderr)
        return 130
    print("stopped", file=sys.stderr)
    return 0
