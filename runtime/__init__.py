"""The FC 3.0 adapter: the only code that knows Function Compute exists.

Handlers build one adapter and export its entry points::

    from algorithms.prime_checker import PrimeChecker
    from runtime import AlgorithmFunction, Route

    app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check")])
    initialize, handler, pre_stop = app.initialize, app.handler, app.pre_stop

Object (OSS) processing lives in ``runtime.objects`` and is imported only by the
functions that use it, so HTTP-only functions never pay for oss2.
"""

from __future__ import annotations

from runtime.app import AlgorithmFunction
from runtime.context import InvocationContext
from runtime.errors import FunctionError
from runtime.routing import Route

__all__ = ["AlgorithmFunction", "FunctionError", "InvocationContext", "Route"]
