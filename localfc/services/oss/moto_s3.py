"""The only module that touches moto's internals.

moto's internals are not a public API. Everything below was checked against moto 5.2.5
(pinned in requirements-dev.txt); when upgrading moto, re-read this file against moto's
``s3/models.py`` and ``moto_server/werkzeug_app.py`` and run tests/contract.

moto keeps its S3 state in one process-wide ``s3_backends`` registry, so every
:class:`~localfc.services.oss.server.OssServer` in a process shares the same buckets and objects.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# OSS accepts 100 KiB parts where S3 insists on 5 MiB; moto reads this when imported.
os.environ["S3_UPLOAD_PART_MIN_SIZE"] = "102400"
# moto spills object bodies above this size to temporary files, which keeps the server's
# resident memory bounded whatever the objects hold.
os.environ.setdefault("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", str(1024 * 1024))

import moto.s3.models as _models
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import create_backend_app
from moto.s3.exceptions import S3ClientError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from _typeshed.wsgi import WSGIApplication as WSGIApp
    from moto.s3.models import FakeAcl, FakeKey, S3Backend

# moto may have been imported before this module (mock_aws in the same test session), in which
# case it already froze the 5 MiB minimum: patch the module constant that enforces it.
PART_MIN_SIZE = 100 * 1024
_models.S3_UPLOAD_PART_MIN_SIZE = PART_MIN_SIZE  # type: ignore[attr-defined]

# moto files every bucket under an AWS region; OSS regions live only in the dialect layer.
MOTO_REGION = "us-east-1"

# OSS object type, stored on moto's key object so that it disappears with the key it
# describes (any overwrite creates a new key object).
_OBJECT_TYPE_ATTR = "_localfc_object_type"
_CRC64_ATTR = "_localfc_crc64"

# Appends are read-modify-write on moto's side; one lock keeps concurrent appends ordered.
append_lock = threading.Lock()

__all__ = [
    "MOTO_REGION",
    "PART_MIN_SIZE",
    "BucketView",
    "ObjectView",
    "append_lock",
    "bucket_acl",
    "create_app",
    "create_bucket",
    "drop_bucket",
    "get_bucket",
    "get_object",
    "remember_crc64",
    "restore_metadata",
    "set_object_type",
]


@dataclass(frozen=True)
class ObjectView:
    """What the dialect layer needs to know about a stored object."""

    bucket: str
    key: str
    size: int
    etag: str  # without quotes, as moto stores it (lower-case hex)
    content_type: str
    user_meta: dict[str, str] = field(hash=False)
    metadata: dict[str, str] = field(hash=False)  # moto's metadata dict, for appends
    acl: str
    storage_class: str
    object_type: str
    last_modified: datetime
    crc64: int | None
    _key: Any = field(repr=False, compare=False, hash=False)

    def iter_chunks(self, chunk_size: int = 8 * 1024 * 1024) -> Iterator[bytes]:
        """Yield the object's bytes without copying the whole body at once."""
        key: FakeKey = self._key
        offset = 0
        while True:
            # moto's own readers seek the shared buffer under this lock.
            with key.lock:
                key._value_buffer.seek(offset)
                chunk = key._value_buffer.read(chunk_size)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk


@dataclass(frozen=True)
class BucketView:
    name: str
    created: datetime
    acl: str


def _backend() -> S3Backend:
    return _models.s3_backends[DEFAULT_ACCOUNT_ID]["aws"]


@functools.cache
def create_app() -> WSGIApp:
    """moto's S3 Flask app, without the AWS service guessing of DomainDispatcherApplication.

    Built once per process (it takes a few hundred milliseconds): the app holds no state of
    its own, the buckets live in ``s3_backends``.
    """
    return create_backend_app("s3")


def create_bucket(name: str) -> None:
    """Create a bucket if it does not exist yet."""
    backend = _backend()
    if name in backend.buckets:
        return
    try:
        backend.create_bucket(name, MOTO_REGION)
    except S3ClientError as error:
        raise ValueError(f"cannot create bucket {name!r}: {error.code}") from None


def drop_bucket(name: str) -> None:
    """Delete a bucket with everything in it (moto's temporary files included)."""
    backend = _backend()
    bucket = backend.buckets.pop(name, None)
    if bucket is None:
        return
    _models.s3_backends.bucket_accounts.pop(name, None)
    # What S3Backend.reset() does per bucket.
    for key in bucket.keys.values():
        if isinstance(key, _models.FakeKey):
            key.dispose()
    for part in bucket.multiparts.values():
        part.dispose()


def get_bucket(name: str) -> BucketView | None:
    bucket = _backend().buckets.get(name)
    if bucket is None:
        return None
    return BucketView(name=name, created=bucket.creation_date, acl=_canned(bucket.acl))


def bucket_acl(name: str) -> str | None:
    bucket = _backend().buckets.get(name)
    return None if bucket is None else _canned(bucket.acl)


def get_object(bucket: str, key: str) -> ObjectView | None:
    """The current version of ``bucket/key``, or None when either does not exist."""
    found = _backend().buckets.get(bucket)
    if found is None:
        return None
    stored = found.keys.get(key)
    if not isinstance(stored, _models.FakeKey):
        return None  # absent, or a delete marker
    metadata = {str(k): str(v) for k, v in stored.metadata.items()}
    user_meta = {k[len("x-amz-meta-") :]: v for k, v in metadata.items() if k.startswith("x-amz-meta-")}
    etag = stored.etag.strip('"')
    return ObjectView(
        bucket=bucket,
        key=key,
        size=stored.size,
        etag=etag,
        content_type=metadata.get("content-type", "application/octet-stream"),
        user_meta=user_meta,
        metadata=metadata,
        acl=_canned(stored.acl),
        storage_class=stored.storage_class or "STANDARD",
        object_type=getattr(stored, _OBJECT_TYPE_ATTR, "Multipart" if "-" in etag else "Normal"),
        last_modified=stored.last_modified,
        crc64=getattr(stored, _CRC64_ATTR, None),
        _key=stored,
    )


def set_object_type(obj: ObjectView, object_type: str) -> None:
    setattr(obj._key, _OBJECT_TYPE_ATTR, object_type)


def remember_crc64(obj: ObjectView, crc: int) -> None:
    """Cache a CRC on the key object: it dies with the key, so it can never go stale."""
    setattr(obj._key, _CRC64_ATTR, crc)


def restore_metadata(obj: ObjectView, metadata: dict[str, str], acl: str) -> None:
    """Give a re-written key (an append) the metadata and ACL of the object it extends."""
    key: FakeKey = obj._key
    key.set_metadata(dict(metadata), replace=True)
    key.set_acl(_models.get_canned_acl(acl))


def _canned(acl: FakeAcl | None) -> str:
    """Collapse moto's grant list into the OSS canned ACL names."""
    if acl is None:
        return "private"
    everyone = [g for g in acl.grants if _models.ALL_USERS_GRANTEE in g.grantees]
    permissions = {p for g in everyone for p in g.permissions}
    if "FULL_CONTROL" in permissions or {"READ", "WRITE"} <= permissions:
        return "public-read-write"
    if "READ" in permissions:
        return "public-read"
    return "private"
