"""FC-shaped context objects and environment for local runs, in both runtime shapes.

python3.9/3.10 contexts carry ``credentials`` and ``service``; python3.12 contexts do not
(credentials come from ``ALIBABA_CLOUD_*``) and put qualifier/version on ``function``.
Field types follow what FC sends, including ``function.timeout`` as a string on 3.9/3.10.
The local account (its id, fake keys and function ARNs) is named here too.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from localfc.project.syaml.model import FunctionProps

LOCAL_ACCOUNT_ID = "1234567890123456"
# Clearly fake keys: local tools never need real ones, and these are easy to grep for.
FAKE_ACCESS_KEY_ID = "LOCAL-FAKE-ACCESS-KEY-ID"
FAKE_ACCESS_KEY_SECRET = "LOCAL-FAKE-ACCESS-KEY-SECRET"
FAKE_SECURITY_TOKEN = "LOCAL-FAKE-SECURITY-TOKEN"
RUNTIMES = ("python3.9", "python3.10", "python3.12")


@dataclass
class LocalCredentials:
    access_key_id: str
    access_key_secret: str
    security_token: str


@dataclass
class FunctionMeta:
    name: str
    handler: str
    memory: int
    timeout: Any
    # python3.12 only:
    version_id: str | None = None
    qualifier: str | None = None


@dataclass
class ServiceMeta:  # python3.9/3.10 only
    name: str
    log_project: str
    log_store: str
    qualifier: str
    version_id: str


@dataclass
class LegacyContext:
    """The context of python3.9/3.10."""

    request_id: str
    credentials: LocalCredentials
    function: FunctionMeta
    service: ServiceMeta
    region: str
    account_id: str
    retry_count: int | None = None
    tracing: Any = None
    logger: Any = None


@dataclass
class Py312Context:
    """The context of python3.12: no credentials, no service."""

    request_id: str
    function: FunctionMeta
    region: str
    account_id: str
    log_project: str = ""
    log_store: str = ""
    logger: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def function_arn(region: str, function_name: str) -> str:
    """The ARN of a function of the local account."""
    return f"acs:fc:{region}:{LOCAL_ACCOUNT_ID}:functions/{function_name}"


def credentials_from_env(environ: Mapping[str, str] | None = None) -> LocalCredentials:
    env = os.environ if environ is None else environ
    return LocalCredentials(
        env.get("ALIBABA_CLOUD_ACCESS_KEY_ID") or FAKE_ACCESS_KEY_ID,
        env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET") or FAKE_ACCESS_KEY_SECRET,
        env.get("ALIBABA_CLOUD_SECURITY_TOKEN") or FAKE_SECURITY_TOKEN,
    )


def _log_target(props: FunctionProps) -> tuple[str, str]:
    if isinstance(props.logConfig, dict):
        return str(props.logConfig.get("project", "")), str(props.logConfig.get("logstore", ""))
    if props.logConfig == "auto":
        return f"serverless-{props.region}-local", "default-logs"
    return "", ""


def make_context(
    props: FunctionProps,
    *,
    runtime: str | None = None,
    request_id: str | None = None,
    qualifier: str = "LATEST",
    version_id: str = "",
    retry_count: int | None = None,
    credentials: LocalCredentials | None = None,
    handler: str | None = None,
) -> LegacyContext | Py312Context:
    """A context like FC's for ``props`` (``runtime`` overrides the one in s.yaml)."""
    runtime = runtime or props.runtime
    request_id = request_id or str(uuid.uuid4())
    project, store = _log_target(props)
    handler = handler or props.handler
    if runtime == "python3.12":
        return Py312Context(
            request_id=request_id,
            function=FunctionMeta(props.functionName, handler, props.memorySize, props.timeout, version_id, qualifier),
            region=props.region,
            account_id=LOCAL_ACCOUNT_ID,
            log_project=project,
            log_store=store,
        )
    return LegacyContext(
        request_id=request_id,
        credentials=credentials or credentials_from_env(),
        function=FunctionMeta(props.functionName, handler, props.memorySize, str(props.timeout)),
        service=ServiceMeta("", project, store, qualifier, version_id),
        region=props.region,
        account_id=LOCAL_ACCOUNT_ID,
        retry_count=retry_count,
    )


def function_environment(
    props: FunctionProps,
    code_dir: Path,
    *,
    runtime: str | None = None,
    version_id: str = "",
    instance_id: str | None = None,
    credentials: LocalCredentials | None = None,
) -> dict[str, str]:
    """The variables FC sets for an instance, plus s.yaml's ``environmentVariables``.

    ``/code`` (where FC unpacks the package) is mapped to the local code directory, so
    ``PYTHONPATH: /code/python`` points at ``<code>/python`` here.
    """
    runtime = runtime or props.runtime
    creds = credentials or credentials_from_env()
    env = {
        k: v.replace("/code", str(code_dir), 1) if v.startswith("/code") else v
        for k, v in props.environmentVariables.items()
    }
    env.update(
        {
            "FC_FUNC_CODE_PATH": str(code_dir),
            "FC_ACCOUNT_ID": LOCAL_ACCOUNT_ID,
            "FC_FUNCTION_HANDLER": props.handler,
            "FC_FUNCTION_MEMORY_SIZE": str(props.memorySize),
            "FC_FUNCTION_NAME": props.functionName,
            "FC_REGION": props.region,
            "FC_INSTANCE_ID": instance_id or f"local-{uuid.uuid4().hex[:12]}",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": creds.access_key_id,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": creds.access_key_secret,
            "ALIBABA_CLOUD_SECURITY_TOKEN": creds.security_token,
        }
    )
    env["FC_FUNCTION_VERSION" if runtime == "python3.12" else "FC_VER_ID"] = version_id or "LATEST"
    return env
