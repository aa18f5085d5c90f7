"""Fixtures for contract tests against the local OSS server (real server, real oss2)."""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

import oss2
import pytest

from localfc.services.oss import OssServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from localfc.services.oss import ObjectEvent

_names = itertools.count()


@pytest.fixture(scope="session")
def local_oss() -> Iterator[OssServer]:
    """One local OSS server for the session, on 127.0.0.1 and a free port.

    Buckets are created on demand; tests isolate themselves by bucket name (see
    ``bucket_name``) rather than by resetting, so they can share it.
    """
    with OssServer() as server:
        yield server


@pytest.fixture
def bucket_name() -> str:
    """A bucket name no other test of this session uses."""
    return f"t{os.getpid()}-{next(_names)}"


@pytest.fixture
def bucket(local_oss: OssServer, bucket_name: str) -> oss2.Bucket:
    """An ``oss2.Bucket`` (V1 auth, CRC on) for a fresh bucket of the local server."""
    local_oss.create_bucket(bucket_name)
    return oss2.Bucket(oss2.Auth("test-ak", "test-sk"), local_oss.endpoint, bucket_name)


@pytest.fixture
def events(local_oss: OssServer) -> Iterator[list[ObjectEvent]]:
    """Every ObjectEvent the local server emits while the test runs."""
    seen: list[ObjectEvent] = []
    local_oss.on_event = seen.append
    yield seen
    local_oss.on_event = None
