""" "Did you mean …?" for the names users type: functions, resources, triggers, aliases,
versions. One wording for every command.

>>> did_you_mean("prime-cheker", ["prime-checker", "language-detector"])
"; did you mean 'prime-checker'?"
>>> did_you_mean("zzz", ["prime-checker"])
''
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` is most likely a typo of, or None."""
    found = difflib.get_close_matches(word, list(dict.fromkeys(choices)), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` to append to a message, or ``""``."""
    match = closest(word, choices)
    return f"; did you mean {match!r}?" if match else ""
