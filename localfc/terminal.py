"""How the local tools write to a terminal: colour only where it is one (and ``NO_COLOR`` is
not set, https://no-color.org), and a heartbeat for steps that take a while.

>>> import io
>>> bold("== invoke", io.StringIO())        # not a terminal: no escape codes
'== invoke'
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_BOLD, _RED, _YELLOW, _RESET = "\033[1m", "\033[31m", "\033[33m", "\033[0m"


def colour_on(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and the user did not opt out (``NO_COLOR``, ``TERM=dumb``)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _wrap(code: str, text: str, stream: TextIO) -> str:
    return f"{code}{text}{_RESET}" if colour_on(stream) else text


def bold(text: str, stream: TextIO) -> str:
    return _wrap(_BOLD, text, stream)


def red(text: str, stream: TextIO) -> str:
    return _wrap(_RED, text, stream)


def highlight(text: str, word: str, stream: TextIO) -> str:
    """``word`` (any case) in reverse yellow where colour is on; the text unchanged elsewhere."""
    if not word or not colour_on(stream):
        return text
    lowered, target, out, start = text.casefold(), word.casefold(), [], 0
    while (found := lowered.find(target, start)) >= 0:
        out += [text[start:found], _YELLOW, _BOLD, text[found : found + len(word)], _RESET]
        start = found + len(word)
    return "".join([*out, text[start:]])


@contextmanager
def heartbeat(label: str, stream: TextIO, every: float = 10.0) -> Iterator[None]:
    """While the block runs, say every ``every`` seconds that ``label`` is still going."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            try:
                stream.write(f"  ... still {label} ({time.monotonic() - started:.0f} s)\n")
                stream.flush()
            except (OSError, ValueError):
                return

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=1)


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """``header`` and ``rows`` as lines of a plain-text table, each column as wide as its
    widest cell (``logs --stats``, ``release version list``, ``alias list``)."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
