"""Object (OSS) processing: stream an object through an ``ObjectAlgorithm``, write its outputs.

Imported only by object functions' handlers; oss2 itself loads when the function sets up
(``ObjectFunction.setup``), never when ``runtime`` is imported.

    from algorithms.table_summary import TableSummariser
    from runtime.objects import ObjectFunction

    app = ObjectFunction(TableSummariser)
    initialize, handler, pre_stop = app.initialize, app.handler, app.pre_stop
"""

from __future__ import annotations

from runtime.objects.errors import ObjectStoreError
from runtime.objects.function import ObjectFunction
from runtime.objects.keys import OutputLayout
from runtime.objects.metadata import Provenance
from runtime.objects.outcome import RecordResult
from runtime.objects.settings import ObjectSettings

__all__ = ["ObjectFunction", "ObjectSettings", "ObjectStoreError", "OutputLayout", "Provenance", "RecordResult"]
