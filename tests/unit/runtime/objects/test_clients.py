"""Bucket clients: built from the invocation's credentials, cached, rebuilt when they change."""

from __future__ import annotations

import oss2
import pytest

from runtime.credentials import Credentials
from runtime.objects.clients import BucketClients
from runtime.objects.errors import MissingCredentialsError

ENDPOINT = "http://127.0.0.1:9"


def test_sts_keys_use_sts_auth_and_plain_keys_plain_auth() -> None:
    clients = BucketClients(timeout_s=1)
    sts = clients.bucket("photos", ENDPOINT, Credentials("STS.id", "secret", "token"))
    plain = clients.bucket("other", ENDPOINT, Credentials("LTAIid", "secret"))
    assert isinstance(sts.auth, oss2.StsAuth)
    assert isinstance(plain.auth, oss2.Auth) and not isinstance(plain.auth, oss2.StsAuth)


def test_clients_are_reused_while_the_keys_stay_the_same() -> None:
    clients = BucketClients(timeout_s=1)
    keys = Credentials("STS.id", "secret", "token")
    first = clients.bucket("photos", ENDPOINT, keys)
    assert clients.bucket("photos", ENDPOINT, Credentials("STS.id", "secret", "token")) is first
    # One connection pool per instance, shared by every bucket.
    assert clients.bucket("other", ENDPOINT, keys).session is first.session


def test_rotated_sts_keys_rebuild_the_client() -> None:
    clients = BucketClients(timeout_s=1)
    old = clients.bucket("photos", ENDPOINT, Credentials("STS.old", "secret", "token-1"))
    new = clients.bucket("photos", ENDPOINT, Credentials("STS.new", "secret2", "token-2"))
    assert new is not old
    # Requests are now signed with the new token (visible in a signed URL).
    assert "token-2" in new.sign_url("GET", "a.jpg", 60)
    assert "token-1" in old.sign_url("GET", "a.jpg", 60)


def test_no_credentials_is_a_clear_error() -> None:
    with pytest.raises(MissingCredentialsError, match="role"):
        BucketClients(timeout_s=1).bucket("photos", ENDPOINT, None)
