"""``local_invoke.py layer``: build FC layers from ``layers/<name>/requirements.txt`` and publish
them with the official FC 3.0 client, to the local FC (``serve``) or to FC (``--fc``).

    python local_invoke.py layer build oss-objects                  # dist/layers/oss-objects-python3.10.zip
    python local_invoke.py layer publish oss-objects                # CreateLayerVersion on the running serve
    python local_invoke.py layer publish oss-objects --fc           # ... on Function Compute
    python local_invoke.py layer publish shared --zip my-layer.zip  # a zip built elsewhere
    python local_invoke.py layer list | versions NAME | delete NAME VERSION

``publish`` prints the new version's ARN: name it in a function's ``layers:`` in s.yaml. The API
endpoint and keys are found as ``release`` finds them (``--endpoint``, ``FC_ENDPOINT``, ``--fc``,
else the local FC in ``.localfc/serve.json``). Exit status: 0 done, 1 the build or the API call
failed, 2 bad usage (unknown layer, a zip that is not one or has no ``python/``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localfc.commands.release_args import add_api_location
from localfc.project.package import DependencyError, TargetError, target_for
from localfc.project.package.builder import CACHE_DIR
from localfc.project.package.distributions import RequirementsError
from localfc.project.package.layer_specs import LAYER_NAME, LayerSpec, layer_specs
from localfc.project.package.layers import LayerError, build_layer, check_layer_zip
from localfc.project.package.report import MAX_LAYERS, limit_warnings, size_text
from localfc.project.syaml import ProjectError, load_project

if TYPE_CHECKING:
    import argparse

    from localfc.project.package.layers import LayerResult
    from localfc.project.syaml.model import Project
    from localfc.release.client import FcClient

HELP = "build FC layers (layers/<name>/requirements.txt) and publish them, locally or to FC"
RUNTIMES = ("python3.9", "python3.10", "python3.12")


class UsageError(ValueError):
    """Bad input: exit status 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("build", "publish", "list", "versions", "delete"))
    parser.add_argument("name", nargs="?", help="layer name: layers/<name>/ (build, publish, versions, delete)")
    parser.add_argument("version", nargs="?", help="layer version (delete)")
    parser.add_argument("-t", "--template", default=None, help="s.yaml whose folder holds layers/ (default: ./s.yaml)")
    parser.add_argument("-o", "--output", default="dist/layers", help="directory for built layers (dist/layers)")
    parser.add_argument("--runtime", choices=RUNTIMES, default=None, help="target runtime (default: s.yaml's)")
    parser.add_argument("--zip", default=None, help="publish: this zip instead of building layers/<name>/")
    parser.add_argument("--description", default="", help="publish: the version's description")
    parser.add_argument("--refresh", action="store_true", help="build: download and install again")
    where = parser.add_argument_group("where the FC API is (publish, list, versions, delete)")
    add_api_location(where, region_default="s.yaml's first function's")


def run(args: argparse.Namespace) -> int:
    from localfc.release.client import FcCallError  # noqa: PLC0415 - the SDK only loads for API actions
    from localfc.release.connection import ConnectionSetupError  # noqa: PLC0415

    try:
        project = load_project(args.template)
        if args.action == "build":
            for line in _report(_build(project, args)):
                print(line)
            return 0
        return _api(project, args)
    except (ProjectError, UsageError, LayerError, TargetError, ConnectionSetupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DependencyError, RequirementsError, FcCallError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write {exc.filename or args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _spec(project: Project, name: str | None) -> LayerSpec:
    if not name:
        raise UsageError("which layer? give its name (a folder layers/<name>/ with a requirements.txt)")
    specs = layer_specs(project.base_dir)
    if name not in specs:
        known = ", ".join(specs) or "none"
        raise UsageError(
            f"no layer {name!r}: expected {project.base_dir / 'layers' / name / 'requirements.txt'} (layers: {known})"
        )
    return specs[name]


def _runtime(project: Project, args: argparse.Namespace) -> str:
    functions = project.functions()
    return str(args.runtime or (functions[0][1].runtime if functions else "python3.10"))


def _build(project: Project, args: argparse.Namespace) -> LayerResult:
    spec = _spec(project, args.name)
    log = lambda line: print(line, file=sys.stderr)  # noqa: E731 - one-line progress sink
    target = target_for(_runtime(project, args))
    cache = project.base_dir / CACHE_DIR
    return build_layer(spec, target, Path(args.output), cache, refresh=args.refresh, log=log)


def _report(result: LayerResult) -> list[str]:
    largest = ", ".join(f"{n} {size_text(b)}" for n, b in list(result.dependencies.sizes.items())[:5])
    lines = [
        f"{result.name}  {result.zip_path}  {size_text(result.zip_bytes)} zipped, "
        f"{size_text(result.unpacked_bytes)} unpacked  [{result.target.describe()}; /opt/python]",
        f"  largest: {largest}",
        "  bytecode: " + (f"no: {result.bytecode}" if result.bytecode else "yes (unchecked-hash, for /opt/python)"),
    ]
    for note in result.notes:
        print(f"note: {result.name}: {note}", file=sys.stderr)
    for warning in limit_warnings(result.zip_bytes, "layer"):
        print(f"warning: {result.name}: {warning}", file=sys.stderr)
    return lines


def _client(project: Project, args: argparse.Namespace) -> FcClient:
    from localfc.release.client import FcClient  # noqa: PLC0415 - the SDK costs ~0.4 s
    from localfc.release.connection import resolve_connection  # noqa: PLC0415

    functions = project.functions()
    region = args.region or (functions[0][1].region if functions else "cn-hangzhou")
    state_dir = Path(args.state_dir) if args.state_dir else project.base_dir / ".localfc"
    connection = resolve_connection(
        endpoint=args.endpoint,
        use_fc=args.fc,
        region=region,
        account_id=args.account_id,
        access=args.access or project.access,
        state_dir=state_dir,
    )
    return FcClient(connection)


def _api(project: Project, args: argparse.Namespace) -> int:
    if args.action == "publish":
        if args.zip:
            if not args.name or not LAYER_NAME.match(args.name):
                raise UsageError("publish --zip needs a layer name: letters, digits, _ and -, at most 64")
            path, runtime = Path(args.zip), _runtime(project, args)
        else:
            built = _build(project, args)
            print("\n".join(_report(built)), file=sys.stderr)
            path, runtime = built.zip_path, built.target.runtime
        check_layer_zip(path)
        data = path.read_bytes()
        for warning in limit_warnings(len(data), "layer"):
            print(f"warning: {args.name}: {warning}", file=sys.stderr)
        created = _client(project, args).create_layer_version(
            args.name, data, runtimes=[runtime], description=args.description
        )
        print(created.get("layerVersionArn", ""))
        print(
            f"add it to a function's `layers:` in s.yaml (at most {MAX_LAYERS}; the first listed wins a file)",
            file=sys.stderr,
        )
        return 0
    client = _client(project, args)
    if args.action == "list":
        docs = client.list_layers()
    elif args.action == "versions":
        docs = client.list_layer_versions(_name(args))
    else:
        if not args.version or not args.version.isdigit():
            raise UsageError("delete needs a layer name and a version number")
        client.delete_layer_version(_name(args), args.version)
        return 0
    for doc in docs:
        print(json.dumps({k: v for k, v in doc.items() if k != "code"}, ensure_ascii=False))
    return 0


def _name(args: argparse.Namespace) -> str:
    if not args.name:
        raise UsageError("which layer? give its name")
    return str(args.name)
