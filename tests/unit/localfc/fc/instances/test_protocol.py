"""Frames between serve and its instance processes survive any split of the byte stream."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from localfc.fc.instances.protocol import FrameBuffer, encode_frame, read_frame

frames = st.lists(
    st.tuples(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=10), max_size=3), st.binary(max_size=300)
    ),
    max_size=5,
)


@given(frames, st.lists(st.integers(min_value=1, max_value=50), min_size=1))
def test_incremental_parser_reassembles_frames_split_anywhere(items, cuts):
    stream = b"".join(b"".join(encode_frame(meta, body)) for meta, body in items)
    buffer, got, position, i = FrameBuffer(), [], 0, 0
    while position < len(stream):
        size = cuts[i % len(cuts)]
        got.extend(buffer.feed(stream[position : position + size]))
        position, i = position + size, i + 1
    assert got == items


def test_blocking_reader_reads_frames_then_none_at_end():
    data = b"".join(encode_frame({"op": "result", "id": 1}, b"\x00body")) + b"".join(encode_frame({"op": "stopped"}))
    stream = io.BytesIO(data)
    assert read_frame(stream) == ({"op": "result", "id": 1}, b"\x00body")
    assert read_frame(stream) == ({"op": "stopped"}, b"")
    assert read_frame(stream) is None


def test_large_bodies_are_not_copied_into_the_header_part():
    parts = encode_frame({"op": "invoke"}, b"x" * 200_000)
    assert len(parts) == 2 and parts[1] == b"x" * 200_000
