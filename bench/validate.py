"""How long ``validate`` takes: the repository's s.yaml and a generated 100-function s.yaml.

Baselines measured in the same run on the same files: parsing the YAML alone
(``yaml.load`` with the libyaml loader validate uses), and the official schema alone
(jsonschema Draft-7 on every resource's props, when shared/reference/fc3-schema.json is
beside the repository). ``validate`` does both jobs and more (variables, handlers read from
source, OSS loops), in-process, handler import fallback included.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from localfc.project.syaml import load_project
from localfc.project.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "reference" / "fc3-schema.json"
ROUNDS = 7
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _generated(directory: Path, functions: int = 100) -> Path:
    """A 100-function s.yaml using the repository's code and handlers (HTTP, OSS and timer)."""
    handlers = ["prime_checker", "language_detector"]
    resources = {}
    for i in range(functions):
        module = handlers[i % 2]
        triggers: list[dict[str, Any]] = [
            {
                "triggerName": "http",
                "triggerType": "http",
                "triggerConfig": {"authType": "anonymous", "methods": ["GET", "POST"]},
            }
        ]
        env = {"PYTHONPATH": "/code/python", "APP_LOG_LEVEL": "INFO"}
        if i % 4 == 0:
            env["APP_OUTPUT_PREFIX"] = f"out-{i}/"
            triggers.append(
                {
                    "triggerName": "upload",
                    "triggerType": "oss",
                    "sourceArn": "acs:oss:${vars.region}:${config('AccountID')}:bench-bucket",
                    "triggerConfig": {
                        "events": ["oss:ObjectCreated:PutObject"],
                        "filter": {"key": {"prefix": f"in-{i}/", "suffix": ""}},
                    },
                }
            )
        resources[f"fn-{i}"] = {
            "component": "fc3",
            "extend": {"name": "python"},
            "props": {
                "functionName": f"fn-{i}",
                "handler": f"handlers.{module}.handler",
                "environmentVariables": env,
                "instanceLifecycleConfig": {
                    "initializer": {"handler": f"handlers.{module}.initialize", "timeout": 10},
                    "preStop": {"handler": f"handlers.{module}.pre_stop", "timeout": 10},
                },
                "triggers": triggers,
            },
        }
    doc = {
        "edition": "3.0.0",
        "name": "bench",
        "vars": {"region": "${env('FC_DEPLOY_REGION', 'cn-hangzhou')}"},
        "template": {
            "python": {"region": "${vars.region}", "runtime": "python3.10", "code": str(ROOT), "memorySize": 512,
                       "cpu": 0.5, "diskSize": 512, "timeout": 30}
        },
        "resources": resources,
    }  # fmt: skip
    path = directory / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _best(func: Any) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times) * 1000, statistics.median(times) * 1000


def _schema_only(path: Path) -> Any:
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    project = load_project(path, environ={}, strict=False)

    def run() -> None:
        for resource in project.resources.values():
            list(validator.iter_errors(resource.props))

    return run


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = {"repository s.yaml": ROOT / "s.yaml", "generated 100 functions": _generated(Path(tmp))}
        for label, path in files.items():
            text = path.read_text(encoding="utf-8")
            result = validate_file(path, environ={})
            best, median = _best(lambda p=path: validate_file(p, environ={}))
            parse, _ = _best(lambda t=text: yaml.load(t, Loader=_LOADER))
            print(f"{label}: {result.functions} functions, {len(result.problems)} problems")
            print(f"   validate           best {best:7.1f} ms  median {median:7.1f} ms")
            print(f"   yaml.load          best {parse:7.1f} ms")
            print(f"   ratio validate / yaml.load: {best / parse:.1f}x")
            if SCHEMA.is_file():
                schema, _ = _best(_schema_only(path))
                print(f"   jsonschema only    best {schema:7.1f} ms")
                print(f"   ratio validate / jsonschema-only: {best / schema:.2f}x")


if __name__ == "__main__":
    main()
