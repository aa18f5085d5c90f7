"""How a deployed function's code is started: the one place that decides it.

A deployed function (or a version published from one) runs from its unpacked zip, as on FC:
working directory and import root = the package, ``PYTHONPATH: /code/python`` mapped to the
package's ``python/``. Today its instances use serve's interpreter, as the working tree's do;
when the packaging work's launcher lands (target interpreter, package + ``python/`` + layer
directories, the dev venv out of sight) it is wired here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localfc.fc.instances.parent import InstanceSpec
    from localfc.project.syaml.model import FunctionProps


def is_deployed(props: FunctionProps) -> bool:
    """True for props whose code is an uploaded package (``code: {"src", "checksum", ...}``)."""
    code: Any = props.code
    return isinstance(code, dict) and "checksum" in code


def deployed_spec(spec: InstanceSpec) -> InstanceSpec:
    """The instance spec for a deployed function's code (see the module docstring)."""
    return spec
