"""Whether a control-plane request is one FC would accept, decided before anything is written.

A function's config is checked with the fc3 component's rules (``localfc.project.validate``)
and built as ``serve`` will build it; a trigger is checked with its function's config, its
``triggerConfig`` parsed as its type's model (a timer's cron expression too). Every refusal
is FC's ``400 InvalidArgument`` naming what was wrong in one line.

    check_config("cn-hangzhou", "f", {"runtime": "python3.10", "handler": "app.handler"}, [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pydantic

from localfc.fc.api import arguments, errors
from localfc.fc.deployments.catalog import NOT_CONFIG, trigger_props
from localfc.fc.deployments.records import TriggerRecord
from localfc.fc.triggers.cron import CronError, parse
from localfc.project.package.report import MAX_LAYERS
from localfc.project.syaml.model import LATEST, FunctionProps, Trigger
from localfc.project.validate.props import check_props

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.deployments.records import FunctionRecord

_MAX_PROBLEMS_SHOWN = 3


def config_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The configuration fields of a Create/UpdateFunction body (FC's names; nulls dropped)."""
    return {k: v for k, v in doc.items() if k not in NOT_CONFIG and v is not None}


def present(doc: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` the request body sent (not null)."""
    return {k: v for k, v in fields.items() if k in doc and v is not None}


def trigger_config(doc: dict[str, Any]) -> dict[str, Any]:
    """``triggerConfig`` arrives as a JSON string (the SDK's type); an object is taken too."""
    raw = doc.get("triggerConfig")
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise errors.invalid_argument("triggerConfig must be a JSON string")
    try:
        return arguments.json_object(raw.encode("utf-8", "surrogatepass"))
    except errors.ApiError as exc:
        raise errors.invalid_argument(f"triggerConfig: {exc.message}") from None


def check_config(
    region: str, name: str, config: dict[str, Any], triggers: list[TriggerRecord], about: str = ""
) -> None:
    """400 InvalidArgument naming the first problems; ``about`` (``triggers[2].``) is
    dropped from the paths when one item is what the request is about."""
    layers = config.get("layers")
    if isinstance(layers, list) and len(layers) > MAX_LAYERS:
        raise errors.invalid_argument(f"layers: FC allows at most {MAX_LAYERS} layers per function")
    props = {
        **config,
        "region": region,
        "functionName": name,
        "code": "./",
        "triggers": [trigger_props(t) for t in triggers],
    }
    problems = [p for p in check_props(name, props) if p.is_error]
    if problems:
        paths = [
            ("" if p.path == about.rstrip(".") else p.path.removeprefix(about)) if about else p.path for p in problems
        ]
        shown = "; ".join(
            f"{path}: {p.message}" if path else p.message
            for path, p in zip(paths, problems[:_MAX_PROBLEMS_SHOWN], strict=False)
        )
        more = f" (and {len(problems) - _MAX_PROBLEMS_SHOWN} more)" if len(problems) > _MAX_PROBLEMS_SHOWN else ""
        raise errors.invalid_argument(shown + more)
    try:  # what serve builds from the record must build (before anything is written)
        FunctionProps.model_validate(props)
    except pydantic.ValidationError as exc:
        raise errors.invalid_argument(first_line(exc)) from None


def checked_trigger(
    region: str,
    name: str,
    current: FunctionRecord,
    fields: dict[str, Any],
    check_qualifier: Callable[[str, str], None],
) -> TriggerRecord:
    """The trigger ``fields`` describe, added to ``current``'s other triggers, if FC would take it."""
    try:
        trigger = TriggerRecord.model_validate(fields)
    except ValueError as exc:
        raise errors.invalid_argument(f"invalid trigger: {first_line(exc)}") from None
    check_config(region, name, current.config, [*current.triggers, trigger], f"triggers[{len(current.triggers)}].")
    model = Trigger.model_validate(trigger_props(trigger))
    try:
        if trigger.triggerType == "http":
            model.http()
        elif trigger.triggerType == "oss":
            model.oss()
        elif trigger.triggerType == "timer":
            parse(model.timer().cronExpression)
    except CronError as exc:
        raise errors.invalid_argument(f"triggerConfig.cronExpression: {exc}") from None
    except ValueError as exc:
        raise errors.invalid_argument(f"triggerConfig: {first_line(exc)}") from None
    if trigger.qualifier != LATEST:
        check_qualifier(name, trigger.qualifier)
    return trigger


def first_line(exc: Exception) -> str:
    """What was wrong, in one line (pydantic's first error: where and why)."""
    if isinstance(exc, pydantic.ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
