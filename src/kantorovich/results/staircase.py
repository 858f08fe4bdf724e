"""How HiGHS is asked to solve a plan over time.

A plan over time expanded into one program is a staircase: each period's block of an
economy's goods and processes, linked to the next by its stocks and inventories. On
such programs the dual simplex pivots through the whole staircase (its bases of random
input-output blocks factorise densely), while interior point with crossover takes a few
dozen factorisations: measured on economies in the manner of Cockshott's
``testeconomy`` (`benchmarks/horizon.py`), interior point was 1.2x faster at 100
sectors x 5 years, 2-3x at 200 x 5 and 4x at 400 x 5. Small programs take
milliseconds either way and keep the simplex's warm vertex for the analyses.

Where the economy is an input-output one with one process per good and a
complete-sets objective, the staircase has a basis that can be written down
(`results.crash`), and over a few periods the dual simplex from it beat interior point:
3.8 s against 25.0 s (and 12.5 s by the simplex from slacks) at 1,000 products x 5
periods (`benchmarks/horizon.py`, clustered). Over longer horizons the optimum is far
from it (the plan invests first and runs only part of the economy in the first
periods), and the simplex pivots through the staircase whatever its start: at 1,000
products x 10 periods 197 s from the crash basis and 101 s from slacks, against 23.5 s
by interior point on the staircase less the goods rows its assortment rows imply
(`results.implied`). So from `CRASH_PERIODS` + 1 periods interior point is used, on
that smaller program where it has such rows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from kantorovich.lp.clarabel import available
from kantorovich.lp.methods import Start
from kantorovich.lp.program import LinearProgram
from kantorovich.model.expansion import horizon_of
from kantorovich.model.plan import Plan
from kantorovich.results.crash import crash_basis, local_supply
from kantorovich.results.implied import implied_goods_rows

__all__ = ["CLARABEL_FROM", "CRASH_PERIODS", "STAIRCASE_IPM_FROM", "VERTEX_ON_PRESOLVE_FROM",
           "StaircaseChoice", "staircase_method"]

STAIRCASE_IPM_FROM = 10_000
"""Nonzeros from which ``auto`` solves a plan over time of two periods or more by
interior point with crossover, or by the simplex from its crash basis where it has one."""

CRASH_PERIODS = 5
"""Most periods for which ``auto`` starts the simplex from the crash basis: measured
better than interior point at 5 periods, eight times worse at 10 (module docstring)."""

CLARABEL_FROM = 100_000
"""Nonzeros from which the staircase less its implied rows goes to Clarabel's interior
point first (`lp.clarabel`), whose direct factorisation grows with the plan where
HiGHS's conjugate gradients grow faster. Measured on three generators, A against B in
one process (`benchmarks/README.md`): below 70,000 nonzeros HiGHS's interior point was
up to 1.5x faster (seconds either way); from 90,000 Clarabel's path won on 8 of 9
economies, by 1.6x (local, 109,000), 1.4x (random, 118,000) and 5.3x (random, 156,000),
and lost one by 16% (clustered, 114,000: 5.1 s against 4.4 s)."""


VERTEX_ON_PRESOLVE_FROM = 3_000_000
"""Nonzeros from which Clarabel's point is crossed over on HiGHS's presolve of the
staircase and its vertex taken back with its basis (`results.implied`), where the
supply network is local (`results.crash.local_supply`); elsewhere the point is taken
back and crossed over on the whole program. Taking the vertex back costs two more
factorisations of the whole program's basis (HiGHS's postsolve confirms it, then the
whole program does), and saves where the simplex after a crossover on the whole
program is long, as it was at 10^4 products x 10 periods. Whole solves A against B
(`benchmarks/README.md`, clustered economies): at 10^4 x 10 (3.6 million nonzeros)
1,038 s against 1,438 s side by side (seed 5; 9,751 simplex iterations against
19,301); seed 11, from one Clarabel point, 473 s against 832 s to the certified
vertex (the whole solve then 946 s alone); at 6,000 x 10 (2.05 million) 297 s against
284 s side by side, at 2,000 x 10 56 s against 52 s; where suppliers are anywhere,
whose bases factorise densely, 149 s against 97 s (500 x 10)."""


class StaircaseChoice(NamedTuple):
    """The HiGHS method chosen for a staircase, why (for the result's reason), and the
    basis it starts from (the crash basis, `results.crash`), if any."""

    method: str
    reason: str
    start: Start | None = None
    implied: np.ndarray | None = None
    interior: str = "highs"
    vertex_on_presolve: bool = False


def staircase_method(plan: Plan, lp: LinearProgram, asked: str) -> StaircaseChoice | None:
    """For a plan over time of at least two periods and `STAIRCASE_IPM_FROM` nonzeros,
    when the method is left to ``auto``: the dual simplex from its crash basis where the
    economy has one (`results.crash.crash_basis`) and at most `CRASH_PERIODS` periods,
    else interior point with crossover, without the goods rows the assortment rows imply
    where there are such (`results.implied`); None otherwise (the chain's choice then
    stands)."""
    timed = horizon_of(plan)
    if asked != "auto" or timed is None or len(timed.periods) < 2:
        return None
    nonzeros = lp.matrix.nnz
    if nonzeros < STAIRCASE_IPM_FROM:
        return None
    size = (f"a plan over {len(timed.periods)} periods, {lp.shape[1]:,} columns, "
            f"{nonzeros:,} nonzeros")
    crash = crash_basis(timed, lp) if len(timed.periods) <= CRASH_PERIODS else None
    if crash is not None:
        return StaircaseChoice(
            "simplex", f"{size}: the dual simplex, which beats interior point from a "
            "crash basis", Start(col_basis=crash[0], row_basis=crash[1],
                                 source="the staircase's crash (every process running, "
                                        "every stock held, the sets and primary "
                                        "resources binding)"))
    implied = implied_goods_rows(timed, lp)
    interior = ("clarabel" if len(implied) and nonzeros >= CLARABEL_FROM and available()
                else "highs")
    return StaircaseChoice("ipm", f"{size}: on a staircase of periods interior point with "
                           "crossover is faster than the simplex",
                           implied=implied if len(implied) else None, interior=interior,
                           vertex_on_presolve=(interior == "clarabel"
                                               and nonzeros >= VERTEX_ON_PRESOLVE_FROM
                                               and local_supply(timed)))
