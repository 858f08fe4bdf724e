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
`results.generation` checks it with the same certificate as every other solve. When the
rounds or the budget run out first, the point is feasible but not proven optimal, and
`lagrangian_bound` turns its duals into a valid bound on the full program's optimum, so
the gap that remains is known.

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> # corn by hand (labour 2) or by plough (labour 1, iron 0.5); iron (labour 1)
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [0.0, -0.5, 1.0], [-2.0, -1.0, -1.0]]))
>>> lp = LinearProgram("minimize", np.array([2.0, 1.0, 1.0]), A,
...     np.array([10.0, 0.0, -np.inf]), np.full(3, np.inf), np.zeros(3), np.full(3, np.inf),
...     pd.DataFrame({"kind": ["good"] * 3, "id": ["corn", "iron", "labour"]}),
...     pd.DataFrame({"kind": ["process"] * 3, "id": ["hand", "plough", "iron"]}))
>>> found = solve_by_generation(lp)
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
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.lp.structure import leontief_solve

__all__ = ["GenerationResult", "lagrangian_bound", "qualifies", "solve_by_generation"]

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
_POLICY_ROUNDS = 6       # rounds of policy iteration for the starting values
_SEARCH_STEPS = 12       # golden-section steps for the worth of one resource against another
_DIRECT_UP_TO = 500      # starting values: sparse LU only for tiny systems (fill-in)


@dataclass
class GenerationResult:
    """What technique generation found.

    Parameters
    ----------
    solution : LpSolution or None
        The candidate optimum of the full program (levels of techniques never added are
        0; row duals from the restricted program), not yet certified; a point with
        status ``time_limit`` or ``iteration_limit`` when the budget or the rounds ran
        out; None when the method did not apply or the restricted program had no
        optimum (``reason`` says why: HiGHS on the full program decides).
    reason : str
        What it took, or why not.
    rounds : int
        Restricted solves.
    columns : int
        Columns of the restricted program at the end, out of ``lp.shape[1]``.
    bound : float
        A bound on the full program's optimum from the last duals (`lagrangian_bound`;
        above the optimum when maximising, below when minimising); NaN before any
        solve, infinite when the duals give none.
    """

    solution: LpSolution | None
    reason: str
    rounds: int = 0
    columns: int = 0
    bound: float = float("nan")


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
        return False, (f"{techniques:,} techniques: below {GENERATE_FROM_COLUMNS:,} HiGHS "
                       "solves the whole program as fast")
    if rows < GENERATE_FROM_ROWS:
        return False, (f"{rows:,} rows: below {GENERATE_FROM_ROWS:,} HiGHS solves the whole "
                       "program faster than generating its techniques")
    if techniques < TECHNIQUES_PER_ROW * rows:
        return False, (f"{techniques:,} techniques for {rows:,} rows: fewer than "
                       f"{TECHNIQUES_PER_ROW:g} per row, little to leave out")
    return True, (f"{techniques:,} techniques for {rows:,} rows: most never enter, so "
                  "techniques are generated by their reduced costs")


# -- the starting techniques ---------------------------------------------------------------
@dataclass
class _Makers:
    """Which good each technique makes, and its costs at labour-value-like prices."""

    techniques: np.ndarray    # columns that make a good (their main output)
    good: np.ndarray          # per technique: the position of its good among `made`
    made: np.ndarray          # rows of the goods made
    gain: np.ndarray          # per technique: its output of that good per unit of level
    inputs: sp.csr_matrix     # techniques x made goods: inputs per unit of level
    cost: np.ndarray          # per technique: resources at their weights, per level
    uses: sp.csr_matrix       # techniques x resources: each resource per level, weighed
    always: np.ndarray        # columns in the restricted program from the start


