"""handlers/__init__.py skips pydantic's plugin scan (~25 ms of importlib.metadata per cold
start) when s.yaml disables every plugin, and only then."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from handlers import plugin_loader_stand_in
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
PYDANTIC_DIR = Path(pydantic.__file__).parent

_PROBE = """
import json, sys
from types import SimpleNamespace as NS
import handlers.prime_checker as function
context = NS(request_id="r-1", function=NS(name="prime-checker", timeout=10), credentials=None)
event = {"version": "v1", "rawPath": "/check", "body": '{"number": 12}', "isBase64Encoded": False,
         "headers": {}, "queryParameters": {}, "requestContext": {"http": {"method": "POST", "path": "/check"}}}
function.initialize(context)
result = function.handler(json.dumps(event).encode(), context)
loader = sys.modules.get("pydantic.plugin._loader")
print(json.dumps({
    "status": result["statusCode"],
    "body": json.loads(result["body"]),
    "metadata_imported": "importlib.metadata" in sys.modules,
    "stand_in": loader is not None and getattr(loader, "__file__", None) is None,
}))
"""


def _probe(disable_plugins: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if disable_plugins is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = disable_plugins
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    found: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def _names_pydantic_imports_from_its_loader() -> set[str]:
    names: set[str] = set()
    for path in PYDANTIC_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            absolute = (node.module or "").endswith("plugin._loader")
            relative = node.module == "_loader" and node.level == 1  # from ._loader import ...
            if absolute or relative:
                names.update(alias.name for alias in node.names)
    return names


def test_the_stand_in_offers_every_name_pydantic_imports_from_its_loader() -> None:
    wanted = _names_pydantic_imports_from_its_loader()
    assert wanted, "pydantic no longer imports its plugin loader: the stand-in is pointless, remove it"
    stand_in = plugin_loader_stand_in()
    assert sorted(n for n in wanted if not hasattr(stand_in, n)) == []
    assert list(stand_in.get_plugins()) == []


@pytest.mark.parametrize("value", ["__all__", "1", "true"])
def test_with_every_plugin_disabled_the_scan_is_skipped_and_models_work(value: str) -> None:
    found = _probe(value)
    assert found["status"] == 200
    assert found["body"]["factors"] == [2, 2, 3]  # type: ignore[index]
    assert found["stand_in"] is True
    assert found["metadata_imported"] is False


@pytest.mark.parametrize("value", [None, "logfire", ""])
def test_otherwise_pydantic_loads_its_plugins_as_usual(value: str | None) -> None:
    found = _probe(value)
    assert found["status"] == 200
    assert found["stand_in"] is False
    assert found["metadata_imported"] is True
