"""Props the fc3 component or FC itself would reject: required props, types, enums, ranges,
trigger configs per trigger type, and the FC rules the schema does not encode (Python runtimes
only, cpu:memory ratio, function names, ARNs, cron expressions, duplicates).

Rules whose verdict the official schema shares are listed in ``SCHEMA_RULES`` (and the
per-trigger-type config rule in ``TRIGGER_CONFIG_RULES``): the tests hold this module to the
schema's verdict on them, prop path by prop path.

>>> [p.message for p in check_props("f", {"region": "cn-hangzhou", "functionName": "f", "runtime": "python3.10",
...     "code": "./", "handler": "m.h", "memorySize": 100})]
['must be between 128 and 32768 MB, got 100']
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from localfc.fc.triggers import cron
from localfc.project.validate.fc3_spec import FUNCTION_PROPS, PYTHON_RUNTIMES, TRIGGER_CONFIGS, Spec
from localfc.project.validate.report import Problem

if TYPE_CHECKING:
    from collections.abc import Callable

SCHEMA_RULES = frozenset({"prop-required", "prop-type", "prop-enum", "prop-range"})
TRIGGER_CONFIG_RULES = frozenset({"trigger-config"})

_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
_OSS_ARN = re.compile(r"^acs:oss:(?P<region>[^:]+):(?P<account>[^:]*):(?P<bucket>[^:/]+)$")
_CUSTOM_CONTAINER = ("custom-container", "micro-sandbox")


def check_props(resource: str, props: dict[str, Any], skip: Callable[[str], bool] = lambda _: False) -> list[Problem]:
    """Every problem of one fc3 resource's rendered ``props``; ``skip(path)`` is true for values
    that could not be rendered (already reported as such)."""
    walker = _Walker(resource, skip)
    walker.walk(FUNCTION_PROPS, props, "", "prop")
    if isinstance(props, dict):
        walker.required_by_runtime(props)
        walker.project_rules(props)
        triggers = props.get("triggers")
        if isinstance(triggers, list):
            walker.triggers(triggers, props.get("region"))
    return walker.problems


def describe(value: Any) -> str:
    """How a value reads in a message: ``'abc'``, ``512``, ``true``, ``a mapping``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    words = {type(None): "nothing (null)", dict: "a mapping", list: "a list"}
    if type(value) in words:
        return words[type(value)]
    return repr(value) if isinstance(value, str) else str(value)


_KIND_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# JSON Schema's types: booleans are not numbers; 3.0 is an integer.
_KIND_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda _v: True,
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _is_kind(value: Any, kind: str) -> bool:
    return _KIND_CHECKS[kind](value)


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _range_text(spec: Spec) -> str:
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.minimum is not None and spec.maximum is not None:
        return f"between {spec.minimum:g} and {spec.maximum:g}{unit}"
    if spec.minimum is not None:
        return f"at least {spec.minimum:g}{unit}"
    return f"at most {spec.maximum:g}{unit}"


