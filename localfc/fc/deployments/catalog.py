"""The functions ``serve`` runs: s.yaml's, overlaid with what the FC 3.0 API deployed.

The rule, in one sentence: a function the API has created, updated or deleted belongs to the
API from then on (across restarts); every other function of s.yaml runs from the working
tree as before. So ``s deploy`` replaces an s.yaml function of the same name with the
uploaded zip, its props and its triggers; ``s remove`` deletes it (it stays deleted until it
is deployed again or ``.localfc/functions/<name>`` is deleted); a function s.yaml does not
declare exists only through the API.

``view`` is a ``Project`` like ``load_project``'s, so every part of serve (HTTP routes, OSS
triggers, timers, versions, the API) reads deployed and s.yaml functions the same way. A
deployed function's ``code`` prop is ``{"src": <unpacked zip>, "checksum", "size"}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from localfc.fc.deployments.records import AsyncConfigRecord, FunctionRecord, TriggerRecord
from localfc.project.syaml.model import LATEST, AsyncInvokeConfig, FunctionProps, Resource

if TYPE_CHECKING:
    from pathlib import Path

    from localfc.fc.deployments.store import DeploymentStore
    from localfc.project.syaml.model import Project

# Props that are not FC ``Function`` configuration: who the function is, its code, its triggers.
NOT_CONFIG = frozenset({"region", "functionName", "code", "triggers", "asyncInvokeConfig", "endpoint"})
_RESOURCE_KEY = re.compile(r"[^A-Za-z0-9_-]")


class Catalog:
    """s.yaml's project plus the deployment records; ``view`` is rebuilt after each change.

    >>> catalog = Catalog(load_project("s.yaml"), DeploymentStore(state / "functions"))   # doctest: +SKIP
    >>> catalog.view.function("hello")[1].code                                           # doctest: +SKIP
    {'src': '/repo/.localfc/functions/hello/code/123', 'checksum': '123', 'size': 2480}
    """

    def __init__(self, project: Project, store: DeploymentStore) -> None:
        self.base = project
        self.store = store
        self.records = store.load()
        functions = project.functions()
        self.region = functions[0][1].region if functions else "cn-hangzhou"
        self.notes = list(store.problems)
        # functionName -> (record, resource): unchanged functions keep their props object,
        # which is how the invoker knows its warm instances still run the current code.
        self._resources: dict[str, tuple[FunctionRecord, Resource]] = {}
        self.view = self._build()

    # --- reading --------------------------------------------------------------------
    def syaml_props(self, name: str) -> FunctionProps | None:
        for _, props in self.base.functions():
            if props.functionName == name:
                return props
        return None

    def record(self, name: str) -> FunctionRecord | None:
        """The function as the API sees it: its record, or one made from s.yaml; None if absent."""
        record = self.records.get(name)
        if record is not None:
            return None if record.removed else record
        props = self.syaml_props(name)
        return None if props is None else record_from_props(props)

    def is_deployed(self, name: str) -> bool:
        record = self.records.get(name)
        return record is not None and not record.removed

    def names(self) -> list[str]:
        return sorted(p.functionName for _, p in self.view.functions())

    def async_config(self, name: str, qualifier: str) -> AsyncInvokeConfig | None:
        """The async config put for ``name:qualifier`` through the API, as s.yaml's model."""
        record = self.records.get(name)
        config = record.asyncConfigs.get(qualifier) if record is not None else None
        if config is None:
            return None
        doc = config.model_dump(exclude_none=True, exclude={"createdTime", "lastModifiedTime", "asyncTask"})
        return AsyncInvokeConfig.model_validate({**doc, "qualifier": qualifier})

    def code_dirs(self) -> set[Path]:
        """Code directories of the current deployments (their instances must keep them)."""
        return {
            self.store.code_dir(name, r.code.checksum)
            for name, r in self.records.items()
            if r.code is not None and not r.removed
        }

    # --- changing -------------------------------------------------------------------
    def put(self, record: FunctionRecord) -> None:
        """Persist ``record`` and rebuild the view (the caller holds the control-plane lock)."""
        self.store.write(record)
        self.records[record.functionName] = record
        self.view = self._build()

    def drop(self, name: str) -> None:
        """Forget ``name`` entirely (a function s.yaml does not declare)."""
        self.store.remove(name)
        self.records.pop(name, None)
        self.view = self._build()

    # --- the view -------------------------------------------------------------------
    def _build(self) -> Project:
        resources: dict[str, Resource] = {}
        placed: set[str] = set()
        for key, resource in self.base.resources.items():
            props = resource.function
            if props is None or props.functionName not in self.records:
                resources[key] = resource
                continue
            placed.add(props.functionName)
            built = self._resource(key, self.records[props.functionName], props)
            if built is not None:
                resources[key] = built
        for name, record in self.records.items():
            if name in placed:
                continue
            key = _RESOURCE_KEY.sub("_", name)
            while key in resources:
                key = "api-" + key
            built = self._resource(key, record, None)
            if built is not None:
                resources[key] = built
        return self.base.model_copy(update={"resources": resources})

    def _resource(self, key: str, record: FunctionRecord, syaml: FunctionProps | None) -> Resource | None:
        if record.removed:
            return None
        cached = self._resources.get(record.functionName)
        if cached is not None and cached[0] is record and cached[1].name == key:
            return cached[1]
        if record.code is not None:
            code: Any = {
                "src": str(self.store.code_dir(record.functionName, record.code.checksum)),
                "checksum": record.code.checksum,
                "size": record.code.size,
            }
        elif syaml is not None:
            code = syaml.code if isinstance(syaml.code, str) else dict(syaml.code)
            if isinstance(code, str):
                code = str(self.base.code_dir(syaml))
        else:
            self.notes.append(f"{record.functionName}: deployed without code and not in s.yaml; not served")
            return None
        doc = {
            **record.config,
            "region": self.region,
            "functionName": record.functionName,
            "code": code,
            "triggers": [trigger_props(t) for t in record.triggers],
        }
        props = FunctionProps.model_validate(doc)
        resource = Resource(name=key, component="fc3", props=doc, function=props)
        self._resources[record.functionName] = (record, resource)
        return resource


def trigger_props(trigger: TriggerRecord) -> dict[str, Any]:
    """A trigger record as s.yaml writes a trigger (``triggerConfig`` an object)."""
    return {
        "triggerName": trigger.triggerName,
        "triggerType": trigger.triggerType,
        "triggerConfig": trigger.triggerConfig,
        "qualifier": trigger.qualifier,
        "sourceArn": trigger.sourceArn,
        "invocationRole": trigger.invocationRole,
        "description": trigger.description,
    }


def record_from_props(props: FunctionProps) -> FunctionRecord:
    """An s.yaml function as a record the API can change (its code stays the working tree)."""
    dumped = props.model_dump(mode="json", exclude_none=True)
    config = {k: v for k, v in dumped.items() if k not in NOT_CONFIG}
    configs: dict[str, AsyncConfigRecord] = {}
    if props.asyncInvokeConfig is not None:
        async_doc = props.asyncInvokeConfig.model_dump(mode="json", exclude_none=True)
        qualifier = async_doc.pop("qualifier", LATEST) or LATEST
        configs[qualifier] = AsyncConfigRecord.model_validate(async_doc)
    triggers = [TriggerRecord.model_validate(t.model_dump(mode="json", exclude_none=True)) for t in props.triggers]
    return FunctionRecord(
        functionName=props.functionName,
        functionId=f"local-{props.functionName}",
        config=config,
        triggers=triggers,
        asyncConfigs=configs,
    )
