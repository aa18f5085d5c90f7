"""handlers/table_summary.py: the summariser's settings from s.yaml's environment variables."""

from __future__ import annotations

import pytest

from handlers import table_summary


def test_the_worker_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_SUMMARY_WORKERS", raising=False)
    assert table_summary.build().processes == 1
    monkeypatch.setenv("APP_SUMMARY_WORKERS", "2")
    assert table_summary.build().processes == 2
    for bad in ("two", "0", "99"):
        monkeypatch.setenv("APP_SUMMARY_WORKERS", bad)
        with pytest.raises(ValueError, match="APP_SUMMARY_WORKERS"):
            table_summary.build()


def test_a_bad_line_limit_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_SUMMARY_MAX_LINE_BYTES", "1k")
    with pytest.raises(ValueError, match="APP_SUMMARY_MAX_LINE_BYTES='1k': expected a whole number of bytes"):
        table_summary.build()