class _Walker:
    def __init__(self, resource: str, skip: Callable[[str], bool]) -> None:
        self.resource = resource
        self.skip = skip
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, rule: str, severity: str = "error") -> None:
        self.problems.append(Problem("error" if severity == "error" else "warning", self.resource, path, message, rule))

    def walk(self, spec: Spec, value: Any, path: str, family: str) -> None:
        """Check ``value`` against ``spec``; ``family`` is "prop" (schema rules) or "trigger-config"."""
        if self.skip(path):
            return
        rule = (lambda r: f"prop-{r}") if family == "prop" else (lambda _r: family)
        if spec.or_const is not None and value == spec.or_const:
            return
        if spec.or_string and isinstance(value, str):
            return
        if not _is_kind(value, spec.kind):
            expected = _KIND_WORDS.get(spec.kind, spec.kind)
            if spec.or_const is not None:
                expected = f"{spec.or_const!r} or {expected}"
            elif spec.or_string:
                expected = f"a string or {expected}"
            self.add(path, f"expected {expected}, got {describe(value)}{_quote_hint(spec, value)}", rule("type"))
            return
        if spec.enum and value not in spec.enum:
            self.add(path, self._enum_message(path, spec, value), rule("enum"))
            return
        self._range(spec, value, path, rule("range"))
        if spec.kind == "object":
            self._object(spec, value, path, family, rule("required"))
        elif spec.kind == "array" and spec.items is not None:
            for i, item in enumerate(value):
                self.walk(spec.items, item, _child(path, i), family)

    def _enum_message(self, path: str, spec: Spec, value: Any) -> str:
        name = path.rsplit(".", 1)[-1]
        if name == "runtime":
            return f"{describe(value)} is not an FC 3.0 runtime (Python: {', '.join(PYTHON_RUNTIMES)})"
        choices = ", ".join(str(c) for c in spec.enum)
        words = [c for c in spec.enum if isinstance(c, str)]
        close = difflib.get_close_matches(value, words, n=1) if isinstance(value, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if len(spec.enum) > 12:
            return f"{describe(value)} is not one of the {len(spec.enum)} values fc3 accepts{hint}"
        return f"{describe(value)} is not one of {choices}{hint}"

    def _range(self, spec: Spec, value: Any, path: str, rule: str) -> None:
        if spec.kind not in ("integer", "number"):
            return
        too_low = spec.minimum is not None and value < spec.minimum
        too_high = spec.maximum is not None and value > spec.maximum
        if too_low or too_high:
            self.add(path, f"must be {_range_text(spec)}, got {describe(value)}", rule)
        elif spec.multiple_of and value % spec.multiple_of:
            unit = f" {spec.unit}" if spec.unit else ""
            lower = int(value // spec.multiple_of * spec.multiple_of)
            self.add(
                path,
                f"must be a multiple of {spec.multiple_of}{unit}, got {describe(value)}"
                f" (nearest: {lower} or {lower + spec.multiple_of})",
                rule,
            )

    def _object(self, spec: Spec, value: dict[str, Any], path: str, family: str, rule: str) -> None:
        for name in spec.required:
            if name not in value:
                self.add(_child(path, name), f"missing required prop {name!r}", rule)
        for key, item in value.items():
            child = spec.properties.get(str(key))
            if child is not None:
                self.walk(child, item, _child(path, str(key)), family)
            elif spec.values is not None:
                self.walk(spec.values, item, _child(path, str(key)), family)
            elif spec.closed and not self.skip(_child(path, str(key))):
                close = difflib.get_close_matches(str(key), list(spec.properties), n=1, cutoff=0.7)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.add(
                    _child(path, str(key)), f"unknown prop {key!r}, fc3 ignores it{hint}", "unknown-prop", "warning"
                )

    def required_by_runtime(self, props: dict[str, Any]) -> None:
        """The schema's if/then/else: custom-container needs an image, other runtimes need code,
        built-in runtimes also a handler. (With no runtime at all the schema's `if` picks the
        container branch; we report the missing runtime instead.)"""
        for name in ("region", "functionName", "runtime"):
            if name not in props:
                self.add(name, f"missing required prop {name!r}", "prop-required")
        runtime = props.get("runtime")
        if "runtime" not in props or self.skip("runtime"):
            return
        if isinstance(runtime, str) and runtime in _CUSTOM_CONTAINER:
            needed: tuple[str, ...] = ("customContainerConfig",)
        elif isinstance(runtime, str) and runtime.startswith("custom"):
            needed = ("code",)
        else:
            needed = ("code", "handler")
        for name in needed:
            if name not in props:
                self.add(name, f"missing required prop {name!r} (runtime {runtime} needs it)", "prop-required")

    def project_rules(self, props: dict[str, Any]) -> None:
        runtime = props.get("runtime")
        known = isinstance(runtime, str) and runtime in FUNCTION_PROPS.properties["runtime"].enum
        if known and runtime not in PYTHON_RUNTIMES and not self.skip("runtime"):
            self.add(
                "runtime",
                f"{runtime!r} is an FC runtime, but this project's adapter runs on {', '.join(PYTHON_RUNTIMES)}",
                "python-runtime",
            )
        name = props.get("functionName")
        if isinstance(name, str) and not _FUNCTION_NAME.match(name) and not self.skip("functionName"):
            self.add(
                "functionName",
                f"{name!r}: use letters, digits, '_' and '-', start with a letter or '_', at most 64 characters",
                "function-name",
            )
        self._cpu_memory(props)

    def _cpu_memory(self, props: dict[str, Any]) -> None:
        cpu: Any = props.get("cpu")
        memory: Any = props.get("memorySize")
        if not (_is_kind(cpu, "number") and _is_kind(memory, "integer")) or cpu <= 0:
            return
        if self.skip("cpu") or self.skip("memorySize"):
            return
        gigabytes = memory / 1024
        if not 1 <= gigabytes / cpu <= 4:
            low, high = int(cpu * 1024), int(cpu * 4 * 1024)
            self.add(
                "cpu",
                f"cpu {cpu:g} vCPU with memorySize {memory} MB is 1:{gigabytes / cpu:.3g} (vCPU:GB); FC needs"
                f" 1:1 to 1:4, i.e. memorySize {low}-{high} MB for {cpu:g} vCPU",
                "cpu-memory-ratio",
            )

    def triggers(self, triggers: list[Any], region: Any) -> None:
        names: dict[str, int] = {}
        http_seen = False
        for i, trigger in enumerate(triggers):
            path = f"triggers[{i}]"
            if not isinstance(trigger, dict) or self.skip(path):
                continue
            name = trigger.get("triggerName")
            if isinstance(name, str):
                if name in names:
                    self.add(f"{path}.triggerName", f"{name!r} is also triggers[{names[name]}]", "duplicate-trigger")
                names.setdefault(name, i)
            kind = trigger.get("triggerType")
            config = trigger.get("triggerConfig")
            spec = TRIGGER_CONFIGS.get(kind) if isinstance(kind, str) else None
            if spec is not None and isinstance(config, dict):
                self.walk(spec, config, f"{path}.triggerConfig", "trigger-config")
            if kind == "http":
                if http_seen:
                    self.add(path, "FC 3.0 allows one HTTP trigger per function", "http-trigger-count")
                http_seen = True
            elif kind == "oss":
                self._oss_arn(trigger, path, region)
            elif kind == "timer" and isinstance(config, dict):
                self._cron(config.get("cronExpression"), f"{path}.triggerConfig.cronExpression")

    def _oss_arn(self, trigger: dict[str, Any], path: str, region: Any) -> None:
        arn = trigger.get("sourceArn")
        where = f"{path}.sourceArn"
        if self.skip(where):
            return
        if not isinstance(arn, str) or not arn:
            self.add(where, "an OSS trigger needs sourceArn: acs:oss:<region>:<account>:<bucket>", "oss-source-arn")
            return
        match = _OSS_ARN.match(arn)
        if not match:
            self.add(where, f"{arn!r} is not acs:oss:<region>:<account>:<bucket>", "oss-source-arn")
        elif isinstance(region, str) and match["region"] != region:
            self.add(
                where,
                f"bucket region {match['region']} differs from the function's region {region};"
                " FC only binds buckets of its own region",
                "oss-region",
            )

    def _cron(self, expression: Any, where: str) -> None:
        if not isinstance(expression, str) or self.skip(where):
            return
        try:
            cron.parse(expression)
        except cron.CronError as exc:
            self.add(where, f"{expression!r}: {exc}", "cron-expression")


def _quote_hint(spec: Spec, value: Any) -> str:
    if spec.kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f' (quote it: "{value}")'
    return ""
