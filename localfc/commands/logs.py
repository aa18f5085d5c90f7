"""``local_invoke.py logs [FUNCTION]``: the logs the local FC collected, like ``s logs``.

Reads ``.localfc/logs/<function>.jsonl`` (everything ``serve``'s instances printed) and
``.localfc/sls/<project>/<logstore>.jsonl`` (business events shipped to the local SLS).

    python local_invoke.py logs prime-checker --request-id 0f3c…
    python local_invoke.py logs --qualifier prod --errors --since 30m
    python local_invoke.py logs language-detector --tail
    python local_invoke.py logs --stats            # which version is failing, and how slow

Exit status: 0, or 2 for bad usage (an unknown function, a bad --since).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.logstore.collected import LogFiles, Selection, render, stats, stats_table
from localfc.timeparse import TimeInputError, parse_since

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from localfc.logstore.collected import Entry

HELP = "show logs collected by the local FC, like `s logs`"
POLL_S = 0.3
TAIL_BACKLOG = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", nargs="?", help="functionName or resource name in s.yaml (default: all)")
    parser.add_argument("--request-id", default="", help="only the lines of this request")
    parser.add_argument("--qualifier", default="", help="only this qualifier (alias, LATEST) or version number")
    parser.add_argument("--since", default=None, help="only newer lines: 10m, 2h, 1d or an ISO 8601 time")
    parser.add_argument("--errors", action="store_true", help="only errors: ERROR lines and failed invocations")
    parser.add_argument("--tail", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument("--limit", type=int, default=None, help="only the last N matching lines")
    parser.add_argument("--json", action="store_true", help="print the stored records as JSON lines")
    parser.add_argument(
        "--stats", action="store_true", help="per function and version: calls, error rate, p50/p99 duration"
    )
    parser.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    parser.add_argument(
        "--state-dir", default=None, help="where serve keeps its state (default: .localfc next to s.yaml)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        root, functions = _where(args)
        since = parse_since(args.since) if args.since else None
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except TimeInputError as exc:
        print(f"error: --since {exc}", file=sys.stderr)
        return 2
    selection = Selection(
        functions=frozenset(functions),
        request_id=args.request_id,
        qualifier=args.qualifier,
        since=since,
        errors_only=args.errors,
    )
    files = LogFiles(root, functions)
    entries = [e for e in files.read_new() if selection.matches(e)]
    if args.stats:
        rows = stats(entries)
        if args.json:
            for row in rows:
                print(json.dumps(row.as_dict(), ensure_ascii=False))
        elif rows:
            print("\n".join(stats_table(rows)))
        else:
            print(f"no invocations found under {root}", file=sys.stderr)
        return 0
    if args.tail and args.limit is None and args.since is None:
        entries = entries[-TAIL_BACKLOG:]
    elif args.limit is not None:
        entries = entries[-args.limit :] if args.limit > 0 else []
    show = _printer(args.json)
    for entry in entries:
        show(entry)
    if not entries and not args.tail and not files.paths():
        print(f"no logs under {root}; `local_invoke.py serve` writes them there", file=sys.stderr)
    if args.tail:
        follow(files, selection, show)
    return 0


def follow(
    files: LogFiles, selection: Selection, show: Callable[[Entry], None], stop: Callable[[], bool] = lambda: False
) -> None:
    """Print new matching entries as the files grow, until ``stop()`` or Ctrl-C."""
    while not stop():
        for entry in files.read_new():
            if selection.matches(entry):
                show(entry)
        time.sleep(POLL_S)


def _printer(as_json: bool) -> Callable[[Entry], None]:
    def show(entry: Entry) -> None:
        text = json.dumps(entry.raw, ensure_ascii=False) if as_json else render(entry)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    return show


def _where(args: argparse.Namespace) -> tuple[Path, list[str]]:
    """The state directory and the functionName(s) asked for.

    s.yaml is read when there is one, to turn a resource name into its functionName and to
    find ``.localfc``; without one, names are taken as they are and ``./.localfc`` is used.
    """
    from localfc.project.syaml import ProjectError, load_project  # noqa: PLC0415 - pydantic only when needed

    project = None
    try:
        project = load_project(args.template)
    except ProjectError:
        if args.template is not None:
            raise LookupError(f"cannot read {args.template}") from None
    root = Path(args.state_dir) if args.state_dir else (project.base_dir if project else Path.cwd()) / ".localfc"
    if not args.function:
        return root, []
    if project is not None:
        try:
            _, props = project.function(args.function)
        except LookupError:
            if not (root / "logs" / f"{args.function}.jsonl").exists():
                raise
        else:
            return root, [props.functionName]
    return root, [args.function]
