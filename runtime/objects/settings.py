"""Typed settings of an object function, from the environment variables s.yaml sets.

An explicit argument beats the environment; a malformed value raises ``SettingsError`` naming
the variable, at instance start (setup), not at the first object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runtime import constants
from runtime.objects.errors import EndpointError
from runtime.objects.keys import normalise_prefix
from runtime.settings import SettingsError, number_from

if TYPE_CHECKING:
    from collections.abc import Mapping

KIB = 1024
MIB = 1024 * KIB
# OSS: parts of a multipart upload are 100 KiB to 5 GiB, at most 10,000 of them.
MIN_PART_SIZE = 100 * KIB
MAX_PART_SIZE = 5 * 1024 * MIB
DEFAULT_PART_SIZE = 8 * MIB
DEFAULT_READ_CHUNK = 1 * MIB
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class ObjectSettings:
    """Where outputs go and how OSS is called.

    >>> s = ObjectSettings.from_env({"APP_OUTPUT_PREFIX": "thumbs"})
    >>> (s.output_prefix, s.part_size, s.endpoint_for("cn-hangzhou", in_fc=True))
    ('thumbs/', 8388608, 'https://oss-cn-hangzhou-internal.aliyuncs.com')
    """

    output_prefix: str
    output_bucket: str = ""  # empty: the source object's bucket
    endpoint: str = ""  # empty: derived from the region
    timeout_s: float = DEFAULT_TIMEOUT_S
    attempts: int = DEFAULT_ATTEMPTS
    part_size: int = DEFAULT_PART_SIZE
    read_chunk: int = DEFAULT_READ_CHUNK

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ObjectSettings:
        env = os.environ if environ is None else environ
        raw_prefix = env.get(constants.APP_OUTPUT_PREFIX, "")
        try:
            prefix = normalise_prefix(raw_prefix)
        except ValueError as exc:
            raise SettingsError(f"{constants.APP_OUTPUT_PREFIX}={raw_prefix!r}: {exc}") from None
        return cls(
            output_prefix=prefix,
            output_bucket=env.get(constants.APP_OUTPUT_BUCKET, "").strip(),
            endpoint=env.get(constants.APP_OSS_ENDPOINT, "").strip(),
            timeout_s=number_from(env, constants.APP_OSS_TIMEOUT, DEFAULT_TIMEOUT_S, low=0.1, high=3600.0),
            attempts=int(number_from(env, constants.APP_OSS_RETRIES, DEFAULT_ATTEMPTS, low=1, high=10)),
            part_size=int(
                number_from(env, constants.APP_OSS_PART_SIZE, DEFAULT_PART_SIZE, low=MIN_PART_SIZE, high=MAX_PART_SIZE)
            ),
            read_chunk=int(
                number_from(env, constants.APP_OSS_READ_CHUNK, DEFAULT_READ_CHUNK, low=4 * KIB, high=64 * MIB)
            ),
        )

    def endpoint_for(self, region: str, in_fc: bool) -> str:
        """``APP_OSS_ENDPOINT`` if set; else the region's endpoint (the internal one inside FC:
        free traffic, no internet access needed)."""
        if self.endpoint:
            return self.endpoint
        if not region:
            raise EndpointError(
                f"cannot tell which OSS endpoint to use: no region in the context; set {constants.APP_OSS_ENDPOINT}"
            )
        return f"https://oss-{region}-internal.aliyuncs.com" if in_fc else f"https://oss-{region}.aliyuncs.com"
