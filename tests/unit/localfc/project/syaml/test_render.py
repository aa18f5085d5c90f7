"""s.yaml loading as Serverless Devs 3.x does it: variables, templates, file-level extend,
.env, strict vs lenient loading, line numbers in errors."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from localfc.project.syaml import ProjectError, load_project
from localfc.project.syaml.render import Renderer, RenderError
from localfc.project.syaml.templates import deep_merge

# props of a minimal function, indented to sit under `props:` in the dedented files below
FUNCTION = """
              region: ${vars.region}
              functionName: %s
              runtime: python3.10
              code: ./
              handler: index.handler
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def render(value: object, environ: dict[str, str] | None = None, doc: dict[str, object] | None = None) -> object:
    return Renderer(
        doc or {"vars": {"mem": 512, "region": "${env('R', 'cn-beijing')}"}}, Path("."), environ or {}
    ).render(value, "resources.f.props.x")


def test_whole_expression_keeps_the_type_and_interpolation_makes_text() -> None:
    assert render("${vars.mem}") == 512
    assert render("mem=${vars.mem}MB") == "mem=512MB"
    assert render("${vars.region}") == "cn-beijing"  # a var may itself use env()


def test_env_default_and_empty_value_counts_as_unset() -> None:
    assert render("${env('R', 'd')}", {"R": "x"}) == "x"
    assert render("${env('R', 'd')}", {"R": ""}) == "d"  # s: `if (res) return res`
    assert render("${env.R}", {"R": "y"}) == "y"
    with pytest.raises(RenderError, match="R is not set and has no default"):
        render("${env('R')}", {"R": ""})


def test_config_account_id_from_environment_or_local_fallback() -> None:
    assert render("${config('AccountID')}", {"AccountID": "42"}) == "42"
    fallback = Renderer({}, Path("."), {}, config_fallbacks={"AccountID": "1"})
    assert fallback.render("acs:ram::${config('AccountID')}:role/r", "w") == "acs:ram::1:role/r"
    with pytest.raises(RenderError, match="set the AccountID environment variable"):
        render("${config('AccountID')}")


def test_this_resources_json_and_file(tmp_path: Path) -> None:
    (tmp_path / "desc.txt").write_text("hello", encoding="utf-8")
    doc = {"resources": {"a": {"props": {"cpu": 0.5, "memorySize": "${vars.m}"}}}, "vars": {"m": 1024}}
    renderer = Renderer(doc, tmp_path, {})
    assert renderer.render("${this.name}", "resources.a.props.description") == "a"
    assert renderer.render("${this.props.cpu}", "resources.a.props.x") == 0.5
    assert renderer.render("${resources.a.props.memorySize}", "resources.b.props.x") == 1024
    assert renderer.render("${json('[1, 2]')}", "w") == [1, 2]
    assert renderer.render("${file('./desc.txt')}", "w") == "hello"


def test_undefined_and_circular_variables_are_errors() -> None:
    with pytest.raises(RenderError, match=r"\$\{vars.nope\} is undefined"):
        render("${vars.nope}")
    with pytest.raises(RenderError, match="refers to itself"):
        render("${vars.a}", doc={"vars": {"a": "${vars.a}"}})
    with pytest.raises(RenderError, match="no resource named 'x'"):
        render("${resources.x.props.region}")


def test_deep_merge_is_extend2() -> None:
    base = {"env": {"A": "1", "B": "2"}, "layers": ["x", "y"], "timeout": 3}
    assert deep_merge(base, {"env": {"B": "3"}, "layers": ["z"], "timeout": None}) == {
        "env": {"A": "1", "B": "3"},
        "layers": ["z"],  # lists are replaced whole, not merged
        "timeout": None,  # an explicit null replaces
    }


def test_template_extend_with_ignore_merges_under_props(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        edition: 3.0.0
        name: app
        vars: {region: cn-hangzhou}
        template:
          base:
            region: ${vars.region}
            runtime: python3.10
            code: ./
            memorySize: 1024
            timeout: 60
            environmentVariables: {A: "1", B: "2"}
        resources:
          f:
            component: fc3
            extend: {name: base, ignore: [timeout]}
            props:
              functionName: f
              handler: index.handler
              environmentVariables: {B: "3"}
        """,
    )
    _, props = load_project(path, environ={}).function("f")
    assert (props.region, props.memorySize, props.timeout) == ("cn-hangzhou", 1024, 3)  # timeout ignored -> default
    assert props.environmentVariables == {"A": "1", "B": "3"}


def test_unknown_template_strict_error_has_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        edition: 3.0.0
        name: app
        vars: {region: cn-hangzhou}
        resources:
          f:
            component: fc3
            extend: {name: nope}
            props:"""
        + FUNCTION.replace("%s", "f"),
    )
    with pytest.raises(ProjectError) as caught:
        load_project(path, environ={})
    assert str(caught.value) == "s.yaml line 7: resources.f.extend: no template named 'nope' (templates: none)"


def test_file_level_extend_merges_both_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        edition: 3.0.0
        name: base-app
        vars: {region: cn-hangzhou}
        resources:
          f:
            component: fc3
            props:"""
        + FUNCTION.replace("%s", "f"),
        "base.yaml",
    )
    path = write(
        tmp_path,
        """
        extend: ./base.yaml
        vars: {region: cn-shanghai}
        resources:
          f:
            props:
              memorySize: 2048
        """,
        "s-prod.yaml",
    )
    project = load_project(path, environ={})
    _, props = project.function("f")
    assert (props.region, props.memorySize, props.handler, project.name) == (
        "cn-shanghai",
        2048,
        "index.handler",
        "base-app",
    )


def test_dotenv_next_to_s_yaml_is_loaded_but_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("REGION=cn-shenzhen\nNAME='from-dotenv' # comment\n", encoding="utf-8")
    path = write(
        tmp_path,
        """
        edition: 3.0.0
        name: ${env('NAME')}
        vars: {region: "${env('REGION')}"}
        resources:
          f:
            component: fc3
            props:"""
        + FUNCTION.replace("%s", "f"),
    )
    assert load_project(path, environ={}).vars["region"] == "cn-shenzhen"
    assert load_project(path, environ={"REGION": "cn-beijing"}).vars["region"] == "cn-beijing"


def test_lenient_load_collects_every_problem_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        edition: 3.0.0
        name: app
        vars:
          region: ${env('NOPE_REGION')}
        resources:
          f:
            component: fc3
            props:"""
        + FUNCTION.replace("%s", "f")
        + "              memorySize: ${vars.memory}\n",
    )
    project = load_project(path, environ={}, strict=False)
    shown = [(i.resource, i.path, i.kind) for i in project.issues if i.kind != "variable-use"]
    assert shown == [("", "vars.region", "variable"), ("f", "memorySize", "variable"), ("f", "memorySize", "model")]
    with pytest.raises(ProjectError, match=r"^s.yaml line 4: vars.region: \$\{env\('NOPE_REGION'\)\}"):
        load_project(path, environ={})


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "edition: 3.0.0\nresources:\n  f: [unclosed\n")
    with pytest.raises(ProjectError, match=r"^s.yaml: YAML syntax error at line 4"):
        load_project(path)


def test_services_key_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "edition: 1.0.0\nservices:\n  f: {component: fc}\n")
    with pytest.raises(ProjectError, match=r"'services' is the 1.x/2.x name"):
        load_project(path)
