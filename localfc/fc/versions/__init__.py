"""Versions and aliases of the local FC: immutable snapshots, aliases with a weighted canary,
the FC 3.0 API for them, and per-version invocation counts read from the local logs.

    from localfc.fc.versions import VersionStore
    store = VersionStore(Path(".localfc"), load_project("s.yaml"))
    store.publish_function_version("prime-checker")
    store.resolve("prime-checker", "prod")   # -> ResolvedQualifier(qualifier, version_id, props, code_dir)
"""

from __future__ import annotations

from localfc.fc.versions.api import handle_api
from localfc.fc.versions.state import AliasRecord, VersionRecord
from localfc.fc.versions.store import MAX_CANARY_VERSIONS, ResolvedQualifier, VersionStore

__all__ = [
    "MAX_CANARY_VERSIONS",
    "AliasRecord",
    "ResolvedQualifier",
    "VersionRecord",
    "VersionStore",
    "handle_api",
]
