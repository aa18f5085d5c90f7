"""The control plane's operations: create, update and delete functions, their triggers and
their configs, each checked whole before anything is written.

Every operation validates its input (with ``localfc.project.validate``, the fc3 component's
rules), prepares what it needs (a code package is received, checked and unpacked), and only
then writes the record in one atomic step and tells ``serve`` (``on_change``) to re-wire
routes, triggers, timers and instances. An error at any step leaves nothing visible.
"""

from __future__ import annotations

import base64
import binascii
import shutil
import threading
import uuid
from typing import TYPE_CHECKING, Any

import pydantic

from localfc.fc.api import arguments, errors
from localfc.fc.api.errors import ApiError
from localfc.fc.deployments import code_package
from localfc.fc.deployments.catalog import NOT_CONFIG, trigger_props
from localfc.fc.deployments.records import AsyncConfigRecord, CodeRecord, FunctionRecord, TriggerRecord
from localfc.fc.triggers.cron import CronError, parse
from localfc.fc.versions.state import now_text
from localfc.project.package.report import MAX_API_ZIP_BYTES, MAX_LAYERS
from localfc.project.syaml.model import LATEST, AsyncInvokeConfig, FunctionProps, Trigger
from localfc.project.validate.props import check_props

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from localfc.fc.deployments.catalog import Catalog
    from localfc.fc.deployments.code_package import CodePackage

_TRIGGER_UPDATABLE = ("qualifier", "description", "invocationRole", "triggerConfig")
_MAX_PROBLEMS_SHOWN = 3


def trigger_not_found(name: str, trigger: str) -> ApiError:
    return ApiError(404, "TriggerNotFound", f"trigger '{trigger}' of function '{name}' does not exist")


