"""What the fc3 component accepts in a function's ``props``, as data.

Transcribed from the fc3 component's schema (devsapp/fc3 ``src/schema.json``, the copy in
``shared/reference/fc3-schema.json``) for the props this project uses, and shallowly for the
rest; ``props.py`` walks it. Nothing here reads the schema file at run time: the unit tests
cross-check this table against the official schema, sample by sample.

The per-trigger-type configs (``TRIGGER_CONFIGS``) are the schema's own definitions
``IHttpTriggerConfig`` / ``IOssTriggerConfig`` / ``ITimerTriggerConfig``; the schema itself only
applies them through an ``anyOf`` that also admits any object, so a wrong HTTP config passes
the schema and fails at deploy. We apply the definition that matches ``triggerType``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Kind = str  # string | integer | number | boolean | object | array | any


@dataclass(frozen=True)
class Spec:
    kind: Kind = "any"
    enum: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: int | None = None
    required: tuple[str, ...] = ()
    properties: dict[str, Spec] = field(default_factory=dict)
    values: Spec | None = None  # every value of a mapping (additionalProperties)
    items: Spec | None = None
    or_const: str | None = None  # anyOf [object, const "auto"]
    or_string: bool = False  # anyOf [object, string]
    closed: bool = False  # unknown keys get a "did you mean" warning (the schema allows them)
    unit: str = ""


STRING = Spec("string")
BOOLEAN = Spec("boolean")
NUMBER = Spec("number")
STRINGS = Spec("array", items=STRING)
OBJECT = Spec("object")

REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-5", "ap-southeast-7", "cn-beijing", "cn-chengdu", "cn-hangzhou", "cn-heyuan-acdr-1",
    "cn-hongkong", "cn-huhehaote", "cn-qingdao", "cn-shanghai", "cn-shanghai-cloudspe", "cn-shanghai-finance-1",
    "cn-shenzhen", "cn-wulanchabu", "cn-zhangjiakou", "eu-central-1", "eu-west-1", "me-central-1", "us-east-1",
    "us-west-1",
)  # fmt: skip
FC_RUNTIMES = (
    "custom", "custom-container", "micro-sandbox", "custom.debian10", "custom.debian11", "custom.debian12",
    "dotnetcore2.1", "dotnetcore3.1", "go1", "java11", "java8", "nodejs10", "nodejs12", "nodejs14", "nodejs16",
    "nodejs18", "nodejs20", "nodejs8", "php7.2", "python2.7", "python3", "python3.10", "python3.12", "python3.9",
)  # fmt: skip
# What this project deploys: the FC 3.0 Python runtimes its adapter supports (no python3.11).
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.12")
TRIGGER_TYPES = ("cdn_events", "eventbridge", "http", "log", "mns_topic", "oss", "tablestore", "timer")
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
OSS_EVENTS = (
    "oss:ObjectCreated:*", "oss:ObjectCreated:AppendObject", "oss:ObjectCreated:CompleteMultipartUpload",
    "oss:ObjectCreated:CopyObject", "oss:ObjectCreated:InitiateMultipartUpload", "oss:ObjectCreated:PostObject",
    "oss:ObjectCreated:PutObject", "oss:ObjectCreated:PutSymlink", "oss:ObjectCreated:UploadPart",
    "oss:ObjectCreated:UploadPartCopy", "oss:ObjectModified:UpdateObjectMeta",
    "oss:ObjectRemoved:AbortMultipartUpload", "oss:ObjectRemoved:DeleteObject", "oss:ObjectRemoved:DeleteObjects",
)  # fmt: skip

LIFECYCLE_HOOK = Spec(
    "object",
    properties={"command": STRINGS, "handler": STRING, "timeout": Spec("number", minimum=1, unit="s")},
    closed=True,
)
DESTINATION = Spec("object", properties={"destination": STRING}, closed=True)
ASYNC_INVOKE_CONFIG = Spec(
    "object",
    properties={
        "asyncTask": BOOLEAN,
        "destinationConfig": Spec("object", properties={"onFailure": DESTINATION, "onSuccess": DESTINATION}),
        "maxAsyncEventAgeInSeconds": Spec("number", minimum=1, maximum=2592000, unit="s"),
        "maxAsyncRetryAttempts": Spec("number", minimum=0, maximum=8),
        "qualifier": STRING,
    },
    closed=True,
)
LOG_CONFIG = Spec(
    "object",
    required=("logstore", "project"),
    properties={
        "enableInstanceMetrics": BOOLEAN,
        "enableLlmMetrics": BOOLEAN,
        "enableRequestMetrics": BOOLEAN,
        "logBeginRule": Spec("string", enum=("DefaultRegex", "None")),
        "logstore": STRING,
        "project": STRING,
    },
    or_const="auto",
    closed=True,
)
TRIGGER = Spec(
    "object",
    required=("triggerConfig", "triggerName", "triggerType"),
    properties={
        "description": STRING,
        "invocationRole": STRING,
        "qualifier": STRING,
        "sourceArn": STRING,
        "triggerConfig": OBJECT,  # anyOf of every type's config, one of which accepts any object
        "triggerName": STRING,
        "triggerType": Spec("string", enum=TRIGGER_TYPES),
    },
    closed=True,
)

FUNCTION_PROPS = Spec(
    "object",
    properties={
        "annotations": OBJECT,
        "asyncInvokeConfig": ASYNC_INVOKE_CONFIG,
        "code": Spec(
            "object",
            required=("ossBucketName", "ossObjectName", "src"),
            properties={"ossBucketName": STRING, "ossObjectName": STRING, "src": STRING},
            or_string=True,
        ),
        "concurrencyConfig": Spec(
            "object", required=("reservedConcurrency",), properties={"reservedConcurrency": NUMBER}
        ),
        "cpu": Spec("number", minimum=0.05, maximum=16, unit="vCPU"),
        "customContainerConfig": OBJECT,
        "customDNS": OBJECT,
        "customRuntimeConfig": OBJECT,
        "description": STRING,
        "diskSize": Spec("number", enum=(10240, 512), unit="MB"),
        "enableLongLiving": BOOLEAN,
        "endpoint": STRING,
        "environmentVariables": Spec("object", values=STRING),
        "functionName": STRING,
        "gpuConfig": OBJECT,
        "handler": STRING,
        "instanceConcurrency": Spec("integer", minimum=1, maximum=200),
        "instanceIsolationMode": STRING,
        "instanceLifecycleConfig": Spec(
            "object", properties={"initializer": LIFECYCLE_HOOK, "preStop": LIFECYCLE_HOOK}, closed=True
        ),
        "internetAccess": BOOLEAN,
        "layers": STRINGS,
        "logConfig": LOG_CONFIG,
        "memorySize": Spec("integer", minimum=128, maximum=32768, multiple_of=64, unit="MB"),
        "nasConfig": Spec("object", required=("groupId", "mountPoints", "userId"), or_const="auto"),
        "ossMountConfig": Spec("object", required=("mountPoints",), or_const="auto"),
        "provisionConfig": Spec(
            "object",
            required=(
                "alwaysAllocateCPU",
                "alwaysAllocateGPU",
                "defaultTarget",
                "scheduledActions",
                "targetTrackingPolicies",
            ),
        ),
        "region": Spec("string", enum=REGIONS),
        "resourceGroupId": STRING,
        "role": STRING,
        "runtime": Spec("string", enum=FC_RUNTIMES),
        "scalingConfig": OBJECT,
        "sessionAffinity": STRING,
        "sessionAffinityConfig": Spec("object", or_string=True),
        "supplement": Spec("any"),
        "tags": Spec(
            "array", items=Spec("object", required=("key", "value"), properties={"key": STRING, "value": STRING})
        ),
        "timeout": Spec("integer", minimum=1, maximum=86400, unit="s"),
        "tracingConfig": OBJECT,
        "triggers": Spec("array", items=TRIGGER),
        "vpcBinding": Spec("object", required=("vpcIds",), properties={"vpcIds": STRINGS}),
        "vpcConfig": Spec("object", required=("securityGroupId", "vSwitchIds", "vpcId"), or_const="auto"),
    },
    closed=True,
)

TRIGGER_CONFIGS: dict[str, Spec] = {
    "http": Spec(
        "object",
        required=("authType", "methods"),
        properties={
            "authConfig": OBJECT,
            "authType": Spec("string", enum=("anonymous", "function", "jwt")),
            "disableURLInternet": BOOLEAN,
            "methods": Spec("array", items=Spec("string", enum=HTTP_METHODS)),
        },
        closed=True,
    ),
    "oss": Spec(
        "object",
        required=("events", "filter"),
        properties={
            "events": Spec("array", items=Spec("string", enum=OSS_EVENTS)),
            "filter": Spec(
                "object",
                required=("key",),
                properties={
                    "key": Spec(
                        "object",
                        required=("prefix", "suffix"),
                        properties={"prefix": STRING, "suffix": STRING},
                        closed=True,
                    )
                },
                closed=True,
            ),
        },
        closed=True,
    ),
    "timer": Spec(
        "object",
        required=("cronExpression", "enable"),
        properties={"cronExpression": STRING, "enable": BOOLEAN, "payload": STRING},
        closed=True,
    ),
}
