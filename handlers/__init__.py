"""One module per FC function; s.yaml names their ``handler`` and ``initializer``.

FC imports ``handlers.<function>``, so this package runs first in every instance, before any
algorithm module defines a pydantic model. That is the one moment to skip pydantic's plugin
discovery: its loader imports ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``
…) at the first model, ~25 ms of every cold start, even when ``PYDANTIC_DISABLE_PLUGINS``
(set in s.yaml) tells it that there is nothing to load.
"""

from __future__ import annotations

import os
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

# The values for which pydantic's own ``get_plugins`` returns () without looking.
_ALL_PLUGINS_OFF = ("__all__", "1", "true")
_LOADER = "pydantic.plugin._loader"


def _no_plugins() -> Iterable[Any]:
    return ()


def plugin_loader_stand_in() -> types.ModuleType:
    """A module offering what pydantic imports from its loader, answering "no plugins"."""
    loader = types.ModuleType(_LOADER, "Stand-in for pydantic's plugin loader: all plugins are disabled.")
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
    return loader


def skip_pydantic_plugin_scan() -> bool:
    """Stand in for pydantic's plugin loader when every plugin is disabled; True if installed.

    The stand-in answers exactly what pydantic's loader answers for those settings (no
    plugins), so models behave the same; only the import is saved. With plugins enabled, or
    named one by one, pydantic's loader runs as usual. A test checks that the stand-in offers
    every name pydantic imports from its loader, so an upgrade cannot break it silently.
    """
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _ALL_PLUGINS_OFF or _LOADER in sys.modules:
        return False
    sys.modules[_LOADER] = plugin_loader_stand_in()
    return True


skip_pydantic_plugin_scan()
