"""Files users name on the command line (``-t s.yaml``, ``-f event.json``, ``--schema``),
read with one clear reason when they cannot be — never a raw ``[Errno 2]``.

>>> from pathlib import Path
>>> read_user_file(Path("/no/such.json"), "an event file")
Traceback (most recent call last):
...
localfc.user_files.UnreadableFileError: file not found
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class UnreadableFileError(ValueError):
    """Why a file could not be read, in a few words (the caller adds which file and flag)."""


def read_user_file(path: Path, kind: str) -> bytes:
    """The file's bytes; ``kind`` says what it should have been (``"an s.yaml file"``)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError("file not found") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"is a directory, not {kind}") from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})") from None
