"""Pure algorithm code: typed input/output, ``setup()`` once per instance, ``run()`` per call.

Nothing here imports FC, OSS or SLS code; every algorithm is testable with plain pytest.
"""

from __future__ import annotations

from algorithms.base import Algorithm
from algorithms.errors import InputRejected

__all__ = ["Algorithm", "InputRejected"]
