"""User metadata stamped on every output: which object, which ETag, which function version.

OSS stores it as ``x-oss-meta-<name>`` headers. HTTP headers carry ASCII only, so the source
key is percent-encoded (``quote(key, safe="/")``); read it back with ``urllib.parse.unquote``.
The same fields serve three purposes: people can trace an output to its input; a redelivered
event finds the manifest of the same source ETag and skips (idempotency); and an event for an
object this function wrote is recognised and skipped (loop guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from collections.abc import Mapping

META_PREFIX = "x-oss-meta-"
SOURCE_BUCKET = "source-bucket"
SOURCE_KEY = "source-key"
SOURCE_ETAG = "source-etag"
PRODUCER = "producer"  # the function name
PRODUCER_VERSION = "producer-version"  # the version that ran (LATEST, 3, ...)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an output came from.

    >>> p = Provenance("b", "in/猫 1.jpg", "E1", "thumbnailer", "3")
    >>> p.headers()["x-oss-meta-source-key"]
    'in/%E7%8C%AB%201.jpg'
    >>> Provenance.from_meta(p.headers()) == p
    True
    """

    source_bucket: str
    source_key: str
    source_etag: str
    producer: str
    producer_version: str

    def headers(self) -> dict[str, str]:
        return {
            META_PREFIX + SOURCE_BUCKET: self.source_bucket,
            META_PREFIX + SOURCE_KEY: quote(self.source_key, safe="/"),
            META_PREFIX + SOURCE_ETAG: self.source_etag,
            META_PREFIX + PRODUCER: self.producer,
            META_PREFIX + PRODUCER_VERSION: self.producer_version,
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> Provenance | None:
        """Read provenance from response headers or an event's ``userMeta`` (with or without
        the ``x-oss-meta-`` prefix, any case); None when the object carries none."""
        fields = {}
        for name, value in meta.items():
            lower = name.lower()
            fields[lower.removeprefix(META_PREFIX)] = value
        if PRODUCER not in fields or SOURCE_ETAG not in fields:
            return None
        return cls(
            source_bucket=fields.get(SOURCE_BUCKET, ""),
            source_key=unquote(fields.get(SOURCE_KEY, "")),
            source_etag=fields[SOURCE_ETAG],
            producer=fields[PRODUCER],
            producer_version=fields.get(PRODUCER_VERSION, ""),
        )

    def same_source(self, other: Provenance) -> bool:
        """Same source object and same content (ETags compared case-insensitively: OSS sends
        them upper-case, some stand-ins lower-case)."""
        return (
            self.source_bucket == other.source_bucket
            and self.source_key == other.source_key
            and self.source_etag.strip('"').upper() == other.source_etag.strip('"').upper()
        )
