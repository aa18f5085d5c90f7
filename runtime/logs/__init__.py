"""Structured logs: one JSON object per line on stdout, which FC ships to SLS.

Every line carries the invocation scope (request_id, function, qualifier, version,
cold_start), so algorithm code can log with plain ``logging.getLogger(__name__)`` and still
be searchable per request; credentials are masked before a line is written. The fields are
documented in docs/log-schema.md and indexed by sls/index.json; a test keeps the three in step.

    import logging
    log = logging.getLogger(__name__)
    log.info("model loaded", extra={"rows": 1200})
    # {"time":"2024-05-01T08:00:00.123Z","level":"INFO","logger":"algorithms.x",
    #  "message":"model loaded","request_id":"...","function":"...",...,"rows":1200}

One module per job, in the order a line is made:

- ``scope``: the invocation scope, in a context variable;
- ``masking``: which values are credentials, and masking them;
- ``encoding``: JSON as the lines write it, and its fast path;
- ``lines``: one line, put together from the above;
- ``output``: the root logger's handler, and ``emit`` for the runtime's own lines.
"""

from __future__ import annotations

from runtime.logs.encoding import encode_json
from runtime.logs.lines import MAX_LINE_CHARS, iso_time, render_line
from runtime.logs.masking import MASK, encode_fields, redact, sensitive_name
from runtime.logs.output import JsonLineFormatter, configure, emit
from runtime.logs.scope import SCOPE, LogScope, current_scope, invocation_scope, scope

__all__ = [
    "MASK",
    "MAX_LINE_CHARS",
    "SCOPE",
    "JsonLineFormatter",
    "LogScope",
    "configure",
    "current_scope",
    "emit",
    "encode_fields",
    "encode_json",
    "invocation_scope",
    "iso_time",
    "redact",
    "render_line",
    "scope",
    "sensitive_name",
]
