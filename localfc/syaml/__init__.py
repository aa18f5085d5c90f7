"""s.yaml, the single source of truth: every local tool reads functions and triggers here."""

from __future__ import annotations

from localfc.syaml.loader import ProjectError, find_project_file, load_project, read_document
from localfc.syaml.model import FunctionProps, Project, Trigger

__all__ = ["FunctionProps", "Project", "ProjectError", "Trigger", "find_project_file", "load_project", "read_document"]
