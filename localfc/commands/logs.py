"""``local_invoke.py logs [FUNCTION]``: the logs the local FC collected, like ``s logs``.

Reads ``.localfc/logs/<function>.jsonl`` (everything ``serve``'s instances printed; rotated
files too) and ``.localfc/sls/<project>/<logstore>.jsonl`` (business events shipped to the
local SLS). The flags are ``s logs``'s, plus ``--since``, ``--errors`` and ``--stats``.

    python local_invoke.py logs prime-checker --request-id 0f3c…
    python local_invoke.py logs prime-checker -s 2024-05-01T08:00:00+08:00 -e 2024-05-01T09:00:00+08:00
    python local_invoke.py logs --qualifier prod --type fail --since 30m
    python local_invoke.py logs language-detector --search timeout --tail
    python local_invoke.py logs --stats            # which version is failing, and how slow

Exit status: 0, or 2 for bad usage (an unknown function, an unreadable time).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.logstore.files import LogFiles
from localfc.logstore.outcomes import Outcomes
from localfc.logstore.render import render
from localfc.logstore.selection import OutcomeGate, Selection
from localfc.logstore.stats import stats_table, version_stats
from localfc.names import did_you_mean
from localfc.terminal import highlight
from localfc.timeparse import TimeInputError, TimeWindow

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable

    from localfc.logstore.entries import Entry

HELP = "show logs collected by the local FC, like `s logs`"
POLL_S = 0.3
TAIL_BACKLOG = 10
TIMES = "epoch ms (1611827290000), ISO 8601 (2024-05-01T08:00:00+08:00), or a duration before now (10m, 2h, 1d)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", nargs="?", help="functionName or resource name in s.yaml (default: all)")
    parser.add_argument("--request-id", default="", help="only the lines of this request")
    parser.add_argument("--instance-id", default="", help="only the lines of this instance")
    parser.add_argument("--qualifier", default="", help="only this qualifier (alias, LATEST) or version number")
    parser.add_argument("-s", "--start-time", default=None, metavar="TIME", help=f"only lines from TIME: {TIMES}")
    parser.add_argument("-e", "--end-time", default=None, metavar="TIME", help="only lines up to TIME (same forms)")
    parser.add_argument("--since", default=None, metavar="TIME", help="the same as -s (e.g. --since 30m)")
    parser.add_argument("--search", default="", metavar="KEYWORD", help="only lines containing KEYWORD (any case)")
    parser.add_argument(
        "--type",
        choices=("success", "fail"),
        default=None,
        help="only the lines of invocations that succeeded or failed (the rule `--stats` and the canary use)",
    )
    parser.add_argument(
        "--match",
        default="",
        metavar="TEXT",
        help="highlight TEXT (on a terminal, unless NO_COLOR)",
    )
    parser.add_argument("--errors", action="store_true", help="only error lines: ERROR, stderr, failed summaries")
    parser.add_argument("--tail", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument("--limit", type=int, default=None, help="only the last N matching lines")
    parser.add_argument("--json", action="store_true", help="print the stored records as JSON lines")
    parser.add_argument(
        "--stats", action="store_true", help="per function and version: calls, failures, 4xx, p50/p99 duration"
    )
    parser.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    parser.add_argument(
        "--state-dir", default=None, help="where serve keeps its state (default: .localfc next to s.yaml)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        root, functions = _where(args)
        selection = Selection(
            functions=frozenset(functions),
            request_id=args.request_id,
            instance_id=args.instance_id,
            qualifier=args.qualifier,
            window=TimeWindow.parse(args.start_time, args.end_time, since=args.since),
            search=args.search,
            errors_only=args.errors,
        )
    except (LookupError, TimeInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = LogFiles(root, functions)
    show = _printer(args.json, args.match)
    if args.stats:
        return _stats(files, selection, args.json, root)
    pick, flush = picker(selection, args.type)
    read = files.read_new()
    entries = [shown for entry in read for shown in pick(entry)]
    entries += flush()
    if args.tail and args.limit is None and selection.window.start is None:
        entries = entries[-TAIL_BACKLOG:]
    elif args.limit is not None:
        entries = entries[-args.limit :] if args.limit > 0 else []
    for entry in entries:
        show(entry)
    if not entries and not args.tail and not files.paths():
        print(f"no logs under {root}; `local_invoke.py serve` writes them there", file=sys.stderr)
    elif not entries and not args.tail and args.qualifier:
        _hint_qualifier(read, args.qualifier)
    if args.tail:
        follow(files, pick, show)
    return 0


def _hint_qualifier(read: Iterable[Entry], qualifier: str) -> None:
    """Nothing matched: when no call ever went through ``qualifier`` it is likely a typo (a
    qualifier not used yet is not an error, so the exit status stays 0)."""
    seen = {name for e in read for name in (e.qualifier, e.version) if name}
    if qualifier not in seen:
        known = ", ".join(sorted(seen)) or "none"
        print(
            f"no calls through qualifier {qualifier!r} in the logs{did_you_mean(qualifier, seen)} (seen: {known})",
            file=sys.stderr,
        )


def _stats(files: LogFiles, selection: Selection, as_json: bool, root: Path) -> int:
    outcomes = Outcomes().extend(e for e in files.read_new() if selection.matches(e))
    rows = version_stats(outcomes)
    if as_json:
        for row in rows:
            print(json.dumps(row.as_dict(), ensure_ascii=False))
    elif rows:
        print("\n".join(stats_table(rows)))
    else:
        print(f"no invocations found under {root}", file=sys.stderr)
    return 0


def picker(
    selection: Selection, wanted: str | None
) -> tuple[Callable[[Entry], list[Entry]], Callable[[], list[Entry]]]:
    """(entry -> the entries to show now, () -> what is left to show at the end of a read);
    ``--type`` holds a request's lines until its outcome is known."""
    if wanted is None:
        return (lambda entry: [entry] if selection.matches(entry) else []), list
    gate = OutcomeGate(wanted)
    return (
        lambda entry: [e for e in gate.feed(entry) if selection.matches(e)],
        lambda: [e for e in gate.flush() if selection.matches(e)],
    )


def follow(
    files: LogFiles,
    pick: Callable[[Entry], list[Entry]],
    show: Callable[[Entry], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Print new matching entries as the files grow, until ``stop()`` or Ctrl-C."""
    while not stop():
        for entry in files.read_new():
            for shown in pick(entry):
                show(shown)
        time.sleep(POLL_S)


def _printer(as_json: bool, match: str = "") -> Callable[[Entry], None]:
    def show(entry: Entry) -> None:
        text = json.dumps(entry.raw, ensure_ascii=False) if as_json else highlight(render(entry), match, sys.stdout)
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
