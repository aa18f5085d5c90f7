"""The control plane's operations: create, update and delete functions, their triggers and
their configs, each checked whole before anything is written.

Every operation validates its input (``request_checks``: the fc3 component's rules), prepares
what it needs (``code_intake``: a code package is received, checked and unpacked), and only
then writes the record in one atomic step and tells ``serve`` (``on_change``) to re-wire
routes, triggers, timers and instances. An error at any step leaves nothing visible.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from typing import TYPE_CHECKING, Any

import pydantic

from localfc.fc.api import errors
from localfc.fc.api.errors import ApiError
from localfc.fc.deployments.code_intake import checked_handler, with_code
from localfc.fc.deployments.records import AsyncConfigRecord, FunctionRecord
from localfc.fc.deployments.request_checks import (
    check_config,
    checked_trigger,
    config_of,
    first_line,
    present,
    trigger_config,
)
from localfc.fc.versions.state import now_text
from localfc.project.syaml.model import AsyncInvokeConfig

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from localfc.fc.deployments.catalog import Catalog
    from localfc.fc.deployments.records import TriggerRecord

_TRIGGER_UPDATABLE = ("qualifier", "description", "invocationRole", "triggerConfig")


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
            config = config_of(doc)
            check_config(self.catalog.region, name, config, [])
            stamp = now_text()
            record = FunctionRecord(
                functionName=name,
                functionId=f"local-{uuid.uuid4().hex[:16]}",
                createdTime=stamp,
                lastModifiedTime=stamp,
                config=config,
            )
            try:
                record = with_code(self.catalog.store, record, code, self.read_object)
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
            config = {**current.config, **config_of(doc)}
            check_config(self.catalog.region, name, config, current.triggers)
            record = current.model_copy(update={"config": config, "lastModifiedTime": now_text()})
            if not record.createdTime:
                record.createdTime = record.lastModifiedTime
            code = doc.get("code")
            store = self.catalog.store
            if code is not None:
                record = with_code(store, record, code, self.read_object)
            else:
                record = checked_handler(store, record)
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
            fields = present(doc, {k: doc.get(k) for k in keys})
            stamp = now_text()
            trigger = checked_trigger(
                self.catalog.region,
                name,
                current,
                {
                    **fields,
                    "triggerName": trigger_name,
                    "triggerConfig": trigger_config(doc),
                    "triggerId": uuid.uuid4().hex,
                    "createdTime": stamp,
                    "lastModifiedTime": stamp,
                },
                self.check_qualifier,
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
            changes = present(doc, {k: doc.get(k) for k in _TRIGGER_UPDATABLE})
            if "triggerConfig" in changes:
                changes["triggerConfig"] = trigger_config(doc)
            fields = {**old.model_dump(), **changes, "lastModifiedTime": now_text()}
            if not fields.get("createdTime"):
                fields["createdTime"] = fields["lastModifiedTime"]
            if not fields.get("triggerId"):
                fields["triggerId"] = uuid.uuid4().hex
            others = [t for t in current.triggers if t.triggerName != trigger_name]
            trigger = checked_trigger(
                self.catalog.region,
                name,
                current.model_copy(update={"triggers": others}),
                fields,
                self.check_qualifier,
            )
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
            fields = present(
                doc, {k: doc.get(k) for k in ("maxAsyncEventAgeInSeconds", "maxAsyncRetryAttempts", "asyncTask")}
            )
            destinations = doc.get("destinationConfig")
            if destinations is not None:
                fields["destinationConfig"] = destinations
            check_config(self.catalog.region, name, {**current.config, "asyncInvokeConfig": fields}, current.triggers)
            try:  # what the async queue will read back (catalog.async_config)
                AsyncInvokeConfig.model_validate({k: v for k, v in fields.items() if k != "asyncTask"})
            except pydantic.ValidationError as exc:
                raise errors.invalid_argument(f"invalid async invoke config: {first_line(exc)}") from None
            old = current.asyncConfigs.get(qualifier)
            stamp = now_text()
            try:
                config = AsyncConfigRecord.model_validate(
                    {**fields, "createdTime": old.createdTime if old else stamp, "lastModifiedTime": stamp}
                )
            except ValueError as exc:
                raise errors.invalid_argument(f"invalid async invoke config: {first_line(exc)}") from None
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


def async_config_not_found(name: str, qualifier: str) -> ApiError:
    return ApiError(404, "AsyncConfigNotExists", f"AsyncConfig for {name}:{qualifier} does not exist.")
