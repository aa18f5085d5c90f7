"""CRC-64 of object reads (OSS's ``x-oss-hash-crc64ecma``, i.e. CRC-64/XZ), computed fast.

oss2 computes this CRC with crcmod's C extension: about 350 MB/s, holding the GIL — 0.6 s
of a 200 MB read during which nothing else in the process runs. liblzma, the library that
Python's own ``lzma`` module is built on, exports the same CRC (``lzma_crc64``, the check
of .xz files) at several GB/s, and a ``ctypes`` call releases the GIL while it runs. So
object reads use liblzma when it loads and gives the right check value, and fall back to
crcmod otherwise (same result, slower). Only oss2 and the standard library are needed.

>>> digest = new_digest()
>>> digest.update(b"12345"); digest.update(b"6789")
>>> hex(digest.crc)
'0x995dc9bbdf1939fa'
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import logging
from typing import Any, Protocol

log = logging.getLogger("runtime.objects")

# CRC-64/XZ (OSS's CRC-64 ECMA): the parameters oss2.utils.Crc64 gives crcmod.
_POLY = 0x142F0E1EBA9EA3693
_XOROUT = 0xFFFFFFFFFFFFFFFF
# The CRC of b"123456789" (the catalogue's check value), to trust a library before using it.
_CHECK_INPUT, _CHECK_VALUE = b"123456789", 0x995DC9BBDF1939FA
_LIBRARY_NAMES = ("liblzma.so.5", "liblzma.so", "liblzma.5.dylib", "liblzma.dylib")


class Digest(Protocol):
    """A running CRC-64: ``update`` with the bytes in order, then read ``crc``."""

    @property
    def crc(self) -> int: ...

    def update(self, data: bytes) -> None: ...


@functools.lru_cache(maxsize=1)
def liblzma_crc64() -> Any:
    """liblzma's ``lzma_crc64(buf, size, crc)`` through ctypes, or None (missing or wrong)."""
    for name in _LIBRARY_NAMES:
        try:
            function = ctypes.CDLL(name).lzma_crc64  # CDLL, not PyDLL: the call releases the GIL
        except (OSError, AttributeError):
            continue
        function.restype = ctypes.c_uint64
        function.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64)
        if function(_CHECK_INPUT, len(_CHECK_INPUT), 0) == _CHECK_VALUE:
            return function
        log.warning("liblzma's CRC-64 gives a wrong check value; using crcmod", extra={"library": name})
    return None


class LzmaDigest:
    """:class:`Digest` over liblzma; only when :func:`liblzma_crc64` found it."""

    __slots__ = ("_function", "crc")

    def __init__(self, function: Any) -> None:
        self._function = function
        self.crc = 0

    def update(self, data: bytes) -> None:
        if type(data) is not bytes:  # c_char_p takes bytes only (a bytearray or memoryview is copied)
            data = bytes(data)
        self.crc = int(self._function(data, len(data), self.crc))


@functools.lru_cache(maxsize=1)
def crcmod_has_extension() -> bool:
    """Whether crcmod (oss2's CRC) runs in C. Pure Python crcmod does about 1 MB/s: verifying
    with it would cost more than the transfer."""
    try:
        # import_module, not attribute access: crcmod's package namespace shadows the module.
        implementation = importlib.import_module("crcmod.crcmod")
    except ImportError:
        return False
    return bool(getattr(implementation, "_usingExtension", False))


def can_verify() -> bool:
    """Whether reads can be CRC-checked at a reasonable cost (else they are not, with a warning)."""
    if liblzma_crc64() is not None or crcmod_has_extension():
        return True
    log.warning("neither liblzma nor crcmod's C extension is available; object reads are not CRC-verified")
    return False


def new_digest() -> Digest:
    """The fastest running CRC-64 at hand: liblzma's, else oss2's (crcmod)."""
    function = liblzma_crc64()
    if function is not None:
        return LzmaDigest(function)
    from oss2.utils import Crc64  # noqa: PLC0415 - oss2 only in object functions

    digest: Digest = Crc64()
    return digest


def combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC of A + B from the CRC of A, the CRC of B and the length of B (resumed reads)."""
    return int(_combiner()(crc1, crc2, length2))


@functools.lru_cache(maxsize=1)
def _combiner() -> Any:
    from oss2.crc64_combine import mkCombineFun  # noqa: PLC0415 - pure Python, no crcmod needed

    return mkCombineFun(_POLY, initCrc=0, rev=True, xorOut=_XOROUT)
