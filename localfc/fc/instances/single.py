"""One invocation in a fresh instance process, its log lines printed as they come: what
``local_invoke.py invoke`` does when the function runs from its package (FC's Python, isolated
from the dev venv), where it cannot be imported into this process. The instance process
enforces the function's timeouts itself.

    result = invoke_isolated(props, code_dir, source, environment, event=b'{"number": 97}',
                             request_id="req-1", qualifier="LATEST", timeout_s=None, log=sys.stderr)
"""

from __future__ import annotations

import itertools
import os
from typing import IO, TYPE_CHECKING, Any

from localfc.fc.debugging import DEBUG_TIMEOUT_S
from localfc.fc.instances.in_process import InvocationResult
from localfc.fc.instances.outcome import CallOutcome
from localfc.fc.instances.parent import Instance
from localfc.fc.instances.spec import InstanceSpec, InstanceStartError
from localfc.fc.version_specs import NOT_INHERITED_PREFIXES

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.fc.instances.code_source import CodeSource
    from localfc.project.syaml.model import FunctionProps

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


def invoke_isolated(
    props: FunctionProps,
    code_dir: Path,
    source: CodeSource,
    environment: dict[str, str],
    *,
    event: bytes,
    request_id: str,
    qualifier: str,
    timeout_s: float | None,
    log: IO[str],
) -> InvocationResult:
    """One call of the function in an instance of ``source``, with ``environment`` over what
    this process's environment passes on; ``timeout_s`` None: the function's own. Raises
    ``InstanceStartError`` when the instance cannot start (its handler cannot be loaded)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED_PREFIXES)}
    env.update(environment)
    lifecycle = props.instanceLifecycleConfig
    initializer = float(lifecycle.initializer.timeout if lifecycle and lifecycle.initializer else 3)
    # As in-process (instances/watchdog.py): ``timeout_s`` replaces both limits, and 0 means
    # none (an instance's deadline is always a number: a day, as under a debugger).
    if timeout_s is not None and timeout_s <= 0:
        timeout_s = DEBUG_TIMEOUT_S
    spec = InstanceSpec(
        function_name=props.functionName,
        version_id="",
        props=props,
        code_dir=code_dir,
        runtime=props.runtime,
        environment=env,
        concurrency=1,
        timeout_s=float(props.timeout) if timeout_s is None else timeout_s,
        init_timeout_s=initializer if timeout_s is None else timeout_s,
        prestop_timeout_s=float(lifecycle.preStop.timeout if lifecycle and lifecycle.preStop else 3),
        memory_mb=props.memorySize,
        source=source,
    )
    outcome = invoke_once(spec, event, request_id, qualifier, log)
    if outcome.kind == "start":
        raise InstanceStartError(outcome.error_message)
    return InvocationResult(request_id, outcome.body, outcome.duration_ms, outcome.error_type, outcome.error_message)
