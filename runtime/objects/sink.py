"""The runtime's ``OutputSink``: named outputs of one source object, written to OSS.

Names map to keys through ``OutputLayout`` (always under the output prefix); every output
carries the provenance metadata. If the record fails after some outputs were committed, the
processor calls ``rollback`` so that a failed attempt leaves no partial set of outputs.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from runtime.objects import retry
from runtime.objects.keys import check_output_name
from runtime.objects.writer import ObjectWriter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from runtime.objects.keys import OutputLayout
    from runtime.objects.metadata import Provenance
    from runtime.objects.retry import RetryPolicy

log = logging.getLogger("runtime.objects")


class ObjectOutputs:
    """Opens outputs of ``source_key`` in ``bucket``; remembers what it committed."""

    def __init__(
        self,
        bucket: Any,
        *,
        layout: OutputLayout,
        source_key: str,
        provenance: Provenance,
        part_size: int,
        policy: RetryPolicy,
    ) -> None:
        self.bucket = bucket
        self.layout = layout
        self.source_key = source_key
        self.provenance = provenance
        self.part_size = part_size
        self.policy = policy
        self.committed: list[str] = []
        self.bytes_written = 0
        self._names: set[str] = set()

    def key_of(self, name: str) -> str:
        return self.layout.key_for(self.source_key, name)

    @contextmanager
    def open(self, name: str, content_type: str = "application/octet-stream") -> Iterator[BinaryIO]:
        check_output_name(name)
        if name in self._names:
            raise ValueError(f"output {name!r} was already written for this object")
        self._names.add(name)
        key = self.key_of(name)
        writer = ObjectWriter(self.bucket, key, self._headers(content_type), self.part_size, self.policy)
        try:
            yield cast("BinaryIO", writer)
        except BaseException:
            writer.abort()
            raise
        writer.commit()
        self.committed.append(key)
        self.bytes_written += writer.size

    def write(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        with self.open(name, content_type) as out:
            out.write(data)

    def write_reserved(self, name: str, data: bytes) -> str:
        """Write one of the runtime's own JSON objects (manifest, error marker); returns its key."""
        key = self.layout.key_for(self.source_key, name)
        headers = self._headers("application/json")
        retry.call(lambda: self.bucket.put_object(key, data, headers=headers), f"PUT {key}", self.policy)
        return key

    def rollback(self) -> None:
        """Delete the outputs committed by this attempt (best effort; failures are logged)."""
        for key in self.committed:
            try:
                retry.call(lambda k=key: self.bucket.delete_object(k), f"DELETE {key}", self.policy)  # type: ignore[misc]
            except Exception as exc:  # keep rolling back the others
                log.warning(
                    "could not remove an output of a failed attempt",
                    extra={"event": "rollback_failed", "key": key, "error": str(exc)},
                )
        self.committed.clear()

    def _headers(self, content_type: str) -> dict[str, str]:
        return {"Content-Type": content_type, **self.provenance.headers()}
