"""The state directory of ``serve`` (default ``.localfc/`` next to s.yaml).
What lives in it::

    serve.json                       where the running serve listens (endpoint, OSS endpoint, pid)
    logs/<function>.jsonl            everything the instances printed (see instance_logs.py)
    versions/<function>/             published versions and aliases (localfc.fc.versions)
    functions/<function>/            what the FC API deployed: record + code (localfc.fc.deployments)
    layers/<layerName>/              layer versions created through the API (localfc.fc.layers)
    packages/<function>/             functions' packages, unpacked, when run from their package
    opt/<digest>/                    a function's layers merged as FC merges them into /opt
    sls/<project>/<logstore>.jsonl   what functions shipped to the local SLS receiver
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_DIR_NAME = ".localfc"


@dataclass(frozen=True)
class StateDir:
    """Paths inside the state directory.

    >>> StateDir(Path("/p/.localfc")).logs
    PosixPath('/p/.localfc/logs')
    """

    root: Path

    @classmethod
    def for_project(cls, project_file: Path, override: Path | None = None) -> StateDir:
        return cls((override or project_file.parent / DEFAULT_DIR_NAME).resolve())

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def functions(self) -> Path:
        """Functions created, changed or removed through the FC API (``s deploy``)."""
        return self.root / "functions"

    @property
    def announcement(self) -> Path:
        """``serve.json``: where the running serve listens (read by ``release``)."""
        return self.root / "serve.json"

    @property
    def layers(self) -> Path:
        return self.root / "layers"

    def log_file(self, function_name: str) -> Path:
        return self.logs / f"{function_name}.jsonl"

    def announce(self, doc: dict[str, Any]) -> None:
        """Write ``serve.json`` whole or not at all (a reader never sees half of it); raises
        OSError."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.announcement.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        temporary.replace(self.announcement)

    def withdraw(self, port: int) -> None:
        """Remove ``serve.json`` when this process announced ``port`` in it (a newer serve of
        the same project may have replaced it)."""
        try:
            doc = self.announced()
            if doc.get("pid") == os.getpid() and doc.get("port") == port:
                self.announcement.unlink()
        except (OSError, ValueError):
            pass

    def announced(self) -> dict[str, Any]:
        """What the running serve wrote in ``serve.json``; ``FileNotFoundError`` when no serve
        announced itself, ``ValueError`` when the file is not what serve writes."""
        doc = json.loads(self.announcement.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            raise ValueError(f"{self.announcement} is not a JSON object")
        return doc

    def live_serve(self) -> dict[str, Any] | None:
        """``announced()`` when that serve still answers on its port, else None (none is
        running, or it died without withdrawing its announcement)."""
        try:
            doc = self.announced()
        except (OSError, ValueError):
            return None
        port = doc.get("port")
        if not isinstance(port, int):
            return None
        try:
            with socket.create_connection((str(doc.get("host") or "127.0.0.1"), port), timeout=1.0):
                return doc
        except OSError:
            return None
