"""The adversarial checks of issue 15, re-run: hostile input against the local FC, counted.

Not a speed benchmark: each check prints how many inputs it tried, how many were handled
(the documented answer: a 4xx/5xx with a status line and FC's or OSS's error document, a
per-record result, a closed stalled connection…) and how many failed (a 500, a traceback, a
dropped connection, a hang, a lost record). ``handled / tried`` is the ratio; 1.00 is the
target for every row. ``serve`` runs in this process on the repository's s.yaml (HTTP
timeouts shortened to 0.5 s so stalled senders end quickly).

    python -m bench adversarial
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import signal
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import oss2
import requests

from localfc.fc.options import ServeOptions
from localfc.fc.server import LocalFC
from localfc.project.syaml import load_project
from localfc.services.http_server import ServerLimits
from runtime.events import recognise

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
EVENTS = sorted((ROOT / "tests" / "events").glob("*.json"))
SEED = 15


class Tally:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int]] = []

    def check(self, name: str, cases: Iterable[Any], handled: Callable[[Any], bool]) -> None:
        tried = ok = 0
        for case in cases:
            tried += 1
            # An exception escaping a check is a failure of the thing checked.
            with contextlib.suppress(Exception):
                ok += bool(handled(case))
        self.rows.append((name, tried, ok))
        print(f"   {name:<58} tried {tried:6d}  handled {ok:6d}  failed {tried - ok:4d}", flush=True)


# --- in-process: generated events through the OSS parser --------------------------------------
def mutated_oss_events(count: int) -> Iterable[tuple[bytes, int]]:
    rng = random.Random(SEED)
    base = json.loads((ROOT / "tests" / "events" / "oss-multi-record.json").read_text())["events"]
    oddities: list[Any] = [None, "", "x", -1, 1e308, float("inf"), [], {}, True, "²", {"a": [1]}, 10**30]
    for _ in range(count):
        records = [json.loads(json.dumps(rng.choice(base))) for _ in range(rng.randint(1, 4))]
        for record in records:
            for _ in range(rng.randint(0, 2)):
                node = record
                path = rng.choice(["oss", "oss.object", "oss.bucket", "oss.object.objectMeta", ""])
                for step in filter(None, path.split(".")):
                    node = node.get(step) if isinstance(node, dict) else None
                if isinstance(node, dict) and node:
                    node[rng.choice(sorted(node))] = copy.deepcopy(rng.choice(oddities))
        yield json.dumps({"events": records}).encode(), len(records)


def oss_event_handled(case: tuple[bytes, int]) -> bool:
    raw, records = case
    event = recognise(raw, max_body_bytes=1 << 20)
    return len(getattr(event, "records", ())) + len(getattr(event, "invalid", ())) == records


# --- through serve -------------------------------------------------------------------------------
def raw_exchange(port: int, data: bytes, timeout: float = 20.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                received += chunk
        return received


def framing_cases() -> list[bytes]:
    post = b"POST /prime-checker/check HTTP/1.1\r\nHost: x\r\n"
    cases = [
        post + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n" + b"x" * 1000,
        post + "Content-Length: ١٢\r\n\r\n".encode() + b"x" * 12,
        post + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        post + b"Content-Length: 10\r\n\r\nabc",
        post + b"Transfer-Encoding: gzip\r\n\r\n",
        post + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        post + b"Content-Length: 99999999999\r\n\r\n",
        post + b"Content-Length: +5\r\n\r\nhello",
        post + b"Content-Length: 5 5\r\n\r\nhello",
        post + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        post + b"Transfer-Encoding: chunked\r\n\r\n5;ext\r\nhello\r\n0\r\n\r\n",
        post + b"X-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        post + b"Bad Header\r\n\r\n",
        post + b" folded: header\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        b"GET /prime-checker/check HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /prime-checker/check?number=7\r\n\r\n",
        b"GET  /prime-checker/check HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /prime-checker/check HTTP/1.1\r\n\r\n",
        b"GET /prime-checker/check HTTP/1.1\rHost: x\r\n\r\n",
        b"GET /prime-checker/check HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        b"GET http://x/prime-checker/check?number=7 HTTP/1.1\r\nHost: y\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\r\n\r\n\r\n",
    ]
    for method in (b"TRACE", b"DELETE", b"PATCH", b"PROPFIND", b"BREW", b"OPTIONS", b"HEAD"):
        cases.append(method + b" /prime-checker/check HTTP/1.1\r\nHost: x\r\n\r\n")
    for path in (b"/%", b"/%ZZ", b"/prime-checker/%00", b"/prime-checker/" + b"a" * 8000, b"/\xff\xfe", b"//x"):
        cases.append(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    return cases


def answered_with_a_status_line(answer: bytes) -> bool:
    """An HTTP/1.1 status line that is not a 500, and no traceback anywhere."""
    if not answer.startswith(b"HTTP/1.1 ") or b"Traceback" in answer:
        return False
    return int(answer.split(b" ", 2)[1]) != 500


def api_cases() -> list[tuple[str, str, bytes]]:
    prefix = "/2023-03-30/functions"
    cases = [("GET", f"{prefix}?limit={v}", b"") for v in ("%C2%B2", "%D9%A1", "0", "101", "-1", "1e2", "x", "9" * 40)]
    cases += [("GET", f"{prefix}?nextToken={v}", b"") for v in ("%C2%B2", "%00", "x" * 5000)]
    for sub in ("versions", "aliases", "async-tasks"):
        cases += [("GET", f"{prefix}/prime-checker/{sub}?limit={v}", b"") for v in ("%C2%B2", "0", "abc", "")]
        cases += [("GET", f"{prefix}/prime-checker/{sub}?nextToken={v}", b"") for v in ("%C2%B2", "-5", "%FF")]
    bodies = [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b"{not json",
        b'{"description": NaN}',
        b"\xff\xfe",
        b"[1,2]",
        b'{"description": 5}',
        b'{"aliasName": "p", "versionId": 1}',
        b'{"aliasName": "p", "versionId": "1", "additionalVersionWeight": {"2": 1e999}}',
        b'{"aliasName": "p", "versionId": "1", "additionalVersionWeight": [1]}',
    ]
    for body in bodies:
        cases += [("POST", f"{prefix}/prime-checker/versions", body), ("POST", f"{prefix}/prime-checker/aliases", body)]
        cases.append(("PUT", f"{prefix}/prime-checker/aliases/prod", body))
    cases += [
        ("POST", f"{prefix}/nope/invocations", b"{}"),
        ("GET", f"{prefix}/prime-checker/async-tasks/%00", b""),
        ("PUT", f"{prefix}/prime-checker/async-tasks/x/stop", b""),
        ("DELETE", f"{prefix}/prime-checker/versions/%C2%B2", b""),
        ("GET", f"{prefix}/prime-checker?qualifier=%C2%B2", b""),
        ("BREW", f"{prefix}/prime-checker", b""),
    ]
    return cases


def api_answered(fc: LocalFC, case: tuple[str, str, bytes]) -> bool:
    """Never a 5xx; a 4xx in FC's error shape. (Some cases are fine and answer 200: any
    string is a valid alias or task token, an empty ``limit`` means the default.)"""
    method, path, body = case
    answer = requests.request(method, fc.url + path, data=body, timeout=60)
    doc = answer.json()
    if answer.status_code < 400:
        return isinstance(doc, dict)
    return answer.status_code < 500 and {"Code", "Message", "RequestId"} <= set(doc)


def signature_checks(tally: Tally, state: Path) -> None:
    """The repository's triggers are anonymous: the test app has one with authType function."""
    options = ServeOptions(port=0, state_dir=state, console=None, run_timers=False, run_sls=False, run_oss=False)
    with LocalFC(load_project(ROOT / "tests" / "e2e" / "apps" / "basic" / "s.yaml"), options) as fc:
        url = signed_trigger(fc)
        assert url is not None

        def refused(headers: dict[str, str]) -> bool:
            return requests.post(url, data=b"{}", headers=headers, timeout=30).status_code in (401, 403)

        tally.check("forged signatures on an authType: function trigger", forged_signatures(), refused)


