"""The ``InstanceSpec`` ``serve`` starts a function version's instances with: its environment
(FC's variables over the developer's shell, minus what FC sets itself), timeouts, the debug
port of ``--debug``, and where the code comes from (the working tree, its package, or what
``s deploy`` uploaded)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from localfc.fc.context import function_environment
from localfc.fc.debugging import DEBUG_TIMEOUT_S
from localfc.fc.deployments.launch import deployed_source, is_deployed
from localfc.fc.instances.spec import InstanceSpec, InstanceStartError

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.options import ServeOptions
    from localfc.fc.package_sources import PackageSources
    from localfc.fc.qualifiers import Resolved

# Variables of the developer's shell an instance must not inherit: FC sets its own.
NOT_INHERITED_PREFIXES = ("FC_", "PYTHON", "ALIBABA_CLOUD_", "VIRTUAL_ENV")


def spec_for(
    resolved: Resolved,
    options: ServeOptions,
    *,
    sources: PackageSources | None,
    extra_env: dict[str, str],
    note: Callable[[str], None],
) -> InstanceSpec:
    """The spec of ``resolved``; raises InstanceStartError when its code cannot be had (a
    package that does not build, a missing layer). ``note`` tells the console what happens."""
    props = resolved.props
    lifecycle = props.instanceLifecycleConfig
    debugged = props.functionName == options.debug_function and not resolved.version_id
    source = None
    from localfc.fc.package_sources import CodeSourceUnavailableError  # noqa: PLC0415 - builds packages

    try:
        if is_deployed(props):
            source = deployed_source(props, resolved.code_dir, sources, note)
        elif sources is not None and not debugged:
            # A debugged function runs from the working tree, where the IDE's breakpoints are.
            source = sources.source_for(props, resolved.code_dir, resolved.version_id)
    except CodeSourceUnavailableError as exc:
        raise InstanceStartError(str(exc)) from None
    # /code is the unpacked package when the function runs from it (PYTHONPATH: /code/python).
    mounted = source.code_dir if source is not None else resolved.code_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED_PREFIXES)}
    env.update(function_environment(props, mounted, version_id=resolved.version_id))
    env.update(extra_env)
    return InstanceSpec(
        function_name=props.functionName,
        version_id=resolved.version_id,
        props=props,
        code_dir=resolved.code_dir,
        runtime=props.runtime,
        environment=env,
        concurrency=max(1, props.instanceConcurrency),
        timeout_s=DEBUG_TIMEOUT_S if debugged else float(props.timeout),
        init_timeout_s=DEBUG_TIMEOUT_S
        if debugged
        else float(lifecycle.initializer.timeout if lifecycle and lifecycle.initializer else 3),
        prestop_timeout_s=float(lifecycle.preStop.timeout if lifecycle and lifecycle.preStop else 3),
        memory_mb=props.memorySize,
        debug_port=options.debug_port if debugged else None,
        source=source,
    )
