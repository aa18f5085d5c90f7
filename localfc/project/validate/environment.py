"""Environment variables and lifecycle timeouts FC rejects or that break at run time.

- user variables total at most 4 KB; the ``FC_`` prefix is reserved (the python3.9 runtime
  deletes unknown ``FC_*`` variables at start);
- ``s build`` installs requirements.txt into ``<code>/python``, which Python only finds with
  ``PYTHONPATH: /code/python``;
- the initializer may run at most 300 s, pre-stop at most 90 s; an initializer longer than the
  function timeout makes a cold start outlast the caller's deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from localfc.project.syaml import FunctionProps, Project

MAX_ENV_BYTES = 4096
RESERVED_PREFIX = "FC_"
DEPENDENCIES_DIR = "/code/python"
MAX_INITIALIZER_S = 300
MAX_PRE_STOP_S = 90


def check_environment(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    for resource, props in project.functions():
        problems.extend(_variables(resource, props))
        problems.extend(_python_path(project, resource, props))
        problems.extend(_lifecycle(resource, props))
    return problems


def _variables(resource: str, props: FunctionProps) -> list[Problem]:
    env = props.environmentVariables
    problems = [
        Problem(
            "error",
            resource,
            f"environmentVariables.{name}",
            f"{name}: the {RESERVED_PREFIX} prefix is reserved for FC's own variables (the runtime may delete it)",
            "env-reserved",
        )
        for name in env
        if name.upper().startswith(RESERVED_PREFIX)
    ]
    size = sum(len(k.encode()) + len(v.encode()) for k, v in env.items())
    if size > MAX_ENV_BYTES:
        problems.append(
            Problem(
                "error",
                resource,
                "environmentVariables",
                f"{size} bytes of names and values; FC allows {MAX_ENV_BYTES} in total (put large settings in a file"
                " or in OSS)",
                "env-size",
            )
        )
    return problems


def _python_path(project: Project, resource: str, props: FunctionProps) -> list[Problem]:
    if not props.runtime.startswith("python") or not isinstance(props.code, str):
        return []
    if not (project.code_dir(props) / "requirements.txt").is_file():
        return []
    value = props.environmentVariables.get("PYTHONPATH")
    if value is None:
        return [
            Problem(
                "error",
                resource,
                "environmentVariables.PYTHONPATH",
                "requirements.txt is in the code directory but PYTHONPATH is not set: `s build` installs the"
                f" requirements into {DEPENDENCIES_DIR}, which Python searches only with"
                f" PYTHONPATH: {DEPENDENCIES_DIR}",
                "pythonpath",
            )
        ]
    if DEPENDENCIES_DIR not in value.split(":"):
        return [
            Problem(
                "warning",
                resource,
                "environmentVariables.PYTHONPATH",
                f"{value!r} does not include {DEPENDENCIES_DIR}, where `s build` installs requirements.txt",
                "pythonpath",
            )
        ]
    return []


def _lifecycle(resource: str, props: FunctionProps) -> list[Problem]:
    lifecycle = props.instanceLifecycleConfig
    if lifecycle is None:
        return []
    problems = []
    init = lifecycle.initializer
    path = "instanceLifecycleConfig.initializer.timeout"
    if init is not None and init.timeout > MAX_INITIALIZER_S:
        problems.append(
            Problem(
                "error",
                resource,
                path,
                f"{init.timeout} s; FC allows at most {MAX_INITIALIZER_S} s",
                "initializer-timeout",
            )
        )
    elif init is not None and init.timeout > props.timeout:
        problems.append(
            Problem(
                "warning",
                resource,
                path,
                f"{init.timeout} s is longer than the function timeout ({props.timeout} s): a cold start can outlast"
                " the caller's deadline",
                "initializer-timeout",
            )
        )
    stop = lifecycle.preStop
    if stop is not None and stop.timeout > MAX_PRE_STOP_S:
        problems.append(
            Problem(
                "error",
                resource,
                "instanceLifecycleConfig.preStop.timeout",
                f"{stop.timeout} s; FC allows at most {MAX_PRE_STOP_S} s",
                "prestop-timeout",
            )
        )
    return problems
