"""``local_invoke.py package [FUNCTION]``: build the code zip each function ships, without Docker.

Per function: its handler and the modules it reaches, only the distributions its imports need
(from requirements.txt; those of its layers stay out), wheels for FC's Python and platform,
and bytecode compiled by FC's Python version (python3.10 / python3.12 found on PATH or in pyenv).
The report gives each zip's zipped and unpacked size, its largest distributions, whether
bytecode is in, and warnings near FC's limits. Wheels and installs are cached in
``.localfc/package-cache`` per target. Exit status: 0 built, 1 a function could not be packaged
(each problem said once), 2 bad usage.

    python local_invoke.py package                       # every function, into dist/
    python local_invoke.py package prime-checker -o /tmp/pkg --runtime python3.12
    python local_invoke.py package --python-version 3.11 # deps for this machine's Python
    python local_invoke.py package --no-deps             # the code only, as after `s build`

It also writes ``s.dist.yaml`` next to s.yaml: the same functions with ``code:`` pointing at
the zips just built, for ``s deploy -y -t s.dist.yaml`` (``--no-template`` skips it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.project.package import DependencyError, PackageError, TargetError, build_package
from localfc.project.package.deploy_template import DEPLOY_TEMPLATE, DeployTemplateError, write_deploy_template
from localfc.project.package.distributions import RequirementsError
from localfc.project.package.report import render
from localfc.project.syaml import ProjectError, load_project
from localfc.terminal import heartbeat

if TYPE_CHECKING:
    import argparse

HELP = "build the code zip each function ships (per-function dependencies, bytecode, no Docker)"
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
    parser.add_argument("--no-deps", action="store_true", help="do not install dependencies into python/")
    parser.add_argument("--no-bytecode", action="store_true", help="leave out the .pyc files (for comparisons)")
    parser.add_argument("--refresh", action="store_true", help="download and install again, ignoring the cache")
    parser.add_argument(
        "--no-template", action="store_true", help=f"do not write {DEPLOY_TEMPLATE} (s.yaml with code: the zips)"
    )


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
    failures: dict[str, list[str]] = {}  # message -> functions: a shared cause is said once
    packaged: dict[str, tuple[Path, str | None]] = {}  # resource -> (zip, runtime if not s.yaml's)
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
                    with_bytecode=not args.no_bytecode,
                    refresh=args.refresh,
                    log=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
                )
        except (PackageError, DependencyError, TargetError, RequirementsError) as exc:
            failures.setdefault(str(exc), []).append(name)
            status = 1
            continue
        except OSError as exc:
            where = exc.filename or args.output
            failures.setdefault(f"cannot write {where}: {exc.strerror or exc}", []).append(name)
            status = 1
            continue
        out, err = render(result)
        print("\n".join(out))
        for line in err:
            print(line, file=sys.stderr)
        resource, props = project.function(name)
        packaged[resource] = (
            result.zip_path,
            None if result.target.runtime == props.runtime else result.target.runtime,
        )
    for message, functions in failures.items():
        print(f"error: {', '.join(functions)}: {message}", file=sys.stderr)
    if packaged and not args.no_template:
        status = max(status, _write_template(project.path, packaged))
    return status


def _write_template(template: Path, packaged: dict[str, tuple[Path, str | None]]) -> int:
    try:
        written = write_deploy_template(template, packaged)
    except (DeployTemplateError, ProjectError, OSError) as exc:
        print(f"error: {DEPLOY_TEMPLATE}: {exc}", file=sys.stderr)
        return 1
    count = len(packaged)
    what = f"s.yaml with code: the zips above ({count} function{'s' if count != 1 else ''})"
    print(f"{written.name}: {what}; deploy with `s deploy -y -t {written.name}`")
    return 0
