"""Names of the environment variables the runtime reads, in one place.

FC sets the ``FC_*`` and ``ALIBABA_CLOUD_*`` ones; s.yaml ``environmentVariables`` set the
``APP_*`` ones. FC reserves the ``FC_`` prefix, so our own settings never use it. A sample
algorithm's own settings (``APP_THUMBNAIL_*``, ``APP_SUMMARY_*``) are named in its handler.
"""

from __future__ import annotations

# Set by FC 3.0 (see shared/reference/fc3-runtime.md).
FC_FUNCTION_NAME = "FC_FUNCTION_NAME"
FC_FUNCTION_HANDLER = "FC_FUNCTION_HANDLER"
FC_FUNCTION_MEMORY_SIZE = "FC_FUNCTION_MEMORY_SIZE"
FC_REGION = "FC_REGION"
FC_ACCOUNT_ID = "FC_ACCOUNT_ID"
FC_INSTANCE_ID = "FC_INSTANCE_ID"
FC_FUNC_CODE_PATH = "FC_FUNC_CODE_PATH"
# The version that runs: python3.9/3.10 name it FC_VER_ID, python3.12 FC_FUNCTION_VERSION.
FC_VER_ID = "FC_VER_ID"
FC_FUNCTION_VERSION = "FC_FUNCTION_VERSION"

ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"

# Ours, set through s.yaml environmentVariables.
APP_LOG_LEVEL = "APP_LOG_LEVEL"
APP_MAX_BODY_BYTES = "APP_MAX_BODY_BYTES"
APP_SERVICE = "APP_SERVICE"

# Object (OSS) functions: runtime/objects/settings.py reads these.
APP_OUTPUT_PREFIX = "APP_OUTPUT_PREFIX"  # where outputs go, e.g. thumbnails/ (required)
APP_OUTPUT_BUCKET = "APP_OUTPUT_BUCKET"  # default: the source object's bucket
APP_OSS_ENDPOINT = "APP_OSS_ENDPOINT"  # default: the region's internal endpoint inside FC
APP_OSS_TIMEOUT = "APP_OSS_TIMEOUT"  # seconds per connect/read
APP_OSS_RETRIES = "APP_OSS_RETRIES"  # attempts per OSS call before a record fails as retryable
APP_OSS_PART_SIZE = "APP_OSS_PART_SIZE"  # bytes; outputs larger than this use multipart upload
APP_OSS_READ_CHUNK = "APP_OSS_READ_CHUNK"  # bytes per streamed read

# Direct shipping of business/audit events to a logstore (runtime/shipping.py).
APP_SHIP_PROJECT = "APP_SHIP_PROJECT"  # SLS project; shipping is on when this and the logstore are set
APP_SHIP_LOGSTORE = "APP_SHIP_LOGSTORE"
APP_SHIP_TOPIC = "APP_SHIP_TOPIC"  # default: the function name
APP_SHIP_TIMEOUT_MS = "APP_SHIP_TIMEOUT_MS"  # per PutLogs, capped by the invocation's time left; default 1000
APP_SLS_ENDPOINT = "APP_SLS_ENDPOINT"  # default: https://<region>-intranet.log.aliyuncs.com
