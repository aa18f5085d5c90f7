"""The HTTP request and response as the local FC's handlers see them (no framework types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl


@dataclass
class Request:
    """One HTTP request: ``path`` is as received (still percent-encoded), without the query."""

    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"

    def header(self, name: str, default: str = "") -> str:
        """The first value of a header (case-insensitive)."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    def query_pairs(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` of the query, in order (blank values kept)."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query_lists(self) -> dict[str, list[str]]:
        """Every query parameter with all its values, in order (blank values kept)."""
        out: dict[str, list[str]] = {}
        for key, value in parse_qsl(self.query_string, keep_blank_values=True):
            out.setdefault(key, []).append(value)
        return out

    def query(self) -> dict[str, str]:
        """The last value of each query parameter."""
        return {key: values[-1] for key, values in self.query_lists().items()}


@dataclass
class Response:
    status: int
    headers: dict[str, str | list[str]] = field(default_factory=dict)
    body: bytes = b""
