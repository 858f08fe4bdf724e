"""Technique generation: solve a plan over the techniques in use, priced by its duals.

A plan with several resources, capacities or rules has no non-substitution structure
(`lp.structure`), but it still has far more techniques than binding choices: at the
optimum nearly every product runs one technique, and only as many run two as there are
resources and capacities that bind. Handing HiGHS every technique at once makes it carry
columns that never enter. So:

1. **start** with one technique per product: the cheapest at labour-value-like prices
   (every limited primary resource weighed by one over its supply, values ``v`` by a few
   rounds of policy iteration, as in `lp.structure`), and, where that technique has a
   capacity, the next cheapest too; every column that is not a technique (the number
   of sets), has a minimum level, or makes no good stays in from the start, and every
   row (goods, resources, rules) is kept but the balances their assortment rows imply
   (`_implied_rows`);
2. **solve** this restricted program with HiGHS;
3. **price** every technique of the full program at its duals in one sparse product,
   reduced costs ``z = c - A^T y``;
4. **add** the techniques with a positive reduced cost (the most attractive few per
   product) to the live HiGHS session (`HighsSession.add_columns`) and re-solve warm
   from the basis in hand; repeat 3-4 until no technique prices out.

The restricted optimum, with zero levels for the techniques never added, is then a
candidate optimum of the full program, with the restricted program's duals as prices:
the chain (`results.chain`) checks it with the same certificate as every other solve,
and an answer it narrowly refuses is polished in the same live session (tighter
tolerances, every column with a positive reduced cost let in, warm re-solves) rather
than thrown away. Pricing lets in a column by the certificate's own measure too (what
it could add at its reduced cost, against the objective), and the costs are scaled
once so that the restricted program's duals are near 1 (HiGHS judges reduced costs
against an absolute tolerance). When the rounds or the budget run out first, the point
is feasible but not proven optimal, and `lagrangian_bound` turns its duals into a valid
bound on the full program's optimum, so the gap that remains is known.

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> # corn by hand (labour 2) or by plough (labour 1, iron 0.5); iron (labour 1)
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [0.0, -0.5, 1.0], [-2.0, -1.0, -1.0]]))
>>> lp = LinearProgram("minimize", np.array([2.0, 1.0, 1.0]), A,
...     np.array([10.0, 0.0, -np.inf]), np.full(3, np.inf), np.zeros(3), np.full(3, np.inf),
...     pd.DataFrame({"kind": ["good"] * 3, "id": ["corn", "iron", "labour"]}),
...     pd.DataFrame({"kind": ["process"] * 3, "id": ["hand", "plough", "iron"]}))
>>> found = Generation().solve(lp, Budget(None))
>>> str(found.solution.status), round(found.solution.objective, 6), found.solution.x.round(6).tolist()
('optimal', 15.0, [0.0, 10.0, 5.0])
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.numbers import count as count_of
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.lp.leontief import ROUGH_TOLERANCE, NotProductive
from kantorovich.lp.methods import Candidate, Start, Verdict
from kantorovich.lp.technology import Technology, read_technology

__all__ = ["Generation", "lagrangian_bound", "qualifies", "solve_by_generation"]

log = logging.getLogger(__name__)

TECHNIQUES_PER_ROW = 1.5
"""``auto`` generates techniques when the plan has at least this many technique columns
per row (several techniques per product: most never enter) and at least
`GENERATE_FROM_COLUMNS` of them; below, HiGHS on the whole program is as fast."""

GENERATE_FROM_COLUMNS = 3_000

GENERATE_FROM_ROWS = 10_000
"""``auto`` generates techniques only for programs of at least this many rows: HiGHS's
time on these economies grows with the rows (its factorisations fill in), and there
generation measured 0.40x raw HiGHS's best (19,558 rows, `benchmarks/generation.py`);
on plans of few rows and many columns (`model.generate.synthetic_plan`, 3,000 rows and
30,000 columns) it measured 2.3x the simplex, so HiGHS solves those whole."""

IPM_FROM_NONZEROS = 20_000
"""The first restricted solve is by interior point with crossover from this many nonzeros
(a tenth of `lp.methods.IPM_FROM_NONZEROS`): without the balances their assortment rows
imply, the program has half the rows, and interior point took 0.37 s against the
simplex's 0.94 s at 2,000 products (1.3e5 nonzeros)."""

