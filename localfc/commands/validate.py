"""``local_invoke.py validate [-t FILE]``: check s.yaml offline, before ``s deploy`` does.

Prints one line per problem (``file:line: error|warning: resource: prop.path: message [rule]``)
and a summary. Exit status: 0 no errors (warnings allowed; ``--strict`` makes them count),
1 errors or an unreadable s.yaml, 2 bad usage (an unreadable ``--schema`` file).

    python local_invoke.py validate
    python local_invoke.py validate -t s-prod.yaml --no-import
    python local_invoke.py validate --schema ../shared/reference/fc3-schema.json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.project.syaml import ProjectError
from localfc.project.validate import validate_file
from localfc.project.validate.report import summary
from localfc.project.validate.schema_file import SchemaFileError

if TYPE_CHECKING:
    import argparse

HELP = "check s.yaml offline: props, handlers, OSS loops"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-t", "--template", default=None, help="s.yaml to check (default: ./s.yaml)")
    parser.add_argument(
        "--no-import",
        action="store_true",
        help="never import handler modules (only read their source); undecidable handlers are not checked",
    )
    parser.add_argument(
        "--schema",
        default=None,
        metavar="FILE",
        help="also check every fc3 resource against this JSON Schema (e.g. the fc3 component's schema.json)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only, no summary line")


def run(args: argparse.Namespace) -> int:
    try:
        schema = Path(args.schema) if args.schema else None
        result = validate_file(args.template, use_import=not args.no_import, schema=schema)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SchemaFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    name = _display_name(result.file)
    out = sys.stdout
    for problem in result.problems:
        print(problem.render(name), file=out)
    if not args.quiet:
        print(summary(name, result.problems, result.functions, result.triggers), file=out)
    failed = not result.ok or (args.strict and bool(result.warnings))
    return 1 if failed else 0


def _display_name(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
