"""What an instance process prints, as log records: its stdout and stderr cut into lines, each
attributed to the call that printed it (kept for that call's tail) and written to the
function's collected log; and the end line FC itself writes there for a call it failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localfc.fc.instances.calls import framed_request_id
from localfc.fc.instances.logs import log_record

if TYPE_CHECKING:
    from localfc.fc.instances.calls import CallsInFlight, PendingCall
    from localfc.fc.instances.logs import InstanceLogs
    from localfc.fc.instances.spec import InstanceSpec


class InstanceOutput:
    """The output of one instance; fed by its I/O thread only."""

    def __init__(self, spec: InstanceSpec, instance_id: str, logs: InstanceLogs, calls: CallsInFlight) -> None:
        self.spec = spec
        self.instance_id = instance_id
        self.logs = logs
        self.calls = calls
        self._partial: dict[str, bytes] = {"stdout": b"", "stderr": b""}

    def feed(self, stream: str, data: bytes, final: bool = False) -> None:
        """Bytes read from ``stream``; ``final``: it ended, so a partial last line counts too."""
        chunk = self._partial[stream] + data
        if final:
            lines, self._partial[stream] = ([chunk] if chunk else []), b""
        else:
            *lines, self._partial[stream] = chunk.split(b"\n")
        if not lines:
            return
        records = []
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            records.append(self._record(stream, line))
        self.logs.write(self.spec.function_name, records)

    def call_failed(self, pending: PendingCall, message: str) -> None:
        """The end line FC itself writes into the function's log for a call it failed (it killed
        the call's instance at the timeout, or the instance died under it)."""
        line = f"FC Invoke End RequestId: {pending.request_id}, Error: {message}"
        pending.keep(line)
        record = self._log_record(pending.qualifier, pending.request_id, "stdout", line)
        self.logs.write(self.spec.function_name, [record])

    def _record(self, stream: str, line: str) -> dict[str, Any]:
        pending = self.calls.attribute(line)
        if pending is None:
            return self._log_record(self.calls.last_qualifier, framed_request_id(line), stream, line)
        pending.keep(line)
        return self._log_record(pending.qualifier, pending.request_id, stream, line)

    def _log_record(self, qualifier: str, request_id: str, stream: str, line: str) -> dict[str, Any]:
        return log_record(
            function=self.spec.function_name,
            qualifier=qualifier,
            version=self.spec.version_label,
            request_id=request_id,
            instance_id=self.instance_id,
            stream=stream,
            line=line,
        )
