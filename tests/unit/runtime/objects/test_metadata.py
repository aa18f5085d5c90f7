"""Provenance metadata on outputs: round trip through headers and event userMeta."""

from __future__ import annotations

from runtime.objects.metadata import Provenance

P = Provenance("photos", "uploads/猫 1+2%.jpg", "5B3C1D0A", "thumbnailer", "3")


def test_headers_are_ascii_and_round_trip() -> None:
    headers = P.headers()
    assert all(value.isascii() for value in headers.values())
    assert Provenance.from_meta(headers) == P


def test_event_user_meta_without_the_header_prefix_is_understood() -> None:
    meta = {k.removeprefix("x-oss-meta-"): v for k, v in P.headers().items()}
    assert Provenance.from_meta(meta) == P


def test_etags_compare_case_insensitively() -> None:
    other = Provenance("photos", "uploads/猫 1+2%.jpg", '"5b3c1d0a"', "thumbnailer", "4")
    assert P.same_source(other)
    assert not P.same_source(Provenance("photos", "uploads/other.jpg", "5B3C1D0A", "thumbnailer", "3"))


def test_objects_without_provenance_have_none() -> None:
    assert Provenance.from_meta({"x-oss-meta-author": "ann"}) is None