def forged_signatures() -> list[dict[str, str]]:
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    auth = "ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={signed},Signature={sig}"
    cases = [{}, {"Authorization": "Bearer x"}, {"Authorization": "ACS3-HMAC-SHA256 garbage"}]
    for ak, signed, sig in [
        ("LOCAL-FAKE-ACCESS-KEY-ID", "host;x-acs-date", "0" * 64),
        ("UNKNOWN", "host;x-acs-date", "0" * 64),
        ("LOCAL-FAKE-ACCESS-KEY-ID", "host", "0" * 64),
        ("LOCAL-FAKE-ACCESS-KEY-ID", "", "0" * 64),
        ("LOCAL-FAKE-ACCESS-KEY-ID", "host;x-acs-date", "zz"),
    ]:
        for when in (date, "2000-01-01T00:00:00Z", "yesterday"):
            cases.append({"Authorization": auth.format(ak=ak, signed=signed, sig=sig), "x-acs-date": when})
    return cases


def signed_trigger(fc: LocalFC) -> str | None:
    for route in fc.routes.routes:
        if route.auth_type == "function":
            return f"{fc.url}/{route.function_name}@{route.trigger_name}/"
    return None


# --- the run ---------------------------------------------------------------------------------------
def main() -> None:
    tally = Tally()
    tally.check("generated OSS events, parsed in-process", mutated_oss_events(48_000), oss_event_handled)
    limits = ServerLimits(head_timeout_s=0.5, read_timeout_s=0.5, idle_timeout_s=0.5)
    with tempfile.TemporaryDirectory() as state:
        options = ServeOptions(
            port=0, state_dir=Path(state), console=None, run_timers=False, run_sls=False, http_limits=limits
        )
        with LocalFC(load_project(ROOT / "s.yaml"), options) as fc:
            serve_checks(tally, fc)
            oss_checks(tally, fc.oss_endpoint)
        signature_checks(tally, Path(state) / "basic")
    total = sum(r[1] for r in tally.rows)
    handled = sum(r[2] for r in tally.rows)
    print(f"   all checks: tried {total}, handled {handled}, failed {total - handled}; ratio {handled / total:.4f}")


