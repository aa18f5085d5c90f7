"""Tiny handlers for the local FC's end-to-end tests (never deployed)."""

from __future__ import annotations

import base64
import json
import os
import time

_state = {"initialized": 0}


def _out(name: str) -> str:
    os.makedirs(os.environ["OUT"], exist_ok=True)
    return os.path.join(os.environ["OUT"], name)


def _append(name: str, doc: object) -> None:
    with open(_out(name), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(doc) + "\n")


def initialize(context):
    _state["initialized"] += 1
    print("initializer ran")


def pre_stop(context):
    _append("prestop.jsonl", {"pid": os.getpid(), "function": context.function.name})


def _context_view(context):
    service = getattr(context, "service", None)
    function = context.function
    return {
        "request_id": context.request_id,
        "qualifier": getattr(service, "qualifier", None) or getattr(function, "qualifier", None),
        "version_id": getattr(service, "version_id", None) if service else getattr(function, "version_id", None),
        "retry_count": getattr(context, "retry_count", None),
        "has_credentials": hasattr(context, "credentials"),
    }


def echo(event, context):
    """Direct invoke: describe the call. HTTP trigger: echo the request as an HTTP struct."""
    print(json.dumps({"request_id": context.request_id, "message": "echo called"}))
    info = {
        "pid": os.getpid(),
        "initialized": _state["initialized"],
        "context": _context_view(context),
        "env": {
            k: os.environ.get(k, "")
            for k in ("FC_VER_ID", "FC_FUNCTION_VERSION", "FC_INSTANCE_ID", "APP_OSS_ENDPOINT", "OUT")
        },
    }
    try:
        doc = json.loads(event) if event else None
    except ValueError:
        doc = None
    if isinstance(doc, dict) and doc.get("version") == "v1" and "requestContext" in doc:
        query = doc.get("queryParameters") or {}
        if query.get("raise"):
            raise ValueError("asked to raise")
        body = json.dumps({"event": doc, "info": info})
        if query.get("binary"):
            return {
                "statusCode": 200,
                "headers": {"Content-Type": "image/png"},
                "isBase64Encoded": True,
                "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
            }
        return {
            "statusCode": int(query.get("status", "200")),
            "headers": {"Content-Type": "application/json", "X-Echo": "yes", "Set-Cookie": ["a=1", "b=2"]},
            "isBase64Encoded": False,
            "body": body,
        }
    if isinstance(doc, dict) and doc.get("raise"):
        raise RuntimeError(str(doc["raise"]))
    return {"event": doc, "info": info}


def _payload(event):
    """The JSON payload of a direct invoke, or the JSON body of an HTTP trigger event."""
    doc = json.loads(event or b"{}")
    if isinstance(doc, dict) and "requestContext" in doc:
        doc = json.loads(doc.get("body") or "{}")
    return doc


def slow(event, context):
    doc = _payload(event)
    time.sleep(float(doc.get("sleep", 0)))
    return {"pid": os.getpid(), "slept": doc.get("sleep", 0)}


def crash(event, context):
    doc = _payload(event)
    if doc.get("crash"):
        print("about to crash")
        os._exit(3)
    return {"pid": os.getpid()}


def hog(event, context):
    doc = json.loads(event or b"{}")
    hoard = []
    for _ in range(int(doc.get("chunks", 0))):
        hoard.append(b"x" * (16 * 1024 * 1024))
        time.sleep(0.02)
    time.sleep(float(doc.get("hold", 0)))
    return {"pid": os.getpid(), "held_mb": 16 * len(hoard)}


def pid(event, context):
    return {"pid": os.getpid()}


def fail_first_initialize(context):
    path = _out("badinit-count")
    count = 0
    if os.path.exists(path):
        with open(path) as handle:
            count = int(handle.read())
    with open(path, "w") as handle:
        handle.write(str(count + 1))
    if count == 0:
        raise RuntimeError("first initializer run fails on purpose")


def slow_initialize(context):
    time.sleep(5)


def flaky(event, context):
    doc = json.loads(event)
    retry = int(getattr(context, "retry_count", 0) or 0)
    _append(f"flaky-{doc['id']}.jsonl", {"retry_count": retry, "request_id": context.request_id})
    if retry < int(doc["fail_times"]):
        raise RuntimeError(f"failing attempt {retry}")
    return {"id": doc["id"], "succeeded_on_retry": retry}


def slow_failure(event, context):
    time.sleep(0.6)
    raise RuntimeError("always fails, slowly")


def record(event, context):
    _append(
        f"{context.function.name}.jsonl", {"event": event.decode("utf-8", "replace"), "request_id": context.request_id}
    )
    return "recorded"


def on_upload(event, context):
    """Copy each uploaded text object to out/<name>.upper, upper-cased, through the local OSS."""
    import oss2  # noqa: PLC0415 - only this function pays for importing oss2, as in the real ones

    doc = json.loads(event)
    _append("uploads.jsonl", doc)
    auth = oss2.StsAuth(
        os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"],
    )
    for record in doc["events"]:
        if not record["eventName"].startswith("ObjectCreated"):
            continue
        bucket = oss2.Bucket(auth, os.environ["APP_OSS_ENDPOINT"], record["oss"]["bucket"]["name"])
        key = record["oss"]["object"]["key"]
        data = bucket.get_object(key).read()
        bucket.put_object("out/" + key[len("in/") :] + ".upper", data.upper())
    return "ok"
