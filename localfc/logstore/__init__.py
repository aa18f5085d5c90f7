"""The logs the local FC collected (``<state>/logs/<function>.jsonl``, rotated files
included) and the local SLS received, read back with one failure rule for
``local_invoke.py logs``, ``release status`` and the progressive canary.

    entries.py    one stored record as an ``Entry``
    files.py      the JSONL files, read whole or followed (``LogFiles``)
    outcomes.py   how each invocation ended: the one failure rule (``Outcomes``)
    stats.py      per-version figures from the outcomes (``VersionStats``)
    metrics.py    those figures for one function, polled (``InvocationLog``): release, canary
    selection.py  the filters of ``logs`` (``Selection``, ``OutcomeGate`` for ``--type``)
    render.py     one line as ``logs`` prints it
"""

from __future__ import annotations

from localfc.logstore.entries import Entry
from localfc.logstore.files import LogFiles, log_file
from localfc.logstore.outcomes import Outcome, Outcomes
from localfc.logstore.stats import VersionStats, version_stats

__all__ = ["Entry", "LogFiles", "Outcome", "Outcomes", "VersionStats", "log_file", "version_stats"]
