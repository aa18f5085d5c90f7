"""The OSS facts the loop and overlap checks share: who listens where, who writes where.

An object function (``runtime/objects``) writes its outputs to ``APP_OUTPUT_BUCKET`` (default:
the bucket of the object it processes) under ``APP_OUTPUT_PREFIX``; output names after the
prefix are the algorithm's business, so any suffix is possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localfc.project.syaml import FunctionProps, Project

# The names in runtime/constants.py (a unit test holds them equal; importing runtime here would
# make `validate` load the whole adapter).
OUTPUT_PREFIX_ENV = "APP_OUTPUT_PREFIX"
OUTPUT_BUCKET_ENV = "APP_OUTPUT_BUCKET"
WILDCARD_CREATED = "oss:ObjectCreated:*"


@dataclass(frozen=True)
class OssListener:
    """One OSS trigger: objects created in ``bucket`` matching ``prefix``/``suffix`` invoke it."""

    resource: str
    index: int
    name: str
    bucket: str
    prefix: str
    suffix: str
    events: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"triggers[{self.index}]"

    def describe(self) -> str:
        where = f"bucket {self.bucket}, prefix {self.prefix!r}, suffix {self.suffix!r}"
        return f"{self.resource}'s trigger {self.name!r} ({where})"

    def fires_on_writes(self) -> bool:
        return any(e.startswith("oss:ObjectCreated:") for e in self.events)


@dataclass(frozen=True)
class OssWriter:
    """Where one function's outputs go: ``prefix`` + any name, in each of ``buckets``."""

    resource: str
    buckets: tuple[str, ...]
    prefix: str

    def can_trigger(self, listener: OssListener) -> bool:
        if listener.bucket not in self.buckets or not listener.fires_on_writes():
            return False
        # outputs are prefix + anything: they can start with the trigger's prefix unless the
        # two prefixes diverge; the suffix can always match.
        return self.prefix.startswith(listener.prefix) or listener.prefix.startswith(self.prefix)


def listeners(project: Project) -> list[OssListener]:
    found = []
    for resource, props in project.functions():
        for i, trigger in enumerate(props.triggers):
            if trigger.triggerType != "oss" or not trigger.oss_bucket:
                continue
            try:
                config = trigger.oss()
            except ValueError:
                continue  # malformed config: props checks report it
            found.append(
                OssListener(
                    resource,
                    i,
                    trigger.triggerName,
                    trigger.oss_bucket,
                    config.filter.key.prefix,
                    config.filter.key.suffix,
                    tuple(config.events),
                )
            )
    return found


def writer(resource: str, props: FunctionProps, own: list[OssListener]) -> OssWriter | None:
    env = props.environmentVariables
    if OUTPUT_PREFIX_ENV not in env:
        return None
    bucket = env.get(OUTPUT_BUCKET_ENV, "")
    buckets = (bucket,) if bucket else tuple(dict.fromkeys(listener.bucket for listener in own))
    return OssWriter(resource, buckets, env[OUTPUT_PREFIX_ENV]) if buckets else None


def events_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    """Event names two triggers share, ``oss:ObjectCreated:*`` covering every ObjectCreated one."""
    shared = []
    for x in a:
        for y in b:
            if x == y or _covers(x, y) or _covers(y, x):
                shared.append(y if x.endswith(":*") else x)
    return sorted(set(shared))


def _covers(wildcard: str, name: str) -> bool:
    return wildcard.endswith(":*") and name.startswith(wildcard[:-1])
