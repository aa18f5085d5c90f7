"""``local_invoke.py release``: each step, its output and exit status, through the official
client against the local FC (the walkthrough with real invocations is in
test_release_canary.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from localfc.cli import main
from tests.fixtures.versions import REPO, invocation_record, write_invocation_log

if TYPE_CHECKING:
    from collections.abc import Callable

    from localfc.fc.versions import VersionStore
    from tests.fixtures.versions import ProbeApp

    Release = Callable[..., tuple[int, str]]

FN = "canary-probe"


@pytest.fixture
def versions_api(probe_fc: Any) -> str:
    return f"127.0.0.1:{probe_fc.port}"


@pytest.fixture
def version_store(probe_fc: Any) -> VersionStore:
    """The versions store serve itself uses."""
    return probe_fc.resolver  # type: ignore[no-any-return]


@pytest.fixture
def release(
    probe_app: ProbeApp, versions_api: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Release:
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "FC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, endpoint: bool = True) -> tuple[int, str]:
        extra = ["-t", str(probe_app.s_yaml)] + (["--endpoint", versions_api] if endpoint else [])
        code = main(["release", *args, *extra])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_the_manual_canary_flow(probe_app: ProbeApp, release: Release, version_store: VersionStore) -> None:
    run = release
    assert run("publish", FN, "--description", "first")[0] == 0
    probe_app.set_build("v2")
    code, out = run("publish", FN)
    assert (code, "published version 2") == (0, out.split(" of ")[0])

    assert run("alias", FN, "--alias", "prod", "--version", "1") == (0, "alias 'prod' -> version 1 (100 %)\n")
    code, out = run("canary", FN, "--alias", "prod", "--version", "latest", "--weight", "0.2")
    assert (code, out) == (0, "alias 'prod': version 1 80%, version 2 20%\n")
    assert version_store.get_alias(FN, "prod").additionalVersionWeight == {"2": 0.2}

    log = probe_app.state_dir / "logs" / f"{FN}.jsonl"
    write_invocation_log(
        log, [invocation_record("1") for _ in range(8)] + [invocation_record("2"), invocation_record("2", 500)]
    )
    code, out = run("status", FN, "--alias", "prod")
    assert code == 0
    rows = {
        line.split()[0]: line.split()[1:]
        for line in out.splitlines()
        if line.startswith("  ") and line.split()[0].isdigit()
    }
    assert rows == {"1": ["80%", "8", "0", "0.0%"], "2": ["20%", "2", "1", "50.0%"]}

    code, out = run("rollback", FN, "--alias", "prod")
    assert (code, version_store.get_alias(FN, "prod").additionalVersionWeight) == (0, {})
    assert "dropped the canary" in out
    run("canary", FN, "--alias", "prod", "--version", "2", "--weight", "0.5")
    code, out = run("promote", FN, "--alias", "prod")
    assert (code, out) == (0, "promoted: alias 'prod' -> version 2 (100 %)\n")
    code, out = run("rollback", FN, "--alias", "prod")
    assert (code, version_store.get_alias(FN, "prod").versionId) == (0, "1")
    assert "back to version 1" in out


def test_errors_are_one_line_with_fc_code_and_exit_1(probe_app: ProbeApp, release: Release) -> None:
    run = release
    run("publish", FN)
    code, out = run("publish", FN)
    assert code == 1
    assert out.startswith("error: PreconditionFailed: nothing changed") and "Traceback" not in out
    code, out = run("canary", FN, "--alias", "prod", "--version", "1", "--weight", "0.1")
    assert (code, out.strip()) == (
        1,
        f"error: {FN} has no alias 'prod': create it with `release alias {FN} --alias prod --version N`",
    )
    run("alias", FN, "--alias", "prod", "--version", "1")
    code, out = run("canary", FN, "--alias", "prod", "--version", "1", "--weight", "0.1")
    assert code == 1 and "AdditionalVersionContainsMajorVersion" in out


def test_serve_json_is_the_default_endpoint(probe_app: ProbeApp, release: Release, versions_api: str) -> None:
    run = release
    # The versions_api fixture runs a real serve, which announces itself in serve.json:
    # take that away first to see what release does when no serve is running.
    (probe_app.state_dir / "serve.json").unlink(missing_ok=True)
    code, out = run("publish", FN, endpoint=False)
    assert code == 2 and "local_invoke.py serve" in out
    probe_app.state_dir.mkdir(exist_ok=True)
    host, port = versions_api.split(":")
    (probe_app.state_dir / "serve.json").write_text(json.dumps({"host": host, "port": int(port)}))
    code, out = run("publish", FN, endpoint=False)
    assert code == 0 and f"http://{versions_api}" in out


@pytest.mark.slow
def test_the_script_entry_point_and_usage_errors(probe_app: ProbeApp, versions_api: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "FC_"))}
    base = [sys.executable, str(REPO / "local_invoke.py"), "release"]
    ok = subprocess.run(
        [*base, "publish", FN, "-t", str(probe_app.s_yaml), "--endpoint", versions_api],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (ok.returncode, ok.stdout.split(" on ")[0]) == (0, f"published version 1 of {FN}")
    bad = subprocess.run(
        [*base, "canary", FN, "-t", str(probe_app.s_yaml), "--alias", "prod", "--version", "1", "--weight", "1.5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "a weight is a share from 0 to 1" in bad.stderr


def test_s_flag_names_and_version_and_alias_management(
    probe_app: ProbeApp, release: Release, version_store: VersionStore
) -> None:
    run = release
    assert run("version", "publish", FN, "--description", "first")[0] == 0
    probe_app.set_build("v2")
    assert run("publish", FN)[0] == 0
    # s's own spelling: s alias publish --alias-name prod --version-id 1 --vw '{"2":0.2}'
    code, out = run("alias", "publish", FN, "--alias-name", "prod", "--version-id", "1", "--vw", '{"2":0.2}')
    assert (code, out) == (0, "alias 'prod' -> version 1 80%, version 2 20%\n")
    assert version_store.get_alias(FN, "prod").additionalVersionWeight == {"2": 0.2}
    code, out = run("canary", FN, "--alias-name", "prod", "--vw", '{"2":0.3}')
    assert (code, out) == (0, "alias 'prod': version 1 70%, version 2 30%\n")

    code, out = run("version", "list", FN)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["VERSION", "1", "2"]
    code, out = run("alias", "list", FN)
    assert code == 0 and out.splitlines()[1].split()[:4] == ["prod", "1", "1", "70%,"]
    code, out = run("alias", "get", FN, "--alias-name", "prod")
    assert code == 0 and json.loads(out)["additionalVersionWeight"] == {"2": 0.3}

    code, out = run("alias", "get", FN, "--alias-name", "prdo")
    assert (code, out.strip()) == (1, f"error: {FN} has no alias 'prdo'; did you mean 'prod'? (aliases: prod)")
    code, out = run("version", "remove", FN, "--version-id", "7", "-y")
    assert (code, out.strip()) == (1, f"error: {FN} has no version 7 (versions: 1, 2)")
    code, out = run("version", "remove", FN, "--version-id", "1")  # no -y and no terminal to ask on
    assert code == 2 and "--assume-yes" in out and len(version_store.list_function_versions(FN)) == 2
    code, out = run("version", "remove", FN, "--version-id", "1", "-y")  # prod points at it: FC refuses
    assert code == 1 and out.startswith("error: ")

    assert run("alias", "remove", FN, "--alias-name", "prod", "-y") == (0, f"removed alias 'prod' of {FN}\n")
    assert run("version", "remove", FN, "--version-id", "1", "-y") == (0, f"removed version 1 of {FN}\n")
    assert [line.split()[0] for line in run("version", "list", FN)[1].splitlines()] == ["VERSION", "2"]


def test_a_stopped_serve_is_one_clear_line_and_exit_3(probe_app: ProbeApp, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code = main(["release", "status", FN, "-t", str(probe_app.s_yaml), "--endpoint", f"127.0.0.1:{port}"])
    captured = capsys.readouterr()
    assert code == 3 and captured.out == ""
    assert captured.err.splitlines() == [
        f"error: cannot reach the FC API at http://127.0.0.1:{port} (--endpoint): connection refused"
        " — is `python local_invoke.py serve` running?"
    ]
