"""How HiGHS is asked to solve a plan over time.

A plan over time expanded into one program is a staircase: each period's block of an
economy's goods and processes, linked to the next by its stocks and inventories. On
such programs the dual simplex pivots through the whole staircase (its bases of random
input-output blocks factorise densely), while interior point with crossover takes a few
dozen factorisations: measured on economies in the manner of Cockshott's
``testeconomy`` (`benchmarks/horizon.py`), interior point was 1.2x faster at 100
sectors x 5 years, 2-3x at 200 x 5 and 4x at 400 x 5. Small programs take
milliseconds either way and keep the simplex's warm vertex for the analyses.
"""

from __future__ import annotations

from typing import NamedTuple

from kantorovich.lp.program import LinearProgram
from kantorovich.model.expansion import horizon_of
from kantorovich.model.plan import Plan

__all__ = ["STAIRCASE_IPM_FROM", "StaircaseChoice", "staircase_method"]

STAIRCASE_IPM_FROM = 10_000
"""Nonzeros from which ``auto`` solves a plan over time of two periods or more by
interior point with crossover."""


class StaircaseChoice(NamedTuple):
    """The HiGHS method chosen for a staircase, and why (for the result's reason)."""

    method: str
    reason: str


def staircase_method(plan: Plan, lp: LinearProgram, asked: str) -> StaircaseChoice | None:
    """Interior point with crossover for a plan over time of at least two periods and
    `STAIRCASE_IPM_FROM` nonzeros, when the method is left to ``auto``; None otherwise
    (the choice by size then stands)."""
    timed = horizon_of(plan)
    if asked != "auto" or timed is None or len(timed.periods) < 2:
        return None
    nonzeros = lp.matrix.nnz
    if nonzeros < STAIRCASE_IPM_FROM:
        return None
    return StaircaseChoice("ipm", f"a plan over {len(timed.periods)} periods, "
                        f"{lp.shape[1]:,} columns, {nonzeros:,} nonzeros: on a staircase "
                        "of periods interior point with crossover is faster than the "
                        "simplex")
