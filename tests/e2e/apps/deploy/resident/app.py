"""A function served from the working tree (tests/e2e/test_deploy_syaml.py deploys over it)."""

from __future__ import annotations

from typing import Any


def handler(event: bytes, context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "resident from the working tree"}
