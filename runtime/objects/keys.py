"""Where the outputs of one source object go: ``<output prefix><source key>/<output name>``.

The source key is made safe before it becomes part of an output key, so an output can never
land outside the output prefix whatever the key holds:

- ``.`` and ``..`` segments become ``%2E`` and ``%2E%2E`` (tools that normalise paths would
  otherwise resolve ``thumbs/../uploads/x`` outside ``thumbs/``);
- empty segments (a leading ``/``, ``a//b``) become ``%2F``;
- ``%`` becomes ``%25``; control characters, ``\\`` and lone surrogates become ``%XX``,
  which keeps the mapping one-to-one;
- other characters, non-ASCII included, are kept as they are.

OSS keys are at most 1023 bytes of UTF-8. When prefix + source key + name would be longer,
the source key part is cut and a hash of the full key is appended, so two long keys never
share outputs.

>>> layout = OutputLayout("thumbs/")
>>> layout.key_for("../../etc/passwd", "256x256.jpg")
'thumbs/%2E%2E/%2E%2E/etc/passwd/256x256.jpg'
>>> layout.is_output("thumbs/a.jpg/256x256.jpg")
True
"""

from __future__ import annotations

import hashlib
import re

MAX_KEY_BYTES = 1023
# Output names are single path segments chosen by algorithms; names starting with "_" are
# the runtime's own (manifest, error marker).
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_UNSAFE_CHARS = re.compile("[%\\\\\x00-\x1f\x7f\ud800-\udfff]")
MANIFEST_NAME = "_manifest.json"
ERROR_MARKER_NAME = "_error.json"
# Longest name the runtime itself writes; algorithm names are checked against the room left.
_RESERVED_NAME_BYTES = 128
_HASH_CHARS = 16


def normalise_prefix(prefix: str) -> str:
    """``thumbs`` → ``thumbs/``; a prefix must name a folder and must not climb out of one.

    >>> normalise_prefix("/out/thumbs")
    'out/thumbs/'
    """
    text = prefix.strip().strip("/")
    if not text:
        raise ValueError("an output prefix is required (e.g. thumbnails/) so outputs never mix with inputs")
    segments = text.split("/")
    if any(s in ("", ".", "..") for s in segments) or _UNSAFE_CHARS.search(text):
        raise ValueError("the output prefix must be plain folder names separated by '/'")
    prefix = text + "/"
    if len(prefix.encode()) > MAX_KEY_BYTES // 2:
        raise ValueError("the output prefix is too long")
    return prefix


def safe_source_key(key: str) -> str:
    """The source key as a run of safe path segments (see module docstring).

    >>> safe_source_key("/a//b/./100%.csv")
    '%2F/a/%2F/b/%2E/100%25.csv'
    """
    escaped = _UNSAFE_CHARS.sub(lambda m: f"%{ord(m.group()):02X}", key)
    return "/".join(_safe_segment(s) for s in escaped.split("/"))


def _safe_segment(segment: str) -> str:
    if segment == "":
        return "%2F"
    if segment in (".", ".."):
        return "%2E" * len(segment)
    return segment


def check_output_name(name: str) -> str:
    """An algorithm's output name: one segment of letters, digits, ``.``, ``_``, ``-``."""
    if not _OUTPUT_NAME.fullmatch(name) or name in (".", ".."):
        raise ValueError(
            f"output name {name!r} is not allowed: use letters, digits, '.', '_' and '-' (no '/'),"
            " starting with a letter or digit, at most 128 characters"
        )
    return name


class OutputLayout:
    """Maps (source key, output name) to output keys under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = normalise_prefix(prefix)

    def folder_for(self, source_key: str) -> str:
        """``<prefix><safe source key>/``: every output of ``source_key`` is directly inside it."""
        safe = safe_source_key(source_key)
        room = MAX_KEY_BYTES - len(self.prefix.encode()) - 1 - _RESERVED_NAME_BYTES
        if len(safe.encode()) > room:
            digest = hashlib.sha256(source_key.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
            cut = _utf8_prefix(safe, room - _HASH_CHARS - 1)
            safe = f"{cut}~{digest}"
        return f"{self.prefix}{safe}/"

    def key_for(self, source_key: str, name: str) -> str:
        return self.folder_for(source_key) + (name if name.startswith("_") else check_output_name(name))

    def is_output(self, key: str) -> bool:
        """Whether ``key`` lies under the output prefix (an event for it is a loop)."""
        return key.startswith(self.prefix) or key.lstrip("/").startswith(self.prefix)


def _utf8_prefix(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` that is at most ``max_bytes`` of UTF-8."""
    raw = text.encode("utf-8", "surrogatepass")[:max_bytes]
    return raw.decode("utf-8", "ignore")
