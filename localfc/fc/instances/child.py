"""The main program of one instance process (what FC's runtime bootstrap is on FC).

``serve`` starts ``python -c <bootstrap> FD`` with the function's environment, working
directory = code directory, and one end of a socket pair as FD. Then:

1. serve sends ``configure`` (props, code dir, runtime); the worker imports the handler and
   answers ``ready`` or ``start_failed``;
2. each ``invoke`` runs the initializer once (``initialized`` is sent after it succeeds) and
   the handler through ``localfc.fc.instances.in_process.FunctionInstance``, answering ``result``;
3. ``stop`` runs preStop, answers ``stopped`` and exits.

Imports stay minimal on purpose: everything here is paid on every cold start.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from localfc.fc.instances.in_process import FunctionInstance, HandlerResolutionError, InvocationResult
from localfc.fc.instances.protocol import read_frame, send_frame

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from localfc.project.syaml.model import FunctionProps


def props_view(doc: dict[str, Any]) -> FunctionProps:
    """Attribute access over the props dict, without pydantic.

    Importing pydantic costs ~150 ms per instance start; the instance only reads a few plain
    fields (``logConfig`` and ``environmentVariables`` must stay dicts, as in the model).
    """
    view = SimpleNamespace(**doc)
    lifecycle = doc.get("instanceLifecycleConfig") or {}
    view.instanceLifecycleConfig = SimpleNamespace(
        initializer=_hook(lifecycle.get("initializer")), preStop=_hook(lifecycle.get("preStop"))
    )
    return cast("FunctionProps", view)


def _hook(doc: Any) -> SimpleNamespace | None:
    if not isinstance(doc, dict) or not doc.get("handler"):
        return None
    return SimpleNamespace(handler=str(doc["handler"]), timeout=int(doc.get("timeout") or 3))


class Worker:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.send_lock = threading.Lock()
        self.init_lock = threading.Lock()
        self.instance: FunctionInstance | None = None
        self.init_failure: InvocationResult | None = None
        self.executor: ThreadPoolExecutor | None = None

    def send(self, meta: dict[str, Any], body: bytes = b"") -> None:
        # Everything the handler printed must reach the pipes before the result frame: serve
        # drains the pipes when a frame arrives, so the call's log tail is complete.
        sys.stdout.flush()
        sys.stderr.flush()
        with self.send_lock:
            send_frame(self.sock, meta, body)

    def configure(self, meta: dict[str, Any]) -> bool:
        props = props_view(meta["props"])
        self.instance = FunctionInstance(
            props,
            Path(meta["code_dir"]),
            environment={},
            runtime=meta.get("runtime"),
            log=sys.stdout,
            python_path=meta.get("python_path"),
        )
        concurrency = int(meta.get("concurrency") or 1)
        if concurrency > 1:
            from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - most functions don't need it

            self.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fc-invoke")
        try:
            self.instance.start()
        except HandlerResolutionError as exc:
            self.send({"op": "start_failed", "message": str(exc)})
            return False
        except Exception as exc:  # an import-time error in the user's module
            traceback.print_exc()
            self.send({"op": "start_failed", "message": f"importing the handler failed: {type(exc).__name__}: {exc}"})
            return False
        self.send({"op": "ready", "pid": os.getpid()})
        return True

    def invoke(self, meta: dict[str, Any], event: bytes) -> None:
        assert self.instance is not None
        args: dict[str, Any] = {
            "qualifier": meta.get("qualifier") or "LATEST",
            "version_id": meta.get("version_id") or "",
        }
        if meta.get("retry_count") is not None:
            args["retry_count"] = int(meta["retry_count"])
        request_id = str(meta["request_id"])
        init_failed = self._initialize(request_id, args)
        if init_failed is not None:
            self._reply(meta["id"], init_failed, init_failed=True)
            return
        result = self.instance.invoke(event, request_id, **args)
        self._reply(meta["id"], result)

    def _initialize(self, request_id: str, args: dict[str, Any]) -> InvocationResult | None:
        assert self.instance is not None
        with self.init_lock:  # concurrent first calls wait for one initializer run
            if self.init_failure is not None:
                return self.init_failure
            if self.instance.initialized:
                return None
            failed = self.instance.initialize(request_id, **args)
            if failed is not None:
                self.init_failure = failed
                return failed
            self.send({"op": "initialized"})
            return None

    def _reply(self, call_id: int, result: InvocationResult, init_failed: bool = False) -> None:
        self.send(
            {
                "op": "result",
                "id": call_id,
                "error_type": result.error_type,
                "error_message": result.error_message,
                "duration_ms": result.duration_ms,
                "init_failed": init_failed,
                "memory_error": result.error_message.startswith("MemoryError"),
            },
            result.body,
        )

    def stop(self, meta: dict[str, Any]) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.instance is not None:
            self.instance.stop(str(meta.get("request_id") or "prestop"))
        self.send({"op": "stopped"})

    def serve(self) -> None:
        stream = self.sock.makefile("rb")
        frame = read_frame(stream)
        if frame is None or frame[0].get("op") != "configure" or not self.configure(frame[0]):
            return
        while True:
            frame = read_frame(stream)
            if frame is None:  # serve went away: nothing left to answer to
                return
            meta, body = frame
            op = meta.get("op")
            if op == "invoke":
                if self.executor is not None:
                    self.executor.submit(self.invoke, meta, body)
                else:
                    self.invoke(meta, body)
            elif op == "stop":
                self.stop(meta)
                return


def main() -> None:
    fd = int(sys.argv[1])
    # FC kills a timed-out instance with SIGTERM and the runtime dumps its threads' stacks:
    # the dump lands in the function's log, which shows where it was stuck.
    faulthandler.register(signal.SIGTERM, file=sys.stderr, all_threads=True, chain=True)
    sock = socket.socket(fileno=fd)
    try:
        Worker(sock).serve()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # don't wait for non-daemon threads the function may have left behind


if __name__ == "__main__":
    main()
