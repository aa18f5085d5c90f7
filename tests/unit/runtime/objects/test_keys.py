"""Output keys: always under the output prefix, whatever the source key holds."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.objects.keys import MAX_KEY_BYTES, OutputLayout, check_output_name, normalise_prefix, safe_source_key

LAYOUT = OutputLayout("thumbnails/")
NASTY = [
    "../../etc/passwd",
    "/leading/slash.jpg",
    "a/./b/../../../c.jpg",
    "a//b.jpg",
    "..",
    "thumbnails/../uploads/x.jpg",
    "猫/写真 1+2%.jpg",
    "back\\slash\\..\\x.jpg",
    "ctrl\x00\x1f\x7f.jpg",
    "x" * 1023,
    "é" * 600,
]


def _escapes(prefix: str, key: str) -> bool:
    """Would a tool that normalises paths put ``key`` outside ``prefix``?"""
    return not posixpath.normpath("/" + key).startswith("/" + prefix.rstrip("/") + "/")


@pytest.mark.parametrize("source", NASTY)
def test_outputs_of_hostile_keys_stay_under_the_prefix(source: str) -> None:
    key = LAYOUT.key_for(source, "256x256.jpg")
    assert key.startswith("thumbnails/")
    assert not _escapes("thumbnails/", key)
    assert len(key.encode("utf-8")) <= MAX_KEY_BYTES
    assert key.endswith("/256x256.jpg")
    assert LAYOUT.is_output(key)


@given(st.text(min_size=1, max_size=1100))
def test_any_source_key_maps_under_the_prefix(source: str) -> None:
    key = LAYOUT.key_for(source, "summary.json")
    assert key.startswith("thumbnails/")
    assert not _escapes("thumbnails/", key)
    assert len(key.encode("utf-8", "surrogatepass")) <= MAX_KEY_BYTES
    assert all(segment not in ("", ".", "..") for segment in key.split("/"))


@given(st.text(max_size=60), st.text(max_size=60))
def test_distinct_source_keys_never_share_outputs(a: str, b: str) -> None:
    if a != b:
        assert LAYOUT.folder_for(a) != LAYOUT.folder_for(b)


def test_long_keys_are_cut_with_a_hash_so_they_stay_distinct() -> None:
    a, b = "x" * 1000 + "a.jpg", "x" * 1000 + "b.jpg"
    assert LAYOUT.folder_for(a) != LAYOUT.folder_for(b)
    assert "~" in LAYOUT.folder_for(a)


def test_readable_keys_stay_readable() -> None:
    assert LAYOUT.key_for("uploads/猫 1+2.jpg", "256x256.jpg") == "thumbnails/uploads/猫 1+2.jpg/256x256.jpg"
    assert safe_source_key("a/100%.csv") == "a/100%25.csv"


@pytest.mark.parametrize("name", ["../x", "a/b", "", "_manifest.json", ".hidden", "x" * 200])
def test_algorithms_cannot_choose_escaping_or_reserved_names(name: str) -> None:
    with pytest.raises(ValueError, match="output name"):
        check_output_name(name)


@pytest.mark.parametrize("prefix", ["", "/", "a/../b", "./x", "a//b"])
def test_bad_output_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        normalise_prefix(prefix)


def test_prefixes_are_normalised_to_folders() -> None:
    assert normalise_prefix("/out/thumbs") == "out/thumbs/"