def serve_checks(tally: Tally, fc: LocalFC) -> None:
    body = json.dumps({"number": 1_000_003}).encode()
    invoke_url = fc.url + "/2023-03-30/functions/prime-checker/invocations"

    def trigger_call(_: int) -> int:
        return requests.post(fc.url + "/prime-checker/check", data=body, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        calls = list(pool.map(trigger_call, range(3000)))
    tally.check("HTTP trigger calls through serve (8 clients)", calls, lambda status: status == 200)
    tally.check(
        "malformed raw requests", framing_cases(), lambda c: answered_with_a_status_line(raw_exchange(fc.port, c))
    )
    tally.check("bad API calls (numbers, JSON bodies, paths)", api_cases(), lambda c: api_answered(fc, c))

    def index(_: int) -> int:
        return requests.get(fc.url + "/", timeout=120).status_code

    with ThreadPoolExecutor(500) as pool:
        statuses = list(pool.map(index, range(500)))
    tally.check("500 simultaneous connections", statuses, lambda s: s == 200)

    server = fc._server
    assert server is not None
    stalled = [socket.create_connection(("127.0.0.1", fc.port), timeout=30) for _ in range(200)]
    for sock in stalled:
        sock.sendall(b"POST /prime-checker/check HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab")
    deadline = time.monotonic() + 60
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.05)
    tally.check(
        "stalled senders answered 408 by the timeout", stalled, lambda s: s.recv(256).startswith(b"HTTP/1.1 408")
    )
    for sock in stalled:
        sock.close()

    def after_a_kill(_: int) -> bool:
        instance_id = requests.post(invoke_url, data=body, timeout=60).headers["x-fc-instance-id"]
        pids = [i.pid for p in fc.invoker.pools() for i in p.snapshot() if i.instance_id == instance_id]
        os.kill(pids[0], signal.SIGKILL)
        again = requests.post(invoke_url, data=body, timeout=60)
        return again.status_code == 200 and "x-fc-error-type" not in again.headers

    tally.check("a call right after its idle instance was killed", range(10), after_a_kill)


def oss_checks(tally: Tally, endpoint: str) -> None:
    bucket = oss2.Bucket(oss2.Auth("ak", "sk"), endpoint, "adversarial-checks")
    bucket.create_bucket()
    bucket.put_object("k", b"0123456789")
    odd: list[Callable[[], Any]] = [
        lambda: bucket.put_object("/lead", b"x"),
        lambda: bucket.put_object("\\lead", b"x"),
        lambda: bucket.put_object("k" * 1024, b"x"),
        lambda: bucket.put_object("tab\there", b"x"),
        lambda: bucket.put_object("m", b"x", headers={"x-oss-meta-a_b": "1"}),
        lambda: bucket.list_objects(max_keys=1001),
        lambda: bucket.list_objects(max_keys=0),
        lambda: bucket.upload_part("mp", bucket.init_multipart_upload("mp").upload_id, 0, b"x"),
        lambda: bucket.upload_part("mp", bucket.init_multipart_upload("mp").upload_id, 10001, b"x"),
        lambda: bucket.get_object("missing"),
        lambda: bucket.append_object("k", 3, b"x"),
        lambda: bucket.copy_object("no-such-bucket", "k", "c"),
        lambda: bucket.delete_object("missing"),
        lambda: bucket.get_object("k", headers={"x-oss-process": "image/resize,w_1"}),
    ]
    for header in ("bytes=abc", "byte=0-3", "bytes=0-1,3-4", "bytes=5-100", "bytes=100-200", "bytes=3-1", "bytes=-0"):
        for standard in (False, True):
            extra = {"x-oss-range-behavior": "standard"} if standard else {}
            odd.append(lambda h=header, e=extra: bucket.get_object("k", headers={"Range": h, **e}).read())
    odd += [lambda: requests.put(f"{endpoint}/t1/k", data=b"x", headers={"Authorization": "OSS a:b"}, timeout=30)]
    odd += [lambda: requests.request("BREW", f"{endpoint}/adversarial-checks/k", timeout=30)]

    def handled(call: Callable[[], Any]) -> bool:
        try:
            result = call()
        except oss2.exceptions.OssError as exc:
            return 400 <= exc.status < 500 or exc.status == 501
        status = getattr(result, "status_code", getattr(result, "status", 200))
        return status != 500

    tally.check("odd OSS requests (names, parts, listings, ranges, ...)", odd, handled)
    bodies = [bytes([n]) * 300_000 for n in range(100)]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda b: bucket.put_object("contended", b).status, bodies))
    final = bucket.get_object("contended").read()
    tally.check("concurrent PUTs to one key", results, lambda s: s == 200)
    tally.check("...and the object is one whole upload", [final], lambda data: data in bodies)


if __name__ == "__main__":
    threading.excepthook = lambda args: None  # instance threads of a killed process may complain
    main()
