from __future__ import annotations

import pytest

from localfc.services.oss.addressing import virtual_host_bucket


@pytest.mark.parametrize(
    ("host", "bucket"),
    [
        ("code.oss-cn-hangzhou.aliyuncs.com", "code"),  # what fc3's code upload sends
        ("code.oss-cn-hangzhou-internal.aliyuncs.com:443", "code"),
        ("code.oss-accelerate.aliyuncs.com", "code"),
        ("my-bucket.127.0.0.1:9000", "my-bucket"),
        ("my-bucket.localhost:9000", "my-bucket"),
        ("127.0.0.1:9000", None),  # path style
        ("localhost:9000", None),
        ("oss-cn-hangzhou.aliyuncs.com", None),
        ("example.com", None),
        ("[::1]:9000", None),
        ("", None),
    ],
)
def test_virtual_hosted_requests_name_their_bucket(host: str, bucket: str | None) -> None:
    assert virtual_host_bucket(host) == bucket
