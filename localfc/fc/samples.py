"""Events shaped exactly as FC 3.0 sends them (see shared/reference/fc3-runtime.md).

Used by ``local_invoke.py event``, by ``serve`` to turn real HTTP requests and OSS uploads
into events, and by the tests.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from localfc.fc.context import LOCAL_ACCOUNT_ID

if TYPE_CHECKING:
    from collections.abc import Mapping


def _now() -> datetime:
    return datetime.now(timezone.utc)


def http_event(
    method: str = "POST",
    path: str = "/",
    body: bytes | str | None = None,
    *,
    query: Mapping[str, str | list[str]] | None = None,
    headers: Mapping[str, str | list[str]] | None = None,
    raw_path: str | None = None,
    source_ip: str = "127.0.0.1",
    domain_prefix: str = "local",
    region: str = "cn-hangzhou",
    request_id: str | None = None,
) -> dict[str, Any]:
    """An HTTP trigger event (v1). Non-UTF-8 bodies are base64 with ``isBase64Encoded``."""
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    try:
        text, is_b64 = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, is_b64 = base64.b64encode(raw).decode("ascii"), True
    joined_headers = {k: ",".join(v) if isinstance(v, list) else v for k, v in (headers or {}).items()}
    if raw and not any(k.lower() == "content-type" for k in joined_headers):
        joined_headers["Content-Type"] = "application/json" if not is_b64 else "application/octet-stream"
    now = _now()
    return {
        "version": "v1",
        "rawPath": raw_path if raw_path is not None else quote(path, safe="/"),
        "body": text,
        "isBase64Encoded": is_b64,
        "headers": joined_headers,
        "queryParameters": {k: ",".join(v) if isinstance(v, list) else v for k, v in (query or {}).items()},
        "requestContext": {
            "accountId": LOCAL_ACCOUNT_ID,
            "domainName": f"{domain_prefix}.{region}.fcapp.run",
            "domainPrefix": domain_prefix,
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": str(joined_headers.get("User-Agent", "local_invoke")),
            },
            "requestId": request_id or str(uuid.uuid4()),
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeEpoch": str(int(now.timestamp() * 1000)),
        },
    }


def oss_record(
    bucket: str,
    key: str,
    *,
    event_name: str = "ObjectCreated:PutObject",
    size: int = 0,
    etag: str = "",
    content_type: str = "application/octet-stream",
    user_meta: Mapping[str, str] | None = None,
    region: str = "cn-hangzhou",
    account_id: str = LOCAL_ACCOUNT_ID,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """One record of an OSS trigger event; ``event_name`` without the ``oss:`` prefix."""
    return {
        "eventName": event_name.removeprefix("oss:"),
        "eventSource": "acs:oss",
        "eventTime": _now().strftime("%Y-%m-%dT%H:%M:%S.") + f"{_now().microsecond // 1000:03d}Z",
        "eventVersion": "1.0",
        "region": region,
        "oss": {
            "bucket": {"name": bucket, "arn": f"acs:oss:{region}:{account_id}:{bucket}", "ownerIdentity": account_id},
            "object": {
                "key": key,
                "size": size,
                "deltaSize": size,
                "eTag": etag,
                "objectMeta": {"mimeType": content_type, "userMeta": dict(user_meta or {})},
            },
            "ossSchemaVersion": "1.0",
            "ruleId": uuid.uuid4().hex,
        },
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {"requestId": uuid.uuid4().hex.upper()[:24]},
        "userIdentity": {"principalId": account_id},
    }


def oss_event(*records: dict[str, Any]) -> dict[str, Any]:
    """``{"events": [...]}`` — the key is ``events``, not ``Records``."""
    return {"events": list(records)}


def timer_event(trigger_name: str = "timer", payload: str = "", trigger_time: datetime | None = None) -> dict[str, Any]:
    return {
        "triggerTime": (trigger_time or _now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "triggerName": trigger_name,
        "payload": payload,
    }
