"""s.yaml, the single source of truth: every local tool reads functions and triggers here.

>>> from localfc.project.syaml import load_project
>>> project = load_project("s.yaml")                       # doctest: +SKIP
>>> [p.functionName for _, p in project.functions()]       # doctest: +SKIP
['prime-checker', 'language-detector']
"""

from __future__ import annotations

from localfc.project.syaml.loader import ProjectError, find_project_file, load_project, read_document
from localfc.project.syaml.model import LATEST, FunctionProps, Project, ProjectIssue, Trigger

__all__ = [
    "LATEST",
    "FunctionProps",
    "Project",
    "ProjectError",
    "ProjectIssue",
    "Trigger",
    "find_project_file",
    "load_project",
    "read_document",
]