class ControlPlane:
    """Writes to the catalog, one at a time.

    ``read_object(bucket, key)`` reads a code zip from the local OSS (its chunks, or None when
    absent; None itself when the local OSS is off);
    ``check_qualifier(name, qualifier)`` raises FC's 404 for a version or alias that does not
    exist; ``versions_dir(name)`` is where the versions of ``name`` live (removed with it).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        read_object: Callable[[str, str], Iterator[bytes] | None] | None,
        check_qualifier: Callable[[str, str], None],
        versions_dir: Callable[[str], Path],
        on_change: Callable[[str], None],
    ) -> None:
        self.catalog = catalog
        self.read_object = read_object
        self.check_qualifier = check_qualifier
        self.versions_dir = versions_dir
        self.on_change = on_change
        self.lock = threading.RLock()

    # --- functions ------------------------------------------------------------------
    def create_function(self, doc: dict[str, Any]) -> FunctionRecord:
        name = doc.get("functionName")
        if not isinstance(name, str) or not name:
            raise errors.invalid_argument("functionName is required")
        code = doc.get("code")
        if code is None:
            raise errors.invalid_argument("code is required: {ossBucketName, ossObjectName} or {zipFile}")
        with self.lock:
            if self.catalog.record(name) is not None:
                raise ApiError(409, "FunctionAlreadyExists", f"function '{name}' already exists")
            config = _config_of(doc)
            self._validate(name, config, [])
            stamp = now_text()
            record = FunctionRecord(
                functionName=name,
                functionId=f"local-{uuid.uuid4().hex[:16]}",
                createdTime=stamp,
                lastModifiedTime=stamp,
                config=config,
            )
            try:
                record = self._with_code(record, code)
                self.catalog.put(record)
            except BaseException:
                if not self.catalog.is_deployed(name):
                    shutil.rmtree(self.catalog.store.function_dir(name), ignore_errors=True)
                raise
        self.on_change(name)
        return record

    def update_function(self, name: str, doc: dict[str, Any]) -> FunctionRecord:
        with self.lock:
            current = self._existing(name)
            config = {**current.config, **_config_of(doc)}
            self._validate(name, config, current.triggers)
            record = current.model_copy(update={"config": config, "lastModifiedTime": now_text()})
            if not record.createdTime:
                record.createdTime = record.lastModifiedTime
            code = doc.get("code")
            record = self._with_code(record, code) if code is not None else self._checked_handler(record)
            self.catalog.put(record)
        self.on_change(name)
        return record

    def delete_function(self, name: str) -> None:
        with self.lock:
            current = self._existing(name)
            if current.triggers:
                names = ", ".join(t.triggerName for t in current.triggers)
                raise ApiError(
                    412, "FunctionNotEmpty", f"function '{name}' has active triggers ({names}); delete them first"
                )
            versions = self.versions_dir(name)
            if versions.is_dir():
                versions.rename(self.catalog.store.root / f".removed-{uuid.uuid4().hex}")
            if self.catalog.syaml_props(name) is not None:
                self.catalog.store.remove(name)
                self.catalog.put(FunctionRecord(functionName=name, removed=True, lastModifiedTime=now_text()))
            else:
                self.catalog.drop(name)
        self.on_change(name)

    # --- triggers -------------------------------------------------------------------
    def create_trigger(self, name: str, doc: dict[str, Any]) -> TriggerRecord:
        with self.lock:
            current = self._existing(name)
            trigger_name = doc.get("triggerName")
            if not isinstance(trigger_name, str) or not trigger_name:
                raise errors.invalid_argument("triggerName is required")
            if current.trigger(trigger_name) is not None:
                raise ApiError(
                    409, "TriggerAlreadyExists", f"trigger '{trigger_name}' of function '{name}' already exists"
                )
            if not isinstance(doc.get("triggerType"), str) or not doc["triggerType"]:
                raise errors.invalid_argument("triggerType is required (http, oss, timer, ...)")
            keys = ("triggerType", "qualifier", "sourceArn", "invocationRole", "description")
            fields = _present(doc, {k: doc.get(k) for k in keys})
            stamp = now_text()
            trigger = self._checked_trigger(
                name,
                current,
                {
                    **fields,
                    "triggerName": trigger_name,
                    "triggerConfig": _trigger_config(doc),
                    "triggerId": uuid.uuid4().hex,
                    "createdTime": stamp,
                    "lastModifiedTime": stamp,
                },
            )
            self._save(current, triggers=[*current.triggers, trigger])
        self.on_change(name)
        return trigger

    def update_trigger(self, name: str, trigger_name: str, doc: dict[str, Any]) -> TriggerRecord:
        with self.lock:
            current = self._existing(name)
            old = current.trigger(trigger_name)
            if old is None:
                raise trigger_not_found(name, trigger_name)
            changes = _present(doc, {k: doc.get(k) for k in _TRIGGER_UPDATABLE})
            if "triggerConfig" in changes:
                changes["triggerConfig"] = _trigger_config(doc)
            fields = {**old.model_dump(), **changes, "lastModifiedTime": now_text()}
            if not fields.get("createdTime"):
                fields["createdTime"] = fields["lastModifiedTime"]
            if not fields.get("triggerId"):
                fields["triggerId"] = uuid.uuid4().hex
            others = [t for t in current.triggers if t.triggerName != trigger_name]
            trigger = self._checked_trigger(name, current.model_copy(update={"triggers": others}), fields)
            self._save(current, triggers=[trigger if t.triggerName == trigger_name else t for t in current.triggers])
        self.on_change(name)
        return trigger

    def delete_trigger(self, name: str, trigger_name: str) -> None:
        with self.lock:
            current = self._existing(name)
            if current.trigger(trigger_name) is None:
                raise trigger_not_found(name, trigger_name)
            self._save(current, triggers=[t for t in current.triggers if t.triggerName != trigger_name])
        self.on_change(name)

    # --- configs --------------------------------------------------------------------
    def put_async_config(self, name: str, qualifier: str, doc: dict[str, Any]) -> AsyncConfigRecord:
        with self.lock:
            current = self._existing(name)
            self.check_qualifier(name, qualifier)
            fields = _present(
                doc, {k: doc.get(k) for k in ("maxAsyncEventAgeInSeconds", "maxAsyncRetryAttempts", "asyncTask")}
            )
            destinations = doc.get("destinationConfig")
            if destinations is not None:
                fields["destinationConfig"] = destinations
            self._validate(name, {**current.config, "asyncInvokeConfig": fields}, current.triggers)
            try:  # what the async queue will read back (catalog.async_config)
                AsyncInvokeConfig.model_validate({k: v for k, v in fields.items() if k != "asyncTask"})
            except pydantic.ValidationError as exc:
                raise errors.invalid_argument(f"invalid async invoke config: {_first_line(exc)}") from None
            old = current.asyncConfigs.get(qualifier)
            stamp = now_text()
            try:
                config = AsyncConfigRecord.model_validate(
                    {**fields, "createdTime": old.createdTime if old else stamp, "lastModifiedTime": stamp}
                )
            except ValueError as exc:
                raise errors.invalid_argument(f"invalid async invoke config: {_first_line(exc)}") from None
            self._save(current, asyncConfigs={**current.asyncConfigs, qualifier: config})
        self.on_change(name)
        return config

    def delete_async_config(self, name: str, qualifier: str) -> None:
        with self.lock:
            current = self._existing(name)
            if qualifier not in current.asyncConfigs:
                raise async_config_not_found(name, qualifier)
            rest = {q: c for q, c in current.asyncConfigs.items() if q != qualifier}
            self._save(current, asyncConfigs=rest)
        self.on_change(name)

    def put_concurrency(self, name: str, reserved: int) -> FunctionRecord:
        with self.lock:
            record = self._save(self._existing(name), reservedConcurrency=reserved)
        self.on_change(name)
        return record

    def delete_concurrency(self, name: str) -> None:
        with self.lock:
            self._save(self._existing(name), reservedConcurrency=None)
        self.on_change(name)

    # --- helpers --------------------------------------------------------------------
    def _existing(self, name: str) -> FunctionRecord:
        record = self.catalog.record(name)
        if record is None:
            raise errors.function_not_found(name)
        return record

    def _save(self, current: FunctionRecord, **changes: Any) -> FunctionRecord:
        record = current.model_copy(update={**changes, "lastModifiedTime": now_text()})
        if not record.createdTime:
            record.createdTime = record.lastModifiedTime
        self.catalog.put(record)
        return record

    def _validate(self, name: str, config: dict[str, Any], triggers: list[TriggerRecord], about: str = "") -> None:
        """400 InvalidArgument naming the first problems; ``about`` (``triggers[2].``) is
        dropped from the paths when one item is what the request is about."""
        layers = config.get("layers")
        if isinstance(layers, list) and len(layers) > MAX_LAYERS:
            raise errors.invalid_argument(f"layers: FC allows at most {MAX_LAYERS} layers per function")
        props = {
            **config,
            "region": self.catalog.region,
            "functionName": name,
            "code": "./",
            "triggers": [trigger_props(t) for t in triggers],
        }
        problems = [p for p in check_props(name, props) if p.is_error]
        if problems:
            paths = [
                ("" if p.path == about.rstrip(".") else p.path.removeprefix(about)) if about else p.path
                for p in problems
            ]
            shown = "; ".join(
                f"{path}: {p.message}" if path else p.message
                for path, p in zip(paths, problems[:_MAX_PROBLEMS_SHOWN], strict=False)
            )
            more = f" (and {len(problems) - _MAX_PROBLEMS_SHOWN} more)" if len(problems) > _MAX_PROBLEMS_SHOWN else ""
            raise errors.invalid_argument(shown + more)
        try:  # what serve builds from the record must build (before anything is written)
            FunctionProps.model_validate(props)
        except pydantic.ValidationError as exc:
            raise errors.invalid_argument(_first_line(exc)) from None

    def _checked_trigger(self, name: str, current: FunctionRecord, fields: dict[str, Any]) -> TriggerRecord:
        try:
            trigger = TriggerRecord.model_validate(fields)
        except ValueError as exc:
            raise errors.invalid_argument(f"invalid trigger: {_first_line(exc)}") from None
        self._validate(name, current.config, [*current.triggers, trigger], f"triggers[{len(current.triggers)}].")
        model = Trigger.model_validate(trigger_props(trigger))
        try:
            if trigger.triggerType == "http":
                model.http()
            elif trigger.triggerType == "oss":
                model.oss()
            elif trigger.triggerType == "timer":
                parse(model.timer().cronExpression)
        except CronError as exc:
            raise errors.invalid_argument(f"triggerConfig.cronExpression: {exc}") from None
        except ValueError as exc:
            raise errors.invalid_argument(f"triggerConfig: {_first_line(exc)}") from None
        if trigger.qualifier != LATEST:
            self.check_qualifier(name, trigger.qualifier)
        return trigger

    def _with_code(self, record: FunctionRecord, code: Any) -> FunctionRecord:
        """``record`` running the package ``code`` describes (received, checked, unpacked)."""
        if not isinstance(code, dict):
            raise errors.invalid_argument("code must be an object: {ossBucketName, ossObjectName} or {zipFile}")
        package = self._receive(code)
        try:
            expected = code.get("checksum")
            if expected not in (None, "") and str(expected) != package.checksum:
                raise errors.invalid_argument(
                    f"code.checksum {expected} does not match the package's CRC-64 {package.checksum}"
                )
            self.catalog.store.install(record.functionName, package)
        finally:
            package.path.unlink(missing_ok=True)
        updated = record.model_copy(update={"code": CodeRecord(checksum=package.checksum, size=package.size)})
        return self._checked_handler(updated)

    def _receive(self, code: dict[str, Any]) -> CodePackage:
        store = self.catalog.store
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
        if self.read_object is None:
            raise ApiError(503, "ServiceUnavailable", "the local OSS is not running (--no-oss): send code.zipFile")
        chunks = self.read_object(bucket, key)
        if chunks is None:
            raise errors.invalid_argument(f"the code package oss://{bucket}/{key} does not exist in the local OSS")
        return store.receive(chunks)

    def _checked_handler(self, record: FunctionRecord) -> FunctionRecord:
        """FC's state fields: Failed, with the reason, when the handler's module is not there."""
        handler = str(record.config.get("handler") or "")
        if record.code is None or not handler:
            return record
        code_dir = self.catalog.store.code_dir(record.functionName, record.code.checksum)
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


def async_config_not_found(name: str, qualifier: str) -> ApiError:
    return ApiError(404, "AsyncConfigNotExists", f"AsyncConfig for {name}:{qualifier} does not exist.")


def _config_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The configuration fields of a Create/UpdateFunction body (FC's names; nulls dropped)."""
    return {k: v for k, v in doc.items() if k not in NOT_CONFIG and v is not None}


def _present(doc: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k in doc and v is not None}


def _trigger_config(doc: dict[str, Any]) -> dict[str, Any]:
    """``triggerConfig`` arrives as a JSON string (the SDK's type); an object is taken too."""
    raw = doc.get("triggerConfig")
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise errors.invalid_argument("triggerConfig must be a JSON string")
    try:
        return arguments.json_object(raw.encode("utf-8", "surrogatepass"))
    except errors.ApiError as exc:
        raise errors.invalid_argument(f"triggerConfig: {exc.message}") from None


def _first_line(exc: Exception) -> str:
    """What was wrong, in one line (pydantic's first error: where and why)."""
    if isinstance(exc, pydantic.ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
