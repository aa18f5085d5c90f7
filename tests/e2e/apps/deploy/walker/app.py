"""The function the deploy tests ship: which code runs is visible in every answer (VERSION).

- HTTP: ``GET /<anything>`` answers ``"<VERSION> <path>"``; ``/slow`` first sleeps a second;
- OSS: each object is read and written back upper-cased under ``out/``, prefixed by VERSION;
- a direct invoke answers ``{"version": VERSION, "layer": ...}``: the greeting of the layer
  module ``walker_layer`` when a layer provides it (FC puts a layer's python/ on the path).
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from typing import Any
from urllib.parse import quote

try:
    from walker_layer import GREETING  # type: ignore[import-not-found]  # from a layer, when one is attached
except ImportError:
    GREETING = ""

VERSION = "v1"


def handler(event: bytes, context: Any) -> Any:
    doc = json.loads(event or b"{}")
    if "events" in doc:
        for record in doc["events"]:
            _transform(record["oss"]["bucket"]["name"], record["oss"]["object"]["key"])
        return "ok"
    if "requestContext" in doc:
        if doc["rawPath"] == "/slow":
            time.sleep(1)
        return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": f"{VERSION} {doc['rawPath']}"}
    return {"version": VERSION, "layer": GREETING}


def _transform(bucket: str, key: str) -> None:
    base = os.environ["APP_OSS_ENDPOINT"]
    with urllib.request.urlopen(f"{base}/{bucket}/{quote(key)}", timeout=10) as answer:
        data = answer.read()
    out = urllib.request.Request(
        f"{base}/{bucket}/out/{quote(key)}",
        data=VERSION.encode() + b":" + data.upper(),
        headers={"Content-Type": "text/plain"},
        method="PUT",
    )
    with urllib.request.urlopen(out, timeout=10):
        pass
