"""Colour only on a terminal and without ``NO_COLOR``; a heartbeat for long steps."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING

from localfc.terminal import bold, colour_on, heartbeat, highlight

if TYPE_CHECKING:
    import pytest


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert bold("x", io.StringIO()) == "x"  # piped
    assert bold("x", FakeTerminal()) == "\033[1mx\033[0m"
    assert highlight("an Error here", "error", FakeTerminal()).count("\033[") == 3
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_on(FakeTerminal())
    assert highlight("an Error here", "error", FakeTerminal()) == "an Error here"


def test_a_heartbeat_says_a_long_step_is_still_going() -> None:
    out = io.StringIO()
    release = threading.Event()
    with heartbeat("packaging f", out, every=0.01):
        # the step "takes a while": until at least two beats were written
        for _ in range(500):
            if out.getvalue().count("\n") >= 2:
                break
            release.wait(0.01)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and lines[0].startswith("  ... still packaging f (")
