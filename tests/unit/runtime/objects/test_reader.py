"""The object reader's CRC-64 check: computed once, right across resumes, with or without read-ahead.

The cloud is faked (a bucket serving one object version, which can break a connection or
serve a corrupted byte); the reader, the read-ahead and the CRC code are the real ones.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from oss2.utils import Crc64

from runtime.objects import crc64 as crc
from runtime.objects.errors import IntegrityError
from runtime.objects.reader import ObjectReader, open_stream
from runtime.objects.retry import RetryPolicy

DATA = os.urandom(200_000)
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


def oss_crc(data: bytes) -> int:
    digest = Crc64()  # oss2's own (crcmod): the reference
    digest.update(data)
    return int(digest.crc)


class Body:
    """A GET response: ``read(n)``; breaks after ``cut_at`` bytes if asked; oss2's
    ``client_crc`` when the bucket had ``enable_crc`` on."""

    def __init__(self, data: bytes, cut_at: int | None, oss2_crc: bool) -> None:
        self.data, self.offset, self.cut_at = data, 0, cut_at
        self.digest = Crc64() if oss2_crc else None

    def read(self, size: int) -> bytes:
        if self.cut_at is not None and self.offset >= self.cut_at:
            raise requests.exceptions.ChunkedEncodingError("connection broken")
        end = self.offset + size if self.cut_at is None else min(self.offset + size, self.cut_at)
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        if self.digest is not None:
            self.digest.update(chunk)
        return chunk

    @property
    def client_crc(self) -> int | None:
        return None if self.digest is None else int(self.digest.crc)

    def close(self) -> None:
        pass


class FakeBucket:
    """One object version; ``corrupt_at`` flips a byte on the wire (OSS's CRC stays right)."""

    def __init__(self, data: bytes = DATA, *, cut_at: int | None = None, corrupt_at: int | None = None) -> None:
        self.data = data
        self.crc = oss_crc(data)
        self.cut_at = cut_at
        self.served = bytearray(data)
        if corrupt_at is not None:
            self.served[corrupt_at] ^= 0xFF
        self.enable_crc = True
        self.gets: list[tuple[int, bool]] = []  # (start offset, whether oss2 would CRC it)

    def get_object(self, key: str, byte_range: tuple[int, None], headers: dict[str, str]) -> Body:
        start = byte_range[0]
        self.gets.append((start, self.enable_crc))
        cut = self.cut_at - start if self.cut_at is not None and len(self.gets) == 1 else None
        return Body(bytes(self.served[start:]), cut, self.enable_crc)


def read_all(bucket: FakeBucket, read_ahead: int) -> bytes:
    reader = ObjectReader(bucket, "k", size=len(bucket.data), etag="E", crc64=bucket.crc, policy=FAST)
    with open_stream(reader, 16 * 1024, read_ahead=read_ahead) as stream:
        return b"".join(iter(lambda: stream.read(10_000), b""))


def test_the_fast_crc_is_oss_crc64_and_combines_across_parts() -> None:
    digest = crc.new_digest()
    for start in range(0, len(DATA), 70_001):
        digest.update(DATA[start : start + 70_001])
    assert digest.crc == oss_crc(DATA)
    head, tail = DATA[:12_345], DATA[12_345:]
    assert crc.combine(oss_crc(head), oss_crc(tail), len(tail)) == oss_crc(DATA)


def test_liblzma_is_found_on_this_platform() -> None:
    # Not a requirement (crcmod is the fallback) but the fast path should be what runs here.
    assert crc.liblzma_crc64() is not None


@pytest.mark.parametrize("read_ahead", [0, 4], ids=["direct", "read-ahead"])
def test_a_clean_read_passes_and_a_corrupted_byte_is_caught_at_the_end(read_ahead: int) -> None:
    assert read_all(FakeBucket(), read_ahead) == DATA
    with pytest.raises(IntegrityError, match="CRC-64"):
        read_all(FakeBucket(corrupt_at=150_000), read_ahead)


@pytest.mark.parametrize("read_ahead", [0, 4], ids=["direct", "read-ahead"])
def test_a_broken_read_resumes_at_its_offset_and_the_combined_crc_verifies(read_ahead: int) -> None:
    bucket = FakeBucket(cut_at=30_000)
    assert read_all(bucket, read_ahead) == DATA
    assert [start for start, _ in bucket.gets] == [0, 30_000]
    with pytest.raises(IntegrityError):
        read_all(FakeBucket(cut_at=30_000, corrupt_at=10), read_ahead)  # in the first response
    with pytest.raises(IntegrityError):
        read_all(FakeBucket(cut_at=30_000, corrupt_at=100_000), read_ahead)  # in the resumed one


def test_oss2_is_not_asked_to_crc_the_same_bytes_again() -> None:
    bucket = FakeBucket()
    read_all(bucket, read_ahead=0)
    assert bucket.gets == [(0, False)]  # the reader computes it; oss2's slower CRC is off
    assert bucket.enable_crc is True  # ... for these GETs only: uploads keep oss2's check


def test_without_liblzma_the_crc_oss2_computed_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crc, "liblzma_crc64", lambda: None)
    bucket = FakeBucket(cut_at=30_000)
    assert read_all(bucket, read_ahead=4) == DATA
    assert bucket.gets == [(0, True), (30_000, True)]
    with pytest.raises(IntegrityError):
        read_all(FakeBucket(corrupt_at=5), read_ahead=4)


def test_an_object_without_a_crc_is_read_unverified() -> None:
    bucket: Any = FakeBucket(corrupt_at=5)
    reader = ObjectReader(bucket, "k", size=len(DATA), etag="E", crc64=None, policy=FAST)
    with open_stream(reader, 16 * 1024) as stream:
        assert len(stream.read()) == len(DATA)
