"""What ``package`` says when pip cannot find a wheel: the distribution, the versions that
would do, and what to do; one line, whatever pip printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.package.targets import target_for
from localfc.project.package.wheelhouse import _failure, _missing, pinned_text

if TYPE_CHECKING:
    from pathlib import Path

TARGET = target_for("python3.10")
NO_VERSION = (
    "ERROR: Could not find a version that satisfies the requirement python-json-logger==99.0"
    " (from versions: 3.3.0, 4.0.0, 4.2.0)\n"
    "ERROR: No matching distribution found for python-json-logger==99.0\n"
)
UNKNOWN = """\
ERROR: Could not find a version that satisfies the requirement nope-nope==1.0 (from versions: none)
ERROR: No matching distribution found for nope-nope==1.0
"""


def test_a_missing_version_names_the_ones_that_have_wheels() -> None:
    assert _missing(NO_VERSION) == "python-json-logger==99.0"
    message = _failure(NO_VERSION, "python-json-logger==99.0", TARGET)
    assert message.startswith("python-json-logger==99.0: no wheel for python3.10 (CPython 3.10, manylinux_2_28")
    assert "pin a version that has one (these do: 3.3.0, 4.0.0, 4.2.0)" in message
    assert "`s build`" in message and "\n" not in message


def test_an_unknown_distribution_says_to_check_the_name() -> None:
    assert "no release of nope-nope has one; check the name" in _failure(UNKNOWN, "nope-nope==1.0", TARGET)


def test_no_network_is_said_plainly() -> None:
    stderr = "WARNING: Retrying ... NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection>')"
    assert _failure(stderr, None, TARGET).startswith("cannot reach the package index (PyPI)")


def test_a_layer_takes_its_pins_from_the_repositorys_list(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Pillow==12.3.0\noss2==2.19.1  # comment\n")
    layer = tmp_path / "layers" / "objects"
    layer.mkdir(parents=True)
    (layer / "requirements.txt").write_text("# objects\n-c ../../requirements.txt\npillow\noss2\nrequests>=2\n")
    assert pinned_text(layer / "requirements.txt") == "# objects\nPillow==12.3.0\noss2==2.19.1\nrequests>=2\n"
