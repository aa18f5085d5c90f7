"""oss2 costs a few hundred ms to import: only object functions may load it, and only at setup."""

from __future__ import annotations

import subprocess
import sys

from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_http_functions_never_import_oss2() -> None:
    modules = _modules_after("from handlers import prime_checker\nprime_checker.handler(b'{\"number\": 7}', None)")
    assert "handlers.prime_checker" in modules
    assert "oss2" not in modules
    assert not any(m.startswith("runtime.objects") for m in modules)


def test_importing_an_object_handler_does_not_import_oss2_yet() -> None:
    # The module import stays cheap; oss2 loads in the initializer (setup).
    modules = _modules_after("from handlers import table_summary")
    assert "runtime.objects" in modules
    assert "oss2" not in modules
