"""The canary walkthrough end to end: ``release`` (official FC 3.0 client) against the local
FC (``serve``), real invocations through the official client, the version that ran read from
the answer, the ``x-fc-function-version`` header and the function's own context."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from localfc.cli import main
from localfc.logstore.metrics import count_invocations, log_file
from tests.fixtures.versions import PROBE_FUNCTION as FN
from tests.fixtures.versions import invoke

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fixtures.versions import ProbeApp

pytestmark = pytest.mark.slow


@pytest.fixture
def release(
    probe_app: ProbeApp, probe_fc: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "FC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str]:
        code = main(["release", *args, "-t", str(probe_app.s_yaml), "--endpoint", f"127.0.0.1:{probe_fc.port}"])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


@pytest.fixture
def client(probe_fc: Any, fc_client_factory: Callable[[str], Any]) -> Any:
    return fc_client_factory(f"127.0.0.1:{probe_fc.port}")


def builds(client_factory: Callable[[], Any], calls: int, qualifier: str = "prod") -> list[str]:
    """Invoke ``calls`` times on 4 threads; return the build that answered each call,
    after checking that the header, the function's context and the build agree."""

    def worker(count: int) -> list[str]:
        client, seen = client_factory(), []
        for _ in range(count):
            header, answer = invoke(client, qualifier)
            assert answer["version"] == header  # the function saw the version that ran
            assert answer["qualifier"] == qualifier
            assert answer["build"] == {"1": "v1", "2": "v2"}[header]
            seen.append(answer["build"])
        return seen

    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(worker, [calls // 4] * 4))
    return [b for part in parts for b in part]


def test_publish_canary_rollback_promote(
    probe_app: ProbeApp, probe_fc: Any, release: Callable[..., tuple[int, str]], fc_client_factory: Any
) -> None:
    factory = lambda: fc_client_factory(f"127.0.0.1:{probe_fc.port}")  # noqa: E731
    assert release("publish", FN, "--description", "v1")[0] == 0
    assert release("alias", FN, "--alias", "prod", "--version", "1")[0] == 0
    probe_app.set_build("v2")  # change the code, publish v2
    assert release("publish", FN)[0] == 0
    assert set(builds(factory, 40)) == {"v1"}

    assert release("canary", FN, "--alias", "prod", "--version", "2", "--weight", "0.2")[0] == 0
    answered = builds(factory, 1000)
    share = answered.count("v2") / len(answered)
    assert 0.16 <= share <= 0.24, f"v2 got {share:.1%} of 1000 calls, expected 20 % ± 4 %"

    wait_for_logged_calls(probe_app, "prod", 1040)  # serve writes the instances' output asynchronously
    code, status = release("status", FN, "--alias", "prod")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in status.splitlines() if line.strip()[:1].isdigit()}
    assert rows["2"][:2] == ["20%", str(answered.count("v2"))]
    assert rows["1"][:2] == ["80%", str(answered.count("v1") + 40)]

    assert release("rollback", FN, "--alias", "prod")[0] == 0
    assert set(builds(factory, 60)) == {"v1"}

    release("canary", FN, "--alias", "prod", "--version", "2", "--weight", "0.5")
    assert release("promote", FN, "--alias", "prod")[0] == 0
    assert set(builds(factory, 60)) == {"v2"}
    assert probe_app.code.joinpath("handlers", "build.py").read_text().startswith("BUILD = 'v2'")


def wait_for_logged_calls(probe_app: ProbeApp, qualifier: str, total: int, timeout: float = 20.0) -> None:
    path = log_file(probe_app.state_dir, FN)
    deadline = time.monotonic() + timeout
    while sum(c.invocations for c in count_invocations(path, qualifier=qualifier).values()) < total:
        assert time.monotonic() < deadline, f"fewer than {total} calls in {path} after {timeout} s"
        time.sleep(0.05)


def _traffic_until(done: threading.Event, client: Any, deadline: float) -> int:
    sent = 0
    while not done.is_set() and time.monotonic() < deadline:
        invoke(client, "prod")
        sent += 1
    return sent


def test_a_failing_version_trips_the_automatic_rollback(
    probe_app: ProbeApp, release: Callable[..., tuple[int, str]], client: Any, probe_fc: Any
) -> None:
    release("publish", FN)
    release("alias", FN, "--alias", "prod", "--version", "1")
    probe_app.set_build("v2", fail=True)  # every call of this build fails
    release("publish", FN)

    done, outcome = threading.Event(), {}

    def progressive() -> None:
        outcome["result"] = release(
            "canary", FN, "--alias", "prod", "--version", "2",
            "--steps", "20,50,100", "--interval", "60s", "--max-error-rate", "0.05", "--min-invocations", "10",
        )  # fmt: skip
        done.set()

    thread = threading.Thread(target=progressive)
    thread.start()
    _traffic_until(done, client, time.monotonic() + 120)
    thread.join(timeout=30)

    code, out = outcome["result"]
    assert code == 1, out
    # It tripped during the first step: no later step was ever announced. (How many calls
    # were sent meanwhile depends on the machine's speed, so it is not asserted.)
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("step")] == ["step 20%"]
    assert "rolled back: version 2 failed" in out
    alias = probe_fc.resolver.get_alias(FN, "prod")
    assert (alias.versionId, alias.additionalVersionWeight) == ("1", {})
    header, answer = invoke(client, "prod")
    assert (header, answer["build"]) == ("1", "v1")


def test_a_healthy_version_is_promoted_step_by_step(
    probe_app: ProbeApp, release: Callable[..., tuple[int, str]], client: Any, probe_fc: Any
) -> None:
    release("publish", FN)
    release("alias", FN, "--alias", "prod", "--version", "1")
    probe_app.set_build("v2")
    release("publish", FN)

    done, outcome = threading.Event(), {}

    def progressive() -> None:
        outcome["result"] = release(
            "canary", FN, "--alias", "prod", "--version", "2",
            "--steps", "30,60,100", "--interval", "2.5s", "--min-invocations", "3",
        )  # fmt: skip
        done.set()

    thread = threading.Thread(target=progressive)
    thread.start()
    _traffic_until(done, client, time.monotonic() + 60)
    thread.join(timeout=30)

    code, out = outcome["result"]
    assert code == 0, out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("step")] == ["step 30%", "step 60%"]
    assert out.strip().endswith("promoted: all of 'prod' goes to version 2")
    assert probe_fc.resolver.get_alias(FN, "prod").versionId == "2"
