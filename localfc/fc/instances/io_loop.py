"""The one I/O thread of an instance: it reads the control socket (frames) and the stdout and
stderr pipes together. When frames arrive it first drains the pipes, so a call's log lines
are all collected before its result is handed over (what makes ``x-fc-log-type: Tail`` exact).
"""

from __future__ import annotations

import contextlib
import os
import selectors
from typing import TYPE_CHECKING, Any

from localfc.fc.instances.protocol import FrameBuffer

if TYPE_CHECKING:
    import socket
    import subprocess
    from collections.abc import Callable

_READ_SIZE = 65536


def read_until_closed(
    process: subprocess.Popen[bytes],
    sock: socket.socket,
    on_output: Callable[[str, bytes, bool], None],
    on_frame: Callable[[dict[str, Any], bytes], None],
) -> None:
    """Hand output to ``on_output(stream, data, final)`` and frames to ``on_frame(meta, body)``
    until the process closes its end of the socket; then take what is left in the pipes."""
    _Reader(process, sock, on_output, on_frame).run()


class _Reader:
    def __init__(
        self,
        process: subprocess.Popen[bytes],
        sock: socket.socket,
        on_output: Callable[[str, bytes, bool], None],
        on_frame: Callable[[dict[str, Any], bytes], None],
    ) -> None:
        assert process.stdout is not None and process.stderr is not None
        self.sock = sock
        self.on_output = on_output
        self.on_frame = on_frame
        self.open_pipes = {process.stdout.fileno(): "stdout", process.stderr.fileno(): "stderr"}
        for fd in self.open_pipes:
            os.set_blocking(fd, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(sock, selectors.EVENT_READ, "ctrl")
        for fd, name in self.open_pipes.items():
            self.selector.register(fd, selectors.EVENT_READ, name)

    def run(self) -> None:
        frames = FrameBuffer()
        try:
            while True:
                ctrl_closed = False
                for key, _ in self.selector.select():
                    if key.data == "ctrl":
                        try:
                            data = self.sock.recv(_READ_SIZE)
                        except OSError:
                            data = b""
                        if not data:
                            ctrl_closed = True
                            break
                        parsed = frames.feed(data)
                        if parsed:
                            self._drain()
                            for meta, body in parsed:
                                self.on_frame(meta, body)
                    elif int(key.fd) in self.open_pipes:  # _drain may have closed it in this round
                        self._read_pipe(int(key.fd))
                if ctrl_closed:
                    break
        finally:
            # The process is gone (or closing): take what is left in the pipes without waiting
            # for EOF (a grandchild may hold them open).
            with contextlib.suppress(Exception):
                self._drain(final=True)
            self.selector.close()

    def _read_pipe(self, fd: int) -> bool:
        """Read what the pipe has now; False when it has nothing more for now or has ended."""
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        stream = self.open_pipes[fd]
        if not data:
            self._unregister(fd)
            del self.open_pipes[fd]
            self.on_output(stream, b"", True)
            return False
        self.on_output(stream, data, False)
        return True

    def _drain(self, final: bool = False) -> None:
        """Take everything the pipes hold now, so output lands before the frame that follows it."""
        for fd in list(self.open_pipes):
            while fd in self.open_pipes and self._read_pipe(fd):
                pass
            if final and fd in self.open_pipes:
                # The instance is gone but a grandchild holds the pipe: flush the partial line.
                self.on_output(self.open_pipes[fd], b"", True)

    def _unregister(self, fd: int) -> None:
        """Unregister a pipe at EOF; it may already be gone when the I/O loop and the final drain
        both see the same EOF (seen as ``KeyError: 'N is not registered'`` in e2e runs)."""
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(fd)
