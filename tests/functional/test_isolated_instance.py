"""An instance started from a ``CodeSource`` for a package: FC's Python version runs it, and it
imports only what the package and its layers hold, never the dev venv (``yaml`` is in the
venv, not in the package). Skipped where python3.10 is not installed."""

from __future__ import annotations

import json
import subprocess
import zipfile
from typing import TYPE_CHECKING

import pytest

from localfc.fc.instances.code_source import CodeSource, make_writable, merge_layers
from localfc.fc.instances.logs import InstanceLogs
from localfc.fc.instances.parent import Instance
from localfc.fc.instances.spec import InstanceSpec
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.syaml import load_project
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

S_YAML = """edition: 3.0.0
name: isolated
resources:
  probe:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: probe
      runtime: python3.10
      code: ./
      handler: app.handler
      environmentVariables:
        PYTHONPATH: /code/python
"""

APP = """import json, sys
def handler(event, context):
    try:
        import yaml  # in the dev venv only
        venv = True
    except ImportError:
        venv = False
    import shared
    return json.dumps({"python": "%d.%d" % sys.version_info[:2], "venv_visible": venv, "shared": shared.WHO})
"""


@pytest.fixture
def python310() -> Path:
    try:
        return find_interpreter("3.10")
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))


def test_package_instance_runs_fc_python_and_sees_only_the_package(tmp_path: Path, python310: Path) -> None:
    code = tmp_path / "code"
    (code / "python").mkdir(parents=True)
    (code / "s.yaml").write_text(S_YAML)
    (code / "app.py").write_text(APP)
    (code / "python" / "shared.py").write_text("WHO = 'package'\n")
    layer = tmp_path / "layer.zip"
    with zipfile.ZipFile(layer, "w") as archive:
        archive.writestr("python/shared.py", "WHO = 'layer'\n")
    opt = merge_layers([layer], tmp_path / "opt")
    _, props = load_project(code / "s.yaml").function("probe")
    source = CodeSource.for_package(python310, code, opt)
    env = {"PYTHONPATH": str(code / "python"), "PATH": "/usr/bin:/bin"}
    spec = InstanceSpec("probe", "", props, code, "python3.10", env, 1, 10.0, 10.0, 3.0, 128, source=source)
    instance = Instance(spec, "i-test", InstanceLogs(tmp_path / "logs"))
    instance.start()
    try:
        instance.wait_ready(60)
        outcome = instance.call(b"{}", "req-1", "LATEST")
    finally:
        instance.stop()
        assert opt is not None
        make_writable(opt)
    assert outcome.kind == "ok", outcome.error_message
    # FC's python3.10, nothing from the dev venv, and the package's python/ before the layer's
    assert json.loads(outcome.body) == {"python": "3.10", "venv_visible": False, "shared": "package"}


def test_the_instance_process_itself_needs_nothing_but_the_standard_library(python310: Path) -> None:
    """What ``localfc.fc.instances.child`` imports must be there in a package-only process:
    the standard library and localfc itself, nothing the dev venv provides."""
    probe = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "import localfc.fc.instances.child\n"
        "tops = {m.split('.')[0] for m in sys.modules} - {'__main__'}\n"
        "names = sorted(tops - set(sys.stdlib_module_names) - set(sys.builtin_module_names))\n"
        "print(json.dumps(names))\n"
    )
    done = subprocess.run([str(python310), "-I", "-S", "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["localfc"]
