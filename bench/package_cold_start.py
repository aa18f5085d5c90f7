"""Cold start of what ships: each function's package, unzipped into a read-only directory, run
by FC's Python version (python3.10 and python3.12), as whole processes: import the handler,
run the initializer, answer the first event.

Variants, all in one run, interleaved, each a fresh process (``-s -B``: no user site, and no
bytecode written, as on FC's read-only /code). The target interpreter runs from a throw-away
venv, as the dev venv does, so that neither loads the base installation's ``.pth`` files:

- package + bytecode: what ``local_invoke.py package`` builds (``.pyc`` compiled by the target
  interpreter, unchecked-hash);
- package, no bytecode: the same zip without ``.pyc`` (``--no-bytecode``): every module is
  compiled at every start, as FC does with a package that has none;
- dev venv: the same handler from the repository with this machine's venv and a warm bytecode
  cache (what ``invoke``/``serve --code-from venv`` run);
- bare: a json-only hand-written handler (bench/cold_start.py's) on the target interpreter;
- venv on the target Python: the dev-venv variant on the target interpreter (``./dev compat``'s
  ``.venv-compat/3.x``, when it exists; otherwise the column is left out). The dev venv runs this
  machine's python3.11, which starts and imports faster than 3.10 and 3.12: this column tells
  the interpreter's share from the package's.

First events: prime-checker and language-detector their HTTP fixtures; the object functions a
direct invoke ``{}`` (validated and refused before any OSS call: import + initializer, in which
oss2 is imported, + a first answer). Targets (issue 13): package + bytecode ≤ 1.1 × the dev
venv and ≤ 0.5 × no bytecode; prime-checker's package ≤ 10 MB unpacked. Also the time to build
every function's package: cold (empty cache: downloads included) and cached.

    python -m bench package_cold_start
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.cold_start import _BARE_HANDLER, _CONTEXT, _INVOKE
from localfc.fc.context import function_environment
from localfc.fc.instances.code_source import make_read_only, make_writable
from localfc.project.package import build_package
from localfc.project.package.interpreters import InterpreterNotFoundError, find_interpreter
from localfc.project.syaml import Project, load_project

if TYPE_CHECKING:
    from localfc.project.syaml.model import FunctionProps

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "events"
RUNTIMES = ("python3.10", "python3.12")
RUNS = 9
TARGET_VS_VENV = 1.1
TARGET_VS_NO_BYTECODE = 0.5
TARGET_PRIME_MB = 10.0
_FIRST_EVENT = {"prime-checker": EVENTS / "http-post-prime.json", "language-detector": EVENTS / "http-post-detect.json"}


def _source(function: str, handler_module: str) -> str:
    event = _FIRST_EVENT.get(function)
    load = f"EVENT_FILE = {str(event)!r}\n" if event else ""
    context = _CONTEXT if event else _CONTEXT.replace('open(EVENT_FILE, "rb").read()', "b'{}'")
    return f"{load}from {handler_module} import initialize, handler\n{context}{_INVOKE}"


def _run(interpreter: str, code: str, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [interpreter, "-s", "-B", "-c", code],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )
    return time.perf_counter() - started


def _unpacked(zip_path: Path, into: Path) -> tuple[Path, int]:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
        size = sum(i.file_size for i in archive.infolist())
    make_read_only(into)
    return into, size


def _build_all(project: Project, runtime: str, out: Path, cache: Path, bytecode: bool) -> dict[str, Path]:
    quiet = lambda line: None  # noqa: E731 - progress lines would interleave with the table
    zips: dict[str, Path] = {}
    for _, props in project.functions():
        result = build_package(
            project, props.functionName, out, runtime=runtime, with_bytecode=bytecode, cache_dir=cache, log=quiet
        )
        zips[props.functionName] = result.zip_path
    return zips


def _runtime(project: Project, runtime: str, work: Path) -> None:
    try:
        base = find_interpreter(runtime.removeprefix("python"))
    except InterpreterNotFoundError as exc:
        print(f"{runtime}: skipped: {exc}")
        return
    # A bare venv of the target interpreter, like the dev venv: without the base installation's
    # site-packages and its .pth files, which FC's image does not have and the dev venv skips.
    venv = work / f"venv-{runtime}"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    interpreter = str(venv / "bin" / "python")
    cache = ROOT / ".localfc" / "package-cache"
    cold_cache = work / f"cold-cache-{runtime}"
    started = time.perf_counter()
    _build_all(project, runtime, work / f"cold-{runtime}", cold_cache, bytecode=True)
    cold_s = time.perf_counter() - started
    started = time.perf_counter()
    with_pyc = _build_all(project, runtime, work / f"pyc-{runtime}", cold_cache, bytecode=True)
    cached_s = time.perf_counter() - started
    without = _build_all(project, runtime, work / f"nopyc-{runtime}", cache, bytecode=False)
    print(f"{runtime}: building every function's package: cold {cold_s:.1f} s (downloads included),", end="")
    print(f" cached {cached_s:.1f} s")
    venv_cache = work / f"venv-pycache-{runtime}"
    compat = ROOT / ".venv-compat" / runtime.removeprefix("python") / "bin" / "python"
    target_venv = str(compat) if compat.exists() else None
    for resource, props in project.functions():
        name = props.functionName
        pyc_dir, pyc_size = _unpacked(with_pyc[name], work / "run" / runtime / name / "pyc")
        plain_dir, plain_size = _unpacked(without[name], work / "run" / runtime / name / "plain")
        module = props.handler.rpartition(".")[0]
        code = _source(name, module)
        bare = _source(name, "bare_handler").replace("from bare_handler import initialize, handler\n", _BARE_HANDLER)

        venv_env = _env(props, runtime, ROOT, {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(venv_cache)})
        variants = {
            "package + bytecode": (interpreter, code, pyc_dir, _env(props, runtime, pyc_dir)),
            "package, no bytecode": (interpreter, code, plain_dir, _env(props, runtime, plain_dir)),
            "dev venv": (sys.executable, code, ROOT, venv_env),
            "bare handler": (interpreter, bare, work, _env(props, runtime, work)),
        }
        if target_venv is not None:
            variants["venv on the target"] = (target_venv, code, ROOT, venv_env)
        # the venvs' bytecode caches are warm, as they are on a developer's machine
        for python in {sys.executable, target_venv} - {None}:
            # stderr kept from the table: compiling oss2 on 3.12 warns about its docstrings
            subprocess.run([str(python), "-c", code], cwd=ROOT, env=venv_env, capture_output=True, check=True)
        times: dict[str, list[float]] = {v: [] for v in variants}
        for _ in range(RUNS):
            for variant, (python, source, cwd, env) in variants.items():
                times[variant].append(_run(python, source, cwd, env))
        medians = {v: statistics.median(t) * 1000 for v, t in times.items()}
        vs_venv = medians["package + bytecode"] / medians["dev venv"]
        vs_plain = medians["package + bytecode"] / medians["package, no bytecode"]
        print(
            f"  {name:18s} bytecode {medians['package + bytecode']:6.1f} ms | no bytecode"
            f" {medians['package, no bytecode']:6.1f} | dev venv {medians['dev venv']:6.1f} | bare"
            f" {medians['bare handler']:5.1f}  ->  {vs_venv:.2f}x venv ({_verdict(vs_venv <= TARGET_VS_VENV)}"
            f" ≤ {TARGET_VS_VENV}), {vs_plain:.2f}x no bytecode ({_verdict(vs_plain <= TARGET_VS_NO_BYTECODE)}"
            f" ≤ {TARGET_VS_NO_BYTECODE});  unpacked {pyc_size / 2**20:.1f} MB ({plain_size / 2**20:.1f} MB"
            " without bytecode)"
        )
        if target_venv is not None:
            same = medians["package + bytecode"] / medians["venv on the target"]
            print(f"  {'':18s} venv on {runtime} {medians['venv on the target']:6.1f} ms  ->  package {same:.2f}x")
        if name == "prime-checker":
            mb = pyc_size / 2**20
            print(
                f"  prime-checker unpacked: {mb:.1f} MB ({_verdict(mb <= TARGET_PRIME_MB)} ≤ {TARGET_PRIME_MB:.0f} MB)"
            )
        del resource


def _env(props: FunctionProps, runtime: str, code_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment FC gives the function (``/code`` = ``code_dir``), and nothing of this shell's."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(function_environment(props, code_dir, runtime=runtime, instance_id="bench-instance"))
    env.update(extra or {})
    return env


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main() -> None:
    project = load_project(ROOT / "s.yaml")
    print(f"cold start from the package, unzipped read-only (import + initialize + first invoke), median of {RUNS}:")
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        work = Path(tmp)
        try:
            for runtime in RUNTIMES:
                _runtime(project, runtime, work)
        finally:
            make_writable(work)


if __name__ == "__main__":
    main()
