"""A code change in the working tree reaches LATEST without restarting serve."""

from __future__ import annotations

import shutil
import time

import pytest
import requests

from localfc.fc.options import ServeOptions
from localfc.fc.server import LocalFC
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.syaml import load_project
from tests.fixtures.serve import BASIC_APP, eventually, start_serve


def test_editing_the_handler_gives_latest_new_instances(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(BASIC_APP.parent, app)
    with start_serve(
        app / "s.yaml", tmp_path / "state", run_oss=False, run_timers=False, reload_interval_s=0.1
    ) as serve:
        url = serve.url + "/2023-03-30/functions/crash/invocations"
        before = requests.post(url, data=b"{}").json()
        source = app / "app.py"
        source.write_text(
            source.read_text().replace(
                'return {"pid": os.getpid()}\n\n\ndef hog', 'return {"pid": os.getpid(), "edited": True}\n\n\ndef hog'
            )
        )
        after = eventually(lambda: (doc := requests.post(url, data=b"{}").json()).get("edited") and doc, timeout=15)
        assert after["pid"] != before["pid"]
        assert any("code changed" in line for line in serve.console.lines())


def test_a_package_run_pool_replaced_by_a_code_change_is_closed_once_drained(tmp_path):
    """Run from a package, a code change builds a new package in a new pool; the old pool is
    retired like a deployed-over one, so housekeeping closes it (nothing it starts is lost)."""
    try:
        find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text("def handler(event, context):\n    return b'v1'\n")
    (app / "s.yaml").write_text(
        "edition: 3.0.0\nname: one\nresources:\n  echo:\n    component: fc3\n    props:\n"
        "      region: cn-hangzhou\n      functionName: echo\n      runtime: python3.10\n"
        "      code: ./\n      handler: app.handler\n"
    )
    options = ServeOptions(
        port=0, state_dir=tmp_path / "state", run_oss=False, run_timers=False, run_sls=False, code_from="package"
    )
    fc = LocalFC(load_project(app / "s.yaml"), options)
    invoker = fc.invoker  # not started: no housekeeping thread, the test ticks by hand
    try:
        assert invoker.invoke("echo", b"{}", trigger="api", request_id="r1").ok
        (old,) = [p for p in invoker.pools() if p.spec.function_name == "echo"]
        assert old.spec.source is not None and old.spec.source.isolated
        assert invoker.code_changed(old.spec.code_dir) == ["echo"]
        assert old not in invoker.pools()
        assert invoker.retiring == 1
        eventually(lambda: invoker.tick(time.monotonic(), check_memory=False) or invoker.retiring == 0)
    finally:
        invoker.close()
        fc.logs.close()
