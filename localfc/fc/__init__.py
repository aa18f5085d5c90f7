"""``local_invoke.py serve``: the whole s.yaml as a local Function Compute 3.0.

    from localfc.fc import LocalFC, ServeOptions
    with LocalFC(load_project("s.yaml"), ServeOptions(port=0)) as fc:
        print(fc.url)

What lives where::

    server.py         LocalFC: the app wiring its parts, start and stop, re-wiring on deploy
    dispatch.py       the FC port's requests: which part answers a path, the index, errors
    local_services.py  the local OSS and SLS beside the FC port, their endpoint variables
    housekeeping.py   between requests: instance ticks, code collection, code reload
    api/              the FC 3.0 OpenAPI routes and FC's error shape
    invocations.py    one invocation of function:qualifier, for every trigger
    version_pools.py  one instance pool per function version: made, retired, housekept
    version_specs.py  what a version's instances start with: environment, timeouts, code
    instances/        the instances: parent (worker process), child, pool, in-process
    triggers/         HTTP triggers (routes, events, answering a call), timers (cron), OSS events
    async_queue.py    asynchronous invocations: a queue per function, retries, event age
    async_tasks.py    async task records and status, the book the task API reads
    async_destinations.py  onSuccess/onFailure: the destination record and where it goes
    versions/         versions and aliases: the store and its API
    deployments/      what the control plane (s deploy, s remove) created, changed, removed
    qualifiers.py     which code and props run for function:qualifier
    context.py        FC-shaped context objects and environment, both runtime shapes
    samples.py        events shaped exactly as FC sends them
    signature.py      ACS3-HMAC-SHA256 checks (``authType: function``)
    console.py, banner.py, state.py, options.py, code_watch.py, wire.py

Imports are lazy: the instance processes import ``localfc.fc.instances.child`` and must
not pay for the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localfc.fc.options import ServeOptions
    from localfc.fc.server import LocalFC

__all__ = ["LocalFC", "ServeOptions"]


def __getattr__(name: str) -> Any:
    if name == "LocalFC":
        from localfc.fc.server import LocalFC  # noqa: PLC0415 - workers import this package

        return LocalFC
    if name == "ServeOptions":
        from localfc.fc.options import ServeOptions  # noqa: PLC0415 - see above

        return ServeOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
