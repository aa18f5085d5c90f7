"""Which bucket a request names: virtual-hosted style (``Host: <bucket>.<endpoint>``) or path
style (``/<bucket>/<key>``).

OSS clients address a bucket through its host name: ``<bucket>.oss-cn-hangzhou.aliyuncs.com``
(what the fc3 component's code upload sends, whatever address it connects to). The local OSS
also accepts ``<bucket>.127.0.0.1:PORT`` and ``<bucket>.localhost:PORT``; any other host,
an IP address or ``localhost`` alone, means path style.

>>> virtual_host_bucket("code.oss-cn-hangzhou.aliyuncs.com")
'code'
>>> virtual_host_bucket("127.0.0.1:9000") is None
True
"""

from __future__ import annotations

import re

__all__ = ["virtual_host_bucket"]

_OSS_ENDPOINT = re.compile(r"^oss(-[a-z0-9-]+)?\.aliyuncs\.com$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def virtual_host_bucket(host: str) -> str | None:
    """The bucket of a virtual-hosted request's ``Host``, or None for a path-style request."""
    if host.startswith("["):  # an IPv6 literal: path style
        return None
    name = host.rsplit(":", 1)[0].lower().rstrip(".")
    bucket, dot, endpoint = name.partition(".")
    if not dot or not bucket:
        return None
    if endpoint == "localhost" or _IPV4.match(endpoint) or _OSS_ENDPOINT.match(endpoint):
        return bucket
    return None
