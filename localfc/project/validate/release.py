"""Triggers and ``asyncInvokeConfig`` qualified by an alias or a version: ``s deploy`` of a
fresh function fails on them, because versions and aliases are not declared in s.yaml and do
not exist yet. The warning prints the order that works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.syaml import LATEST
from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from localfc.project.syaml import Project


def release_order(resource: str, qualifier: str, trigger: str | None) -> str:
    """The commands, in order, that make ``qualifier`` exist before what points at it."""
    steps = [f"s {resource} deploy --function -y", f's {resource} version publish --description "..."']
    if not qualifier.isdigit():
        steps.append(f"s {resource} alias publish --alias-name {qualifier} --version-id latest")
    # asyncInvokeConfig has no deploy flag of its own that every fc3 version knows: a full deploy.
    steps.append(f"s {resource} deploy --trigger {trigger} -y" if trigger else f"s {resource} deploy -y")
    return " → ".join(steps)


def check_release(project: Project) -> list[Problem]:
    problems = []
    for resource, props in project.functions():
        for i, trigger in enumerate(props.triggers):
            if trigger.qualifier and trigger.qualifier != LATEST:
                problems.append(_warning(resource, f"triggers[{i}].qualifier", trigger.qualifier, trigger.triggerName))
        config = props.asyncInvokeConfig
        if config is not None and config.qualifier and config.qualifier != LATEST:
            problems.append(_warning(resource, "asyncInvokeConfig.qualifier", config.qualifier, None))
    return problems


def _warning(resource: str, path: str, qualifier: str, trigger: str | None) -> Problem:
    what = f"version {qualifier}" if qualifier.isdigit() else f"alias {qualifier!r}"
    subject = f"trigger {trigger!r}" if trigger else "asyncInvokeConfig"
    return Problem(
        "warning",
        resource,
        path,
        f"{subject} points at {what}, which must exist before it deploys; release order: "
        + release_order(resource, qualifier, trigger),
        "release-order",
    )