PER_PRODUCT = 2          # techniques of one product added in one round, at most
MAX_ROUNDS = 100         # pricing rounds before giving up (the answer is then a bound)
_PRICE_TOL = 1e-9        # a reduced cost counts when above this share of its price scale
_STAKE_TOL = 1e-9        # ... or what its column could add above this share of the objective
_POLICY_ROUNDS = 6       # rounds of policy iteration for the starting values
_SEARCH_STEPS = 12       # golden-section steps for the worth of one resource against another


def qualifies(lp: LinearProgram) -> tuple[bool, str]:
    """Whether ``auto`` should generate techniques for ``lp``, and why (not).

    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> lp = LinearProgram("maximize", np.ones(2), sp.csc_matrix(np.ones((1, 2))),
    ...     np.zeros(1), np.ones(1), np.zeros(2), np.full(2, np.inf),
    ...     pd.DataFrame({"kind": ["good"], "id": ["g"]}),
    ...     pd.DataFrame({"kind": ["process"] * 2, "id": ["a", "b"]}))
    >>> qualifies(lp)[0]
    False
    """
    techniques = int(np.sum(lp.cols["kind"].to_numpy() == "process"))
    rows = lp.shape[0]
    if techniques < GENERATE_FROM_COLUMNS:
        return False, (f"{count_of(techniques, 'technique')}: below "
                       f"{GENERATE_FROM_COLUMNS:,} HiGHS "
                       "solves the whole program as fast")
    if rows < GENERATE_FROM_ROWS:
        return False, (f"{count_of(rows, 'row')}: below {GENERATE_FROM_ROWS:,} HiGHS "
                       "solves the whole "
                       "program faster than generating its techniques")
    if techniques < TECHNIQUES_PER_ROW * rows:
        return False, (f"{count_of(techniques, 'technique')} for "
                       f"{count_of(rows, 'row')}: fewer than "
                       f"{TECHNIQUES_PER_ROW:g} per row, little to leave out")
    return True, (f"{techniques:,} techniques for {rows:,} rows: most never enter, so "
                  "techniques are generated by their reduced costs")


# -- the starting techniques ---------------------------------------------------------------
@dataclass
class _Makers:
    """The techniques (`lp.technology`) generation picks from, and the resources'
    weights that make labour-value-like prices."""

    tech: Technology          # the program read as techniques
    techniques: np.ndarray    # technique columns that may enter (no minimum level)
    eligible: np.ndarray      # per technique of `tech`: one of `techniques`
    uses: np.ndarray          # resources x techniques of `tech`: per level, weighed
    always: np.ndarray        # columns in the restricted program from the start

    @property
    def good(self) -> np.ndarray:
        """Per one of `techniques`: its good, a position among the made goods."""
        return np.asarray(self.tech.out[self.eligible])


def _makers(lp: LinearProgram) -> _Makers:
    """Read the techniques off the program (`read_technology`) and its resources: good
    rows no process makes, with a finite supply, weighed by one over the supply so that
    every resource counts alike. Columns that are not techniques (joint production, a
    minimum level, the sets) are always in the restricted program."""
    tech = read_technology(lp)
    alone = np.setdiff1d(np.arange(tech.n), tech.out)
    if alone.size:
        # goods only joint production makes (a stock's expansion, a by-product) have no
        # technique to value them by: read without them (valued 0 when techniques are
        # chosen; their makers' columns are priced like any other)
        tech = read_technology(lp, np.delete(tech.goods, np.flatnonzero(tech.made)[alone]))
    n = lp.shape[1]
    eligible = (lp.col_lower[tech.cols] == 0) & (lp.col_upper[tech.cols] > 0)
    techniques = tech.cols[eligible]
    is_technique = np.zeros(n, dtype=bool)
    is_technique[techniques] = True
    always = np.flatnonzero(~is_technique)
    supply = -tech.lower
    resource = ~tech.made & ~tech.free & tech.used & np.isfinite(supply) & (supply > 0)
    rows = tech.goods[resource]
    uses = np.maximum(tech.uses(rows), 0.0) / supply[resource][:, None]
    return _Makers(tech, techniques, eligible, uses, always)


