"""``validate`` on the ordinary ways Python binds an entry point (no false alarm), on what it
learns about the adapter behind a handler (routes, OSS writer), and ``--schema FILE``."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

import pytest

from localfc.cli import main
from localfc.project.syaml import load_project
from localfc.project.validate import validate_file
from localfc.project.validate.adapters import handler_facts, normalise
from localfc.project.validate.schema_file import SchemaFileError
from localfc.project.validate.static_resolve import StaticResolver
from runtime.routing import Route
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_FILE = REPO.parent / "shared" / "reference" / "fc3-schema.json"


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def s_yaml(root: Path, handlers: dict[str, str], extra: str = "") -> Path:
    """One function per (functionName, handler string), code in ``root``."""
    resources = "".join(
        f"""
  {name}:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: {name}
      runtime: python3.10
      code: ./
      handler: {dotted}
{extra}"""
        for name, dotted in handlers.items()
    )
    path = root / "s.yaml"
    path.write_text(f"edition: 3.0.0\nname: app\nresources:{resources}", encoding="utf-8")
    return path


@pytest.fixture
def bindings(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "handlers/runtime_like.py",
        """
        class App:
            def initialize(self, context): ...
            def handler(self, event, context): ...
            def pre_stop(self, context): ...
        """,
    )
    write(
        tmp_path,
        "handlers/unpacked.py",
        """
        from handlers.runtime_like import App
        app = App()
        initialize, handler, pre_stop = app.initialize, app.handler, app.pre_stop
        """,
    )
    write(tmp_path, "handlers/__init__.py", "from handlers.unpacked import handler as exported\n")
    write(tmp_path, "handlers/reexport.py", "from handlers import exported as handler\n")
    write(
        tmp_path,
        "handlers/decorated.py",
        """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(event, context):
                return fn(event, context)
            return wrapper

        @logged
        def handler(event, context):
            return "ok"
        """,
    )
    write(tmp_path, "handlers/from_call.py", "def make():\n    return print, print\n\nhandler, other = make()\n")
    write(tmp_path, "handlers/walrus.py", "if (handler := (lambda event, context: 1)):\n    pass\n")
    write(tmp_path, "handlers/plain_import.py", "from handlers.decorated import handler\n")
    write(tmp_path, "python/vendored/__init__.py", "def handler(event, context):\n    return 1\n")
    write(tmp_path, "handlers/from_vendored.py", "from vendored import handler\n")
    return tmp_path


@pytest.mark.parametrize(
    ("dotted", "status"),
    [
        ("handlers.unpacked.handler", "ok"),  # README step 2
        ("handlers.unpacked.initialize", "ok"),
        ("handlers.reexport.handler", "ok"),  # through a package's re-export
        ("handlers.from_vendored.handler", "ok"),  # from a module under <code>/python
        ("handlers.decorated.handler", "unknown"),  # the probe decides
        ("handlers.from_call.handler", "unknown"),  # unpacking a call's result
        ("handlers.walrus.handler", "unknown"),
        ("handlers.unpacked.missing", "missing-attr"),  # nothing could bind it: certain
    ],
)
def test_static_reading_is_sure_or_says_unknown(bindings: Path, dotted: str, status: str) -> None:
    arity = 1 if dotted.endswith("initialize") else 2
    assert StaticResolver([bindings, bindings / "python"]).resolve(dotted, arity).status == status


def test_no_false_alarm_for_any_ordinary_binding(bindings: Path) -> None:
    path = s_yaml(
        bindings,
        {
            "unpacked": "handlers.unpacked.handler",
            "reexport": "handlers.reexport.handler",
            "decorated": "handlers.decorated.handler",
            "imported": "handlers.plain_import.handler",
            "vendored": "handlers.from_vendored.handler",
            "from-call": "handlers.from_call.handler",
        },
    )
    # The module vendored under python/ is a dependency question (``undeclared-import``: a
    # package ships what requirements.txt declares); this test is about the bindings.
    problems = validate_file(path, environ={}).problems
    assert [p.render("s.yaml") for p in problems if p.rule != "undeclared-import"] == []


def test_a_wrong_arity_found_by_the_probe_is_still_an_error(bindings: Path) -> None:
    write(
        bindings, "handlers/one_arg.py", "import functools\n\n@functools.lru_cache\ndef handler(event):\n    return 1\n"
    )
    path = s_yaml(bindings, {"one-arg": "handlers.one_arg.handler"})
    assert [(p.rule, p.path) for p in validate_file(path, environ={}).problems] == [("handler-arity", "handler")]


def linked_runtime(root: Path) -> None:
    """The repository's runtime and algorithms, with the distributions they declare."""
    for name in ("runtime", "algorithms", "requirements.txt"):
        (root / name).symlink_to(REPO / name)


