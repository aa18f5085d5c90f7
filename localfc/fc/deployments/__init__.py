"""``serve`` as a deploy target: what the FC 3.0 control plane (``s deploy``, ``s info``,
``s remove``) creates, changes and deletes, kept in serve's state directory.

    records.py         FunctionRecord: config, code package, triggers, async configs, concurrency
    store.py           the files (atomic writes, unpacked code packages, removals)
    code_package.py    receiving, checking and unpacking a code zip; FC's codeChecksum
    catalog.py         s.yaml overlaid with the deployments: the functions serve runs
    control.py         the operations, each validated whole before anything is written
    request_checks.py  whether FC would accept a function's config or a trigger
    code_intake.py     a request's code (zip or OSS object) taken in; the handler's state fields
    launch.py          how a deployed function's code is started
"""

from __future__ import annotations

from localfc.fc.deployments.catalog import Catalog
from localfc.fc.deployments.control import ControlPlane
from localfc.fc.deployments.records import FunctionRecord
from localfc.fc.deployments.store import DeploymentStore

__all__ = ["Catalog", "ControlPlane", "DeploymentStore", "FunctionRecord"]