def _values(mk: _Makers, cost: np.ndarray, budget: Budget) -> np.ndarray:
    """Values of the made goods at resource costs ``cost`` (per technique of
    ``mk.tech``): value iteration from 0, then a few rounds of policy iteration, each
    solved only roughly (the values only choose techniques)."""
    tech = mk.tech
    chosen, v = tech.start(cost)
    for _ in range(_POLICY_ROUNDS):
        if budget.expired():
            break
        try:
            found = tech.values(chosen, cost, v, tol=ROUGH_TOLERANCE)
        except NotProductive:
            break
        if np.any(found < 0):
            break
        v = found
        chosen, changed = tech.improve(cost, v, chosen)
        if not changed:
            break
    return v


def _basket(lp: LinearProgram, mk: _Makers) -> np.ndarray | None:
    """Per made good, its count in one set of a ``maximize_sets`` objective; None for
    another objective."""
    sets = np.flatnonzero(lp.cols["kind"].to_numpy() == "sets")
    if sets.size != 1:
        return None
    column = lp.matrix[:, sets].tocoo()
    ids = lp.rows["id"].to_numpy()
    made = pd.Index(ids[mk.tech.made_rows])
    if not made.is_unique:
        return None
    at = made.get_indexer(ids[column.row])
    count = np.zeros(mk.tech.n)
    keep = (at >= 0) & (column.data < 0)
    count[at[keep]] = -column.data[keep]
    return count if count.any() else None


