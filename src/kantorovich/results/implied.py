"""A plan over time solved without the goods rows its assortment rows already imply.

With ``maximize_sets`` each period's good ``g[t]`` has two rows with the same entries:
its goods row (net output >= demand - supply) and its assortment row (net output >=
count x sets(t), supply not counted). Where the sets are at least 0, the count is at
least 0 and the goods row asks for no more than the assortment row does, the goods
row can never bind: every point that meets the assortment row meets it. Those rows are
half the entries of the staircase and, for interior point, half its normal equations:
HiGHS's interior point took 23.5 s without them against 39.4 s with them at 1,000
products x 10 periods, and 313 s at 4,000 x 10, where with them it had not finished in
400 s (`benchmarks/horizon.py`, clustered economies).

So the staircase is solved without them, and the answer is then taken back to the
whole program: the same columns, each dropped row's slack basic (its price 0, which is
its price at every optimum where it has slack), and HiGHS's simplex confirms that
basis on the whole program (no pivot where nothing was lost) so that the result, its
certificate and every analysis that re-solves warm read the program as compiled. An
interior point from Clarabel (`lp.clarabel`), found on HiGHS's presolve of the
staircase, is taken back as a point instead, the dropped rows priced 0, and HiGHS's
crossover finds its vertex on the whole program; or, on large staircases whose supply
network is local (`results.staircase.VERTEX_ON_PRESOLVE_FROM`), it is crossed over to
a vertex on the presolved program and taken back with its basis by HiGHS's postsolve,
for the whole program to confirm like any other basis (the point is taken back where
that fails).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from kantorovich.lp.budget import Budget
from kantorovich.lp import clarabel
from kantorovich.lp.clarabel import on_presolve, take_back
from kantorovich.lp.highs import HighsSession, LpSolution, Presolved
from kantorovich.lp.highs_method import Highs
from kantorovich.lp.methods import Candidate, Start, Verdict
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.expansion import HorizonMap
from kantorovich.numbers import count

__all__ = ["WithoutImplied", "implied_goods_rows"]

log = logging.getLogger(__name__)


def implied_goods_rows(mapping: HorizonMap, lp: LinearProgram) -> np.ndarray:
    """Positions of the goods rows of ``lp`` (a plan over time, mapped by ``mapping``)
    that their period's assortment row implies; empty when there are none.

    A goods row is implied when its assortment row has exactly its entries plus one
    for its period's ``sets`` column, that column is at least 0, and the assortment
    row, read with the sets at 0, asks for at least as much in the same direction."""
    goods = mapping.goods
    good_rows = lp.row_positions("good")
    process_cols = lp.col_positions("process")
    if len(good_rows) != len(goods) or len(process_cols) != len(mapping.processes):
        return np.zeros(0, dtype=np.int64)
    kind = goods["kind"].to_numpy()
    item = goods["item"].to_numpy(np.int64)
    period = goods["period"].to_numpy(np.int64)
    own, basket = np.flatnonzero(kind == "good"), np.flatnonzero(kind == "basket")
    if not len(own) or not len(basket):
        return np.zeros(0, dtype=np.int64)
    # pair each basket row with its good's row in the same period (by codes, not names)
    width = int(period.max()) + 1
    key_own = item[own] * width + period[own]
    key_basket = item[basket] * width + period[basket]
    order = np.argsort(key_own, kind="stable")
    at = np.searchsorted(key_own[order], key_basket)
    at = np.minimum(at, len(order) - 1)
    paired = key_own[order][at] == key_basket
    g_rows = good_rows[own[order][at[paired]]]
    b_rows = good_rows[basket[paired]]
    if not len(g_rows):
        return np.zeros(0, dtype=np.int64)
    sets_cols = process_cols[mapping.processes["kind"].to_numpy() == "sets"]
    A = lp.matrix.tocsr()
    G, B = A[g_rows], A[b_rows]
    is_sets = np.zeros(A.shape[1], dtype=bool)
    is_sets[sets_cols] = True
    B_sets = B[:, sets_cols]
    difference = (G - B.multiply(~is_sets[np.newaxis, :]).tocsr()).tocsr()
    difference.data[np.abs(difference.data) <= 1e-12 * (1.0 + np.abs(difference.data))] = 0.0
    difference.eliminate_zeros()
    same = np.diff(difference.indptr) == 0
    sets_lower_ok = bool(np.all(lp.col_lower[sets_cols] >= 0.0)) if len(sets_cols) else True
    one_sets = np.diff(sp.csr_matrix(B_sets).indptr) <= 1
    coefficient = np.asarray(B_sets.sum(axis=1)).ravel()
    g_lo, g_up = lp.row_lower[g_rows], lp.row_upper[g_rows]
    b_lo, b_up = lp.row_lower[b_rows], lp.row_upper[b_rows]
    at_least = (np.isinf(g_up) & np.isinf(b_up) & (coefficient <= 0.0)
                & (b_lo >= g_lo))          # net >= b_lo - coef * sets >= b_lo >= g_lo
    at_most = (np.isinf(g_lo) & np.isinf(b_lo) & (coefficient >= 0.0)
               & (b_up <= g_up))           # the same read as uses <= supply
    implied = same & one_sets & sets_lower_ok & (at_least | at_most)
    return np.sort(g_rows[implied])


def _without(lp: LinearProgram, keep: np.ndarray) -> LinearProgram:
    return replace(lp, matrix=lp.matrix.tocsr()[keep].tocsc(),
                   row_lower=lp.row_lower[keep], row_upper=lp.row_upper[keep],
                   rows=lp.rows[keep].reset_index(drop=True))


class WithoutImplied:
    """HiGHS on a staircase less its implied goods rows, taken back to the whole program
    (`lp.methods.Method`): the first solve by ``method`` (interior point with
    crossover), the second a warm simplex on the program as compiled from the first's
    basis. ``interior`` ``clarabel`` has Clarabel find the first point; with
    ``vertex_on_presolve`` its vertex is found on HiGHS's presolve
    (`_vertex_on_presolve`)."""

    name = "highs"

    def __init__(self, implied: np.ndarray, method: str, why: str, *,
                 verbose: bool = False, interior: str = "highs",
                 vertex_on_presolve: bool = False) -> None:
        self.implied = implied
        self.method = method
        self.why = why
        self.verbose = verbose
        self.interior = interior
        self.vertex_on_presolve = vertex_on_presolve

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        return Verdict(True, self.why)

    def first(self, lp: LinearProgram, budget: Budget) -> tuple[Candidate, Start | None]:
        """The first solve, without the implied rows, and where the whole program starts
        from: the basis it gives (each dropped row's slack basic) or, from Clarabel, its
        point (each dropped row priced 0), which HiGHS then crosses over on the whole
        program; None where it gave neither."""
        keep = np.ones(lp.shape[0], dtype=bool)
        keep[self.implied] = False
        reduced = _without(lp, keep)
        why = f"{self.why}, without the {self.dropped}"
        if self.interior == "clarabel":
            point, presolved = on_presolve(reduced, budget, verbose=self.verbose)
            if point.status is Status.TIME_LIMIT:
                return self._taken_back(lp, keep, Candidate(
                    point, f"{why}: Clarabel's interior point stopped at the time "
                    "limit")), None
            if point.status is Status.OPTIMAL and presolved is not None \
                    and self.vertex_on_presolve:
                found = self._vertex_on_presolve(lp, keep, presolved, point, budget, why)
                if found is not None:
                    return found
            point = take_back(point, presolved, reduced)
            if point.status is Status.OPTIMAL:
                return self._from_point(lp, keep, point, why)
            log.info("%s; HiGHS's interior point goes on", point.message)
        first = Highs(self.method, verbose=self.verbose, why=why).solve(reduced, budget)
        solution = first.solution
        if solution is None or not solution.has_basis or budget.expired():
            return self._taken_back(lp, keep, first), None
        row_basis = np.full(lp.shape[0], "basic", dtype=object)
        row_basis[keep] = solution.row_basis
        return first, Start(col_basis=solution.col_basis, row_basis=row_basis,
                            source=f"the staircase solved without the {self.dropped}")

    def _vertex_on_presolve(self, lp: LinearProgram, keep: np.ndarray,
                            presolved: Presolved, point: LpSolution, budget: Budget,
                            why: str) -> tuple[Candidate, Start] | None:
        """Clarabel's point crossed over on the presolved program, its simplex there,
        and the vertex taken back with its basis by HiGHS's postsolve: a start the whole
        program only confirms. At 10^4 products x 10 periods, from one Clarabel point,
        this took 72.6 s of crossover and 381.0 s of simplex (11,099 iterations) on the
        presolved program and 19.5 s to take it back and confirm it (0 iterations),
        where the crossover on the whole program and its simplex took 52.7 s and 778.9 s
        (30,060 iterations). None where any step fails (the point is then taken back
        and crossed over on the whole program, as before)."""
        started = time.perf_counter()
        session = HighsSession(presolved.lp, budget=budget, verbose=self.verbose)
        try:
            if not session.cross_over(point.x, point.row_dual):
                return None
            session.use_method("choose")
            inner = session.solve(budget)
            session.flush_log()
        finally:
            session.close()
        vertex = presolved.restore_vertex(inner, budget)
        if vertex is None:
            log.info("the vertex of HiGHS's presolve did not come back optimal (%s); its "
                     "point goes to the whole program instead", inner.status.value)
            return None
        vertex = replace(vertex, seconds=point.seconds + time.perf_counter() - started,
                         iterations=inner.iterations + vertex.iterations)
        reason = (f"{why}: Clarabel's interior point (factorised by "
                  f"{clarabel.factorisation()[2]}, "
                  f"{count(point.iterations, 'iteration')}{self._where(point)}), its "
                  "vertex there found by HiGHS's crossover and simplex "
                  f"({count(inner.iterations, 'iteration')}) and taken back by HiGHS's "
                  "postsolve")
        row_basis = np.full(lp.shape[0], "basic", dtype=object)
        row_basis[keep] = vertex.row_basis
        return Candidate(vertex, reason), Start(
            col_basis=vertex.col_basis, row_basis=row_basis,
            source=f"Clarabel's interior point on HiGHS's presolve of the staircase "
                   f"without the {self.dropped}, crossed over there")

    @staticmethod
    def _where(point: LpSolution) -> str:
        """Where Clarabel solved, as `clarabel.on_presolve` says: ", on HiGHS's presolve
        (...)", or nothing."""
        presolved = point.message.partition(", on ")[2]
        return f", on {presolved}" if presolved else ""

    def _from_point(self, lp: LinearProgram, keep: np.ndarray, point: LpSolution,
                    why: str) -> tuple[Candidate, Start]:
        """Clarabel's point, taken to the whole program as a start for HiGHS's
        crossover. Crossing over there, not on the smaller program, spares a simplex run
        and a factorisation of the whole program's basis, each of which took 46 s on
        an economy whose suppliers are anywhere (1,000 x 10), where the crossover and
        the run on the whole program cost what they cost on the smaller one."""
        row_dual = np.zeros(lp.shape[0])
        row_dual[keep] = point.row_dual
        found = replace(point, row_activity=lp.matrix @ point.x, row_dual=row_dual)
        reason = (f"{why}: Clarabel's interior point (factorised by "
                  f"{clarabel.factorisation()[2]}, "
                  f"{count(point.iterations, 'iteration')}{self._where(point)})")
        return Candidate(found, reason), Start(
            x=point.x, row_dual=row_dual, source="Clarabel's interior point on the "
                                                 f"staircase without the {self.dropped}")

    @property
    def dropped(self) -> str:
        return f"{len(self.implied):,} goods rows their assortment rows imply"

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        first, begin = self.first(lp, budget)
        if begin is None:
            return first
        solution = first.solution
        assert solution is not None
        whole = Highs("simplex", verbose=self.verbose).solve(lp, budget, begin)
        if whole.solution is not None:      # the time of both solves, as one solve's
            whole.solution = replace(whole.solution,
                                     seconds=solution.seconds + whole.solution.seconds)
        pivots = whole.solution.iterations if whole.solution is not None else 0
        stopped = whole.solution is not None and whole.solution.status is Status.TIME_LIMIT
        if stopped or (whole.solution is None and budget.expired()):
            whole.reason = (f"{first.reason}; the time ran out on the whole program "
                            f"({count(pivots, 'iteration')})")
        elif begin.col_basis is not None:
            whole.reason = (f"{first.reason}; the whole program confirmed warm from its "
                            f"basis by the simplex ({count(pivots, 'iteration')})")
        elif whole.detail.get("method") == "ipm":
            whole.reason = (f"{first.reason}; HiGHS's crossover from that point failed, so "
                            "HiGHS's interior point with crossover solved the whole "
                            f"program ({count(pivots, 'iteration')})")
        else:
            whole.reason = (f"{first.reason}; HiGHS's crossover to a vertex of the whole "
                            f"program and its simplex ({count(pivots, 'iteration')})")
        whole.detail = {**whole.detail, "method": self.method}
        return whole

    def _taken_back(self, lp: LinearProgram, keep: np.ndarray, first: Candidate
                    ) -> Candidate:
        """The first solve's answer without a basis (stopped, or no vertex): its point on
        the whole program, the dropped rows priced at 0."""
        solution = first.solution
        if solution is None or not len(solution.x):
            return replace(first, session=None)
        row_dual = np.zeros(lp.shape[0])
        row_dual[keep] = solution.row_dual if len(solution.row_dual) else 0.0
        whole = replace(solution, row_activity=lp.matrix @ solution.x, row_dual=row_dual,
                        row_basis=np.array([], dtype=object),
                        col_basis=np.array([], dtype=object))
        return replace(first, solution=whole, session=None, polish=None)
