"""Local OSS: moto's S3 engine behind an OSS-dialect layer, for the official oss2 client.

Dev-only (never deployed). ``OssServer`` is imported lazily: moto costs hundreds of
milliseconds, and code that only handles ``ObjectEvent`` should not pay for it.

    from localfc.services.oss import OssServer
    with OssServer(buckets=["demo"], on_event=print) as oss:
        print(oss.endpoint)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from localfc.services.oss.events import EventCallback, ObjectEvent

if TYPE_CHECKING:
    from localfc.services.oss.server import OssServer

__all__ = ["EventCallback", "ObjectEvent", "OssServer"]


def __getattr__(name: str) -> Any:
    if name == "OssServer":
        return importlib.import_module("localfc.services.oss.server").OssServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
