"""The ``code`` of a Create/UpdateFunction request, taken in: a base64 zip in the body or an
object of the local OSS, received (``code_package``), compared with its ``checksum``,
installed; and FC's state fields for the handler the installed code holds.

    record = with_code(catalog.store, record, {"zipFile": "UEsDB..."}, read_object=None)
    record.state    # 'Active', or 'Failed' when the package has no module for the handler
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.deployments import code_package
from localfc.fc.deployments.records import CodeRecord
from localfc.project.package.report import MAX_API_ZIP_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from localfc.fc.deployments.code_package import CodePackage
    from localfc.fc.deployments.records import FunctionRecord
    from localfc.fc.deployments.store import DeploymentStore

    # (bucket, key) -> the object's chunks, or None when absent
    ReadObject = Callable[[str, str], Iterator[bytes] | None]


def with_code(
    store: DeploymentStore, record: FunctionRecord, code: Any, read_object: ReadObject | None
) -> FunctionRecord:
    """``record`` running the package ``code`` describes (received, checked, unpacked);
    ``read_object`` is None when the local OSS is off."""
    if not isinstance(code, dict):
        raise errors.invalid_argument("code must be an object: {ossBucketName, ossObjectName} or {zipFile}")
    package = _receive(store, code, read_object)
    try:
        expected = code.get("checksum")
        if expected not in (None, "") and str(expected) != package.checksum:
            raise errors.invalid_argument(
                f"code.checksum {expected} does not match the package's CRC-64 {package.checksum}"
            )
        store.install(record.functionName, package)
    finally:
        package.path.unlink(missing_ok=True)
    updated = record.model_copy(update={"code": CodeRecord(checksum=package.checksum, size=package.size)})
    return checked_handler(store, updated)


def _receive(store: DeploymentStore, code: dict[str, Any], read_object: ReadObject | None) -> CodePackage:
    zip_file = code.get("zipFile")
    bucket, key = code.get("ossBucketName"), code.get("ossObjectName")
    if zip_file is not None:
        if not isinstance(zip_file, str):
            raise errors.invalid_argument("code.zipFile must be a base64 string")
        try:
            data = base64.b64decode(zip_file, validate=True)
        except (binascii.Error, ValueError):
            raise errors.invalid_argument("code.zipFile is not valid base64") from None
        if len(data) > MAX_API_ZIP_BYTES:
            raise errors.invalid_argument(
                f"code.zipFile is over FC's limit of {MAX_API_ZIP_BYTES} bytes of zip in a request;"
                " upload it to OSS and name the object instead"
            )
        return store.receive([data])
    if not (isinstance(bucket, str) and bucket and isinstance(key, str) and key):
        raise errors.invalid_argument("code needs zipFile, or ossBucketName and ossObjectName")
    if read_object is None:
        raise ApiError(503, "ServiceUnavailable", "the local OSS is not running (--no-oss): send code.zipFile")
    chunks = read_object(bucket, key)
    if chunks is None:
        raise errors.invalid_argument(f"the code package oss://{bucket}/{key} does not exist in the local OSS")
    return store.receive(chunks)


def checked_handler(store: DeploymentStore, record: FunctionRecord) -> FunctionRecord:
    """FC's state fields: Failed, with the reason, when the handler's module is not there."""
    handler = str(record.config.get("handler") or "")
    if record.code is None or not handler:
        return record
    code_dir = store.code_dir(record.functionName, record.code.checksum)
    if code_package.has_module(code_dir, handler):
        reason, status, code = "", "Active", ""
    else:
        files = " or ".join(code_package.module_candidates(handler)) or "a module"
        reason = f"handler {handler!r}: the code package has no {files}"
        status, code = "Failed", "HandlerNotFound"
    return record.model_copy(
        update={
            "state": status,
            "stateReason": reason,
            "stateReasonCode": code,
            "lastUpdateStatus": "Successful" if status == "Active" else "Failed",
            "lastUpdateStatusReason": reason,
            "lastUpdateStatusReasonCode": code,
        }
    )