def _weightings(lp: LinearProgram, mk: _Makers, budget: Budget) -> list[np.ndarray]:
    """Resource costs per technique under which to look for the cheapest techniques.

    With two resources and a basket, the worth of one resource against the other is
    found as the dual of the plan without capacities or rules would find it: the
    share ``t`` of the first that minimises ``(t R_1 + (1 - t) R_2) / (count . v_t)``,
    the resources' worth per set when the values ``v_t`` are taken at those weights
    (a quasi-convex function of ``t``: golden-section search). The techniques cheapest
    near that ``t`` are the ones an optimum without capacities runs. Otherwise: every
    resource alike (each weighed by one over its supply) and each alone.
    """
    r = mk.uses.shape[0]
    alike = [mk.uses.sum(axis=0)] if r else [np.zeros(len(mk.tech.cols))]
    if r != 2:
        return alike + [mk.uses[k] for k in range(r)] if r > 2 else alike
    count = _basket(lp, mk)
    first, second = mk.uses[0], mk.uses[1]
    if count is None:
        return alike + [first, second]

    def worth(t: float) -> float:
        v = _values(mk, t * first + (1 - t) * second, budget)
        return float("inf") if not count @ v > 0 else 1.0 / float(count @ v)

    lo, hi = 0.0, 1.0
    golden = (np.sqrt(5) - 1) / 2
    a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
    fa, fb = worth(a), worth(b)
    for _ in range(_SEARCH_STEPS):
        if budget.expired():
            break
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - golden * (hi - lo)
            fa = worth(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + golden * (hi - lo)
            fb = worth(b)
    t = (lo + hi) / 2
    return [w * first + (1 - w) * second for w in (max(lo - 0.02, 0.0), t,
                                                    min(hi + 0.02, 1.0))]


def _start(lp: LinearProgram, mk: _Makers, budget: Budget) -> np.ndarray:
    """The columns of the first restricted program (sorted): per product, under each of
    `_weightings`, its techniques from the cheapest up to the first without a capacity
    (a capped technique alone may not meet the product's need)."""
    tech = mk.tech
    if tech.n == 0:
        return np.sort(mk.always)
    picked = [mk.always]
    capped = ~np.isinf(lp.col_upper[tech.cols])
    for cost in _weightings(lp, mk, budget):
        v = _values(mk, cost, budget)
        order, starts = tech.ranked(cost, v)
        free = ~capped[order]
        # uncapped techniques ranked before each position, within its product
        before = np.cumsum(free) - free
        before -= np.repeat(before[starts], np.diff(np.r_[starts, len(order)]))
        picked.append(tech.cols[order[before == 0]])
    return np.unique(np.concatenate(picked))


# -- pricing and the bound ---------------------------------------------------------------------
def _reduced_costs(lp: LinearProgram, At: sp.csr_matrix, row_dual: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Reduced costs (improvement per unit of level) of every column, and their scales."""
    c = lp.improves * lp.objective
    z = c - At @ row_dual
    scale = np.abs(c) + abs(At) @ np.abs(row_dual)
    return z, scale


def _implied_upper(lp: LinearProgram) -> np.ndarray:
    """How far each level can go by the rows that only consume (a supply: labour,
    capital) over levels that are never negative; inf where no such row limits it.
    Any feasible plan keeps to these, so a bound computed within them is valid."""
    A = lp.matrix.tocsr()
    m, n = A.shape
    full = np.diff(A.indptr) > 0
    top = np.full(m, np.inf)
    floor = np.full(m, -np.inf)
    if A.nnz:
        top[full] = np.maximum.reduceat(A.data, A.indptr[:-1][full])
        floor[full] = np.minimum.reduceat(lp.col_lower[A.indices], A.indptr[:-1][full])
    consumes = full & (top <= 0) & (floor >= 0) & np.isfinite(lp.row_lower) & (
        lp.row_lower <= 0)
    rows = np.repeat(np.arange(m), np.diff(A.indptr))
    keep = consumes[rows] & (A.data < 0)
    upper = np.full(n, np.inf)
    if np.any(keep):
        room = -lp.row_lower[rows[keep]] / -A.data[keep]
        np.minimum.at(upper, A.indices[keep], room)
    return upper


def lagrangian_bound(lp: LinearProgram, row_dual: np.ndarray,
                     implied_upper: np.ndarray | None = None) -> float:
    """A bound on the optimum of ``lp`` from any row duals (improvement per unit of each
    row's active bound): the objective of no feasible plan passes it.

    For every feasible ``x``, ``c x = y A x + z x`` with ``z = c - A^T y``; a dual
    pushing against a row's upper bound (``y_i > 0``) gives ``y_i (A x)_i <= y_i u_i``,
    one pushing against its lower bound ``y_i l_i``; duals pointing at an infinite bound
    are dropped (set to 0, which keeps the bound valid). Each ``z_j x_j`` is at most
    its largest value over the column's bounds, narrowed by `_implied_upper`; a reduced
    cost within rounding of zero (1e-9 of its price scale, as the solver leaves the
    columns it holds) counts as zero, else one column with an unlimited level would
    make every bound infinite. The result
    is in the plan's sense (an upper bound when maximising, a lower one when
    minimising), with the objective's constant; infinite when a reduced cost points at
    an unlimited level.

    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> lp = LinearProgram("maximize", np.array([3.0, 2.0]),
    ...     sp.csc_matrix(np.array([[-1.0, -1.0]])), np.array([-4.0]),
    ...     np.array([np.inf]), np.zeros(2), np.full(2, np.inf),
    ...     pd.DataFrame({"kind": ["good"], "id": ["labour"]}),
    ...     pd.DataFrame({"kind": ["process"] * 2, "id": ["a", "b"]}))
    >>> lagrangian_bound(lp, np.array([-3.0])), lagrangian_bound(lp, np.array([-2.0]))
    (12.0, 12.0)
    """
    y = np.asarray(row_dual, dtype=float).copy()
    y[(y > 0) & ~np.isfinite(lp.row_upper)] = 0.0
    y[(y < 0) & ~np.isfinite(lp.row_lower)] = 0.0
    bound_row = np.where(y > 0, lp.row_upper, np.where(y < 0, lp.row_lower, 0.0))
    c = lp.improves * lp.objective
    At = lp.matrix.T.tocsr()
    z = c - At @ y
    z[np.abs(z) <= _PRICE_TOL * (np.abs(c) + abs(At) @ np.abs(y))] = 0.0
    upper = np.minimum(lp.col_upper, _implied_upper(lp) if implied_upper is None
                       else implied_upper)
    lower = lp.col_lower
    with np.errstate(invalid="ignore"):
        best = np.where(z > 0, z * upper, np.where(z < 0, z * lower, 0.0))
    value = float(y @ bound_row + best.sum())
    if np.isnan(value):
        value = np.inf
    if np.all(lower == 0):
        value = min([value, *(_raised(lp, At, z, upper, float(y @ bound_row), r)
                              for r in _supplies(lp, y))])
    return lp.improves * value + lp.constant


def _supplies(lp: LinearProgram, y: np.ndarray) -> np.ndarray:
    """Rows that only consume, with a finite supply and a dual that is not positive."""
    A = lp.matrix.tocsr()
    full = np.diff(A.indptr) > 0
    top = np.full(A.shape[0], np.inf)
    if A.nnz:
        top[full] = np.maximum.reduceat(A.data, A.indptr[:-1][full])
    return np.flatnonzero(full & (top <= 0) & np.isfinite(lp.row_lower)
                          & (lp.row_lower < 0) & (y <= 0))


def _raised(lp: LinearProgram, At: sp.csr_matrix, z: np.ndarray, upper: np.ndarray,
            rows_term: float, r: int) -> float:
    """The bound when the price of supply ``r`` is raised by the best ``d >= 0``.

    Raising it lowers every reduced cost by ``d u_j`` (``u_j`` the column's use of the
    supply) and raises the rows' term by ``d S`` (``S`` the supply): the bound is
    ``rows + d S + sum_j max(z_j - d u_j, 0) U_j``, convex and piecewise linear in
    ``d``. Columns with an unlimited level need ``d >= z_j / u_j``; past that the slope
    ``S - sum (u_j U_j over columns still positive)`` rises at each ``z_j / u_j``, and the
    least ``d`` where it is no longer negative is the best.
    """
    use = -np.asarray(lp.matrix[[r], :].todense()).ravel()
    supply = -float(lp.row_lower[r])
    positive = z > 0
    if np.any(positive & (use <= 0)):
        return np.inf                 # such a column gains without using the supply
    cols = np.flatnonzero(positive)
    t = z[cols] / use[cols]
    unlimited = ~np.isfinite(upper[cols])
    d = float(t[unlimited].max()) if np.any(unlimited) else 0.0
    finite = ~unlimited & (t > d)
    t_f, weight = t[finite], (use[cols] * upper[cols])[finite]
    order = np.argsort(-t_f)
    still = supply - np.cumsum(weight[order])   # slope just below each breakpoint
    k = np.flatnonzero(still < 0)
    if k.size:
        d = max(d, float(t_f[order][k[0]]))
    gain = np.maximum(z[cols] - d * use[cols], 0.0)
    with np.errstate(invalid="ignore"):
        rest = float(np.sum(np.where(gain > 0, gain * upper[cols], 0.0)))
    return rows_term + d * supply + rest


# -- the method -----------------------------------------------------------------------------
def _restricted(lp: LinearProgram, cols: np.ndarray, rows: np.ndarray) -> LinearProgram:
    """The program over columns ``cols`` and rows ``rows`` only."""
    return LinearProgram(lp.sense, lp.objective[cols], lp.matrix[rows][:, cols].tocsc(),
                         lp.row_lower[rows], lp.row_upper[rows], lp.col_lower[cols],
                         lp.col_upper[cols], lp.rows.iloc[rows].reset_index(drop=True),
                         lp.cols.iloc[cols].reset_index(drop=True), lp.constant)


def _implied_rows(lp: LinearProgram) -> np.ndarray:
    """Balance rows that their good's assortment row implies, as a mask.

    With ``maximize_sets`` a good of the basket has two rows with the same levels on
    the left: its balance ``net >= lower`` and its assortment row ``net - count sets
    >= 0``. With ``count >= 0`` and ``sets >= 0`` the second implies the first whenever
    ``lower <= 0``, so the restricted program leaves the first out (its price is 0 in
    every optimum: it is slack whenever the plan makes a set). Halving the rows of an
    economy made HiGHS's interior point five times faster on it (measured at 2,000
    products). The full program keeps every row: the certificate is taken there.
    """
    m, n = lp.shape
    kind = lp.rows["kind"].to_numpy()
    implied = np.zeros(m, dtype=bool)
    assortment = np.flatnonzero(kind == "assortment")
    sets = np.flatnonzero(lp.cols["kind"].to_numpy() == "sets")
    if assortment.size == 0 or sets.size != 1 or lp.col_lower[sets[0]] < 0:
        return implied
    goods = np.flatnonzero(kind == "good")
    ids = lp.rows["id"]
    balance = goods[pd.Index(ids.iloc[goods]).get_indexer(ids.iloc[assortment])]
    found = balance >= 0
    assortment, balance = assortment[found], balance[found]
    A = lp.matrix.tocsr()
    count = -np.asarray(A[assortment][:, sets].todense()).ravel()
    own = np.asarray(A[balance][:, sets].todense()).ravel()
    others = np.ones(n, dtype=bool)
    others[sets] = False
    difference = (A[balance] - A[assortment])[:, np.flatnonzero(others)].tocsr()
    difference.eliminate_zeros()
    same = np.diff(difference.indptr) == 0
    ok = (same & (count >= 0) & (own == 0) & np.isinf(lp.row_upper[balance])
          & (lp.row_lower[balance] <= lp.row_lower[assortment]))
    implied[balance[ok]] = True
    return implied


def _entering(z: np.ndarray, scale: np.ndarray, stake: np.ndarray, inside: np.ndarray,
              group: np.ndarray, per_group: int) -> np.ndarray:
    """Columns outside the restricted program that would improve it, the ``per_group``
    most attractive (relative to their price scale) of each group.

    A column counts when its reduced cost is above `_PRICE_TOL` of its price scale, or
    when what it could add at that reduced cost (``stake``: the reduced cost times how
    far the column can go) is above `_STAKE_TOL` of the objective: the measure the
    certificate takes, so that no column it would call wrongly priced is left out."""
    attractive = np.flatnonzero(~inside & (z > 0) & (
        (z > _PRICE_TOL * np.maximum(scale, 1e-300)) | (stake > _STAKE_TOL)))
    if attractive.size == 0:
        return attractive
    score = z[attractive] / np.maximum(scale[attractive], 1e-300)
    g = group[attractive]
    order = np.lexsort((-score, g))
    g_sorted = g[order]
    first = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    return np.sort(attractive[order[rank < per_group]])


class _Generator:
    """One run of technique generation: the restricted program live in HiGHS, the
    columns it holds, and the full program's pricing."""

    def __init__(self, lp: LinearProgram, cols: np.ndarray, group: np.ndarray,
                 budget: Budget, method: str | None, scale: bool = True) -> None:
        m, n = lp.shape
        self.lp = lp
        self.group = group
        self.inside = np.zeros(n, dtype=bool)
        self.inside[cols] = True
        self.At = lp.matrix.T.tocsr()
        self.implied = _implied_upper(lp)
        self.room = np.minimum(lp.col_upper, self.implied) - np.maximum(lp.col_lower, 0.0)
        self.rows = np.flatnonzero(~_implied_rows(lp))
        restricted = _restricted(lp, cols, self.rows)
        self.kept = lp.matrix[self.rows].tocsc()      # the rows the restricted program holds
        self.session = HighsSession(restricted, budget=budget)
        self.session.use_method(method or ("ipm" if restricted.matrix.nnz
                                           >= IPM_FROM_NONZEROS else "simplex"))
        self.order = cols.copy()     # column of the full program of each session column
        self.rounds = 0
        self.y = np.zeros(m)
        self.scaled = not scale

    def _add(self, entering: np.ndarray) -> None:
        lp = self.lp
        self.inside[entering] = True
        self.session.add_columns(self.kept[:, entering], lp.objective[entering],
                                 lp.col_lower[entering], lp.col_upper[entering],
                                 lp.cols.iloc[entering].reset_index(drop=True))
        self.order = np.concatenate([self.order, entering])

    def _solve(self, budget: Budget) -> LpSolution:
        solution = self.session.solve(budget)
        self.rounds += 1
        self.session.use_method("simplex")     # re-solves start warm from the basis
        if solution.status is Status.OPTIMAL and not self.scaled:
            # HiGHS judges reduced costs against an absolute 1e-7: with prices far from
            # 1 (a resource counted in millions) that passes wrong prices, so the costs
            # are scaled once to bring the duals near 1, and the answer re-solved warm
            self.scaled = True
            duals = np.abs(solution.row_dual[solution.row_dual != 0])
            size = float(duals.max()) if duals.size else 1.0
            if not 1e-2 <= size <= 1e2:
                self.session.scale_costs(size)
                solution = self.session.solve(budget)
        return solution

    def run(self, budget: Budget, per_product: int, max_rounds: int, started: float
            ) -> Candidate:
        """Restricted solves and pricing rounds until no technique prices out."""
        lp = self.lp
        m, n = lp.shape
        while True:
            solution = self._solve(budget)
            if solution.status is not Status.OPTIMAL:
                return self._no_optimum(solution)
            self.y = np.zeros(m)
            self.y[self.rows] = solution.row_dual    # the rows left out are slack: price 0
            entering = self._priced(solution, per_product)
            log.debug("generation round %d: %d columns, objective %.12g, %d iterations in "
                      "%.2fs, %d entering", self.rounds, len(self.order),
                      solution.objective, solution.iterations, solution.seconds,
                      len(entering))
            if entering.size == 0:
                break
            if self.rounds >= max_rounds or budget.expired():
                status = (Status.ITERATION_LIMIT if self.rounds >= max_rounds
                          else Status.TIME_LIMIT)
                return self._candidate(
                    solution, status, started,
                    f"stopped after {self.rounds} restricted solves "
                    f"({'rounds' if self.rounds >= max_rounds else 'time'} ran out) with "
                    f"{len(self.order):,} of {n:,} columns")
            self._add(entering)
        s = "s" if self.rounds != 1 else ""
        return self._candidate(solution, Status.OPTIMAL, started,
                               f"{self.rounds} restricted solve{s} over "
                               f"{len(self.order):,} of {n:,} columns, no other technique "
                               "priced out")

    def _priced(self, solution: LpSolution, per_product: int) -> np.ndarray:
        z, scale = _reduced_costs(self.lp, self.At, self.y)
        objective = max(abs(solution.objective), float(np.abs(self.lp.objective[self.order])
                                                       @ np.abs(solution.x)), 1e-300)
        with np.errstate(invalid="ignore"):
            stake = np.where(z > 0, z * self.room, 0.0) / objective
        stake[np.isnan(stake)] = np.inf
        return _entering(z, scale, stake, self.inside, self.group, per_product)

    def polish(self, budget: Budget, started: float) -> Candidate:
        """Once more, warm, for an answer the certificate narrowly refused: the costs
        scaled so that the duals are near 1 (if they were not), HiGHS's tolerances a
        hundred times tighter, and the pricing rounds run again from the basis in hand."""
        duals = np.abs(self.y[self.y != 0])
        size = float(duals.max()) if duals.size else 1.0
        if not 1e-2 <= size <= 1e2:
            self.session.scale_costs(size)
        self.scaled = True
        self.session.tighten_tolerances(100.0)
        candidate = self.run(budget, PER_PRODUCT, self.rounds + MAX_ROUNDS, started)
        candidate.reason = "technique generation: polished: " + candidate.reason
        candidate.polish = None
        return candidate

    def _candidate(self, solution: LpSolution, status: Status, started: float,
                   reason: str) -> Candidate:
        bound = lagrangian_bound(self.lp, self.y, self.implied)
        full = _full(self.lp, solution, self.order, self.rows, status, started)
        running = self.order[solution.x > 0]
        return Candidate(full, reason, bound=bound,
                         start=Start(x=full.x, row_dual=full.row_dual,
                                     col_basis=full.col_basis, row_basis=full.row_basis,
                                     techniques=running, source="technique generation"),
                         polish=(lambda budget: self.polish(budget, started))
                         if status is Status.OPTIMAL else None,
                         detail={"rounds": self.rounds, "columns": len(self.order)})

    def _no_optimum(self, solution: LpSolution) -> Candidate:
        n = self.lp.shape[1]
        detail: dict[str, object] = {"rounds": self.rounds, "columns": len(self.order)}
        if solution.status is Status.TIME_LIMIT:
            return Candidate(LpSolution(Status.TIME_LIMIT, message="the time budget was "
                                        "spent"), "the time budget ran out", detail=detail)
        what = {Status.INFEASIBLE: "infeasible", Status.UNBOUNDED: "unbounded"}.get(
            solution.status, f"not solved ({solution.message})")
        return Candidate(None, f"the restricted program over {len(self.order):,} of {n:,} "
                         f"columns is {what} (the full program decides)", detail=detail)


class Generation:
    """Technique generation behind the chain's protocol (`lp.methods.Method`).

    Parameters
    ----------
    per_product : int
        Techniques of one product added per round, at most.
    max_rounds : int
        Restricted solves before stopping with status ``iteration_limit``.
    method : str, optional
        HiGHS method for the first restricted solve (`lp.methods.HIGHS_METHODS`;
        default: by size, `IPM_FROM_NONZEROS`); re-solves use the warm simplex.
    scale : bool
        Scale the restricted program's costs so that its duals are near 1 after its
        first solve (without, prices far from 1 meet HiGHS's absolute tolerance, and the
        answer may need `Candidate.polish`).
    """

    name = "generation"

    def __init__(self, per_product: int = PER_PRODUCT, max_rounds: int = MAX_ROUNDS,
                 method: str | None = None, *, scale: bool = True) -> None:
        self.per_product = per_product
        self.max_rounds = max_rounds
        self.method = method
        self.scale = scale

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        if asked:
            techniques = int(np.sum(lp.cols["kind"].to_numpy() == "process"))
            return Verdict(techniques > 0, "asked for" if techniques else "no techniques")
        ok, why = qualifies(lp)
        return Verdict(ok, why)

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        """The candidate of technique generation (not yet certified); the first
        restricted program holds the techniques of ``start`` when it has them, with the
        cheapest at labour-value-like prices."""
        started = time.perf_counter()
        mk = _makers(lp)
        cols = _start(lp, mk, budget)
        given = ""
        if start is not None and start.techniques is not None and len(start.techniques):
            cols = np.union1d(cols, np.asarray(start.techniques, dtype=np.int64))
            given = f", with the techniques of {start.source or 'a start'}"
        group = np.full(lp.shape[1], -1)
        group[mk.tech.cols] = mk.tech.out
        run = _Generator(lp, cols, group, budget, self.method, self.scale)
        candidate = run.run(budget, self.per_product, self.max_rounds, started)
        candidate.reason = f"technique generation: {candidate.reason}{given}"
        return candidate


def solve_by_generation(lp: LinearProgram, *, budget: Budget | float | None = None,
                        per_product: int = PER_PRODUCT, max_rounds: int = MAX_ROUNDS,
                        start: np.ndarray | None = None, method: str | None = None
                        ) -> Candidate:
    """Solve ``lp`` by generating its techniques; see the module docstring.

    Parameters
    ----------
    lp : LinearProgram
        The full program.
    budget : Budget or float, optional
        Time allowance for everything; when it runs out the last point comes back with
        status ``time_limit`` and its bound.
    per_product, max_rounds, method
        As `Generation` takes them.
    start : array of int, optional
        Columns of the first restricted program instead of the default (`_start`);
        columns that are not techniques are added to it.

    Returns
    -------
    Candidate
        The candidate, still to be certified on the full program; ``bound`` a bound on
        the optimum from its duals, ``detail`` its rounds and columns.
    """
    budget = Budget.of(budget)
    if start is None:
        return Generation(per_product, max_rounds, method).solve(lp, budget)
    started = time.perf_counter()
    mk = _makers(lp)
    cols = np.union1d(mk.always, np.asarray(start, dtype=np.int64))
    group = np.full(lp.shape[1], -1)
    group[mk.tech.cols] = mk.tech.out
    return _Generator(lp, cols, group, budget, method).run(budget, per_product, max_rounds,
                                                            started)


def _full(lp: LinearProgram, restricted: LpSolution, order: np.ndarray, rows: np.ndarray,
          status: Status, started: float) -> LpSolution:
    """The restricted solution as one of the full program: zero levels for the
    columns never added, the restricted duals as prices (0 on the rows left out, whose
    slacks join the basis), the basis extended."""
    m, n = lp.shape
    x = np.zeros(n)
    x[order] = restricted.x
    row_dual = np.zeros(m)
    row_dual[rows] = restricted.row_dual
    col_basis = row_basis = np.array([], dtype=object)
    if restricted.has_basis:
        col_basis = np.full(n, "lower", dtype=object)
        col_basis[order] = restricted.col_basis
        row_basis = np.full(m, "basic", dtype=object)
        row_basis[rows] = restricted.row_basis
    objective = float(lp.objective @ x + lp.constant)
    return LpSolution(status, objective=objective, x=x, row_activity=lp.matrix @ x,
                      row_dual=row_dual, row_basis=row_basis, col_basis=col_basis,
                      seconds=time.perf_counter() - started,
                      iterations=restricted.iterations, message="generation")
