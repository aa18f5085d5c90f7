"""Every line SLS receives is one whole JSON object, whatever the code logs: odd values,
values that contain themselves, huge fields, credentials in unusual places."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import pytest

from runtime import logs

SECRET = 'se"cr\\et-Value-0123456789'  # JSON escapes its quote and backslash
TOKEN = "token-abcdefghijklmnop"


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Any:
    """Log inside a scope holding SECRET and TOKEN; return the lines as (raw text, parsed)."""
    logs.configure("INFO")
    log = logging.getLogger("tests.lines")

    def write(*args: Any, **kwargs: Any) -> list[tuple[str, dict[str, Any]]]:
        with logs.scope({"request_id": "r-1", "function": "f", "version": "3"}, (SECRET, TOKEN)):
            log.info(*args, **kwargs)
        raw = [line for line in capsys.readouterr().out.splitlines() if line]
        return [(line, json.loads(line)) for line in raw]

    return write


def test_the_fixed_fields_come_first_then_the_scope_then_the_extras(logged: Any) -> None:
    ((raw, line),) = logged("hello %s", "world", extra={"rows": 3})
    assert list(line) == ["time", "level", "logger", "message", "request_id", "function", "version", "rows"]
    assert line["message"] == "hello world" and raw.startswith('{"time":"') and line["time"].endswith("Z")


def test_values_json_cannot_hold_still_make_valid_lines(logged: Any) -> None:
    @dataclass
    class Settings:
        name: str
        password: str

    loop: dict[str, Any] = {}
    loop["self"] = loop
    ((_, line),) = logged(
        "odd values",
        extra={
            "nan": float("nan"),
            "inf": [float("inf")],
            "loop": loop,
            "blob": b"\xffbytes",
            "cfg": Settings("a", "pw"),
        },
    )
    assert (line["nan"], line["inf"]) == ("nan", ["inf"])
    assert line["blob"].endswith("bytes") and line["cfg"] == {"name": "a", "password": "***"}
    assert "[too deep]" in json.dumps(line["loop"])


def test_an_extra_field_overrides_the_scope_without_a_duplicate_key(logged: Any) -> None:
    ((raw, line),) = logged("override", extra={"function": "other"})
    assert raw.count('"function":') == 1 and line["function"] == "other"


def test_credentials_are_masked_by_value_by_name_and_by_shape(logged: Any) -> None:
    ((raw, line),) = logged(
        "using %s",
        SECRET,
        extra={
            "password": "hunter2-hunter2",
            "tokens": "a b c",
            "token_count": 3,
            "nested": {"accessKeySecret": "zzz-value", "list": [TOKEN]},
            "ltai": "key LTAI5tAbCdEfGhIjKlMn0pQr",
            TOKEN: "as a key",
        },
    )
    assert SECRET not in raw and json.dumps(SECRET)[1:-1] not in raw and TOKEN not in raw
    assert line["message"] == "using ***" and line["password"] == "***"
    assert (line["tokens"], line["token_count"]) == ("a b c", 3), "a name that only contains 'token' is kept"
    assert line["nested"] == {"accessKeySecret": "***", "list": ["***"]}
    assert line["ltai"] == "key ***" and "***" in line


def test_a_huge_line_is_cut_to_fit_and_says_so_without_half_a_secret(logged: Any) -> None:
    budget = logs.MAX_LINE_CHARS // (2 * 3)
    message = "x" * (budget - 10) + TOKEN + "y" * 200_000
    ((raw, line),) = logged(message)
    assert len(raw) <= logs.MAX_LINE_CHARS and line["truncated"] is True
    assert TOKEN[:10] not in raw, "the secret at the cut was masked before cutting"
    ((raw, line),) = logged("big extra", extra={"blob": "z" * 300_000})
    assert line == {k: line[k] for k in ("time", "level", "logger", "message", "request_id", "function", "version")} | {
        "truncated": True
    }


def test_emit_writes_the_same_line_as_logging_and_respects_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("INFO")
    runtime_log = logging.getLogger("runtime")
    with logs.scope({"request_id": "r-1"}, ()):
        logs.emit(runtime_log, logging.INFO, "invocation finished", {"status": 200})
        logging.getLogger().setLevel(logging.ERROR)
        try:
            logs.emit(runtime_log, logging.INFO, "filtered", {})
            logs.emit(runtime_log, logging.INFO, "kept", {}, always=True)
        finally:
            logging.getLogger().setLevel(logging.INFO)
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "request_id", "status")} == {
        "level": "INFO",
        "logger": "runtime",
        "message": "invocation finished",
        "request_id": "r-1",
        "status": 200,
    }
    assert second["message"] == "kept"
