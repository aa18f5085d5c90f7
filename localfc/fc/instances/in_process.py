"""One local function instance, in the current process: import the handler module from the
code directory, run the initializer once, call the handler, frame the logs as FC does.

``local_invoke.py invoke`` uses one instance for one call (and reports this process's
``peak_memory_mb``); ``serve`` runs each instance in a worker process of its own around this
same class.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from localfc.fc.context import make_context

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from localfc.project.syaml.model import FunctionProps


class HandlerResolutionError(RuntimeError):
    """``module.function`` from s.yaml does not resolve to a callable in the code directory."""


@dataclass
class InvocationResult:
    """What FC would return for one call."""

    request_id: str
    body: bytes  # the response payload as FC sends it
    duration_ms: float
    error_type: str = ""  # "UnhandledInvocationError" when the handler raised
    error_message: str = ""

    @property
    def failed(self) -> bool:
        """True when the handler raised, answered with an error document, or (an object
        function) left a record missing, rejected or failed."""
        if self.error_type:
            return True
        try:
            doc = json.loads(self.body)
        except ValueError:
            return False
        if isinstance(doc, dict):
            status = doc.get("statusCode")
            return "error" in doc or (isinstance(status, int) and status >= 400) or bool(self.unusable_records)
        return False

    @property
    def unusable_records(self) -> list[dict[str, Any]]:
        """The records of an object function's answer that did not end processed or skipped
        (``{"records": [{"bucket", "key", "status": "missing", ...}]}``)."""
        try:
            doc = json.loads(self.body)
        except ValueError:
            return []
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, list):
            return []
        return [r for r in records if isinstance(r, dict) and r.get("status") in ("missing", "rejected", "failed")]


def resolve(code_dir: Path, dotted: str) -> Callable[..., Any]:
    """Import ``module.function`` with ``code_dir`` first on ``sys.path``."""
    module_name, _, attr = dotted.rpartition(".")
    if not module_name or not attr:
        raise HandlerResolutionError(f"{dotted!r} is not of the form module.function")
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HandlerResolutionError(f"cannot import {module_name!r} from {code_dir}: {exc}") from None
    func = getattr(module, attr, None)
    if not callable(func):
        raise HandlerResolutionError(f"{module_name}.{attr} is not a callable in {code_dir}")
    return func  # type: ignore[no-any-return]


def encode_result(value: Any) -> bytes:
    """FC's rule: str/bytes are sent as they are, anything else JSON-encoded."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class FunctionInstance:
    """A warm instance of one function; not thread-safe (one call at a time)."""

    def __init__(
        self,
        props: FunctionProps,
        code_dir: Path,
        environment: dict[str, str],
        runtime: str | None = None,
        log: TextIO | None = None,
        *,
        python_path: list[str] | None = None,
    ) -> None:
        """``python_path``: the entries to put first on sys.path, in order (the code directory,
        PYTHONPATH, /opt/python: ``CodeSource.python_path``); default: the code directory and
        the PYTHONPATH of ``environment``."""
        self.props = props
        self.code_dir = code_dir
        self.runtime = runtime or props.runtime
        self.environment = environment
        self.log = log if log is not None else sys.stderr
        self.initialized = False
        self.python_path = python_path
        self._handler: Callable[..., Any] | None = None

    def _frame(self, line: str) -> None:
        # What the function printed (buffered) must land before the framing line, not after.
        sys.stdout.flush()
        self.log.write(line + "\n")
        self.log.flush()

    def start(self) -> None:
        """Apply the function's environment and import its handler (may raise HandlerResolutionError)."""
        os.environ.update(self.environment)
        if self.python_path is not None:
            # In this order at the front, even where PYTHONPATH already put some of them.
            sys.path[:] = [*self.python_path, *(p for p in sys.path if p not in self.python_path)]
        for extra in reversed(self.environment.get("PYTHONPATH", "").split(os.pathsep)):
            if extra and extra not in sys.path:
                sys.path.insert(0, extra)
        self._handler = resolve(self.code_dir, self.props.handler)

    def initialize(self, request_id: str, **context_args: Any) -> InvocationResult | None:
        """Run the initializer once; on failure return the error result (FC fails the call)."""
        hook = self.props.instanceLifecycleConfig.initializer if self.props.instanceLifecycleConfig else None
        if self.initialized or hook is None:
            self.initialized = True
            return None
        started = time.perf_counter()
        self._frame(f"FC Initialize Start RequestId: {request_id}")
        try:
            initializer = resolve(self.code_dir, hook.handler)
            initializer(
                make_context(
                    self.props, runtime=self.runtime, request_id=request_id, handler=hook.handler, **context_args
                )
            )
        except Exception as exc:
            self._frame(_traceback_text())
            self._frame(f"FC Initialize End RequestId: {request_id}, Error: Unhandled function error")
            return InvocationResult(
                request_id, b"", _ms(started), "UnhandledInvocationError", f"initializer failed: {exc}"
            )
        self._frame(f"FC Initialize End RequestId: {request_id}")
        self.initialized = True
        return None

    def invoke(self, event: bytes, request_id: str, **context_args: Any) -> InvocationResult:
        """Initialize if needed, then call the handler once."""
        if self._handler is None:
            self.start()
        failed_init = self.initialize(request_id, **context_args)
        if failed_init is not None:
            return failed_init
        assert self._handler is not None
        context = make_context(self.props, runtime=self.runtime, request_id=request_id, **context_args)
        started = time.perf_counter()
        self._frame(f"FC Invoke Start RequestId: {request_id}")
        try:
            value = self._handler(event, context)
            result = InvocationResult(request_id, encode_result(value), _ms(started))
        except Exception as exc:
            # FC returns the stack trace to the caller; locally it goes to the log only.
            self._frame(_traceback_text())
            result = InvocationResult(
                request_id, b"", _ms(started), "UnhandledInvocationError", f"{type(exc).__name__}: {exc}"
            )
        sys.stdout.flush()
        suffix = ", Error: Unhandled function error" if result.error_type else ""
        self._frame(f"FC Invoke End RequestId: {request_id}{suffix}")
        return result

    def stop(self, request_id: str) -> None:
        """Run preStop if configured (errors are logged, never raised)."""
        hook = self.props.instanceLifecycleConfig.preStop if self.props.instanceLifecycleConfig else None
        if hook is None or not self.initialized:
            return
        self._frame(f"FC PreStop Start RequestId: {request_id}")
        try:
            resolve(self.code_dir, hook.handler)(
                make_context(self.props, runtime=self.runtime, request_id=request_id, handler=hook.handler)
            )
        except Exception:
            self._frame(_traceback_text())
        self._frame(f"FC PreStop End RequestId: {request_id}")


def _traceback_text() -> str:
    return "".join(traceback.format_exc()).rstrip()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` first: ``ru_maxrss`` survives
    ``exec``, so it would report the parent's peak for a process started by a big one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
