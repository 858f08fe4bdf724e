"""HiGHS as a method of the chain: the simplex, interior point or PDLP on the whole program.

The last method of every chain: it applies to any program. It starts from whatever the
methods before it found (`lp.methods.Start`): from a basis, the warm dual simplex; from
a point and its prices without a basis (PDLP's, a merit order's mix), HiGHS's crossover
to a vertex, then the simplex to clean up; from nothing, the method asked for or the one
chosen by size (`choose_highs_method`). An answer the certificate refuses is polished
warm first (tolerances a hundred times tighter, costs scaled so that the duals are about
1, from the basis in hand: a few iterations; PDLP's point, which has no basis, crossed
over to a vertex), then, if need be, from scratch
(`HighsSession.solve_carefully`: no presolve, tighter tolerances, scaled costs).

>>> choose_highs_method(10_000, 40_000)[0]
'simplex'
>>> choose_highs_method(2_000_000, 8_000_000)[0]
'ipm'
"""

from __future__ import annotations

import logging

import numpy as np

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.methods import HIGHS_METHODS, Candidate, Start, Verdict
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.numbers import count

__all__ = ["IPM_FROM_NONZEROS", "Highs", "choose_highs_method"]

log = logging.getLogger(__name__)

IPM_FROM_NONZEROS = 200_000
"""``auto`` hands a program with this many nonzeros or more to interior point with
crossover rather than the dual simplex: measured on economies with choice of technique
(benchmarks/methods.py), from about this size the simplex's iteration count, which grows
with the rows, makes it the slower of the two; below it the simplex's warm, exact vertex
wins and costs the analyses nothing."""


def choose_highs_method(columns: int, nonzeros: int, *, asked: str = "auto"
                        ) -> tuple[str, str]:
    """The HiGHS method for a program of ``columns`` columns and ``nonzeros`` nonzeros,
    and why: ``simplex``, ``ipm`` and ``pdlp`` are taken as asked; anything else
    chooses by size."""
    if asked in HIGHS_METHODS:
        return asked, "asked for"
    size = f"{count(columns, 'column')}, {count(nonzeros, 'nonzero')}"
    if nonzeros >= IPM_FROM_NONZEROS:
        return "ipm", (f"{size}: from {IPM_FROM_NONZEROS:,} nonzeros interior point with "
                       "crossover is faster than the simplex")
    return "simplex", (f"{size}: below {IPM_FROM_NONZEROS:,} nonzeros the dual simplex is "
                       "fastest")


class Highs:
    """HiGHS on the whole program (`lp.methods.Method`).

    Parameters
    ----------
    asked : str
        ``simplex``, ``ipm``, ``pdlp`` or ``auto`` (by size).
    session : HighsSession, optional
        A live session holding the program already (a `Session`'s, warm from the
        plan's optimal basis); a new one otherwise.
    verbose : bool
        Keep HiGHS's log (passed on to logging).
    why : str, optional
        Why ``asked`` was chosen, when it was chosen for the user (a plan over time's
        staircase, `results.staircase`), in place of "asked for".
    """

    name = "highs"

    def __init__(self, asked: str = "auto", *, session: HighsSession | None = None,
                 verbose: bool = False, warm_reason: str = "", why: str = "") -> None:
        self.asked = asked
        self.session = session
        self.verbose = verbose
        self.warm_reason = warm_reason
        self.why = why

    def _choice(self, lp: LinearProgram) -> tuple[str, str]:
        method, reason = choose_highs_method(lp.shape[1], lp.matrix.nnz, asked=self.asked)
        return method, (self.why or reason)

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        return Verdict(True, self._choice(lp)[1])

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        method, reason = self._choice(lp)
        session = self.session or HighsSession(lp, budget=budget, verbose=self.verbose)
        if self.session is not None and self.warm_reason:
            method, reason = "simplex", self.warm_reason
            session.use_method("choose")
        elif (start is not None and start.col_basis is not None
              and start.row_basis is not None and len(start.col_basis)
              and session.set_basis(start.col_basis, start.row_basis)):
            method, reason = "simplex", ((f"{self.why}; " if self.why else "")
                                         + f"warm from the basis of {start.source}")
            session.use_method("choose")
        elif (start is not None and start.x is not None and start.row_dual is not None
              and len(start.x)):
            if session.cross_over(start.x, start.row_dual):
                method, reason = "simplex", (f"crossover from the point of {start.source}, "
                                             "then the simplex")
                session.use_method("choose")
            else:   # HiGHS's own interior point, which crosses over from its own point,
                # not the simplex from nothing: on a long staircase that is hours
                method, reason = "ipm", (f"the crossover from the point of {start.source} "
                                         "failed: HiGHS's interior point with crossover")
                session.use_method(method)
        else:
            session.use_method(method)
        solution = session.solve(budget)
        session.use_method("choose")        # analyses re-solve warm, by the simplex
        if solution.status.has_solution:
            session.keep_optimum()
        session.flush_log()
        return Candidate(solution, reason, session=session,
                         polish=lambda again: self._warm(session, method, solution, reason,
                                                         again),
                         detail={"method": method})

    def _warm(self, session: HighsSession, method: str, first: LpSolution, reason: str,
              budget: Budget) -> Candidate:
        """The cheap polish: the same basis, HiGHS's tolerances a hundred times tighter
        and the costs scaled so that the duals are about 1, a warm re-solve (a few
        iterations); the thorough one (`_carefully`) is offered after it. An answer
        without a basis (PDLP's) is crossed over from its point to a vertex instead."""
        if not first.has_basis:
            if len(first.x) and session.cross_over(first.x, first.row_dual):
                session.use_method("choose")
                solution = session.solve(budget)
                if solution.status is Status.OPTIMAL:
                    session.keep_optimum()
                session.flush_log()
                return Candidate(solution, reason + "; its point crossed over to a vertex "
                                 "and polished by the simplex", session=session,
                                 polish=lambda again: self._carefully(
                                     session, method, first, reason, again),
                                 detail={"method": method})
            return self._carefully(session, method, first, reason, budget)
        duals = np.abs(first.row_dual[first.row_dual != 0])
        size = float(duals.max()) if duals.size else 1.0
        if not 1e-2 <= size <= 1e2:
            session.scale_costs(size)
        session.tighten_tolerances(100.0)
        session.use_method("choose")
        solution = session.solve(budget)
        if solution.status is Status.OPTIMAL:
            session.keep_optimum()
        session.flush_log()
        return Candidate(solution, reason + "; polished warm with tighter tolerances",
                         session=session,
                         polish=lambda again: self._carefully(session, method, first,
                                                              reason, again),
                         detail={"method": method})

    @staticmethod
    def _carefully(session: HighsSession, method: str, first: LpSolution, reason: str,
                   budget: Budget) -> Candidate:
        """The second opinion, by the same method: from scratch, without presolve,
        tolerances a hundred times tighter, and the costs scaled so that the failed
        answer's duals are about 1."""
        duals = np.abs(first.row_dual[first.row_dual != 0])
        session.use_method(method if method in HIGHS_METHODS else "choose")
        solution = session.solve_carefully(
            budget, dual_size=float(duals.max()) if duals.size else None)
        session.use_method("choose")
        if solution.status is Status.OPTIMAL:
            session.keep_optimum()
        session.flush_log()
        return Candidate(solution, reason + "; re-solved from scratch with tighter "
                         "tolerances", session=session, detail={"method": method})
