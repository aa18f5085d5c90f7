"""The live view ``serve`` prints: one line per finished invocation, plus notable events.
For example::

    11:42:01.123  prime-checker      LATEST        http   200        1.8 ms  POST /check
    11:42:02.004  csv-stats          prod->3       oss    error     12.0 ms  UnhandledInvocationError (retry 1/3)
    11:42:05.000  ·  code of LATEST changed: prime-checker gets new instances
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TextIO

from localfc.terminal import colour_on, red


class Console:
    """Thread-safe, concise terminal output; ``stream=None`` keeps quiet.

    >>> Console(None).invocation("f", "LATEST", "", trigger="api", status="ok", duration_ms=1.0)
    """

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._colour = stream is not None and colour_on(stream)

    def _write(self, text: str) -> None:
        if self.stream is None:
            return
        with self._lock:
            try:
                self.stream.write(text + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # a closed terminal must not fail an invocation
                self.stream = None

    def invocation(
        self,
        function: str,
        qualifier: str,
        version_id: str,
        *,
        trigger: str,
        status: str,
        duration_ms: float,
        detail: str = "",
    ) -> None:
        target = qualifier or "LATEST"
        if version_id and version_id != qualifier:
            target = f"{target}->{version_id}"
        shown = f"{status:<8}"
        if self._colour and self.stream is not None and not (status == "ok" or status.startswith(("1", "2", "3"))):
            shown = red(shown, self.stream)  # an error or a 4xx/5xx, on a terminal only
        line = f"{_clock()}  {function:<18} {target:<13} {trigger:<6} {shown} {duration_ms:>8.1f} ms"
        self._write(f"{line}  {detail}" if detail else line)

    def note(self, text: str) -> None:
        self._write(f"{_clock()}  ·  {text}")


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S.%f")[:-3]
