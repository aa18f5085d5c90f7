"""Shared test setup. Fixtures of each area live in ``tests/fixtures/<area>.py`` and are
registered here as plugins, so every layer (unit, functional, e2e, performance) can use them."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# ``paths`` first: other fixture modules import its constants, and a module imported before
# pytest registers it as a plugin cannot have its asserts rewritten.
_OTHER_FIXTURES = sorted(
    f"tests.fixtures.{path.stem}"
    for path in (REPO / "tests" / "fixtures").glob("*.py")
    if path.stem not in ("__init__", "paths")
)
pytest_plugins = ["tests.fixtures.paths", *_OTHER_FIXTURES]
