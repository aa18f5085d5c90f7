"""The checks beyond single samples: handler resolution through imports and base classes,
OSS loops across three functions, event overlap, the CLI's output and exit codes, and the
repository's own s.yaml."""

from __future__ import annotations

import subprocess
import sys
from textwrap import dedent
from typing import TYPE_CHECKING

import pytest

from localfc.project.validate import validate_file
from localfc.project.validate.oss_rules import OUTPUT_BUCKET_ENV, OUTPUT_PREFIX_ENV, events_overlap
from localfc.project.validate.props import check_props
from localfc.project.validate.static_resolve import StaticResolver
from runtime import constants
from tests.fixtures.paths import REPO as REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

REPO = REPO_ROOT
SAMPLES = REPO / "tests" / "samples" / "s-yaml"


def _module(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")


@pytest.fixture
def code(tmp_path: Path) -> Path:
    _module(tmp_path, "pkg/__init__.py", "from pkg.base import Runtime as Runtime\n")
    _module(
        tmp_path,
        "pkg/base.py",
        """
        class Base:
            def handler(self, event, context):
                return event

        class Runtime(Base):
            def initialize(self, context, *, strict=False):
                pass

            @staticmethod
            def pre_stop(context):
                pass

            def needs_keyword(self, context, *, mode):
                pass
        """,
    )
    _module(
        tmp_path,
        "handlers/fn.py",
        """
        from pkg import Runtime
        from . import helpers
        from .helpers import plain as renamed

        app = Runtime()
        handler = app.handler
        initialize = app.initialize
        pre_stop = app.pre_stop
        unbound = Runtime.handler
        keyword = app.needs_keyword
        via_module = helpers.plain
        alias = renamed
        """,
    )
    _module(tmp_path, "handlers/__init__.py", "")
    _module(tmp_path, "handlers/helpers.py", "def plain(event, context=None, *rest):\n    return 1\n")
    return tmp_path


@pytest.mark.parametrize(
    ("dotted", "arity", "status"),
    [
        ("handlers.fn.handler", 2, "ok"),  # bound method found on a base class, through a re-export
        ("handlers.fn.initialize", 1, "ok"),
        ("handlers.fn.pre_stop", 1, "ok"),  # staticmethod: no self to drop
        ("handlers.fn.initialize", 2, "arity"),
        ("handlers.fn.unbound", 2, "arity"),  # Class.method needs self too
        ("handlers.fn.keyword", 1, "arity"),  # a required keyword-only argument
        ("handlers.fn.via_module", 2, "ok"),  # relative import of a module, then its function
        ("handlers.fn.alias", 1, "ok"),
        ("handlers.fn.missing", 2, "missing-attr"),
        ("handlers.nope.handler", 2, "missing-module"),
        ("handler", 2, "missing-attr"),
    ],
)
def test_static_resolution(code: Path, dotted: str, arity: int, status: str) -> None:
    assert StaticResolver([code]).resolve(dotted, arity).status == status


def test_static_resolution_reports_syntax_errors_with_the_line(code: Path) -> None:
    _module(code, "handlers/bad.py", "def handler(event, context)\n    pass\n")
    verdict = StaticResolver([code]).resolve("handlers.bad.handler", 2)
    assert (verdict.status, verdict.detail) == ("syntax", "handlers/bad.py line 1: expected ':'")


def test_output_env_names_are_the_runtimes() -> None:
    assert (OUTPUT_PREFIX_ENV, OUTPUT_BUCKET_ENV) == (constants.APP_OUTPUT_PREFIX, constants.APP_OUTPUT_BUCKET)


def test_event_overlap_understands_the_wildcard() -> None:
    put, star, delete = "oss:ObjectCreated:PutObject", "oss:ObjectCreated:*", "oss:ObjectRemoved:DeleteObject"
    assert events_overlap((star,), (put, delete)) == [put]
    assert events_overlap((put,), (delete,)) == []


def _oss_function(name: str, listen: str, writes: str) -> str:
    return f"""
  {name}:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: {name}
      runtime: python3.10
      code: {REPO}
      handler: handlers.prime_checker.handler
      role: acs:ram::1:role/oss
      environmentVariables: {{PYTHONPATH: /code/python, APP_OUTPUT_PREFIX: {writes}}}
      triggers:
        - triggerName: in
          triggerType: oss
          sourceArn: acs:oss:cn-hangzhou:1:photos
          triggerConfig:
            events: [oss:ObjectCreated:PutObject]
            filter: {{key: {{prefix: {listen}, suffix: ''}}}}
"""


def test_three_function_cycle_is_one_error(tmp_path: Path) -> None:
    text = "edition: 3.0.0\nname: app\nresources:" + "".join(
        [_oss_function("a", "in/", "b-in/"), _oss_function("b", "b-in/", "c-in/"), _oss_function("c", "c-in/", "in/")]
    )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    problems = validate_file(tmp_path / "s.yaml", environ={}).problems
    assert [(p.rule, p.resource) for p in problems] == [("oss-cycle", "a")]
    assert problems[0].message.startswith("OSS trigger cycle a → b → c → a: ")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "local_invoke.py"), "validate", *args],
        cwd=SAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_passes_on_the_repository_s_yaml() -> None:
    done = subprocess.run(
        [sys.executable, "local_invoke.py", "validate"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 errors" in done.stdout or ": OK (" in done.stdout


def test_cli_prints_one_line_per_problem_and_exits_1() -> None:
    done = _cli("-t", "memory-not-multiple-of-64.yaml")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "memory-not-multiple-of-64.yaml:16: error: checker: memorySize: must be a multiple of 64 MB, got 1000"
        " (nearest: 960 or 1024) [prop-range]",
        "memory-not-multiple-of-64.yaml: 1 error, 0 warnings (1 function, 1 trigger checked)",
    ]


def test_cli_warnings_pass_unless_strict() -> None:
    assert _cli("-t", "oss-wildcard-event.yaml").returncode == 0
    assert _cli("-t", "oss-wildcard-event.yaml", "--strict").returncode == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.yaml", "error: missing.yaml: file not found"),
        (
            "yaml-syntax-error.yaml",
            "error: yaml-syntax-error.yaml: YAML syntax error at line 9, column 6: did not find expected key",
        ),
    ],
)
def test_cli_unreadable_file_is_one_line_without_traceback(name: str, message: str) -> None:
    done = _cli("-t", name)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [message]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 0 4 * * *", None),
        ("CRON_TZ=Asia/Shanghai 0 0 4 ? * MON-FRI", None),
        ("@every 1h30m", None),
        ("0 0 24 * * *", "'0 0 24 * * *': 24 is out of range for hour (0-23)"),
        ("0 0 4 L * *", "'0 0 4 L * *': 'L' is not a valid day of month (FC's cron has no L, W, # or H"),
        ("0 0 4 30 FEB *", "'0 0 4 30 FEB *': the schedule never fires"),
        ("@every 5", "'@every 5': @every needs a duration: '5' is not a duration"),
    ],
)
def test_validate_checks_cron_with_the_code_that_schedules_timers(expression: str, message: str | None) -> None:
    props = {
        "region": "cn-hangzhou",
        "functionName": "nightly",
        "runtime": "python3.10",
        "code": "./",
        "handler": "m.handler",
        "triggers": [
            {
                "triggerName": "t",
                "triggerType": "timer",
                "triggerConfig": {"cronExpression": expression, "enable": True},
            }
        ],
    }
    problems = [p for p in check_props("nightly", props) if p.rule == "cron-expression"]
    if message is None:
        assert problems == []
    else:
        assert [p.path for p in problems] == ["triggers[0].triggerConfig.cronExpression"]
        assert problems[0].message.startswith(message)
