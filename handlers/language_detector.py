"""FC function ``language-detector``: which language a text is written in."""

from __future__ import annotations

from algorithms.language_detector import LanguageDetector
from runtime import AlgorithmFunction, Route

app = AlgorithmFunction(
    LanguageDetector(),
    routes=[Route("POST", "/detect"), Route("GET", "/languages", "languages")],
)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
