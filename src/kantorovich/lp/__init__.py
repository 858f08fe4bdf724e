"""Compiling plans to sparse linear programs, and the HiGHS adapter."""

from kantorovich.lp.compile import compile_plan
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status

__all__ = ["LinearProgram", "Status", "compile_plan"]
