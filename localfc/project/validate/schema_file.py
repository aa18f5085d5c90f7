"""``validate --schema FILE``: also hold every fc3 resource's props to a JSON Schema file,
typically the fc3 component's own (``src/schema.json`` of devsapp/fc3, draft-07).

Opt-in and read at run time from the path given: the project encodes fc3's rules itself
(``fc3_spec.py``, cross-checked against the official schema by the tests), so nothing here
depends on where a copy of the schema lives. A schema verdict on a prop path the project's
own checks already reported is not repeated.

>>> problems = check_schema(project, Path("fc3-schema.json"))     # doctest: +SKIP
>>> problems[0].render("s.yaml")                                  # doctest: +SKIP
"s.yaml:12: error: checker: memorySize: 100 is less than the minimum of 128 [schema]"
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from localfc.project.validate.report import Problem
from localfc.user_files import UnreadableFileError, read_user_file

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.project.syaml import Project

_REQUIRED = re.compile(r"^'(.+)' is a required property$")


class SchemaFileError(ValueError):
    """The schema file cannot be read or is not a JSON Schema."""


def load_schema(path: Path) -> Any:
    """A validator for the schema in ``path`` (jsonschema picks the draft from ``$schema``)."""
    from jsonschema import validators  # noqa: PLC0415 - only `validate --schema` pays for it
    from jsonschema.exceptions import SchemaError  # noqa: PLC0415

    try:
        schema = json.loads(read_user_file(path, "a JSON Schema file"))
    except UnreadableFileError as exc:
        raise SchemaFileError(f"--schema {path}: {exc}") from None
    except ValueError as exc:
        raise SchemaFileError(f"--schema {path}: not JSON ({exc})") from None
    cls = validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise SchemaFileError(f"--schema {path}: not a valid JSON Schema ({exc.message})") from None
    return cls(schema)


def check_schema(project: Project, path: Path, already: list[Problem]) -> list[Problem]:
    """The schema's errors on each fc3 resource's rendered props, minus those ``already``
    reported (same resource, same prop path)."""
    validator = load_schema(path)
    seen = {(p.resource, p.path) for p in already if p.is_error}
    problems = []
    for name, resource in project.resources.items():
        if resource.component.split("@", maxsplit=1)[0] != "fc3":
            continue
        for error in validator.iter_errors(resource.props):
            prop = _path(error.absolute_path)
            required = _REQUIRED.match(error.message) if error.validator == "required" else None
            if required:
                prop = f"{prop}.{required[1]}" if prop else required[1]
            if (name, prop) in seen or any(
                (name, p) in seen for p in _ancestors(prop)
            ):  # the same mistake, already told
                continue
            seen.add((name, prop))
            problems.append(Problem("error", name, prop, _message(error.message), "schema"))
    return problems


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def _ancestors(path: str) -> list[str]:
    found = []
    while path:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
        if path:
            found.append(path)
    return found


def _message(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."
