"""Performance guards with generous margins: the cold-start import budget, lean imports of
HTTP-only functions, and the warm per-invoke overhead.

Every figure is measured in a fresh interpreter (pytest's own logging capture would slow the
handler down), with a warm bytecode cache so that compilation is not what is measured.
Precise figures come from ``python -m bench cold_start`` and ``python -m bench warm_overhead``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localfc.project.syaml import load_project

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.performance

# Measured on the shared 2-core dev machine: importing handlers.prime_checker takes
# 0.155 s when it is quiet (pydantic and its first models are ~85 % of it), several times
# that under load. The budget is generous so that a busy CI machine does not fail it.
IMPORT_BUDGET_S = 1.5
# The relative guard survives any load: ~0.35-0.4x of importing oss2 + aliyun.log + pydantic
# with s.yaml's PYDANTIC_DISABLE_PLUGINS (0.41x with pydantic's plugin scan, which
# tests/unit/test_pydantic_plugin_scan.py guards exactly).
EAGER_RATIO_BUDGET = 0.6
# Added per invoke over a bare json handler: ~35 µs on the quiet dev machine (1.5x the bare
# handler's time), ~2-3x that on a busy one. The ratio holds better under load: every
# variant takes turns in the same process.
WARM_OVERHEAD_CEILING_US = 250.0
WARM_RATIO_CEILING = 2.5
HEAVY_MODULES = ("oss2", "aliyun", "alibabacloud_fc20230330", "requests")


@pytest.fixture(scope="module")
def fresh_env() -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="perf-pycache-") as pycache:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FC_", "ALIBABA_CLOUD_", "APP_"))}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
        env["PYTHONPATH"] = str(REPO)
        env["PYDANTIC_DISABLE_PLUGINS"] = "__all__"  # as s.yaml sets it for every function
        yield env


def fresh(code: str, env: dict[str, str]) -> Any:
    """Run ``code`` in a new interpreter; its last stdout line is JSON."""
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_import(modules: str) -> str:
    # CPU time of the importing process, not wall time: an import is CPU work (the bytecode
    # cache is warm), and other jobs on a shared machine stretch the wall time of the same
    # work (936 ms against a 900 ms budget beside two CPU-bound jobs) without changing it.
    return (
        "import json, time\n"
        "started = time.process_time()\n"
        f"import {modules}\n"
        "print(json.dumps(time.process_time() - started))\n"
    )


def best_of(code: str, env: dict[str, str], runs: int = 3) -> float:
    fresh(code, env)  # warm-up: fills the bytecode cache
    return min(float(fresh(code, env)) for _ in range(runs))


def http_only_handlers() -> list[str]:
    functions = load_project(REPO / "s.yaml", environ={}).functions()
    return [props.handler for _, props in functions if {t.triggerType for t in props.triggers} == {"http"}]


@pytest.mark.slow
def test_importing_an_http_function_stays_within_budget(fresh_env: dict[str, str]) -> None:
    framework = best_of(timed_import("handlers.prime_checker"), fresh_env)
    eager = best_of(timed_import("oss2, aliyun.log, pydantic"), fresh_env)
    assert framework < IMPORT_BUDGET_S, f"import handlers.prime_checker took {framework * 1000:.0f} ms"
    assert framework < EAGER_RATIO_BUDGET * eager, (
        f"import took {framework * 1000:.0f} ms, {framework / eager:.2f}x the eager imports ({eager * 1000:.0f} ms)"
    )


def test_importing_the_runtime_core_is_cheap(fresh_env: dict[str, str]) -> None:
    runtime = best_of(timed_import("runtime"), fresh_env)
    assert runtime < IMPORT_BUDGET_S * 0.6, f"import runtime took {runtime * 1000:.0f} ms"


@pytest.mark.parametrize("dotted", http_only_handlers())
def test_http_only_function_never_loads_heavy_sdks(fresh_env: dict[str, str], dotted: str) -> None:
    module, _, attr = dotted.rpartition(".")
    code = f"""
import importlib, json, sys
sys.path.insert(0, {str(REPO)!r})
from tests.fixtures.invocation import http_event, legacy_context
mod = importlib.import_module({module!r})
mod.initialize(legacy_context())
result = getattr(mod, {attr!r})(json.dumps(http_event("POST", "/", "{{}}")).encode(), legacy_context())
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY_MODULES!r})
print(json.dumps({{"status": result["statusCode"], "heavy": heavy}}))
"""
    found = fresh(code, fresh_env)
    assert isinstance(found["status"], int)  # the handler really answered
    assert found["heavy"] == [], f"{dotted} imported {found['heavy']}"


def test_runtime_package_alone_loads_no_heavy_sdk(fresh_env: dict[str, str]) -> None:
    code = (
        "import json, sys, runtime\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY_MODULES!r})))"
    )
    assert fresh(code, fresh_env) == []


@pytest.mark.slow
def test_warm_overhead_per_invoke_is_under_the_ceiling(fresh_env: dict[str, str]) -> None:
    code = """
import json, statistics
from bench.warm_overhead import measure
timings = measure(count=3000, with_powertools=False)
print(json.dumps({name: statistics.median(values) / 1000 for name, values in timings.items()}))
"""
    medians = fresh(code, fresh_env)
    added = medians["framework"] - medians["bare"]
    assert added < WARM_OVERHEAD_CEILING_US, f"framework adds {added:.0f} µs per invoke (bare {medians['bare']:.0f} µs)"
    ratio = medians["framework"] / medians["bare"]
    assert ratio < WARM_RATIO_CEILING, f"framework takes {ratio:.2f}x the bare handler's time per invoke"
