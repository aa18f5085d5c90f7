"""``local_invoke.py package [FUNCTION]``: build the code zip that ``s deploy`` would upload.

The zip holds the code directory filtered by ``.fcignore`` (as fc3 zips it) and, under
``python/``, requirements.txt installed for the runtime's Python (pure-Python wheels, or
manylinux wheels for FC's platform; no Docker). Dependencies are cached in
``.localfc/package-cache``. Exit status: 0 built, 1 a function could not be packaged.

    python local_invoke.py package                       # every function, into dist/
    python local_invoke.py package prime-checker -o /tmp/pkg
    python local_invoke.py package --python-version 3.11 # deps for this machine's Python
    python local_invoke.py package --no-deps             # exactly the code dir, as after `s build`
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.project.package import DependencyError, PackageError, TargetError, build_package
from localfc.project.syaml import ProjectError, load_project
from localfc.terminal import heartbeat

if TYPE_CHECKING:
    import argparse

    from localfc.project.package import PackageResult

HELP = "build the code zip that `s deploy` would upload"
RUNTIMES = ("python3.9", "python3.10", "python3.12")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", nargs="?", help="functionName or resource name (default: every function)")
    parser.add_argument("-t", "--template", default=None, help="s.yaml to read (default: ./s.yaml)")
    parser.add_argument("-o", "--output", default="dist", help="directory for the zips (default: dist)")
    parser.add_argument("--runtime", choices=RUNTIMES, default=None, help="target runtime (default: s.yaml's)")
    parser.add_argument(
        "--python-version",
        default=None,
        metavar="X.Y",
        help="install dependencies for this Python instead of the runtime's (e.g. 3.11 to import-check here)",
    )
    parser.add_argument("--no-deps", action="store_true", help="do not install requirements.txt into python/")
    parser.add_argument("--refresh", action="store_true", help="reinstall the dependencies, ignoring the cache")


def run(args: argparse.Namespace) -> int:
    try:
        project = load_project(args.template)
        names = [args.function] if args.function else [props.functionName for _, props in project.functions()]
        for name in names:
            project.function(name)  # unknown names fail before any work
    except (ProjectError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    status = 0
    for number, name in enumerate(names, 1):
        print(f"[{number}/{len(names)}] {name}: packaging...", file=sys.stderr, flush=True)
        try:
            with heartbeat(f"packaging {name}", sys.stderr):
                result = build_package(
                    project,
                    name,
                    Path(args.output),
                    runtime=args.runtime,
                    python_version=args.python_version,
                    with_dependencies=not args.no_deps,
                    refresh=args.refresh,
                    log=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
                )
        except (PackageError, DependencyError, TargetError, OSError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        _report(result)
    return status


def _report(result: PackageResult) -> None:
    stats = result.stats
    if result.dependencies is None:
        deps = "no dependencies"
    else:
        origin = "cached" if result.dependencies.cached else "installed"
        deps = f"dependencies {_size(stats.dependency_bytes)} in {stats.dependency_files} files ({origin})"
    print(
        f"{result.zip_path}  {_size(result.zip_bytes)}  [{result.target.describe()}; code {_size(stats.code_bytes)}"
        f" in {stats.code_files} files; {deps}]"
    )
    for note in result.notes:
        print(f"note: {result.function}: {note}", file=sys.stderr)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
