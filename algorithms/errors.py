"""The one error an algorithm raises to refuse an input it cannot serve (answered as 422)."""

from __future__ import annotations

from typing import Any


class InputRejected(ValueError):
    """A well-formed input that this algorithm refuses; the message is shown to the caller.

    >>> raise InputRejected("image is 20000x20000 pixels; the limit is 8000x8000")
    Traceback (most recent call last):
    ...
    algorithms.errors.InputRejected: image is 20000x20000 pixels; the limit is 8000x8000
    """

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