def _makers(lp: LinearProgram) -> _Makers:
    """Read the techniques off the program: each process column's main output (its
    largest positive coefficient on a good row) and its resources, weighed by one over
    the supply, so that every resource counts alike."""
    A = lp.matrix.tocsc()
    m, n = A.shape
    kind = lp.rows["kind"].to_numpy()
    col_kind = lp.cols["kind"].to_numpy()
    good_row = kind == "good"
    col_of = np.repeat(np.arange(n), np.diff(A.indptr))
    positive = np.flatnonzero((A.data > 0) & good_row[A.indices])
    # per column, its largest output last: the lexsort runs over the outputs only
    order = positive[np.lexsort((A.data[positive], col_of[positive]))]
    last = order[np.r_[np.diff(col_of[order]) != 0, True]] if order.size else order
    best = np.full(n, -1)
    best[col_of[last]] = A.indices[last]
    output = np.zeros(n)
    output[col_of[last]] = A.data[last]
    technique = (col_kind == "process") & (best >= 0) & (lp.col_lower == 0) & (
        lp.col_upper > 0)
    always = np.flatnonzero(~technique)
    techniques = np.flatnonzero(technique)
    made, good = np.unique(best[techniques], return_inverse=True)
    sub = A[:, techniques]
    gain = output[techniques]
    made_pos = np.full(m, -1)
    made_pos[made] = np.arange(len(made))
    # resources: good rows that only consume, with a finite supply
    csr = A.tocsr()
    row_max = np.full(m, -np.inf)
    full = np.diff(csr.indptr) > 0
    if csr.nnz:
        row_max[full] = np.maximum.reduceat(csr.data, csr.indptr[:-1][full])
    supply = -lp.row_lower
    resource = good_row & (row_max <= 0) & np.isfinite(supply) & (supply > 0) & full
    weight = np.where(resource, 1.0 / np.where(resource, supply, 1.0), 0.0)
    rows = np.flatnonzero(resource)
    uses = sp.csr_matrix(-(sub[rows, :].T.multiply(weight[rows][None, :])))
    cost = np.asarray(uses.sum(axis=1)).ravel()
    entries = sub.tocoo()
    inside = (made_pos[entries.row] >= 0) & (entries.data < 0)
    inputs = sp.csr_matrix((-entries.data[inside], (entries.col[inside],
                                                   made_pos[entries.row[inside]])),
                           shape=(len(techniques), len(made)))
    return _Makers(techniques, good, made, gain, inputs, np.maximum(cost, 0.0),
                   uses.maximum(0.0).tocsr(), always)


