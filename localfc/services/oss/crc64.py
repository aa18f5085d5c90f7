"""CRC-64/ECMA as OSS computes it (``x-oss-hash-crc64ecma``).

oss2 verifies transfers against this header when ``enable_crc=True`` and silently skips the
check when the header is missing, so the local server must send the real value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import crcmod

if TYPE_CHECKING:
    from collections.abc import Iterable

# The parameters of oss2.utils.Crc64 (reflected ECMA-182 polynomial, all-ones xor-out).
_crc64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, rev=True, xorOut=0xFFFFFFFFFFFFFFFF)

__all__ = ["crc64", "crc64_of_chunks"]


def crc64(data: bytes, previous: int = 0) -> int:
    """CRC-64/ECMA of ``data``, continuing from ``previous`` (the CRC of the bytes before it).

    >>> crc64(b"123456789")
    11051210869376104954
    """
    return int(_crc64(data, previous))


def crc64_of_chunks(chunks: Iterable[bytes]) -> int:
    value = 0
    for chunk in chunks:
        value = crc64(chunk, value)
    return value
