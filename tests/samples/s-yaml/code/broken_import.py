"""A handler module whose import fails, as it would in FC (validate imports it in a child)."""

from __future__ import annotations

import module_that_is_not_installed  # noqa: F401

handler = None
