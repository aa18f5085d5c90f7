"""FC function ``prime-checker``: is a number prime, and if not, its factors."""

from __future__ import annotations

from algorithms.prime_checker import PrimeChecker
from runtime import AlgorithmFunction, Route

app = AlgorithmFunction(PrimeChecker(), routes=[Route("POST", "/check"), Route("GET", "/check")])
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
