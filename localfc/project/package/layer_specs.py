"""The layers this repository builds, and the layer ARNs s.yaml names.

A layer is a folder ``layers/<layerName>/`` next to s.yaml holding a ``requirements.txt`` (the
distributions it carries, pinned). ``local_invoke.py layer build NAME`` turns it into an FC
layer zip (``python/`` for the runtime), ``layer publish`` creates a version of it; functions
use it by ARN in s.yaml ``layers:``, first-configured first:

    layers:
      - acs:fc:${vars.region}:${config('AccountID')}:layers/oss-objects/versions/1

The distributions of a function's local layers count as declared for that function (validate,
package): they are on its path at /opt/python, so its code package leaves them out.

>>> parse_layer_arn("acs:fc:cn-hangzhou:123:layers/oss-objects/versions/2")
LayerArn(region='cn-hangzhou', account='123', name='oss-objects', version=2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

LAYERS_DIR = "layers"
_ARN = re.compile(r"^acs:fc:(?P<region>[^:]*):(?P<account>[^:]*):layers/(?P<name>[^/]+)/versions/(?P<version>\d+)$")
# FC's rule for layer names (CreateLayerVersion): letters, digits, _ and -, at most 64.
LAYER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


class LayerArn(NamedTuple):
    region: str
    account: str
    name: str
    version: int

    def __str__(self) -> str:
        return f"acs:fc:{self.region}:{self.account}:layers/{self.name}/versions/{self.version}"


@dataclass(frozen=True)
class LayerSpec:
    name: str
    directory: Path

    @property
    def requirements(self) -> Path:
        return self.directory / "requirements.txt"


def parse_layer_arn(arn: str) -> LayerArn | None:
    match = _ARN.match(arn.strip())
    if match is None:
        return None
    return LayerArn(match["region"], match["account"], match["name"], int(match["version"]))


def layer_specs(base_dir: Path) -> dict[str, LayerSpec]:
    """``layers/<name>/requirements.txt`` under ``base_dir`` (the directory of s.yaml)."""
    root = base_dir / LAYERS_DIR
    if not root.is_dir():
        return {}
    return {
        d.name: LayerSpec(d.name, d)
        for d in sorted(root.iterdir())
        if d.is_dir() and (d / "requirements.txt").is_file() and LAYER_NAME.match(d.name)
    }


def function_layer_specs(base_dir: Path, arns: list[str]) -> list[LayerSpec]:
    """The local specs of the layers a function names (in its order); ARNs of layers this
    repository does not build (public or official layers) are skipped."""
    specs = layer_specs(base_dir)
    found = []
    for arn in arns:
        parsed = parse_layer_arn(arn)
        if parsed is not None and parsed.name in specs:
            found.append(specs[parsed.name])
    return found
