"""Compiling plans to sparse linear programs, and the HiGHS adapter.

Names are imported on first use, so that the light modules of this package (`budget`,
`status`) cost the command line nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LinearProgram", "Status", "compile_plan"]

_WHERE = {"LinearProgram": "kantorovich.lp.program", "Status": "kantorovich.lp.status",
          "compile_plan": "kantorovich.lp.compile"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'kantorovich.lp' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
