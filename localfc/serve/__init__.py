"""``local_invoke.py serve``: the whole s.yaml as a local Function Compute 3.0.

    from localfc.serve import LocalFC, ServeOptions
    with LocalFC(load_project("s.yaml"), ServeOptions(port=0)) as fc:
        print(fc.url)

Modules: ``server`` (the app and its one HTTP port), ``http_triggers``, ``openapi``,
``invocations`` / ``pool`` / ``workers`` / ``worker`` (instances in worker processes),
``async_queue``, ``timers`` + ``cron``, ``oss_events``, ``signature``, ``console``,
``instance_logs``, ``code_watch``, ``qualifiers``, ``state``, ``options``, ``banner``.
Imports are lazy: the instance processes import ``localfc.serve.worker`` and must not pay
for the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localfc.serve.options import ServeOptions
    from localfc.serve.server import LocalFC

__all__ = ["LocalFC", "ServeOptions"]


def __getattr__(name: str) -> Any:
    if name == "LocalFC":
        from localfc.serve.server import LocalFC  # noqa: PLC0415 - workers import this package

        return LocalFC
    if name == "ServeOptions":
        from localfc.serve.options import ServeOptions  # noqa: PLC0415 - see above

        return ServeOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