def test_routes_built_in_code_are_read_through_the_probe(tmp_path: Path) -> None:
    linked_runtime(tmp_path)
    write(
        tmp_path,
        "handlers/looped.py",
        """
        from algorithms.prime_checker import PrimeChecker
        from runtime import AlgorithmFunction, Route

        app = AlgorithmFunction(PrimeChecker(), routes=[Route(m, "/check/") for m in ("GET", "POST")])
        handler = app.handler
        """,
    )
    config = "{authType: anonymous, methods: [GET, PUT]}"
    extra = f"      triggers:\n        - {{triggerName: http, triggerType: http, triggerConfig: {config}}}\n"
    project = load_project(s_yaml(tmp_path, {"looped": "handlers.looped.handler"}, extra))
    props = project.function("looped")[1]
    assert handler_facts(project, props, use_import=False).kind == "unknown"
    facts = handler_facts(project, props)
    assert (facts.kind, facts.routes) == ("algorithm", (("GET", "/check"), ("POST", "/check")))
    problems = validate_file(project.path, environ={}).problems
    # (the sample s.yaml sets no PYTHONPATH for its requirements.txt: not this test's point)
    found = [(p.rule, p.message.split(" is ")[0]) for p in problems if p.rule != "pythonpath"]
    assert found == [("http-method-unrouted", "PUT")]


def test_repository_facts_come_from_the_source_alone() -> None:
    project = load_project(REPO / "s.yaml")
    facts = {r: handler_facts(project, props, use_import=False) for r, props in project.functions()}
    assert facts["prime-checker"].routes == (("POST", "/check"), ("GET", "/check"))
    assert (facts["thumbnailer"].writes_oss, facts["prime-checker"].writes_oss) == (True, False)


def test_a_plain_function_is_known_from_the_source_without_importing_it(bindings: Path) -> None:
    """``invoke`` asks whether a handler writes OSS before every call: a plain ``def`` (also
    re-exported) must not cost a child interpreter importing the module."""
    path = s_yaml(
        bindings,
        {
            "vendored": "handlers.from_vendored.handler",
            "bound": "handlers.unpacked.handler",
            "decorated": "handlers.decorated.handler",
        },
    )
    project = load_project(path, environ={})
    facts = {r: handler_facts(project, props, use_import=False) for r, props in project.functions()}
    assert facts["vendored"].kind == "other"
    assert facts["bound"].kind == "unknown"  # a method of a class that is not one of ours
    assert facts["decorated"].kind == "unknown"  # a decorator may return anything: the probe decides


def test_route_paths_are_normalised_as_the_runtime_does() -> None:
    for method, path in [("get", "/a/"), ("POST", "b"), ("put", "//c//d/")]:
        route = Route(method, path)
        assert normalise(method, path) == (route.method, route.path)


def test_schema_file_is_opt_in_and_adds_what_it_finds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["description"]}
    (tmp_path / "needs-description.json").write_text(json.dumps(schema))
    path = s_yaml(tmp_path, {"plain": "m.handler"})
    (tmp_path / "m.py").write_text("def handler(event, context):\n    return 1\n")
    assert validate_file(path, environ={}).problems == []
    found = validate_file(path, environ={}, schema=tmp_path / "needs-description.json").problems
    assert [(p.rule, p.resource, p.path) for p in found] == [("schema", "plain", "description")]
    with pytest.raises(SchemaFileError, match="file not found"):
        validate_file(path, environ={}, schema=tmp_path / "nope.json")
    assert main(["validate", "-t", str(path), "--schema", str(tmp_path / "nope.json")]) == 2
    assert "--schema" in capsys.readouterr().err


@pytest.mark.skipif(not SCHEMA_FILE.is_file(), reason="shared/reference is not beside this clone")
def test_the_official_schema_agrees_with_the_repository_s_yaml() -> None:
    assert validate_file(REPO / "s.yaml", schema=SCHEMA_FILE).problems == []
