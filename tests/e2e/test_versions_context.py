"""The version that ran is visible to the function in both context shapes and in its
environment, and to the caller in the ``x-fc-function-version`` header."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pytest

from tests.fixtures.versions import PROBE_FUNCTION, invoke, make_probe_app

pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(params=["python3.10", "python3.12"])
def runtime_fc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any, Any]]:
    app = make_probe_app(tmp_path / "app", runtime=request.param)
    server = importlib.import_module("localfc.fc.server")
    options = importlib.import_module("localfc.fc.options")
    serve_options = options.ServeOptions(port=0, console=None, run_oss=False, run_sls=False, run_timers=False)
    with server.LocalFC(app.load(), serve_options) as fc:
        yield request.param, app, fc


def test_version_and_qualifier_reach_the_function(
    runtime_fc: tuple[str, Any, Any], fc_client_factory: Callable[[str], Any]
) -> None:
    runtime, app, fc = runtime_fc
    fc.resolver.publish_function_version(PROBE_FUNCTION)
    app.set_build("v2")
    fc.resolver.publish_function_version(PROBE_FUNCTION)
    fc.resolver.create_alias(PROBE_FUNCTION, "prod", "2")
    client = fc_client_factory(f"127.0.0.1:{fc.port}")

    header, answer = invoke(client, "prod")
    assert header == "2"
    assert (answer["build"], answer["qualifier"], answer["version"]) == ("v2", "prod", "2")
    variable, other = (
        ("FC_FUNCTION_VERSION", "FC_VER_ID") if runtime == "python3.12" else ("FC_VER_ID", "FC_FUNCTION_VERSION")
    )
    assert (answer["env"][variable], answer["env"][other]) == ("2", None)

    header, answer = invoke(client, "1")
    assert (header, answer["build"], answer["qualifier"], answer["version"]) == ("1", "v1", "1", "1")

    header, answer = invoke(client, "LATEST")
    assert (header, answer["build"], answer["qualifier"]) == ("LATEST", "v2", "LATEST")
