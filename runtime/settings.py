"""Typed settings from the environment variables that s.yaml sets, and the one way numbers
are read from them (``number_from``, ``whole_number_from``: object functions and handlers use
them too).

An explicit argument to ``RuntimeSettings(...)`` beats the environment; a malformed value
fails at instance start with a message naming the variable, not at the first request.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from runtime import constants

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_N = TypeVar("_N", int, float)

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
        limit = whole_number_from(env, constants.APP_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, low=1, unit="bytes")
        return cls(log_level=level, max_body_bytes=limit, service=env.get(constants.APP_SERVICE, ""))


def number_from(env: Mapping[str, str], name: str, default: float, *, low: float, high: float, unit: str = "") -> float:
    """The number in variable ``name`` (``default`` when unset or blank), from ``low`` to ``high``.

    >>> number_from({"APP_OSS_TIMEOUT": "2.5"}, "APP_OSS_TIMEOUT", 30.0, low=0.1, high=3600)
    2.5
    """
    return _read(env, name, default, float, "a number", low=low, high=high, unit=unit)


def whole_number_from(
    env: Mapping[str, str], name: str, default: int, *, low: int, high: int | None = None, unit: str = ""
) -> int:
    """The whole number in variable ``name`` (``default`` when unset or blank), at least ``low``
    (and at most ``high``).

    >>> whole_number_from({}, "APP_MAX_BODY_BYTES", 1024, low=1, unit="bytes")
    1024
    """
    return _read(env, name, default, int, "a whole number", low=low, high=high, unit=unit)


def _read(
    env: Mapping[str, str],
    name: str,
    default: _N,
    parse: Callable[[str], _N],
    expected: str,
    *,
    low: float,
    high: float | None,
    unit: str,
) -> _N:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    unit_text = f" {unit}" if unit else ""
    try:
        value = parse(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected {expected}{' of' + unit_text if unit else ''}") from None
    if high is None and value < low:
        raise SettingsError(f"{name}={raw!r}: must be at least {low:g}{unit_text}")
    if high is not None and not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: must be between {low:g} and {high:g}{unit_text}")
    return value
