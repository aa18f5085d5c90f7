"""Layers of the local FC: the versions created through the FC 3.0 API (CreateLayerVersion,
GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions, DeleteLayerVersion),
kept in the state directory, and the zips instances mount at /opt.

    store = LayerStore(Path(".localfc") / "layers", region="cn-hangzhou", account_id="1234567890123456")
    store.create("oss-objects", zip_bytes, description="Pillow + oss2")   # -> the LayerVersion
"""

from __future__ import annotations

from localfc.fc.layers.api import handle_layers_api
from localfc.fc.layers.store import LayerStore

__all__ = ["LayerStore", "handle_layers_api"]
