"""A code change in the working tree reaches LATEST without restarting serve."""

from __future__ import annotations

import shutil

import requests

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
