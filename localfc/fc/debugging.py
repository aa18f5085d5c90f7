"""Debugging a function under ``debugpy``, the way ``s local invoke -d`` and ``sam local
invoke -d`` do it: the function's process listens on a debug port and waits until an IDE
attaches (VS Code, PyCharm, anything that speaks the Debug Adapter Protocol).

``serve --debug FUNCTION [--debug-port 5678]`` does it for that function's LATEST instance:
one instance at most (one port), started at once, and no timeouts while it runs (nobody
debugs against a 3 s limit). ``invoke --debug-port 5678`` does it for the one call.

The instance process calls ``wait_for_debugger()`` before anything else when
``LOCALFC_DEBUG_PORT`` is in its environment (it removes it: the function never sees it).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

DEBUG_PORT_ENV = "LOCALFC_DEBUG_PORT"
# Time limits while a debugger holds the instance: a day, i.e. none in practice.
DEBUG_TIMEOUT_S = 86400.0


class DebuggerUnavailableError(RuntimeError):
    """debugpy is not installed (it is a dev dependency: requirements-dev.txt)."""


def launch_configuration(function_name: str, port: int, code_dir: Path) -> dict[str, Any]:
    """A VS Code ``launch.json`` entry that attaches to the waiting instance."""
    return {
        "name": f"Attach to {function_name} (local FC)",
        "type": "debugpy",
        "request": "attach",
        "connect": {"host": "127.0.0.1", "port": port},
        "pathMappings": [{"localRoot": str(code_dir), "remoteRoot": str(code_dir)}],
        "justMyCode": False,
    }


def attach_instructions(function_name: str, port: int, code_dir: Path) -> list[str]:
    """What ``serve`` and ``invoke`` print: where to attach, and the launch.json entry."""
    config = json.dumps(launch_configuration(function_name, port, code_dir), indent=2)
    return [
        f"debug  {function_name} waits for a debugger on 127.0.0.1:{port} (debugpy; timeouts off while debugging)",
        "       VS Code: add this to .vscode/launch.json, then Run > Start Debugging:",
        *(f"       {line}" for line in config.splitlines()),
    ]


def listen(port: int) -> None:
    """Listen on ``127.0.0.1:port`` and block until a debugger attaches."""
    try:
        import debugpy  # noqa: PLC0415 - a dev dependency, loaded only to debug
    except ImportError:
        raise DebuggerUnavailableError(
            "debugging needs debugpy: pip install -r requirements-dev.txt (or ./dev python -c pass)"
        ) from None
    debugpy.listen(("127.0.0.1", port))
    debugpy.wait_for_client()


def announce_and_listen(function_name: str, port: int, code_dir: Path) -> None:
    """``invoke -d PORT`` (like ``s local invoke -d`` / ``sam local invoke -d``): print where to
    attach on stderr, then block until the IDE has attached."""
    for line in attach_instructions(function_name, port, code_dir):
        print(line, file=sys.stderr)
    sys.stderr.flush()
    listen(port)


def wait_for_debugger() -> None:
    """In an instance process: when serve asked for it, wait for the IDE before serving."""
    port = os.environ.pop(DEBUG_PORT_ENV, "")
    if not port:
        return
    try:
        listen(int(port))
    except (DebuggerUnavailableError, OSError, ValueError) as exc:
        print(f"cannot wait for a debugger on port {port}: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(3) from None
