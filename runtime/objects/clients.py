"""oss2 bucket clients built from the invocation's credentials, cached per instance.

FC hands every invocation the STS keys of the function's role; they rotate (an STS token
lives about an hour), so a client is rebuilt whenever the keys differ from the ones it was
built with, and reused otherwise: one ``oss2.Session`` per instance keeps connections alive
between invocations. oss2 is imported here, on first use, never by ``runtime`` itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from runtime.objects.errors import MissingCredentialsError

if TYPE_CHECKING:
    from runtime.credentials import Credentials


class BucketClients:
    """``oss2.Bucket`` objects per (endpoint, bucket), authenticated with the current keys.

    >>> from runtime.credentials import Credentials
    >>> clients = BucketClients(timeout_s=5)
    >>> a = clients.bucket("photos", "http://127.0.0.1:9000", Credentials("id", "secret", "token"))
    >>> a is clients.bucket("photos", "http://127.0.0.1:9000", Credentials("id", "secret", "token"))
    True
    >>> a is clients.bucket("photos", "http://127.0.0.1:9000", Credentials("id2", "secret2", "token2"))
    False
    """

    def __init__(self, timeout_s: float, pool_size: int = 10) -> None:
        self.timeout_s = timeout_s
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._session: Any = None
        self._buckets: dict[tuple[str, str], tuple[Credentials, Any]] = {}

    def bucket(self, name: str, endpoint: str, credentials: Credentials | None) -> Any:
        """The ``oss2.Bucket`` for ``name``; MissingCredentialsError when there are no keys."""
        if credentials is None:
            raise MissingCredentialsError(
                "no access keys in the invocation: give the function a role that may use OSS"
                " (s.yaml `role`), or set ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET for local runs"
            )
        cache_key = (endpoint, name)
        with self._lock:
            cached = self._buckets.get(cache_key)
            if cached is not None and cached[0] == credentials:
                return cached[1]
            import oss2  # noqa: PLC0415 - only object functions pay for importing oss2

            if self._session is None:
                self._session = oss2.Session(pool_size=self.pool_size)
            auth: Any
            if credentials.has_token:
                auth = oss2.StsAuth(
                    credentials.access_key_id, credentials.access_key_secret, credentials.security_token
                )
            else:
                auth = oss2.Auth(credentials.access_key_id, credentials.access_key_secret)
            bucket = oss2.Bucket(auth, endpoint, name, session=self._session, connect_timeout=self.timeout_s)
            self._buckets[cache_key] = (credentials, bucket)
            return bucket

    def clear(self) -> None:
        """Forget every client (preStop)."""
        with self._lock:
            self._buckets.clear()
            self._session = None
