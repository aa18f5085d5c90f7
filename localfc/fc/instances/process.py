"""The worker process behind an instance: spawned in its own session (so Ctrl-C in the terminal
reaches ``serve`` only) with a socket for frames and pipes for its output; signalled as a
group, reaped, and its resident memory read for the memory watch."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
from typing import TYPE_CHECKING

import psutil

from localfc.fc.debugging import DEBUG_PORT_ENV
from localfc.fc.instances.spec import InstanceStartError

if TYPE_CHECKING:
    from localfc.fc.instances.code_source import CodeSource
    from localfc.fc.instances.spec import InstanceSpec

# How long a worker has between SIGTERM and SIGKILL.
KILL_GRACE_S = 1.0


def worker_environment(spec: InstanceSpec, source: CodeSource) -> dict[str, str]:
    """The environment of a worker process of ``spec`` run from ``source``."""
    env = source.environment(spec.environment)
    env["PYTHONUNBUFFERED"] = "1"  # the log order must be the order things were printed
    if spec.debug_port is not None:
        env[DEBUG_PORT_ENV] = str(spec.debug_port)  # see localfc/fc/debugging.py
    return env


def spawn(source: CodeSource, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start ``localfc.fc.instances.child`` as ``source`` says; returns the process and the
    parent's end of its socket. Raises InstanceStartError when it cannot be started."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        process = subprocess.Popen(
            source.command(str(child.fileno())),
            cwd=str(source.code_dir),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(child.fileno(),),
            start_new_session=True,
        )
    except OSError as exc:
        parent.close()
        raise InstanceStartError(f"cannot start a worker process: {exc}") from None
    finally:
        child.close()
    return process, parent


def signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    # The worker leads its own session: signal the group so helper processes it spawned go too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        process.send_signal(sig)


def terminate(process: subprocess.Popen[bytes], exited: threading.Event, thread_name: str) -> None:
    """SIGTERM now, SIGKILL unless ``exited`` is set within the grace period (returns at once)."""
    signal_group(process, signal.SIGTERM)

    def _finish() -> None:
        if not exited.wait(KILL_GRACE_S):
            signal_group(process, signal.SIGKILL)

    threading.Thread(target=_finish, name=thread_name, daemon=True).start()


def reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for the process to end (SIGKILL if it lingers) and close its pipes."""
    try:
        process.wait(timeout=KILL_GRACE_S + 1)
    except subprocess.TimeoutExpired:
        signal_group(process, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


class ResidentMemory:
    """Reads a process's resident memory; keeps the ``psutil.Process`` between reads."""

    def __init__(self) -> None:
        self._process: psutil.Process | None = None

    def bytes_of(self, pid: int) -> int:
        """Resident memory of ``pid`` (0 if it is gone)."""
        try:
            if self._process is None or self._process.pid != pid:
                self._process = psutil.Process(pid)
            return int(self._process.memory_info().rss)
        except (psutil.Error, OSError):
            return 0
