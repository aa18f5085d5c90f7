"""Budget: prime-checker's package, as it ships (its own distributions only, with bytecode for
FC's Python), stays within 10 MB unpacked, on python3.10 and python3.12. Sizes are exact
(pinned wheels), so the budget needs no margin for machine speed; it holds ~0.8 MB of room
for the runtime and pydantic to grow. The first run downloads the wheels (cached after)."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest

from localfc.project.package import build_package
from localfc.project.syaml import load_project
from tests.fixtures.packages import WHEELS_TIMEOUT_S
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

# The first test to build a package pays for the wheels' download (once per session).
pytestmark = [
    pytest.mark.performance,
    pytest.mark.slow,
    pytest.mark.usefixtures("fc_wheels"),
    pytest.mark.timeout(WHEELS_TIMEOUT_S),
]
BUDGET_BYTES = 10 * 1024 * 1024


@pytest.mark.parametrize("runtime", ["python3.10", "python3.12"])
def test_prime_checker_package_fits_its_budget(runtime: str, tmp_path: Path) -> None:
    result = build_package(
        load_project(REPO / "s.yaml"), "prime-checker", tmp_path, runtime=runtime, log=lambda _: None
    )
    with zipfile.ZipFile(result.zip_path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        tops = {name.split("/")[1] for name in archive.namelist() if name.startswith("python/")}
    assert unpacked <= BUDGET_BYTES, f"{unpacked / 2**20:.2f} MB unpacked"
    assert not tops & {"PIL", "oss2", "aliyun", "crcmod"}
