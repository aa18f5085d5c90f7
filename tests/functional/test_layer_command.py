"""``local_invoke.py layer``: a layer built from ``layers/<name>/requirements.txt`` for FC's
Python (``python/`` + bytecode for /opt/python), published to the running local FC with the
official client, and bad zips refused before any API call."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from tests.fixtures.paths import REPO
from tests.fixtures.serve import start_serve

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow
S_YAML = """edition: 3.0.0
name: layered
resources:
  f:
    component: fc3
    props: {region: cn-hangzhou, functionName: f, runtime: python3.10, code: ./, handler: app.handler}
"""


def layer(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "layer", *args, "-t", str(project / "s.yaml")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "s.yaml").write_text(S_YAML)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'ok'\n")
    (tmp_path / "layers" / "logging").mkdir(parents=True)
    (tmp_path / "layers" / "logging" / "requirements.txt").write_text("python-json-logger==4.2.0\n")
    return tmp_path


def test_build_then_publish_to_the_local_fc(project: Path) -> None:
    built = layer(project, "build", "logging")
    assert built.returncode == 0, built.stderr
    assert "bytecode: yes" in built.stdout
    names = zipfile.ZipFile(project / "dist" / "layers" / "logging-python3.10.zip").namelist()
    assert "python/pythonjsonlogger/__init__.py" in names
    assert "python/pythonjsonlogger/__pycache__/__init__.cpython-310.pyc" in names
    with start_serve(project / "s.yaml", project / ".localfc", run_oss=False, run_timers=False):
        published = layer(project, "publish", "logging", "--description", "json logs")
        assert published.returncode == 0, published.stderr
        assert published.stdout.strip() == "acs:fc:cn-hangzhou:1234567890123456:layers/logging/versions/1"
        listed = layer(project, "versions", "logging")
        assert '"description": "json logs"' in listed.stdout


def test_bad_layers_are_refused_with_one_clear_line(project: Path) -> None:
    (project / "not.zip").write_text("plain text")
    with zipfile.ZipFile(project / "flat.zip", "w") as archive:
        archive.writestr("requests/__init__.py", "")
    for args, message in (
        (("publish", "x", "--zip", "not.zip"), "not.zip is not a zip file"),
        (("publish", "x", "--zip", "flat.zip"), "flat.zip has no python/ directory"),
        (("build", "nowhere"), "no layer 'nowhere'"),
    ):
        done = layer(project, *args)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
