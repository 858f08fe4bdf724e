"""Start-up stays light: ``kantorovich --help`` and ``--version`` import no pandas, scipy,
pyarrow, pydantic, lark or HiGHS (measured: 0.74 s and 161 MB when they did)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

import kantorovich

HEAVY = ("pandas", "scipy", "pyarrow", "pydantic", "lark", "highspy")


def heavy_imports(*modules: str) -> list[str]:
    """The heavy packages a fresh interpreter holds after importing ``modules``."""
    code = (f"import sys\nfor m in {list(modules)!r}: __import__(m)\n"
            f"import json; print(json.dumps(sorted(set({list(HEAVY)!r}) & set(sys.modules))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_package_and_errors_import_nothing_heavy() -> None:
    assert heavy_imports("kantorovich", "kantorovich.errors") == []


def test_version_needs_nothing_heavy() -> None:
    code = "import kantorovich, sys; print(kantorovich.__version__); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [version("kantorovich"), "False"]


def test_cli_module_imports_nothing_heavy() -> None:
    assert heavy_imports("kantorovich", "kantorovich.errors", "kantorovich.cli") == []


def test_public_names_resolve_on_first_use() -> None:
    code = ("import kantorovich as k, sys\n"
            "before = 'pandas' in sys.modules\n"
            "plan = k.Plan\n"
            "print(before, 'pandas' in sys.modules, plan.__module__, 'solve' in dir(k))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "kantorovich.model.plan", "True"]


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'plan'"):
        kantorovich.plan  # noqa: B018
    assert set(kantorovich.__all__) <= set(dir(kantorovich))
