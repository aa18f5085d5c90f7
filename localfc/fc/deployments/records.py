"""What the control plane remembers about one function, as ``serve`` keeps it on disk.

A ``FunctionRecord`` holds what the FC 3.0 API set: the function's configuration (FC's field
names, the ones s.yaml's fc3 props use), its code package (checksum and size), its triggers,
its async invoke configs (one per qualifier) and its concurrency config. ``removed`` marks a
function of s.yaml that was deleted through the API: it stays deleted across restarts.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from localfc.project.syaml.model import LATEST


class CodeRecord(BaseModel):
    """The deployed zip: FC's ``codeChecksum`` (decimal CRC-64) and ``codeSize`` (bytes)."""

    checksum: str
    size: int


class TriggerRecord(BaseModel):
    triggerName: str
    triggerType: str
    triggerConfig: dict[str, Any] = Field(default_factory=dict)  # parsed; the API sends a JSON string
    qualifier: str = LATEST
    sourceArn: str = ""
    invocationRole: str = ""
    description: str = ""
    triggerId: str = ""
    createdTime: str = ""
    lastModifiedTime: str = ""


class AsyncConfigRecord(BaseModel):
    """FC's ``AsyncConfig`` of one qualifier, as PutAsyncInvokeConfig set it."""

    maxAsyncEventAgeInSeconds: int | None = None
    maxAsyncRetryAttempts: int | None = None
    destinationConfig: dict[str, Any] | None = None
    asyncTask: bool | None = None
    createdTime: str = ""
    lastModifiedTime: str = ""


class FunctionRecord(BaseModel):
    functionName: str
    removed: bool = False
    functionId: str = ""
    createdTime: str = ""
    lastModifiedTime: str = ""
    # FC ``Function`` fields set through the API (handler, runtime, memorySize, layers...),
    # without code and triggers. For a function of s.yaml, its props as they were taken over.
    config: dict[str, Any] = Field(default_factory=dict)
    code: CodeRecord | None = None  # None: the s.yaml function's working tree still runs
    triggers: list[TriggerRecord] = Field(default_factory=list)
    asyncConfigs: dict[str, AsyncConfigRecord] = Field(default_factory=dict)
    reservedConcurrency: int | None = None
    # FC's state fields: Active/Failed, Successful/Failed, with a reason when Failed.
    state: str = "Active"
    stateReason: str = ""
    stateReasonCode: str = ""
    lastUpdateStatus: str = "Successful"
    lastUpdateStatusReason: str = ""
    lastUpdateStatusReasonCode: str = ""

    def trigger(self, name: str) -> TriggerRecord | None:
        return next((t for t in self.triggers if t.triggerName == name), None)
