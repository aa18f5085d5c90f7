"""Command dispatch for ``local_invoke.py``.

A command is a module in ``localfc.commands`` with ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. Only the chosen command's module is
imported: the local OSS, the SLS receiver and the FC SDK cost hundreds of milliseconds.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Protocol, cast

# name -> (module, one-line help). The order is the order `--help` shows.
COMMANDS: dict[str, tuple[str, str]] = {
    "invoke": ("localfc.commands.invoke", "invoke one function of s.yaml once, like `s invoke`"),
    "event": ("localfc.commands.event", "print a sample trigger event (http, oss, timer, invoke)"),
    "validate": ("localfc.commands.validate", "check s.yaml offline: props, handlers, OSS loops"),
    "package": ("localfc.commands.package", "build each function's code zip: its own dependencies, bytecode"),
    "layer": ("localfc.commands.layer", "build FC layers and publish them, to the local FC or to FC"),
    "serve": ("localfc.commands.serve", "run the whole s.yaml locally: HTTP, OSS, timers, API"),
    "oss": ("localfc.commands.oss", "run the local OSS server on its own"),
    "logs": ("localfc.commands.logs", "show logs collected by the local FC, like `s logs`"),
    "release": ("localfc.commands.release", "publish versions and canary them through aliases"),
    "demo": ("localfc.commands.demo", "run the end-to-end demo of every flow on this machine"),
}


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _overview() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "commands:\n" + "\n".join(lines)


def main(argv: list[str]) -> int:
    top = argparse.ArgumentParser(
        prog="local_invoke.py",
        description="Local Function Compute 3.0 for the functions declared in s.yaml.",
        epilog=_overview() + "\n\nRun `local_invoke.py COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("command", choices=list(COMMANDS), metavar="COMMAND")
    top.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    if not argv:
        top.print_help()
        return 2
    known = top.parse_args(argv[:1])
    module_name, help_ = COMMANDS[known.command]
    try:
        command = cast("Command", importlib.import_module(module_name))
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # a missing dependency of the command: a real error
            raise
        print(f"error: the {known.command!r} command is not part of this checkout ({module_name})", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog=f"local_invoke.py {known.command}", description=help_)
    command.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    try:
        return command.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
