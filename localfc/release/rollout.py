"""Release steps on one function, as FC 3.0 API calls: publish, point an alias, canary,
promote, roll back, and the progressive canary that rolls back by itself.

Each step is one or two calls through ``FcClient``, so it does the same against the local FC
and against Function Compute; ``docs/releases.md`` maps each to its ``s`` command.

    rollout = Rollout(FcClient(connection), "prime-checker")
    rollout.canary("prod", "4", 0.1)      # s alias publish --alias-name prod --version-id 3 --vw '{"4":0.1}'
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localfc.names import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.logstore.stats import VersionStats
    from localfc.release.client import FcClient


class RolloutError(RuntimeError):
    """A release step cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Shares:
    """Which versions an alias sends traffic to, and how much."""

    alias: str
    version_id: str
    canary_id: str | None = None
    canary_weight: float = 0.0

    @classmethod
    def of(cls, alias: dict[str, Any]) -> Shares:
        weights = alias.get("additionalVersionWeight") or {}
        canary, weight = next(iter(weights.items()), (None, 0.0))
        return cls(str(alias.get("aliasName", "")), str(alias.get("versionId", "")), canary, float(weight))

    def split(self) -> list[tuple[str, float]]:
        """(version, share) pairs; the canary last."""
        if self.canary_id is None:
            return [(self.version_id, 1.0)]
        return [(self.version_id, 1.0 - self.canary_weight), (self.canary_id, self.canary_weight)]


class Rollout:
    def __init__(self, client: FcClient, function_name: str) -> None:
        self.client = client
        self.function_name = function_name

    def publish(self, description: str = "") -> dict[str, Any]:
        return self.client.publish_version(self.function_name, description)

    def version_id(self, text: str) -> str:
        """A version number, or ``latest`` for the newest published version (as ``s`` does)."""
        if text.lower() == "latest":
            versions = self.client.list_versions(self.function_name)
            if not versions:
                raise RolloutError(f"{self.function_name} has no published version yet: run `release publish` first")
            return str(versions[-1]["versionId"])
        if not text.isdigit():
            raise RolloutError(f"{text!r} is not a version number (or 'latest')")
        return text

    def alias(self, alias: str) -> Shares:
        found = self.client.get_alias(self.function_name, alias)
        if found is None:
            names = [str(a.get("aliasName", "")) for a in self.client.list_aliases(self.function_name)]
            hint = did_you_mean(alias, names)
            if hint:
                raise RolloutError(f"{self.function_name} has no alias {alias!r}{hint} (aliases: {', '.join(names)})")
            raise RolloutError(
                f"{self.function_name} has no alias {alias!r}: create it with"
                f" `release alias {self.function_name} --alias {alias} --version N`"
            )
        return Shares.of(found)

    def publish_alias(self, alias: str, version_id: str, weights: dict[str, float] | None) -> Shares:
        """``s alias publish``: create or update ``alias`` with a version and (optionally)
        the canary weights; ``weights=None`` keeps an existing alias's canary as it is."""
        if self.client.get_alias(self.function_name, alias) is None:
            return Shares.of(self.client.create_alias(self.function_name, alias, version_id, weights))
        return Shares.of(self.client.update_alias(self.function_name, alias, version_id, weights))

    def remove_alias(self, alias: str) -> None:
        self.alias(alias)  # a clear message (and a suggestion) when it is not there
        self.client.delete_alias(self.function_name, alias)

    def remove_version(self, version_id: str) -> None:
        known = [str(v["versionId"]) for v in self.client.list_versions(self.function_name)]
        if version_id not in known:
            listed = ", ".join(known) or "none published"
            raise RolloutError(f"{self.function_name} has no version {version_id} (versions: {listed})")
        self.client.delete_version(self.function_name, version_id)

    def canary(self, alias: str, version_id: str, weight: float) -> Shares:
        """Send ``weight`` of the alias's traffic to ``version_id``."""
        self.alias(alias)  # a clear message when the alias is missing
        return Shares.of(self.client.update_alias(self.function_name, alias, None, {version_id: weight}))

    def promote(self, alias: str, version_id: str | None = None) -> Shares:
        """Point the alias at its canary (or ``version_id``) and drop the weight."""
        current = self.alias(alias)
        target = version_id or current.canary_id
        if target is None:
            raise RolloutError(f"alias {alias!r} has no canary to promote; pass --version N to move it")
        return Shares.of(self.client.update_alias(self.function_name, alias, target, {}))

    def rollback(self, alias: str, to_version: str | None = None) -> tuple[Shares, str]:
        """Drop the canary; without one, go back to ``to_version`` or the newest older version."""
        current = self.alias(alias)
        if current.canary_id is not None and to_version is None:
            shares = Shares.of(self.client.update_alias(self.function_name, alias, None, {}))
            return shares, f"dropped the canary: all of {alias!r} goes to version {shares.version_id}"
        if to_version is None:
            older = [
                str(v["versionId"])
                for v in self.client.list_versions(self.function_name)
                if int(v["versionId"]) < int(current.version_id)
            ]
            if not older:
                raise RolloutError(f"alias {alias!r} points at version {current.version_id}; no older version remains")
            to_version = older[-1]
        shares = Shares.of(self.client.update_alias(self.function_name, alias, to_version, {}))
        return shares, f"moved {alias!r} from version {current.version_id} back to version {to_version}"


