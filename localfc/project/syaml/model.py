"""Typed model of the s.yaml subset this project uses (Serverless Devs 3.x, component fc3).

The model is lenient where ``s deploy`` is lenient (unknown props are kept, as fc3 passes
them through) and typed where the local tools depend on a value. Whether the props would
be accepted by FC is ``localfc.project.validate``'s job, cross-checked against the official schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LATEST = "LATEST"


@dataclass(frozen=True)
class ProjectIssue:
    """Something ``load_project(strict=False)`` could not load, kept for ``validate`` to report.

    ``where`` is the full YAML path (``resources.x.props.memorySize``); ``resource`` and ``path``
    split it (``x``, ``memorySize``); ``kind`` is variable | template | resource | model.
    """

    where: str
    resource: str
    path: str
    message: str
    kind: str


class _Props(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class HttpTriggerConfig(_Props):
    authType: Literal["anonymous", "function", "jwt"] = "anonymous"
    methods: list[str] = Field(default_factory=lambda: ["GET", "POST"])
    disableURLInternet: bool = False


class OssKeyFilter(_Props):
    prefix: str = ""
    suffix: str = ""


class OssFilter(_Props):
    key: OssKeyFilter = Field(default_factory=OssKeyFilter)


class OssTriggerConfig(_Props):
    events: list[str]
    filter: OssFilter = Field(default_factory=OssFilter)


class TimerTriggerConfig(_Props):
    cronExpression: str
    enable: bool = True
    payload: str = ""


class Trigger(_Props):
    triggerName: str
    triggerType: str
    triggerConfig: dict[str, Any] = Field(default_factory=dict)
    qualifier: str = LATEST
    sourceArn: str = ""
    invocationRole: str = ""
    description: str = ""

    def http(self) -> HttpTriggerConfig:
        return HttpTriggerConfig.model_validate(self.triggerConfig)

    def oss(self) -> OssTriggerConfig:
        return OssTriggerConfig.model_validate(self.triggerConfig)

    def timer(self) -> TimerTriggerConfig:
        return TimerTriggerConfig.model_validate(self.triggerConfig)

    @property
    def oss_bucket(self) -> str:
        """The bucket of an OSS trigger: the last segment of ``acs:oss:<region>:<account>:<bucket>``."""
        return self.sourceArn.rsplit(":", 1)[-1] if self.sourceArn else ""


class LifecycleHook(_Props):
    handler: str
    timeout: int = 3


class InstanceLifecycleConfig(_Props):
    initializer: LifecycleHook | None = None
    preStop: LifecycleHook | None = None


class Destination(_Props):
    destination: str


class DestinationConfig(_Props):
    onSuccess: Destination | None = None
    onFailure: Destination | None = None


class AsyncInvokeConfig(_Props):
    maxAsyncEventAgeInSeconds: int = 86400
    maxAsyncRetryAttempts: int = 3
    destinationConfig: DestinationConfig | None = None
    qualifier: str = LATEST


class FunctionProps(_Props):
    region: str
    functionName: str
    runtime: str
    code: str | dict[str, Any] = "./"
    handler: str = ""
    description: str = ""
    memorySize: int = 128
    cpu: float | None = None
    diskSize: int = 512
    timeout: int = 3
    instanceConcurrency: int = 1
    environmentVariables: dict[str, str] = Field(default_factory=dict)
    role: str = ""
    logConfig: str | dict[str, Any] | None = None
    instanceLifecycleConfig: InstanceLifecycleConfig | None = None
    asyncInvokeConfig: AsyncInvokeConfig | None = None
    triggers: list[Trigger] = Field(default_factory=list)
    # Layer version ARNs, first-configured first (it wins a file that several layers contain).
    layers: list[str] = Field(default_factory=list)


class Resource(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    component: str
    props: dict[str, Any]
    function: FunctionProps | None = None  # set for fc3 resources


class Project(BaseModel):
    """A loaded, rendered s.yaml."""

    model_config = ConfigDict(extra="allow")

    path: Path
    edition: str
    name: str
    access: str = "default"
    vars: dict[str, Any] = Field(default_factory=dict)
    resources: dict[str, Resource]
    # Filled by load_project: YAML path -> line in s.yaml, and (strict=False) what failed to load.
    lines: dict[str, int] = Field(default_factory=dict)
    issues: list[ProjectIssue] = Field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def functions(self) -> list[tuple[str, FunctionProps]]:
        """(resource name, props) of every fc3 resource, in file order."""
        return [(name, r.function) for name, r in self.resources.items() if r.function is not None]

    def function(self, name: str) -> tuple[str, FunctionProps]:
        """Find a function by its functionName or its resource name."""
        for resource_name, props in self.functions():
            if name in (props.functionName, resource_name):
                return resource_name, props
        known = ", ".join(props.functionName for _, props in self.functions()) or "none"
        raise LookupError(f"no function {name!r} in {self.path.name}; functions: {known}")

    def code_dir(self, props: FunctionProps) -> Path:
        code = props.code if isinstance(props.code, str) else str(props.code.get("src", "./"))
        return (self.base_dir / code).resolve()

    def line_of(self, where: str) -> int | None:
        """The s.yaml line of a YAML path, or of its nearest written ancestor (template values
        and defaults have no line of their own)."""
        path = where
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None
