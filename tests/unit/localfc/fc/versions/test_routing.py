"""Aliases and weighted routing: what FC accepts, the errors it gives for the rest, and the
share of traffic the canary gets."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import pytest

from localfc.fc.api.errors import ApiError

if TYPE_CHECKING:
    from localfc.fc.versions import VersionStore
    from tests.fixtures.versions import ProbeApp

FN = "canary-probe"


@pytest.fixture
def three_versions(probe_app: ProbeApp, version_store: VersionStore) -> VersionStore:
    for build in ("v1", "v2", "v3"):
        probe_app.set_build(build)
        version_store.publish_function_version(FN)
    return version_store


class FixedRng(random.Random):
    """Returns the given values in turn: routing decisions become exact."""

    def __init__(self, values: tuple[float, ...]) -> None:
        # One argument: python3.10's Random.__new__ takes at most one (it seeds with it).
        super().__init__()
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0)


def _error(call: Any, *args: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


def test_alias_points_at_its_version(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "2", description="production")
    resolved = three_versions.resolve(FN, "prod")
    assert (resolved.qualifier, resolved.version_id) == ("prod", "2")
    assert resolved.code_dir == three_versions.version_code_dir(FN, "2")
    assert three_versions.get_alias(FN, "prod").description == "production"


def test_the_canary_gets_exactly_the_draws_below_its_weight(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "1", {"2": 0.2})
    three_versions.rng = FixedRng((0.0, 0.1999, 0.2, 0.9))
    assert [three_versions.resolve(FN, "prod").version_id for _ in range(4)] == ["2", "2", "1", "1"]


def test_canary_share_over_many_calls_matches_the_weight(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "1", {"2": 0.2})
    three_versions.rng = random.Random(7)
    picks = [three_versions.resolve(FN, "prod").version_id for _ in range(5000)]
    assert set(picks) == {"1", "2"}
    assert 0.18 <= picks.count("2") / len(picks) <= 0.22


@pytest.mark.parametrize(("weight", "expected"), [(0.0, {"1"}), (1.0, {"2"})])
def test_weights_at_the_bounds(three_versions: VersionStore, weight: float, expected: set[str]) -> None:
    three_versions.create_alias(FN, "prod", "1", {"2": weight})
    assert {three_versions.resolve(FN, "prod").version_id for _ in range(200)} == expected


@pytest.mark.parametrize("weight", [-0.1, 1.01, float("nan"), float("inf"), "0.1", True, None])
def test_weights_outside_0_to_1_are_invalid(three_versions: VersionStore, weight: Any) -> None:
    error = _error(three_versions.create_alias, FN, "prod", "1", {"2": weight})
    assert (error.status, error.code) == (400, "InvalidArgument")
    assert "weight of version 2" in error.message
    assert three_versions.list_aliases(FN) == []


def test_a_weight_on_the_alias_own_version_is_refused(three_versions: VersionStore) -> None:
    error = _error(three_versions.create_alias, FN, "prod", "1", {"1": 0.1})
    assert (error.status, error.code) == (400, "AdditionalVersionContainsMajorVersion")
    # Moving the alias onto its canary without dropping the weight is the same mistake.
    three_versions.create_alias(FN, "prod", "1", {"2": 0.1})
    error = _error(three_versions.update_alias, FN, "prod", "2")
    assert error.code == "AdditionalVersionContainsMajorVersion"
    assert three_versions.get_alias(FN, "prod").versionId == "1"


def test_fc_allows_one_canary_version(three_versions: VersionStore) -> None:
    error = _error(three_versions.create_alias, FN, "prod", "1", {"2": 0.1, "3": 0.1})
    assert (error.status, error.code) == (400, "InvalidArgument")
    assert "one canary version" in error.message


@pytest.mark.parametrize(("version", "weights"), [("9", {}), ("1", {"9": 0.1})])
def test_unknown_versions_are_404(three_versions: VersionStore, version: str, weights: dict[str, float]) -> None:
    error = _error(three_versions.create_alias, FN, "prod", version, weights)
    assert (error.status, error.code) == (404, "VersionNotFound")
    assert "'9'" in error.message


@pytest.mark.parametrize("name", ["1prod", "LATEST", "latest", "", "a" * 129, "pro d", "prod/x"])
def test_invalid_alias_names(three_versions: VersionStore, name: str) -> None:
    error = _error(three_versions.create_alias, FN, name, "1")
    assert (error.status, error.code) == (400, "InvalidArgument")


def test_an_alias_cannot_point_at_latest(three_versions: VersionStore) -> None:
    error = _error(three_versions.create_alias, FN, "prod", "LATEST")
    assert error.code == "InvalidArgument" and "LATEST" in error.message


def test_duplicate_alias_is_409(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "1")
    error = _error(three_versions.create_alias, FN, "prod", "2")
    assert (error.status, error.code) == (409, "AliasAlreadyExists")
    assert three_versions.get_alias(FN, "prod").versionId == "1"


def test_update_keeps_what_is_not_given_and_empty_weights_drop_the_canary(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "1", {"2": 0.3}, "d")
    assert three_versions.update_alias(FN, "prod", description="new").additionalVersionWeight == {"2": 0.3}
    dropped = three_versions.update_alias(FN, "prod", additional_version_weight={})
    assert (dropped.versionId, dropped.additionalVersionWeight, dropped.description) == ("1", {}, "new")
    assert {three_versions.resolve(FN, "prod").version_id for _ in range(50)} == {"1"}


def test_unknown_alias_is_404_everywhere(three_versions: VersionStore) -> None:
    for call, args in [
        (three_versions.resolve, (FN, "prod")),
        (three_versions.get_alias, (FN, "prod")),
        (three_versions.update_alias, (FN, "prod", "1")),
        (three_versions.delete_alias, (FN, "prod")),
    ]:
        error = _error(call, *args)
        assert (error.status, error.code) == (404, "AliasNotFound")


def test_latest_and_empty_qualifier_run_the_working_tree(probe_app: ProbeApp, three_versions: VersionStore) -> None:
    for qualifier in ("LATEST", ""):
        resolved = three_versions.resolve(FN, qualifier)
        assert (resolved.qualifier, resolved.version_id) == ("LATEST", "")
        assert resolved.code_dir == probe_app.code.resolve()


def test_deleting_the_alias_frees_its_versions(three_versions: VersionStore) -> None:
    three_versions.create_alias(FN, "prod", "1", {"2": 0.5})
    three_versions.delete_alias(FN, "prod")
    three_versions.delete_function_version(FN, "2")
    assert [v.versionId for v in three_versions.list_function_versions(FN)] == ["1", "3"]
