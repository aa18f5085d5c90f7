"""Release steps and the progressive canary, over a versions store standing in for FC
(the end-to-end tests run the same steps with the official client against the local FC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from localfc.logstore.stats import VersionStats
from localfc.release.rollout import ProgressivePlan, Rollout, RolloutError, progressive_canary
from tests.fixtures.versions import StoreClient

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.versions import VersionStore
    from tests.fixtures.versions import ProbeApp

FN = "canary-probe"


@pytest.fixture
def rollout(probe_app: ProbeApp, version_store: VersionStore) -> Rollout:
    for build in ("v1", "v2", "v3"):
        probe_app.set_build(build)
        version_store.publish_function_version(FN)
    return Rollout(StoreClient(version_store), FN)  # type: ignore[arg-type]


def test_canary_promote_and_rollback(rollout: Rollout) -> None:
    assert rollout.publish_alias("prod", "1", {}).split() == [("1", 1.0)]
    assert rollout.canary("prod", "2", 0.1).split() == [("1", 0.9), ("2", 0.1)]
    shares, what = rollout.rollback("prod")
    assert shares.split() == [("1", 1.0)] and "dropped the canary" in what
    rollout.canary("prod", "2", 0.5)
    assert rollout.promote("prod").split() == [("2", 1.0)]
    shares, what = rollout.rollback("prod")  # no canary: back to the previous version
    assert shares.split() == [("1", 1.0)] and "back to version 1" in what


def test_latest_means_the_newest_version_and_missing_alias_says_how_to_create_it(rollout: Rollout) -> None:
    assert rollout.version_id("latest") == "3"
    with pytest.raises(RolloutError, match="release alias canary-probe --alias prod"):
        rollout.canary("prod", "2", 0.1)
    rollout.publish_alias("prod", "1", {})
    with pytest.raises(RolloutError, match="no canary to promote"):
        rollout.promote("prod")
    with pytest.raises(RolloutError, match="no older version"):
        rollout.rollback("prod")


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def run_plan(
    rollout: Rollout, plan: ProgressivePlan, calls_per_poll: int, failing: Callable[[float], float]
) -> tuple[bool, list[str], list[float]]:
    """Simulate traffic: each poll the canary serves ``calls_per_poll`` calls, a ``failing(weight)`` share failing."""
    clock = FakeTime()
    said: list[str] = []
    weights: list[float] = []

    def counts_since(_started: float) -> Callable[[], VersionStats]:
        counts = VersionStats()
        alias = rollout.alias(plan.alias)
        weights.append(alias.canary_weight)

        def poll() -> VersionStats:
            counts.invocations += calls_per_poll
            counts.errors += round(calls_per_poll * failing(alias.canary_weight))
            return counts

        return poll

    ok = progressive_canary(
        rollout,
        plan,
        counts_since,
        say=said.append,
        clock=lambda: clock.now,
        wall=lambda: clock.now,
        sleep=clock.sleep,
        report_every=10,
    )
    return ok, said, weights


def test_a_healthy_canary_is_promoted_step_by_step(rollout: Rollout) -> None:
    rollout.publish_alias("prod", "1", {})
    plan = ProgressivePlan("prod", "2", [0.1, 0.5, 1.0], interval=30, max_error_rate=0.05, min_invocations=20)
    ok, said, weights = run_plan(rollout, plan, calls_per_poll=5, failing=lambda _w: 0.0)
    assert ok
    assert weights == [0.1, 0.5]
    assert rollout.alias("prod").split() == [("2", 1.0)]
    assert said[-1].startswith("promoted")


def test_a_failing_canary_is_rolled_back_at_once(rollout: Rollout) -> None:
    rollout.publish_alias("prod", "1", {})
    plan = ProgressivePlan("prod", "2", [0.1, 0.5, 1.0], interval=30, max_error_rate=0.05, min_invocations=20)
    ok, said, weights = run_plan(rollout, plan, calls_per_poll=10, failing=lambda _w: 0.5)
    assert not ok
    assert weights == [0.1]  # never got to 50 %
    assert rollout.alias("prod").split() == [("1", 1.0)]
    assert "rolled back" in said[-1] and "50.0% > 5.0%" in said[-1]


def test_no_evidence_no_promotion(rollout: Rollout) -> None:
    rollout.publish_alias("prod", "1", {})
    plan = ProgressivePlan("prod", "2", [0.1, 1.0], interval=1, max_error_rate=0.05, min_invocations=1000)
    ok, said, _ = run_plan(rollout, plan, calls_per_poll=1, failing=lambda _w: 0.0)
    assert not ok
    assert rollout.alias("prod").split() == [("1", 1.0)]
    assert "--min-invocations" in said[-1]


def test_each_step_reports_its_progress_while_it_is_watched(rollout: Rollout) -> None:
    rollout.publish_alias("prod", "1", {})
    plan = ProgressivePlan("prod", "2", [0.1, 1.0], interval=30, max_error_rate=0.05, min_invocations=20)
    _, said, _ = run_plan(rollout, plan, calls_per_poll=5, failing=lambda _w: 0.0)
    progress = [line for line in said if " s of 30 s: " in line]
    assert [line.split(" s of ")[0].strip() for line in progress] == ["10", "20"]
    assert said[0].startswith("step 10%") and said[-1].startswith("promoted")
