"""The object algorithm contract: read one stored object as a stream, write named outputs.

An object algorithm never sees a bucket, a key layout or a credential. It gets a readable
binary stream, an :class:`ObjectInfo` describing the object, and an :class:`OutputSink` on
which it opens outputs by *name* (``"256x256.jpg"``, ``"summary.json"``). The runtime
(``runtime.objects``) decides where each name lands in OSS, streams the bytes there and makes
an output visible only once it is complete.

    class ByteCounter(ObjectAlgorithm):
        name = "byte_counter"

        def process(self, source, info, outputs):
            total = sum(len(chunk) for chunk in iter(lambda: source.read(1 << 20), b""))
            outputs.write("count.txt", str(total).encode(), "text/plain")
            return {"bytes": total}

An input the algorithm cannot use (a corrupt image, a file that is not CSV) is refused with
``algorithms.errors.InputRejected``: the runtime records it next to the outputs and does not
retry. Any other exception is treated as a bug or an outage and the event is retried.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Protocol

from algorithms.errors import InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from contextlib import AbstractContextManager

# Content types that say nothing about the bytes: the algorithm looks at the content instead.
GENERIC_CONTENT_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What is known about the object being processed (from OSS, not from the event).

    >>> ObjectInfo(bucket="b", key="in/Cat.JPG", size=10, etag="E1").suffix
    '.jpg'
    """

    bucket: str
    key: str
    size: int
    etag: str
    content_type: str = ""
    user_meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        """Lower-case extension of the key's last segment, with the dot ('' when none)."""
        name = self.key.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        return name[dot:].lower() if dot > 0 else ""

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-case: ``text/csv; charset=utf-8`` → ``text/csv``."""
        return self.content_type.split(";", 1)[0].strip().lower()


class OutputSink(Protocol):
    """Where an algorithm writes its outputs; names are single path segments like ``summary.json``."""

    def open(self, name: str, content_type: str = "application/octet-stream") -> AbstractContextManager[BinaryIO]:
        """A writable binary stream; the output becomes visible when the block exits normally
        and is discarded if it raises."""
        ...

    def write(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write a small output in one call."""
        ...


class ObjectAlgorithm:
    """Base class of object algorithms: override ``process`` (and ``setup`` for one-time work).

    ``content_types`` lists accepted media types; an entry ending in ``/`` accepts a whole
    family (``"image/"``). Objects with a generic type (``application/octet-stream``) are
    always passed on, since many uploads carry no useful type.
    """

    #: Short name used in logs and output metadata.
    name: ClassVar[str] = "object_algorithm"
    #: Accepted media types or families (``"image/"``); empty accepts everything.
    content_types: ClassVar[tuple[str, ...]] = ()
    #: Worker processes this algorithm keeps busy through ``algorithms.parallel`` (1: none).
    #: Above 1, the runtime starts that many at instance start and binds them to each object.
    processes: int = 1

    def setup(self) -> None:
        """One-time work per instance. Must be safe to call again after a failure."""

    def check(self, info: ObjectInfo) -> None:
        """Refuse an object before it is read (raises InputRejected); by default, by content type."""
        media = info.media_type
        if not self.content_types or media in GENERIC_CONTENT_TYPES:
            return
        if any(media == t or (t.endswith("/") and media.startswith(t)) for t in self.content_types):
            return
        expected = ", ".join(t + "*" if t.endswith("/") else t for t in self.content_types)
        raise InputRejected(
            f"{self.name} does not process {media} objects; expected {expected}",
            {"content_type": info.content_type},
        )

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        """Read ``source``, write outputs, return a small JSON-able summary of what was done."""
        raise NotImplementedError

    def teardown(self) -> None:
        """Release resources before the instance stops (FC's preStop)."""


class MemorySink:
    """An ``OutputSink`` that keeps outputs in memory, for unit tests of algorithms.

    >>> sink = MemorySink(); sink.write("a.txt", b"hi", "text/plain")
    >>> sink.outputs["a.txt"], sink.content_types["a.txt"]
    (b'hi', 'text/plain')
    """

    def __init__(self) -> None:
        self.outputs: dict[str, bytes] = {}
        self.content_types: dict[str, str] = {}

    @contextmanager
    def open(self, name: str, content_type: str = "application/octet-stream") -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        # Only reached when the block did not raise: like OSS, nothing half-written is kept.
        self.outputs[name] = buffer.getvalue()
        self.content_types[name] = content_type

    def write(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        with self.open(name, content_type) as out:
            out.write(data)


__all__ = ["GENERIC_CONTENT_TYPES", "InputRejected", "MemorySink", "ObjectAlgorithm", "ObjectInfo", "OutputSink"]