@dataclass
class ProgressivePlan:
    alias: str
    version_id: str
    steps: list[float]  # weights in (0, 1], increasing; 1 means promote
    interval: float  # seconds each step is watched
    max_error_rate: float
    min_invocations: int


def progressive_canary(
    rollout: Rollout,
    plan: ProgressivePlan,
    counts_since: Callable[[float], Callable[[], VersionStats]],
    *,
    say: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    report_every: float = 10.0,
) -> bool:
    """Raise the canary weight step by step; roll back as soon as the canary's error rate is
    above ``max_error_rate`` over at least ``min_invocations`` calls, or when a step ends with
    fewer calls than that (no evidence, no promotion). True when the plan completed.

    ``counts_since(t)`` returns a poll function giving the canary version's counts since
    epoch second ``t`` (``metrics.InvocationLog`` locally). While a step is watched, a
    progress line says how far it is every ``report_every`` seconds (of ``clock``).
    """
    poll_every = max(0.05, min(1.0, plan.interval / 20))
    for weight in plan.steps:
        if weight >= 1.0:
            shares = rollout.promote(plan.alias, plan.version_id)
            say(f"promoted: all of {plan.alias!r} goes to version {shares.version_id}")
            return True
        rollout.canary(plan.alias, plan.version_id, weight)
        say(f"step {weight:.0%}: version {plan.version_id} gets {weight:.0%} of {plan.alias!r} for {plan.interval:g} s")
        poll = counts_since(wall())
        started = clock()
        deadline = started + plan.interval
        next_report = started + report_every
        while True:
            counts = poll()
            if clock() >= next_report and clock() < deadline:
                next_report += report_every
                say(
                    f"  {clock() - started:.0f} s of {plan.interval:g} s: {counts.invocations} calls,"
                    f" {counts.errors} errors so far"
                )
            if counts.invocations >= plan.min_invocations and counts.error_rate > plan.max_error_rate:
                _, what = rollout.rollback(plan.alias)
                say(
                    f"rolled back: version {plan.version_id} failed {counts.errors} of {counts.invocations} calls"
                    f" ({counts.error_rate:.1%} > {plan.max_error_rate:.1%}); {what}"
                )
                return False
            if clock() >= deadline:
                break
            sleep(poll_every)
        if counts.invocations < plan.min_invocations:
            _, what = rollout.rollback(plan.alias)
            say(
                f"rolled back: only {counts.invocations} calls reached version {plan.version_id} in"
                f" {plan.interval:g} s (need {plan.min_invocations}, --min-invocations); {what}"
            )
            return False
        say(f"  {counts.invocations} calls, {counts.errors} errors ({counts.error_rate:.1%}): healthy")
    return True
