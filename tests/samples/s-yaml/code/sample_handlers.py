"""Handlers with mistakes, for the validate samples (tests/samples/s-yaml/handler-*.yaml)."""

from __future__ import annotations

from typing import Any


def handler(event: bytes, context: Any) -> str:
    return "ok"


def initialize(context: Any) -> None:
    return None


def handler_without_context(event: bytes) -> str:
    return "FC passes (event, context): this one takes only the event"


async def async_handler(event: bytes, context: Any) -> str:
    return "FC's Python runtime never awaits this"


def _make_handler() -> Any:
    def made(event: bytes) -> str:
        return "built by a factory: only importing it tells its arity"

    return made


factory_handler = _make_handler()
