"""FC 2.0's ``GET /2016-08-15/tempBucketToken``: where ``s deploy`` uploads a code zip.

The fc3 component asks its custom endpoint for a temporary bucket, then PUTs the zip to
``<AccountID>/<objectName>`` in that bucket and names it in CreateFunction/UpdateFunction as
``code: {ossBucketName, ossObjectName}``. Here the bucket is one of the local OSS, and the
credentials are the local fake ones (the local OSS does not check signatures).

    {"credentials": {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"},
     "ossBucket": "localfc-deploy-code", "objectName": "<32 hex>.zip"}
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.api.wire_json import json_response
from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, FAKE_SECURITY_TOKEN

if TYPE_CHECKING:
    from localfc.fc.wire import Request, Response

PREFIX = "/2016-08-15/"
CODE_BUCKET = "localfc-deploy-code"
_TOKEN_LIFETIME = timedelta(hours=1)


def temp_bucket_token(request: Request, request_id: str, *, oss_running: bool) -> Response:
    """The answer to ``/2016-08-15/...``: only tempBucketToken is served."""
    if request.method.upper() != "GET" or request.path.rstrip("/") != PREFIX + "tempBucketToken":
        raise errors.path_not_supported(request.method, request.path)
    if not oss_running:
        raise ApiError(503, "ServiceUnavailable", "the local OSS is not running (--no-oss): send code.zipFile")
    expiration = (datetime.now(timezone.utc) + _TOKEN_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {
        "credentials": {
            "AccessKeyId": FAKE_ACCESS_KEY_ID,
            "AccessKeySecret": FAKE_ACCESS_KEY_SECRET,
            "SecurityToken": FAKE_SECURITY_TOKEN,
            "Expiration": expiration,
        },
        "ossBucket": CODE_BUCKET,
        "objectName": f"{uuid.uuid4().hex}.zip",
    }
    return json_response(200, doc, request_id)
