"""The import closure read from source: which modules a handler reaches and which other
distributions they import, required or optional."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localfc.project.package.closure import import_closure
from tests.fixtures.paths import REPO

if TYPE_CHECKING:
    from pathlib import Path


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_prime_checker_reaches_its_algorithm_and_runtime_but_not_the_object_code() -> None:
    closure = import_closure(REPO, ["handlers.prime_checker"])
    assert {"handlers.prime_checker", "algorithms.prime_checker", "runtime.app"} <= set(closure.modules)
    assert not [m for m in closure.modules if m.startswith(("runtime.objects", "algorithms.thumbnailer"))]
    assert sorted(closure.required) == ["pydantic", "pythonjsonlogger"]
    # the SLS SDK is imported only under `except ImportError`: optional, never shipped
    assert "aliyun" in closure.optional


def test_object_functions_need_oss2_although_it_is_imported_lazily() -> None:
    closure = import_closure(REPO, ["handlers.thumbnailer"])
    assert {"PIL", "oss2", "pydantic"} <= set(closure.required)


def test_type_checking_imports_and_stdlib_do_not_count(tmp_path: Path) -> None:
    code = _write(
        tmp_path,
        {
            "app.py": (
                "from __future__ import annotations\nimport json, os.path\nfrom typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    import numpy\nfrom .lib import helper\n"
            ),
            "lib/__init__.py": "",
            "lib/helper.py": "def f():\n    import requests\n    return requests\n",
        },
    )
    closure = import_closure(code, ["app"])
    assert set(closure.modules) == {"app", "lib", "lib.helper"}
    assert list(closure.required) == ["requests"]
    assert str(closure.required["requests"][0]) == "lib/helper.py:2"


def test_a_required_import_wins_over_an_optional_one(tmp_path: Path) -> None:
    code = _write(
        tmp_path,
        {
            "app.py": "import b\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
            "b.py": "import yaml\n",
        },
    )
    closure = import_closure(code, ["app"])
    assert list(closure.required) == ["yaml"] and not closure.optional


def test_python_dir_is_not_the_codes_own_and_missing_entries_are_reported(tmp_path: Path) -> None:
    code = _write(tmp_path, {"app.py": "import pydantic\n", "python/pydantic/__init__.py": ""})
    closure = import_closure(code, ["app", "nowhere"])
    assert list(closure.required) == ["pydantic"]
    assert closure.missing == ["nowhere"]
