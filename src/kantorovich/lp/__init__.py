"""Compiling plans to sparse linear programs, and the HiGHS adapter.

Names are imported on first use, so that the light modules of this package (`budget`,
`status`) cost the command line nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kantorovich._lazy import lazy_names

__all__ = ["LinearProgram", "Status", "compile_plan"]

_HOME = {"LinearProgram": "kantorovich.lp.program", "Status": "kantorovich.lp.status",
         "compile_plan": "kantorovich.lp.compile"}

if TYPE_CHECKING:
    from kantorovich.lp.compile import compile_plan
    from kantorovich.lp.program import LinearProgram
    from kantorovich.lp.status import Status



__getattr__, __dir__ = lazy_names(__name__, _HOME)
