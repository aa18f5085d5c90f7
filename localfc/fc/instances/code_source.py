"""Where an instance's code comes from and which Python runs it: a ``CodeSource``.

On FC an instance is FC's Python (python3.10 on Debian 10, python3.12 on Debian 11), the code
package unpacked read-only at ``/code``, and the function's layers merged under ``/opt``. A
``CodeSource`` is the same three things on this machine, and how to start an instance process
from them (``parent.Instance`` uses ``command`` and ``python_path``):

    interpreter  the Python of the instance process: the dev venv's (``sys.executable``: quick,
                 but it can import everything the venv has) or FC's own version found with
                 ``localfc.project.package.interpreters`` (what a built package needs: its
                 wheels are cp310 / cp312)
    code_dir     what FC mounts at /code: the project's code directory, or a package unpacked
                 with ``unpack_zip``
    opt_dir      what FC makes of the function's layers (``merge_layers``): every layer zip
                 extracted into one directory, so ``/opt/python`` is ``opt_dir/python``; None
                 without layers
    isolated     True: besides the standard library only ``code_dir``, the PYTHONPATH entries
                 and ``opt_dir/python`` are importable: the interpreter's own site-packages and
                 the dev venv are not (``-I`` and the bootstrap drop them)

The instance's sys.path, in FC's order (``python_path``): the code directory, then the entries of
PYTHONPATH (s.yaml's ``/code/python`` is mapped to ``<code_dir>/python``), then ``/opt/python``.
FC documents that it adds /opt/python to the runtime's search path for layers (Alibaba Cloud,
"Create a custom layer", Function Compute 3.0 user guide); that it comes after PYTHONPATH is
UNCONFIRMED (the docs say FC "appends" it): a module in the code package wins over a layer's.
Several layers: FC extracts them into /opt in reverse order of configuration, so the layer
configured first wins a file both contain (same page); ``merge_layers`` does exactly that. FC
also puts /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH (``environment``).

    source = CodeSource.for_package("python3.10", unpack_zip(zip_path, work / "code"),
                                    merge_layers(layer_zips, work / "opt"))
    spec = InstanceSpec(..., source=source)

Nothing here builds a package (``localfc.project.package`` does) or knows where a zip came from.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# localfc must be importable in the instance, but the function must not see this repository on
# sys.path (on FC it only has its own package): the bootstrap removes it after the import.
_ROOT = str(Path(__file__).resolve().parents[3])
_CHILD = "import localfc.fc.instances.child as w"
_BOOTSTRAP = f"import sys;sys.path.insert(0,{_ROOT!r});{_CHILD};sys.path.remove({_ROOT!r});w.main()"
# Isolated: also drop the interpreter's site-packages (``-I`` already dropped the user site and
# ignores PYTHON* variables), so only what the package ships can be imported.
_ISOLATED_BOOTSTRAP = (
    "import sys,site;_s=set(site.getsitepackages());sys.path[:]=[p for p in sys.path if p not in _s];" + _BOOTSTRAP
)


class CodeSourceError(RuntimeError):
    """A package or layer cannot be unpacked (not a zip, unsafe paths, no python/ in a layer)."""


@dataclass(frozen=True)
class CodeSource:
    """How to start an instance of one function; see the module docstring.

    >>> CodeSource.for_dev_venv(Path("/p")).python_path({"PYTHONPATH": "/p/python"})
    ['/p', '/p/python']
    """

    interpreter: str
    code_dir: Path
    opt_dir: Path | None = None
    isolated: bool = False
    description: str = "the dev venv"

    @classmethod
    def for_dev_venv(cls, code_dir: Path, opt_dir: Path | None = None) -> CodeSource:
        """The project's code run by this process's interpreter (the dev venv)."""
        return cls(sys.executable, code_dir, opt_dir, isolated=False, description="the dev venv")

    @classmethod
    def for_package(
        cls, interpreter: Path | str, code_dir: Path, opt_dir: Path | None = None, description: str = ""
    ) -> CodeSource:
        """An unpacked package run by FC's Python version, seeing nothing but the package."""
        label = description or f"package {code_dir}"
        return cls(str(interpreter), code_dir, opt_dir, isolated=True, description=label)

    def python_path(self, environment: Mapping[str, str]) -> list[str]:
        """sys.path entries the instance puts first, in FC's order (see the module docstring)."""
        entries = [str(self.code_dir)]
        for entry in environment.get("PYTHONPATH", "").split(os.pathsep):
            if entry and entry not in entries:
                entries.append(entry)
        if self.opt_dir is not None:
            layer_python = str(self.opt_dir / "python")
            if layer_python not in entries:
                entries.append(layer_python)
        return entries

    def environment(self, environment: Mapping[str, str]) -> dict[str, str]:
        """``environment`` with /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH, as FC sets them."""
        env = dict(environment)
        if self.opt_dir is not None:
            env["PATH"] = os.pathsep.join(p for p in (str(self.opt_dir / "bin"), env.get("PATH", "")) if p)
            libs = (str(self.opt_dir / "lib"), env.get("LD_LIBRARY_PATH", ""))
            env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in libs if p)
        return env

    def command(self, *args: str) -> list[str]:
        """argv of an instance process: the interpreter running ``localfc.fc.instances.child``.

        Isolated runs use ``-I`` (no PYTHON* variables, no user site; ``-u`` because -I also
        ignores PYTHONUNBUFFERED, and the log order must be the order things were printed) and
        ``-B``: FC's /code is read-only, so no bytecode is ever written next to the package (as
        root, file modes alone would not stop it)."""
        if self.isolated:
            return [self.interpreter, "-I", "-u", "-B", "-c", _ISOLATED_BOOTSTRAP, *args]
        return [self.interpreter, "-c", _BOOTSTRAP, *args]


