"""Worker processes for CPU-bound object algorithms (``algorithms.parallel`` is their side).

An ``ObjectAlgorithm`` whose ``processes`` is above 1 gets a ``ProcessPool`` of that many
workers from ``ObjectFunction``: forked in the initializer, bound to each object while the
algorithm processes it, replaced when one dies, stopped in preStop.

- ``pool``: the parent's side — starting, feeding, reaping, restarting the workers;
- ``child``: a worker's loop;
- ``wire``: the messages between them.
"""

from __future__ import annotations

from runtime.processes.pool import ProcessPool, WorkerFailed

__all__ = ["ProcessPool", "WorkerFailed"]
