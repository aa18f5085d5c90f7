"""One invocation in a fresh instance process, its log lines printed as they come: what
``local_invoke.py invoke`` does when the function runs from its package (FC's Python, isolated
from the dev venv), where it cannot be imported into this process.

    outcome = invoke_once(spec, b'{"number": 97}', "req-1", "LATEST", sys.stderr)
"""

from __future__ import annotations

import itertools
from typing import IO, TYPE_CHECKING, Any

from localfc.fc.instances.outcome import CallOutcome
from localfc.fc.instances.parent import Instance
from localfc.fc.instances.spec import InstanceStartError

if TYPE_CHECKING:
    from localfc.fc.instances.spec import InstanceSpec

_START_TIMEOUT_S = 120.0
_ids = itertools.count(1)


class _PrintedLogs:
    """Stands in for ``InstanceLogs``: each line the instance prints goes to ``stream``."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, function: str, records: list[dict[str, Any]]) -> None:
        del function
        for record in records:
            self.stream.write(str(record.get("line", "")) + "\n")
        self.stream.flush()


def invoke_once(spec: InstanceSpec, event: bytes, request_id: str, qualifier: str, log: IO[str]) -> CallOutcome:
    """Start an instance of ``spec``, run one call (initializer first), run preStop, stop it.
    A handler that cannot be loaded comes back as the outcome ``start``."""
    instance = Instance(spec, f"local-invoke-{next(_ids)}", _PrintedLogs(log))  # type: ignore[arg-type]
    instance.start()
    try:
        instance.wait_ready(_START_TIMEOUT_S)
        return instance.call(event, request_id, qualifier)
    except InstanceStartError as exc:
        return CallOutcome("start", error_type="UnhandledInvocationError", error_message=str(exc))
    finally:
        instance.stop()
