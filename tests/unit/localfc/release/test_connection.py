"""Where ``release`` sends its calls and with which keys: local by default, FC only when asked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from localfc.release.connection import ConnectionSetupError, resolve_connection

if TYPE_CHECKING:
    from pathlib import Path

KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexampleexample12", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cr3t-value"}


def connect(tmp_path: Path, environ: dict[str, str] | None = None, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "endpoint": None,
        "use_fc": False,
        "region": "cn-hangzhou",
        "account_id": None,
        "access": "default",
        "state_dir": tmp_path / ".localfc",
        "environ": environ or {},
        "access_file": tmp_path / "access.yaml",
    }
    options.update(kwargs)
    return resolve_connection(**options)


def test_default_is_the_local_fc_serve_announces(tmp_path: Path) -> None:
    (tmp_path / ".localfc").mkdir()
    (tmp_path / ".localfc" / "serve.json").write_text(json.dumps({"host": "127.0.0.1", "port": 9123}))
    connection = connect(tmp_path)
    assert (connection.endpoint, connection.protocol, connection.is_local) == ("127.0.0.1:9123", "http", True)
    assert connection.access_key_id.startswith("LOCAL-FAKE")  # no real keys needed locally


def test_without_serve_or_endpoint_it_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSetupError, match=r"local_invoke\.py serve"):
        connect(tmp_path)


def test_fc_endpoint_from_account_and_region(tmp_path: Path) -> None:
    connection = connect(tmp_path, {**KEYS, "ALIBABA_CLOUD_ACCOUNT_ID": "1234"}, use_fc=True, region="cn-shanghai")
    assert (connection.endpoint, connection.protocol) == ("1234.cn-shanghai.fc.aliyuncs.com", "https")
    assert not connection.is_local
    assert "s3cr3t" not in repr(connection) and "LTAI" not in repr(connection)


def test_fc_without_account_or_keys_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSetupError, match="account id"):
        connect(tmp_path, KEYS, use_fc=True)
    with pytest.raises(ConnectionSetupError, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        connect(tmp_path, {"ALIBABA_CLOUD_ACCOUNT_ID": "1234"}, use_fc=True)


def test_explicit_endpoint_beats_fc_endpoint_env(tmp_path: Path) -> None:
    env = {**KEYS, "FC_ENDPOINT": "https://9.cn-hangzhou.fc.aliyuncs.com"}
    assert connect(tmp_path, env).endpoint == "9.cn-hangzhou.fc.aliyuncs.com"
    assert connect(tmp_path, env, endpoint="http://localhost:8000/").endpoint == "localhost:8000"


def test_keys_from_the_s_access_config(tmp_path: Path) -> None:
    (tmp_path / "access.yaml").write_text(
        "default:\n  AccountID: '42'\n  AccessKeyID: id-from-s\n  AccessKeySecret: secret-from-s\n"
        "other:\n  AccessKeyID: U2FsdGVkX1abc\n  AccessKeySecret: U2FsdGVkX1def\n"
    )
    connection = connect(tmp_path, use_fc=True)
    assert connection.endpoint == "42.cn-hangzhou.fc.aliyuncs.com"
    assert (connection.access_key_id, connection.access_key_secret) == ("id-from-s", "secret-from-s")
    with pytest.raises(ConnectionSetupError, match="encrypted"):
        connect(tmp_path, use_fc=True, access="other", account_id="42")
