"""The cloud services serve runs beside the FC port, on loopback: the local OSS (its object
events fire the OSS triggers; it also holds the bucket ``s deploy`` uploads code to) and the
SLS receiver; and the variables that tell the functions where they listen.

Both are optional: ``--no-oss`` and ``--no-sls`` skip them, and a missing dev dependency
leaves a note instead of failing serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.api import code_upload
from localfc.fc.options import HOST
from localfc.fc.triggers.oss import OssEventRouter
from runtime import constants

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from localfc.fc.async_queue import AsyncQueues
    from localfc.fc.console import Console
    from localfc.fc.triggers.oss import OssTrigger


def start_oss(
    port: int, triggers: list[OssTrigger], queues: AsyncQueues, console: Console, *, region: str, notes: list[str]
) -> tuple[Any, OssEventRouter] | None:
    """The started local OSS and the router of its events to ``triggers``; None (and a line
    in ``notes``) when it cannot run."""
    try:
        from localfc.services.oss import OssServer  # noqa: PLC0415 - moto costs ~0.5 s; --no-oss skips it
    except ImportError as exc:
        notes.append(f"local OSS not available ({exc}); OSS triggers will not fire")
        return None
    router = OssEventRouter(triggers, queues, console)
    buckets = sorted({t.bucket for t in triggers if t.bucket} | {code_upload.CODE_BUCKET})
    oss = OssServer(port, buckets=buckets, on_event=router, region=region)
    try:
        oss.start()
    except ValueError as exc:  # a trigger's bucket OSS would refuse (`validate` says so too)
        notes.append(f"local OSS not started: {exc}")
        return None
    return oss, router


def start_sls(store_dir: Path) -> Any | None:
    """The started SLS receiver (what functions ship lands in ``store_dir``), or None when
    its dependencies are not installed."""
    try:
        from localfc.services.sls import SlsReceiver  # noqa: PLC0415 - optional, loads the SLS protobuf classes
    except ImportError:
        return None
    sls = SlsReceiver(HOST, port=0, store_dir=store_dir)
    sls.start()
    return sls


def endpoint_variables(oss_endpoint: str, sls_endpoint: str) -> dict[str, str]:
    """The variables that give the functions the endpoints of the services that run."""
    env: dict[str, str] = {}
    if oss_endpoint:
        env[_env_name("APP_OSS_ENDPOINT")] = oss_endpoint
    if sls_endpoint:
        env[_env_name("APP_SLS_ENDPOINT")] = sls_endpoint
    return env


def read_local_object(bucket: str, key: str) -> Iterator[bytes] | None:
    """The chunks of an object of the local OSS (same process), or None when absent."""
    from localfc.services.oss import moto_s3  # noqa: PLC0415 - loaded with the local OSS

    found = moto_s3.get_object(bucket, key)
    return None if found is None else found.iter_chunks()


def _env_name(default: str) -> str:
    """The variable name runtime/constants.py gives a local endpoint (one place for names)."""
    return str(getattr(constants, default, default))
