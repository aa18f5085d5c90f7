"""Per-version invocation and failure counts of one function, read incrementally from the log
``serve`` writes (``<state>/logs/<function>.jsonl`` and its rotated files): what ``release
status`` prints and what the progressive canary decides on.

The counting rule is ``outcomes.py``'s, the same ``logs --stats`` applies, so the canary and
the logs always agree about the same calls. On FC the same summary lines are in SLS;
``sls_query`` gives the query to run there.

>>> log = InvocationLog(log_file(Path(".localfc"), "prime-checker"), qualifier="prod")  # doctest: +SKIP
>>> log.poll()["2"].error_rate                                                        # doctest: +SKIP
0.0
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from localfc.logstore.files import LogFiles, log_file
from localfc.logstore.outcomes import LATEST_LABEL, Outcomes
from localfc.logstore.stats import VersionStats, version_stats

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["LATEST_LABEL", "InvocationLog", "VersionStats", "count_invocations", "log_file", "sls_query"]


class InvocationLog:
    """Counts per version from one function's local log, read incrementally.

    ``since`` (epoch seconds) ignores older lines; ``qualifier`` keeps only the calls made
    through that qualifier (an alias, say). ``poll()`` reads what was appended since the last
    poll and returns the running totals, keyed by version (``LATEST`` for unversioned calls).
    """

    def __init__(self, path: Path, since: float | None = None, qualifier: str | None = None) -> None:
        self.path = path
        self.since = datetime.fromtimestamp(since, timezone.utc) if since is not None else None
        self.qualifier = qualifier
        function = path.name.removesuffix(".jsonl")
        self._files = LogFiles(path.parent.parent, [function], sls=False, logs_dir=path.parent)
        self._outcomes = Outcomes()

    def poll(self) -> dict[str, VersionStats]:
        entries = self._files.read_new()
        if self._files.truncated:  # a fresh log: the old counts went with it
            self._outcomes = Outcomes()
        for entry in entries:
            if self.qualifier is not None and entry.qualifier != self.qualifier:
                continue
            if self.since is not None and entry.time < self.since:
                continue
            self._outcomes.add(entry)
        return {row.version: row for row in version_stats(self._outcomes)}


def count_invocations(path: Path, since: float | None = None, qualifier: str | None = None) -> dict[str, VersionStats]:
    """Totals per version from a function's local log (see ``InvocationLog``)."""
    return InvocationLog(path, since, qualifier).poll()


def sls_query(function_name: str) -> str:
    """The SLS query that gives the same counts on FC (the ``message`` field needs an index
    with analytics enabled; our summary lines are JSON inside it)."""
    return (
        f'__topic__: "FCLogs:{function_name}" and invocation | '
        "SELECT json_extract_scalar(message, '$.version') AS version, count(*) AS invocations, "
        "count_if(cast(json_extract_scalar(message, '$.status') AS bigint) >= 500) AS errors "
        "WHERE json_extract_scalar(message, '$.event') = 'invocation' "
        "GROUP BY version ORDER BY version"
    )
