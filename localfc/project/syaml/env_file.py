"""The ``.env`` file next to s.yaml, which ``s`` loads (dotenv) before it renders variables.

Like dotenv, a variable already set in the environment wins over the file. Not emulated:
dotenv-expand's ``${OTHER}`` references inside values (kept as written).

>>> parse_env_text("# comment\\nexport REGION=cn-shanghai\\nNAME='a b' # note\\n")
{'REGION': 'cn-shanghai', 'NAME': 'a b'}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")


def parse_env_text(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            continue
        name, raw = match.groups()
        values[name] = _value(raw)
    return values


def _value(raw: str) -> str:
    if raw[:1] in ("'", '"', "`"):
        quote = raw[0]
        end = raw.find(quote, 1)
        if end > 0:
            inner = raw[1:end]
            return inner.replace("\\n", "\n") if quote == '"' else inner
    # Unquoted: an inline comment starts at " #".
    return raw.split(" #", 1)[0].strip()


def environment_with_dotenv(directory: Path, environ: Mapping[str, str]) -> Mapping[str, str]:
    """``environ`` plus the variables of ``directory/.env`` that ``environ`` does not set."""
    try:
        text = (directory / ".env").read_text(encoding="utf-8")
    except OSError:
        return environ
    merged = parse_env_text(text)
    merged.update(environ)
    return merged
