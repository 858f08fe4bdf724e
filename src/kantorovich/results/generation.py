"""Technique generation, certified on the full program.

`kantorovich.lp.generation` solves a plan over the techniques in use; its answer is a
candidate for the full program (zero levels for the techniques never added). Here it is
checked with the same certificate as every other solve (`results.certificate`), on the
full program: only then is it optimal. An answer stopped by its rounds or its budget is
never called optimal: it keeps its status (``time_limit``, ``iteration_limit``) and the
reason states its certified primal infeasibility and the gap between its objective and
the Lagrangian bound from its duals, a bound no feasible plan passes.

`by_generation` has the shape of `results.result`'s structure step: the solution, why,
and its certificate; or None and why not, so that HiGHS solves the full program.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kantorovich.lp.budget import Budget
from kantorovich.lp.generation import solve_by_generation
from kantorovich.lp.highs import LpSolution
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan
from kantorovich.results.certificate import Certificate, certify

__all__ = ["by_generation", "relative_gap"]


def relative_gap(objective: float, bound: float) -> float:
    """How far ``bound`` (on the optimum) lies from ``objective`` (of a feasible point),
    relative to the objective: an upper bound on the point's shortfall from the optimum.

    >>> relative_gap(99.0, 100.0), relative_gap(5.0, float("inf"))
    (0.010101010101010102, inf)
    """
    if not np.isfinite(bound):
        return float("inf")
    return abs(bound - objective) / max(abs(objective), np.finfo(float).tiny)


def by_generation(plan: Plan, lp: LinearProgram, budget: Budget | float | None = None,
                  **options: Any) -> tuple[LpSolution | None, str, Certificate | None]:
    """The certified optimum of ``lp`` by technique generation and its certificate; a
    point not proven optimal (status ``time_limit`` or ``iteration_limit``, its residuals
    and gap in the reason) with its certificate; or None and why not (the restricted
    program had no optimum, or the answer failed the certificate: HiGHS decides on the
    full program).

    ``plan`` is the plan ``lp`` was compiled from (unused: the program says it all; kept
    so that every solving step has one shape). ``options`` go to `solve_by_generation`.
    """
    del plan
    found = solve_by_generation(lp, budget=Budget.of(budget), **options)
    solution = found.solution
    if solution is None:
        return None, found.reason, None
    if not len(solution.x):
        return solution, found.reason, None
    cert = certify(lp, solution.x, solution.row_dual)
    gap = relative_gap(solution.objective, found.bound)
    if solution.status is Status.OPTIMAL:
        if not cert.verified:
            worst = cert.failures()[0].message if cert.failures() else "residuals too large"
            return None, f"its answer failed the certificate ({worst})", None
        return solution, f"technique generation: {found.reason}; certified on the full " \
                         "program", cert
    reason = (f"technique generation {found.reason}; not proven optimal: primal "
              f"infeasibility {cert.primal_infeasibility:.1g}, objective "
              f"{solution.objective:.9g} against the Lagrangian bound {found.bound:.9g}, "
              f"a gap of {gap:.1g} (relative)")
    return solution, reason, cert
