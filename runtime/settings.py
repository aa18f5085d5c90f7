"""Typed settings from the environment variables that s.yaml sets.

An explicit argument to ``RuntimeSettings(...)`` beats the environment; a malformed value
fails at instance start with a message naming the variable, not at the first request.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

from runtime import constants

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """An environment variable has a value the runtime cannot use."""


class RuntimeSettings(NamedTuple):
    """Knobs of the adapter shared by every function.

    >>> RuntimeSettings.from_env({"APP_MAX_BODY_BYTES": "1024"}).max_body_bytes
    1024
    """

    log_level: str = "INFO"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    service: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RuntimeSettings:
        env = os.environ if environ is None else environ
        level = env.get(constants.APP_LOG_LEVEL, "INFO").strip().upper() or "INFO"
        if level not in _LEVELS:
            raise SettingsError(f"{constants.APP_LOG_LEVEL}={level!r}: expected one of {', '.join(_LEVELS)}")
        raw_limit = env.get(constants.APP_MAX_BODY_BYTES, "").strip()
        try:
            limit = int(raw_limit) if raw_limit else DEFAULT_MAX_BODY_BYTES
        except ValueError:
            raise SettingsError(
                f"{constants.APP_MAX_BODY_BYTES}={raw_limit!r}: expected a whole number of bytes"
            ) from None
        if limit <= 0:
            raise SettingsError(f"{constants.APP_MAX_BODY_BYTES}={limit}: must be positive")
        return cls(log_level=level, max_body_bytes=limit, service=env.get(constants.APP_SERVICE, ""))
