"""Timer triggers: ``serve`` fires them on schedule; ``local_invoke.py invoke --timer`` fires one once."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

from tests.fixtures.serve import BASIC_APP, eventually, start_serve


def test_serve_fires_enabled_timers_on_schedule(tmp_path):
    with start_serve(BASIC_APP, tmp_path, run_oss=False, run_timers=True) as serve:
        ticks = eventually(lambda: len(serve.out_lines("ticker.jsonl")) >= 2 and serve.out_lines("ticker.jsonl"))
    events = [json.loads(json.loads(line)["event"]) for line in ticks]
    assert {e["triggerName"] for e in events} == {"every-second"}  # the disabled timer never fires
    assert events[0]["payload"] == '{"tick": true}'
    times = [datetime.strptime(e["triggerTime"], "%Y-%m-%dT%H:%M:%SZ") for e in events[:2]]
    assert (times[1] - times[0]).total_seconds() >= 1


def test_invoke_timer_fires_a_timer_trigger_once(tmp_path, python, repo):
    result = subprocess.run(
        [python, "local_invoke.py", "invoke", "ticker", "--timer", "every-second", "-t", str(BASIC_APP)],
        cwd=repo,
        env={"PATH": "/usr/bin:/bin", "LOCALFC_E2E_OUT": str(tmp_path)},
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "recorded"
    event = json.loads(json.loads((tmp_path / "ticker.jsonl").read_text())["event"])
    assert event["triggerName"] == "every-second" and event["payload"] == '{"tick": true}'
