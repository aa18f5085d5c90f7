"""Why an OSS call failed, in the terms the object pipeline decides on: retry or not.

``retryable`` answers one question: could FC's retry of the same invocation succeed? An
outage (5xx, timeouts, a broken connection) could; so could an access-denied bucket, whose
policy can change between retries. A deleted object could not, and neither can a function
with no credentials or no endpoint: its role and environment are fixed for the version that
runs, so FC would retry a configuration error for nothing. Those records are ``failed`` with
``retryable: false``; once the configuration is fixed, reprocess them with
``{"bucket": ..., "key": ...}``. Messages are safe to show: they never hold a credential.
"""

from __future__ import annotations


class ObjectStoreError(Exception):
    """An OSS operation failed; ``code`` is the per-record status code shown in results."""

    code = "oss_error"
    retryable = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreUnavailableError(ObjectStoreError):
    """OSS answered 5xx, timed out or dropped the connection, on every attempt."""

    code = "oss_unavailable"


class IntegrityError(ObjectStoreError):
    """The bytes read do not match the object's CRC-64 (or its length)."""

    code = "integrity"


class ObjectChangedError(ObjectStoreError):
    """The object was overwritten while it was being read (its ETag changed)."""

    code = "changed"


class ObjectMissingError(ObjectStoreError):
    """The object does not exist (any more): deleted before it could be processed."""

    code = "missing"
    retryable = False


class StoreAccessError(ObjectStoreError):
    """OSS refused the request (AccessDenied, NoSuchBucket, ...): a configuration problem."""

    code = "access_denied"


class MissingCredentialsError(ObjectStoreError):
    """The invocation carries no access keys: the function has no role (or no local keys)."""

    code = "no_credentials"
    retryable = False


class EndpointError(ObjectStoreError):
    """No OSS endpoint can be derived: no APP_OSS_ENDPOINT and no region."""

    code = "no_endpoint"
    retryable = False
