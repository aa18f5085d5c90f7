"""Names of the environment variables the runtime reads, in one place.

FC sets the ``FC_*`` and ``ALIBABA_CLOUD_*`` ones; s.yaml ``environmentVariables`` set the
``APP_*`` ones. FC reserves the ``FC_`` prefix, so our own settings never use it.
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
