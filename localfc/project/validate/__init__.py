"""Offline checks of s.yaml: what ``s deploy`` or FC would reject, found before a deploy.

>>> from localfc.project.validate import validate_file
>>> result = validate_file("s.yaml")                           # doctest: +SKIP
>>> result.ok, [p.render("s.yaml") for p in result.problems]    # doctest: +SKIP
(True, [])
"""

from __future__ import annotations

from localfc.project.validate.checks import ValidationResult, validate_file, validate_project
from localfc.project.validate.report import Problem

__all__ = ["Problem", "ValidationResult", "validate_file", "validate_project"]