def unpack_zip(archive: Path, into: Path, *, read_only: bool = True) -> Path:
    """Extract a code package into ``into`` (replaced if it exists) and return it.

    FC mounts /code read-only; ``read_only`` does the same with the file modes, so code that
    writes next to itself fails here as it would there. Entries that would land outside
    ``into`` (``../``, absolute paths) are refused."""
    make_writable(into)
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    _extract(archive, into)
    if read_only:
        make_read_only(into)
    return into


def merge_layers(layer_zips: Sequence[Path], into: Path, *, read_only: bool = True) -> Path | None:
    """FC's /opt for these layers (first configured first), or None when there are none.

    Extracted last-configured first, each one over the others, so the first-configured layer
    wins a file that several contain. A layer without ``python/`` is refused: FC would mount it,
    but nothing in it would be importable, which is never what a Python layer meant."""
    if not layer_zips:
        return None
    make_writable(into)
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for layer in reversed(layer_zips):
        names = _extract(layer, into)
        if not any(n == "python/" or n.startswith("python/") for n in names):
            raise CodeSourceError(f"layer {layer.name} has no python/ directory: FC puts /opt/python on the path")
    if read_only:
        make_read_only(into)
    return into


def _extract(archive: Path, into: Path) -> list[str]:
    try:
        with zipfile.ZipFile(archive) as opened:
            names = opened.namelist()
            root = into.resolve()
            for info in opened.infolist():
                target = (into / info.filename).resolve()
                if target != root and root not in target.parents:
                    raise CodeSourceError(f"{archive.name}: entry {info.filename!r} points outside the package")
                opened.extract(info, into)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(target, mode | stat.S_IRUSR)
            return names
    except zipfile.BadZipFile:
        raise CodeSourceError(f"{archive} is not a zip file") from None
    except FileNotFoundError:
        raise CodeSourceError(f"{archive} does not exist") from None


def make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(root: Path) -> None:
    """Undo ``make_read_only`` (before deleting or replacing an unpacked package)."""
    if not root.exists():
        return
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
