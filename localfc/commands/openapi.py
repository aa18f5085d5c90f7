"""``local_invoke.py openapi [FUNCTION ...]``: an OpenAPI 3.1 document for the HTTP functions
of s.yaml, from their routes and pydantic models (``localfc/project/openapi``).

    python local_invoke.py openapi                      # every HTTP function, paths under /<function>
    python local_invoke.py openapi prime-checker -o prime-checker.openapi.json
    python local_invoke.py openapi prime-checker --server-url http://127.0.0.1:9000/prime-checker

``serve`` serves the same documents, and a Swagger UI page per function, under ``/-/docs/``.
Exit status: 0, or 2 for an unknown function or a handler that does not import.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.project.openapi import OpenApiError, openapi_for
from localfc.project.syaml import ProjectError, load_project

if TYPE_CHECKING:
    import argparse

HELP = "print an OpenAPI 3.1 document of the HTTP functions, from their routes and models"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("functions", nargs="*", metavar="FUNCTION", help="functionName(s) (default: every HTTP one)")
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="write the document here, not stdout")
    parser.add_argument("--server-url", default="", metavar="URL", help="the `servers` entry (e.g. the trigger URL)")
    parser.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")


def run(args: argparse.Namespace) -> int:
    try:
        project = load_project(args.template)
        document = openapi_for(project, args.functions, server_url=args.server_url)
    except (ProjectError, OpenApiError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: -o {args.output}: cannot write it ({exc.strerror})", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
