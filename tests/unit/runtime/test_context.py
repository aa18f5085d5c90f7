"""Context normalisation: the python3.9/3.10 shape (credentials, service) and the python3.12
shape (no credentials: ALIBABA_CLOUD_* from the environment), as FC sends them and as the
local emulator builds them."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from localfc.fc.context import FAKE_ACCESS_KEY_SECRET, LegacyContext, Py312Context, make_context
from localfc.project.syaml import FunctionProps, load_project
from runtime.context import LATEST, InvocationContext
from runtime.credentials import Credentials
from tests.fixtures.invocation import (
    ENV_KEY_ID,
    ENV_SECRET,
    ENV_TOKEN,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    legacy_context,
    py312_context,
)
from tests.fixtures.paths import REPO as REPO_ROOT

REPO = REPO_ROOT
pytestmark = pytest.mark.usefixtures("clean_fc_env")


@pytest.fixture(scope="module")
def prime_props() -> FunctionProps:
    return load_project(REPO / "s.yaml").function("prime-checker")[1]


# --- python3.9 / 3.10 ----------------------------------------------------------------------
def test_legacy_shape_reads_credentials_and_service() -> None:
    ctx = InvocationContext.from_fc(legacy_context(qualifier="prod", version_id="3", retry_count=1))

    assert ctx.request_id == "req-legacy-1"
    assert (ctx.function_name, ctx.handler, ctx.memory_mb) == ("prime-checker", "handlers.prime_checker.handler", 256)
    assert (ctx.region, ctx.account_id) == ("cn-hangzhou", "1234567890123456")
    assert (ctx.qualifier, ctx.version_id, ctx.version) == ("prod", "3", "3")
    assert (ctx.log_project, ctx.log_store) == ("aliyun-fc-cn-hangzhou-logs", "function-log")
    assert ctx.credentials == Credentials(STS_KEY_ID, STS_SECRET, STS_TOKEN)
    assert ctx.retry_count == 1


def test_legacy_context_credentials_win_over_the_environment(env_credentials: tuple[str, str, str]) -> None:
    ctx = InvocationContext.from_fc(legacy_context())
    assert ctx.credentials is not None
    assert ctx.credentials.access_key_id == STS_KEY_ID


def test_empty_context_credentials_fall_back_to_the_environment(env_credentials: tuple[str, str, str]) -> None:
    # FC sends empty strings when the function has no role.
    ctx = InvocationContext.from_fc(legacy_context(credentials=("", "", "")))
    assert ctx.credentials == Credentials(ENV_KEY_ID, ENV_SECRET, ENV_TOKEN)


def test_no_role_and_no_environment_means_no_credentials() -> None:
    assert InvocationContext.from_fc(legacy_context(credentials=("", "", ""))).credentials is None


@pytest.mark.parametrize(("raw", "expected"), [("30", 30.0), ("2.5", 2.5), (30, 30.0), ("", 0.0), ("abc", 0.0)])
def test_timeout_arrives_as_a_string_and_is_coerced(raw: object, expected: float) -> None:
    assert InvocationContext.from_fc(legacy_context(timeout=raw)).timeout_s == expected


@pytest.mark.parametrize(("raw", "expected"), [("2", 2), (3, 3), (None, 0), ("", 0), ("abc", 0), ("1e400", 0)])
def test_retry_count_string_or_none_is_coerced(raw: object, expected: int) -> None:
    assert InvocationContext.from_fc(legacy_context(retry_count=raw)).retry_count == expected


def test_memory_as_a_string_is_coerced() -> None:
    assert InvocationContext.from_fc(legacy_context(memory="512")).memory_mb == 512


def test_latest_qualifier_has_no_version_id() -> None:
    ctx = InvocationContext.from_fc(legacy_context(qualifier="LATEST", version_id=""))
    assert (ctx.qualifier, ctx.version_id, ctx.version) == ("LATEST", "", "LATEST")


def test_version_id_latest_is_not_a_version() -> None:
    ctx = InvocationContext.from_fc(legacy_context(qualifier="LATEST", version_id="LATEST"))
    assert (ctx.version_id, ctx.version) == ("", "LATEST")


def test_version_comes_from_fc_ver_id_when_the_context_has_none(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("FC_VER_ID", "7")
    assert InvocationContext.from_fc(legacy_context(qualifier="prod")).version == "7"


# --- python3.12 ----------------------------------------------------------------------------
def test_py312_shape_reads_qualifier_and_version_from_function() -> None:
    ctx = InvocationContext.from_fc(py312_context(qualifier="prod", version_id="4"))
    assert (ctx.qualifier, ctx.version_id, ctx.version) == ("prod", "4", "4")
    assert (ctx.log_project, ctx.log_store) == ("aliyun-fc-cn-hangzhou-logs", "function-log")
    assert ctx.retry_count == 0  # not documented on 3.12


def test_py312_has_no_context_credentials_and_reads_the_environment(env_credentials: tuple[str, str, str]) -> None:
    raw = py312_context()
    assert not hasattr(raw, "credentials")
    ctx = InvocationContext.from_fc(raw)
    assert ctx.credentials == Credentials(ENV_KEY_ID, ENV_SECRET, ENV_TOKEN)


def test_py312_without_environment_credentials_has_none() -> None:
    assert InvocationContext.from_fc(py312_context()).credentials is None


def test_py312_version_falls_back_to_fc_function_version(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("FC_FUNCTION_VERSION", "9")
    assert InvocationContext.from_fc(py312_context(version_id="")).version == "9"


def test_function_name_falls_back_to_the_environment(clean_fc_env: pytest.MonkeyPatch) -> None:
    clean_fc_env.setenv("FC_FUNCTION_NAME", "from-env")
    clean_fc_env.setenv("FC_REGION", "cn-shanghai")
    clean_fc_env.setenv("FC_INSTANCE_ID", "c-123")
    ctx = InvocationContext.from_fc(SimpleNamespace(request_id="r"))
    assert (ctx.function_name, ctx.region, ctx.instance_id) == ("from-env", "cn-shanghai", "c-123")


def test_no_context_at_all_is_usable_in_plain_tests() -> None:
    ctx = InvocationContext.from_fc(None)
    assert (ctx.request_id, ctx.qualifier, ctx.version, ctx.timeout_s) == ("local", LATEST, LATEST, 0.0)


def test_rarely_used_fields_are_read_once_and_only_when_asked_for() -> None:
    reads: list[str] = []

    class Function:
        name = "f"

        @property
        def handler(self) -> str:
            reads.append("handler")
            return "handlers.f.handler"

    ctx = InvocationContext.from_fc(SimpleNamespace(request_id="r", function=Function()))
    assert (ctx.request_id, ctx.function_name, reads) == ("r", "f", [])
    assert (ctx.handler, ctx.timeout_s, ctx.handler) == ("handlers.f.handler", 0.0, "handlers.f.handler")
    assert reads == ["handler"]


def test_a_context_built_by_hand_keeps_every_field() -> None:
    ctx = InvocationContext("r", "f", handler="h", memory_mb=128, region="cn-hangzhou", log_store="s")
    assert (ctx.handler, ctx.memory_mb, ctx.region, ctx.log_store, ctx.timeout_s) == ("h", 128, "cn-hangzhou", "s", 0.0)
    assert "cn-hangzhou" in repr(ctx)


# --- deadline -------------------------------------------------------------------------------
def test_deadline_is_computed_from_the_timeout_at_the_start() -> None:
    before = time.monotonic()
    ctx = InvocationContext.from_fc(legacy_context(timeout="30"))
    after = time.monotonic()

    assert ctx.deadline is not None
    assert before + 30 <= ctx.deadline <= after + 30
    remaining = ctx.remaining_ms()
    assert remaining is not None
    assert 29_000 <= remaining <= 30_000


def test_remaining_time_never_goes_negative_after_the_deadline() -> None:
    ctx = InvocationContext(request_id="r", function_name="f", timeout_s=0.05, started_at=time.monotonic() - 1)
    assert ctx.remaining_ms() == 0


@pytest.mark.parametrize("timeout", ["", "0", "inf", "nan", "-5"])
def test_no_usable_timeout_means_no_deadline(timeout: str) -> None:
    ctx = InvocationContext.from_fc(legacy_context(timeout=timeout))
    assert ctx.deadline is None
    assert ctx.remaining_ms() is None


# --- contexts built by the local emulator ----------------------------------------------------
def test_emulator_legacy_context_normalises_like_fc(prime_props: FunctionProps) -> None:
    raw = make_context(prime_props, runtime="python3.10", request_id="r-1", qualifier="prod", version_id="2")
    assert isinstance(raw, LegacyContext)
    assert isinstance(raw.function.timeout, str)  # as FC sends it on 3.9/3.10

    ctx = InvocationContext.from_fc(raw)
    assert (ctx.request_id, ctx.function_name, ctx.qualifier, ctx.version) == ("r-1", "prime-checker", "prod", "2")
    assert ctx.timeout_s == float(prime_props.timeout)
    assert ctx.memory_mb == prime_props.memorySize
    assert ctx.credentials is not None
    assert ctx.credentials.access_key_secret == FAKE_ACCESS_KEY_SECRET


def test_emulator_py312_context_takes_credentials_from_the_environment(
    prime_props: FunctionProps, env_credentials: tuple[str, str, str]
) -> None:
    raw = make_context(prime_props, runtime="python3.12", request_id="r-2", qualifier="prod", version_id="5")
    assert isinstance(raw, Py312Context)
    assert not hasattr(raw, "credentials")

    ctx = InvocationContext.from_fc(raw)
    assert (ctx.qualifier, ctx.version) == ("prod", "5")
    assert ctx.credentials == Credentials(ENV_KEY_ID, ENV_SECRET, ENV_TOKEN)


# --- credentials never leak through repr ------------------------------------------------------
def test_context_and_credentials_repr_hide_the_secret_and_token() -> None:
    ctx = InvocationContext.from_fc(legacy_context())
    assert ctx.credentials is not None
    for text in (repr(ctx), str(ctx), repr(ctx.credentials), str(ctx.credentials), f"{ctx.credentials}"):
        assert STS_SECRET not in text
        assert STS_TOKEN not in text