def _ranked(mk: _Makers, cost: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Techniques sorted by good, cheapest first at resource costs ``cost`` and values
    ``v``; and where each good's techniques start."""
    unit = (cost + mk.inputs @ v) / mk.gain
    order = np.lexsort((unit, mk.good))
    starts = np.searchsorted(mk.good[order], np.arange(len(mk.made)))
    return order, starts


def _values(mk: _Makers, cost: np.ndarray, budget: Budget) -> np.ndarray:
    """Values of the made goods at resource costs ``cost``: value iteration from 0, then
    a few rounds of policy iteration (cheapest technique, then ``v = c_T + v A_T``)."""
    v = np.zeros(len(mk.made))
    for _ in range(3):
        order, starts = _ranked(mk, cost, v)
        cheapest = order[starts]
        v = (cost[cheapest] + mk.inputs[cheapest] @ v) / mk.gain[cheapest]
    for _ in range(_POLICY_ROUNDS):
        if budget.expired():
            break
        order, starts = _ranked(mk, cost, v)
        cheapest = order[starts]
        A_T = mk.inputs[cheapest].multiply(1.0 / mk.gain[cheapest][:, None]).tocsr()
        found = leontief_solve(A_T, cost[cheapest] / mk.gain[cheapest], v,
                               direct_up_to=_DIRECT_UP_TO)
        if found is None or np.any(found[0] < 0):
            break
        done = np.allclose(found[0], v, rtol=1e-12, atol=0.0)
        v = found[0]
        if done:
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
    kind = lp.rows["kind"].to_numpy()
    made = pd.Index(ids[mk.made]) if (kind[mk.made] == "good").all() else None
    if made is None or not made.is_unique:
        return None
    at = made.get_indexer(ids[column.row])
    count = np.zeros(len(mk.made))
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
    r = mk.uses.shape[1]
    alike = [mk.uses @ np.ones(r)] if r else [np.zeros(len(mk.techniques))]
    if r != 2:
        return alike + [mk.uses[:, k].toarray().ravel() for k in range(r)] if r > 2 \
            else alike
    count = _basket(lp, mk)
    first, second = (mk.uses[:, k].toarray().ravel() for k in range(2))
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
    """The columns of the first restricted program (sorted): per product the cheapest
    technique under each of `_weightings`, and the next one where it has a capacity."""
    if len(mk.made) == 0:
        return np.sort(mk.always)
    picked = [mk.always]
    for cost in _weightings(lp, mk, budget):
        v = _values(mk, cost, budget)
        order, starts = _ranked(mk, cost, v)
        first = order[starts]
        ends = np.r_[starts[1:], len(order)]
        capped = np.isfinite(lp.col_upper[mk.techniques[first]])
        second = order[np.minimum(starts + 1, ends - 1)[capped]]
        picked += [mk.techniques[first], mk.techniques[second]]
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


def _entering(z: np.ndarray, scale: np.ndarray, inside: np.ndarray, group: np.ndarray,
              per_group: int) -> np.ndarray:
    """Columns outside the restricted program whose reduced cost is positive, the
    ``per_group`` most attractive (relative to their price scale) of each group."""
    attractive = np.flatnonzero(~inside & (z > _PRICE_TOL * np.maximum(scale, 1e-300)))
    if attractive.size == 0:
        return attractive
    score = z[attractive] / np.maximum(scale[attractive], 1e-300)
    g = group[attractive]
    order = np.lexsort((-score, g))
    g_sorted = g[order]
    first = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    return np.sort(attractive[order[rank < per_group]])


def solve_by_generation(lp: LinearProgram, *, budget: Budget | float | None = None,
                        per_product: int = PER_PRODUCT, max_rounds: int = MAX_ROUNDS,
                        start: np.ndarray | None = None, method: str | None = None
                        ) -> GenerationResult:
    """Solve ``lp`` by generating its techniques; see the module docstring.

    Parameters
    ----------
    lp : LinearProgram
        The full program.
    budget : Budget or float, optional
        Time allowance for everything; when it runs out the last point comes back with
        status ``time_limit`` and `GenerationResult.bound`.
    per_product : int
        Techniques of one product added per round, at most.
    max_rounds : int
        Restricted solves before stopping with status ``iteration_limit``.
    start : array of int, optional
        Columns of the first restricted program (default: the cheapest technique per
        product at labour-value-like prices, see `_start`); columns that are not
        techniques are added to it.
    method : str, optional
        HiGHS method for the first restricted solve (`lp.methods.HIGHS_METHODS`;
        default: by size, `IPM_FROM_NONZEROS`); re-solves use the warm simplex.

    Returns
    -------
    GenerationResult
        The candidate, still to be certified on the full program.
    """
    budget = Budget.of(budget)
    started = time.perf_counter()
    m, n = lp.shape
    mk = _makers(lp)
    inside = np.zeros(n, dtype=bool)
    cols = _start(lp, mk, budget) if start is None else np.union1d(
        mk.always, np.asarray(start, dtype=np.int64))
    inside[cols] = True
    group = np.full(n, -1)
    group[mk.techniques] = mk.good
    At = lp.matrix.T.tocsr()
    implied = _implied_upper(lp)
    rows = np.flatnonzero(~_implied_rows(lp))
    restricted = _restricted(lp, cols, rows)
    kept = lp.matrix[rows].tocsc()        # the rows the restricted program holds
    session = HighsSession(restricted, budget=budget)
    session.use_method(method or ("ipm" if restricted.matrix.nnz >= IPM_FROM_NONZEROS
                                  else "simplex"))
    order = cols.copy()                   # column of the full program of each session column
    rounds, bound, solution = 0, float("nan"), None
    while True:
        solution = session.solve()
        rounds += 1
        session.use_method("simplex")     # re-solves start warm from the basis
        if solution.status is not Status.OPTIMAL:
            break
        y = np.zeros(m)
        y[rows] = solution.row_dual           # the rows left out are slack: price 0
        z, scale = _reduced_costs(lp, At, y)
        entering = _entering(z, scale, inside, group, per_product)
        log.debug("generation round %d: %d columns, objective %.12g, %d iterations in "
                  "%.2fs, %d entering", rounds, len(order), solution.objective,
                  solution.iterations, solution.seconds, len(entering))
        if entering.size == 0:
            break
        if rounds >= max_rounds or budget.expired():
            bound = lagrangian_bound(lp, y, implied)
            status = Status.ITERATION_LIMIT if rounds >= max_rounds else Status.TIME_LIMIT
            solution = _full(lp, solution, order, rows, status, started)
            return GenerationResult(solution, f"stopped after {rounds} restricted solves "
                                    f"({'rounds' if rounds >= max_rounds else 'time'} ran "
                                    f"out) with {len(order):,} of {n:,} columns",
                                    rounds, len(order), bound)
        inside[entering] = True
        session.add_columns(kept[:, entering], lp.objective[entering],
                            lp.col_lower[entering], lp.col_upper[entering],
                            lp.cols.iloc[entering].reset_index(drop=True))
        order = np.concatenate([order, entering])
    if solution.status is Status.OPTIMAL:
        bound = lagrangian_bound(lp, y, implied)
        full = _full(lp, solution, order, rows, Status.OPTIMAL, started)
        return GenerationResult(full, f"{rounds} restricted solve{'s' if rounds != 1 else ''} "
                                f"over {len(order):,} of {n:,} columns, no other technique "
                                "priced out", rounds, len(order), bound)
    if solution.status is Status.TIME_LIMIT:
        return GenerationResult(LpSolution(Status.TIME_LIMIT, message="the time budget "
                                           "was spent"), "the time budget ran out",
                                rounds, len(order))
    what = {Status.INFEASIBLE: "infeasible", Status.UNBOUNDED: "unbounded"}.get(
        solution.status, str(solution.status))
    return GenerationResult(None, f"the restricted program is {what} (the full program "
                            "decides)", rounds, len(order))


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
