"""What an invocation asks to process: OSS trigger records, or a direct/timer reprocess request.

Reprocessing uses the same path as the trigger::

    {"bucket": "photos", "key": "uploads/cat.jpg"}
    {"objects": [{"bucket": "photos", "key": "a.jpg"}, {"bucket": "photos", "key": "b.jpg"}]}
    {"bucket": "photos", "prefix": "uploads/2024/", "suffix": ".jpg", "limit": 500}

Add ``"force": true`` to redo objects already processed for their current ETag (after fixing
a bug in the algorithm). Keys given here are used exactly as written: only trigger events go
through ``key_candidates`` (whether FC URL-encodes them is unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runtime.events.oss import key_candidates

if TYPE_CHECKING:
    from runtime.events.models import OssEvent

BUCKET_PATTERN = r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"
MAX_OBJECTS = 1000


@dataclass(frozen=True, slots=True)
class Target:
    """One object to process. ``candidates``: keys to try in order (the first that exists wins)."""

    bucket: str
    candidates: tuple[str, ...]
    event_name: str = ""  # empty for direct invokes
    event_etag: str = ""
    region: str = ""
    user_meta: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.candidates[0]


def from_oss_event(event: OssEvent) -> list[Target]:
    return [
        Target(
            bucket=record.bucket,
            candidates=tuple(key_candidates(record.key)),
            event_name=record.event_name,
            event_etag=record.etag,
            region=record.region,
            user_meta=dict(record.user_meta),
        )
        for record in event.records
    ]


class ObjectRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bucket: str | None = Field(default=None, pattern=BUCKET_PATTERN)
    key: str = Field(min_length=1, max_length=1023)


class ReprocessRequest(BaseModel):
    """A direct invoke or timer payload naming objects to (re)process."""

    model_config = ConfigDict(extra="forbid")

    bucket: str | None = Field(default=None, pattern=BUCKET_PATTERN, description="bucket of key/prefix/objects")
    key: str | None = Field(default=None, min_length=1, max_length=1023, description="one object")
    objects: list[ObjectRef] | None = Field(default=None, min_length=1, max_length=MAX_OBJECTS)
    prefix: str | None = Field(default=None, max_length=1023, description="walk every object under it")
    suffix: str = Field(default="", max_length=256, description="with prefix: only keys ending with it")
    marker: str = Field(default="", max_length=1023, description="with prefix: continue after this key")
    limit: int = Field(default=MAX_OBJECTS, ge=1, le=100_000, description="with prefix: objects per invocation")
    force: bool = Field(default=False, description="redo objects already processed for their ETag")

    @model_validator(mode="after")
    def _one_kind(self) -> ReprocessRequest:
        given = [name for name in ("key", "objects", "prefix") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of key, objects or prefix")
        if self.objects is None and self.bucket is None:
            raise ValueError("bucket is required with key or prefix")
        if self.objects is not None and self.bucket is None and any(o.bucket is None for o in self.objects):
            raise ValueError("every object needs a bucket (or give one bucket for all)")
        return self

    def targets(self) -> list[Target]:
        """The objects named by key or objects (a prefix is walked by the function)."""
        if self.key is not None:
            return [Target(bucket=str(self.bucket), candidates=(self.key,))]
        return [Target(bucket=str(o.bucket or self.bucket), candidates=(o.key,)) for o in self.objects or ()]
