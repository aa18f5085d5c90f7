"""OpenAPI 3.1 documents for the HTTP functions of s.yaml, built from what the code declares:
each ``AlgorithmFunction``'s ``Route``s and its operations' pydantic input and output
models, with the error answers of ``runtime/errors.py``.

    document.py   the document, from imported adapters (no I/O)
    functions.py  which functions of s.yaml are HTTP ones, and their adapters (imports them)

>>> from localfc.project.openapi import openapi_for
>>> doc = openapi_for(load_project("s.yaml"), ["prime-checker"])      # doctest: +SKIP
>>> sorted(doc["paths"])                                               # doctest: +SKIP
['/check']
"""

from __future__ import annotations

from localfc.project.openapi.functions import OpenApiError, http_functions, openapi_for

__all__ = ["OpenApiError", "http_functions", "openapi_for"]
