"""The exact structure method: one primary resource, choice of technique, no joint products.

When a plan has one primary resource (a good with a limited supply that no process
makes, used by the processes: labour), no joint production (each process makes exactly
one good), no capacities and no rules, the cheapest technique for each product does not
depend on the final demand (the non-substitution theorem, Samuelson 1951; Koopmans
1951). So the program is solved without a simplex:

1. **values** ``v``: per unit of its output, technique ``j`` of good ``g`` costs
   ``cost_j = (l_j + sum_i a_ij v_i) / b_j`` (``l_j`` its use of the resource, ``a_ij``
   its inputs, ``b_j`` its output, all per unit of level);
2. **techniques** ``T``: for each good the cheapest technique at ``v``;
3. **value determination**: ``v = l_T + v A_T`` for the chosen techniques, one sparse
   solve (`leontief_solve`: fixed-point iteration warm from the last ``v``, or a sparse
   LU for small or slowly converging systems; never a dense inverse);
4. repeat 2-3 until no technique is cheaper (policy iteration: a handful of rounds).

Then the final net output ``y`` is set by the objective, the levels from
``(I - A_T) q = y``, and the row duals, in the compiled program's convention (the
improvement per unit rise of each row's lower bound), from ``v`` scaled by the worth of
a unit of the resource. The objectives handled, in the program's terms:

``minimize`` a nonnegative cost per level (``minimize: {labour: 1}``)
    ``y = demand``; ``v`` are the costs (labour values); every limited primary good
    must be left with a surplus.
``maximize_sets`` with the resource as the limit
    ``y_g = max(demand_g, count_g s)`` with the largest ``s`` the resource allows.
``maximize`` nonnegative weights of made goods
    the resource left after the demands goes to the good of largest weight per value.

A large plan (`lp.merit.MERIT_FROM_ROWS` rows) with capacities or a second primary
resource but otherwise this structure goes to `lp.merit` (merit order, the resources'
relative worth). Anything else is refused with the reason (`StructureResult.solution`
None), and the caller solves the program with HiGHS. The answer is a candidate: `results.result`
checks it with the same certificate as every solver's answer.

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, -0.2], [0.0, -0.5, 1.0], [-2.0, -1.0, -1.0]]))
>>> lp = LinearProgram("minimize", np.array([2.0, 1.0, 1.0]), A,
...     np.array([10.0, 0.0, -np.inf]), np.full(3, np.inf), np.zeros(3), np.full(3, np.inf),
...     pd.DataFrame({"kind": ["good"] * 3, "id": ["corn", "iron", "labour"]}),
...     pd.DataFrame({"kind": ["process"] * 3, "id": ["hand", "plough", "iron"]}))
>>> found = solve_by_structure(lp)
>>> found.solution.x.round(6).tolist(), round(found.solution.objective, 6)
([0.0, 11.111111, 5.555556], 16.666667)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import gmres, splu

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import LpSolution
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status

__all__ = ["StructureResult", "Technology", "leontief_solve", "read_technology",
           "solve_by_structure"]

log = logging.getLogger(__name__)

DIRECT_UP_TO = 5_000
"""Systems of at most this many goods are solved by sparse LU; larger ones by
fixed-point iteration, warm from the previous round's values."""

_MAX_ROUNDS = 200          # policy-iteration rounds before giving up
_VALUE_STEPS = 3           # value-iteration steps that choose the first techniques
_RETRIES = 4               # unproductive choices met before giving up
_SOLVE_TOL = 1e-14         # relative change at which a fixed-point iteration stops
_IMPROVE = 1e-12           # a technique must be this much cheaper (relative) to replace
_ROUGH_TOL = 1e-10         # fixed-point accuracy of the rounds before the last
_ROUGH_IMPROVE = 1e-8      # ... and the margin they switch at, far above that accuracy


class _Refused(Exception):
    """The program does not have the structure; the message says why."""


@dataclass
class StructureResult:
    """What the structure method found.

    Parameters
    ----------
    solution : LpSolution or None
        The candidate optimum as any solver's (levels, row activities, row duals and a
        basis made of the chosen techniques); None when the program does not qualify or
        no productive choice of techniques was found.
    reason : str
        Why it qualifies and what it took, or why not.
    rounds : int
        Policy-iteration rounds (technique choices).
    solves : int
        Sparse solves of ``v = l + v A`` or ``q = y + A q``.
    values : ndarray or None
        Per made good (``made`` rows), its value ``v`` in the resource (or the cost).
    made : ndarray or None
        The program's rows of the made goods.
    techniques : ndarray or None
        Per made good, the program's column of its chosen technique.
    """

    solution: LpSolution | None
    reason: str
    rounds: int = 0
    solves: int = 0
    values: np.ndarray | None = None
    made: np.ndarray | None = None
    techniques: np.ndarray | None = None


# -- sparse solves ---------------------------------------------------------------------------
def leontief_solve(B: sp.csr_matrix, rhs: np.ndarray, start: np.ndarray | None = None,
                   *, direct_up_to: int = DIRECT_UP_TO, tol: float = _SOLVE_TOL
                   ) -> tuple[np.ndarray, str] | None:
    """Solve ``u = rhs + B u`` for a nonnegative ``B`` of spectral radius below one.

    Parameters
    ----------
    B : csr_matrix
        Square, nonnegative (``A_T`` for quantities, ``A_T^T`` for values).
    rhs : ndarray
        Nonnegative right-hand side.
    start : ndarray, optional
        A guess (the previous round's answer); the iteration starts from it.
    direct_up_to : int
        Sizes solved by sparse LU (``splu``) rather than iteration.
    tol : float
        Relative change at which the iteration stops.

    Returns
    -------
    (ndarray, str) or None
        The solution and how it was found (``lu``, ``iteration``, ``gmres``); None when
        ``I - B`` is singular or the iteration diverges (a choice of techniques that is
        not productive).

    Examples
    --------
    >>> B = sp.csr_matrix(np.array([[0.0, 0.5], [0.25, 0.0]]))
    >>> u, how = leontief_solve(B, np.array([1.0, 1.0]), direct_up_to=0)
    >>> u.round(12).tolist(), how
    ([1.714285714286, 1.428571428571], 'iteration')
    """
    n = B.shape[0]
    if n == 0:
        return np.zeros(0), "lu"
    if n <= direct_up_to:
        return _lu(B, rhs)
    u = rhs.copy() if start is None else np.maximum(start, 0.0)
    previous = np.inf
    for step in range(2_000):
        new = rhs + B @ u
        change = float(np.max(np.abs(new - u)))
        size = float(np.max(np.abs(new)))
        u = new
        if not np.isfinite(size):
            return None
        if change <= tol * max(size, np.finfo(float).tiny):
            return u, "iteration"
        rate = change / previous if previous > 0 else 0.0
        previous = change
        if step >= 20 and rate > 0.97:        # slow (or diverging): a Krylov method
            return _krylov(B, rhs, u)
    return _krylov(B, rhs, u)


def _lu(B: sp.csr_matrix, rhs: np.ndarray) -> tuple[np.ndarray, str] | None:
    n = B.shape[0]
    try:
        u = splu((sp.identity(n, format="csc") - B).tocsc()).solve(rhs)
    except RuntimeError:               # exactly singular
        return None
    return (u, "lu") if np.all(np.isfinite(u)) else None


def _krylov(B: sp.csr_matrix, rhs: np.ndarray, start: np.ndarray
            ) -> tuple[np.ndarray, str] | None:
    n = B.shape[0]
    op = sp.identity(n, format="csr") - B
    u, info = gmres(op, rhs, x0=start, rtol=1e-14, atol=0.0, restart=50, maxiter=200)
    residual = float(np.max(np.abs(op @ u - rhs), initial=0.0))
    if info == 0 or residual <= 1e-12 * max(float(np.max(np.abs(rhs))), 1e-300):
        return u, "gmres"
    return _lu(B, rhs) if n <= 20 * DIRECT_UP_TO else None


# -- reading the structure off the program ----------------------------------------------------
@dataclass
class _Shape:
    """The program read as an economy: made goods, techniques and one cost per level."""

    made: np.ndarray          # rows of made goods
    demand: np.ndarray        # their lower bounds (net output needed), >= 0
    cols: np.ndarray          # process columns that make a made good
    out: np.ndarray           # per such column: which made good (0..n-1)
    gain: np.ndarray          # per such column: its net output of that good
    inputs: sp.csc_matrix     # made goods x such columns: inputs per unit of level
    cost: np.ndarray          # per such column: resource (or cost) per unit of level
    resource: int             # row of the resource, -1 for a cost minimisation
    limited: np.ndarray       # rows of other limited primary goods (minimize only)
    goods: np.ndarray         # rows of all goods
    assort: np.ndarray        # assortment rows
    assort_good: np.ndarray   # the good row of each assortment row
    sets_col: np.ndarray      # the sets column (empty unless maximize_sets)


def _first(lp: LinearProgram, kind: str, positions: np.ndarray) -> str:
    table = lp.rows if kind == "row" else lp.cols
    ids = table["id"].to_numpy()[positions[:3]]
    more = f" and {len(positions) - 3:,} more" if len(positions) > 3 else ""
    return ", ".join(f"'{i}'" for i in ids) + more


def _read(lp: LinearProgram, weights: np.ndarray | None) -> _Shape:
    """The structure of ``lp``; `_Refused` with the reason when it has none."""
    rows_kind = np.asarray(lp.rows["kind"].to_numpy(), dtype=object)
    cols_kind = np.asarray(lp.cols["kind"].to_numpy(), dtype=object)
    if np.any(rows_kind == "policy"):
        raise _Refused(f"the plan has rules ({int(np.sum(rows_kind == 'policy')):,} "
                       "policies)")
    procs = np.flatnonzero(cols_kind == "process")
    goods = np.flatnonzero(rows_kind == "good")
    capped = procs[np.isfinite(lp.col_upper[procs]) | (lp.col_lower[procs] != 0)]
    if capped.size:
        raise _Refused(f"processes {_first(lp, 'col', capped)} have a capacity or a "
                       "minimum level")
    tech = read_technology(lp, goods, procs)
    lower, free, made, used = tech.lower, tech.free, tech.made, tech.used
    if tech.joint.size:
        raise _Refused(f"processes {_first(lp, 'col', tech.joint)} make more than one "
                       "good (joint production)")
    primary = ~free & ~made
    short = primary & (lower > 0)
    if np.any(short):
        raise _Refused(f"goods {_first(lp, 'row', goods[short])} are demanded beyond "
                       "their supply, and no process makes more of them than it uses")
    stocked = made & (lower < 0)
    if np.any(stocked):
        raise _Refused(f"goods {_first(lp, 'row', goods[stocked])} have a supply and are "
                       "also made: a second primary resource")
    limited = np.flatnonzero(primary & used)
    cols, out, gain, inputs = tech.cols, tech.out, tech.gain, tech.inputs
    demand = lower[made]

    sense = "sets" if np.any(cols_kind == "sets") else lp.sense
    if sense == "minimize":
        cost = lp.objective[cols].astype(float)
        every = lp.objective[procs]
        if np.any(every < 0):
            raise _Refused(f"processes {_first(lp, 'col', procs[every < 0])} have a "
                           "negative cost in a minimisation")
        resource = -1
        other = goods[limited]
    else:
        if limited.size != 1:
            raise _Refused("no primary resource (a good of limited supply that no process "
                           "makes)" if limited.size == 0 else
                           f"{limited.size:,} primary resources of limited supply "
                           f"({_first(lp, 'row', goods[limited])}), not one")
        resource = int(goods[limited[0]])
        cost = tech.uses(np.array([resource]))[0]
        other = np.zeros(0, dtype=np.int64)
        if sense == "maximize":
            _check_weights(lp, goods, made, weights)
    assort = np.flatnonzero(rows_kind == "assortment")
    ids = lp.rows["id"]
    assort_good = goods[pd.Index(ids.iloc[goods]).get_indexer(ids.iloc[assort])]
    return _Shape(made=goods[made], demand=demand, cols=cols, out=out, gain=gain,
                  inputs=inputs, cost=cost, resource=resource, limited=other, goods=goods,
                  assort=assort, assort_good=assort_good,
                  sets_col=np.flatnonzero(cols_kind == "sets"))


@dataclass
class Technology:
    """The program read as techniques: which goods are made, each process column that
    makes exactly one of them, its output and inputs per unit of level. Shared by the
    structure method and the merit order (`lp.merit`)."""

    lower: np.ndarray         # per good row: its lower bound (net output needed)
    free: np.ndarray          # per good row: no lower bound at all
    made: np.ndarray          # per good row: some process makes it
    used: np.ndarray          # per good row: some process uses it
    joint: np.ndarray         # process columns that make more than one made good
    cols: np.ndarray          # process columns that make exactly one (the techniques)
    out: np.ndarray           # per technique: its good, a position among the made goods
    gain: np.ndarray          # per technique: its output of that good per level
    inputs: sp.csc_matrix     # made goods x techniques: inputs per unit of level
    _matrix: sp.csc_matrix
    _maker_entry: np.ndarray

    def uses(self, rows: np.ndarray) -> np.ndarray:
        """Per row of ``rows`` (program rows), what each technique uses of it per level
        (minus its coefficient): rows x techniques."""
        A = self._matrix
        found = np.zeros((len(rows), len(self.cols)))
        for k, row in enumerate(rows):       # a few resources: a short loop
            on = (A.indices == row) & self._maker_entry
            found[k, _kept(on, A.indptr)[self.cols] > 0] = -A.data[on]
        return found


def read_technology(lp: LinearProgram, goods: np.ndarray, procs: np.ndarray
                    ) -> Technology:
    """The techniques of ``lp`` over its good rows ``goods`` and process columns
    ``procs``, read off the matrix by masks over its entries (slicing and converting a
    matrix of 10^8 entries copies it each time)."""
    A = lp.matrix.tocsc()
    m, ncol = A.shape
    per_column = np.diff(A.indptr)
    good_pos = np.full(m, -1, dtype=np.int32)  # int32: the gather below is of nnz size
    good_pos[goods] = np.arange(len(goods), dtype=np.int32)
    is_proc = np.zeros(ncol, dtype=bool)
    is_proc[procs] = True
    at_good = good_pos[A.indices]
    base = (at_good >= 0) & np.repeat(is_proc, per_column)
    pos = base & (A.data > 0)
    lower = lp.row_lower[goods]
    free = np.isneginf(lower)
    made = (np.bincount(at_good[pos], minlength=len(goods)) > 0) & ~free
    made_row = np.zeros(m, dtype=bool)
    made_row[goods[made]] = True
    at_made = made_row[A.indices]
    pos &= at_made                            # outputs of made goods
    per_col = _kept(pos, A.indptr)[procs]
    neg = base & (A.data < 0)
    del base
    used = np.bincount(at_good[neg], minlength=len(goods)) > 0
    del at_good
    cols = procs[per_col == 1]
    is_maker = np.zeros(ncol, dtype=bool)
    is_maker[cols] = True
    maker_entry = np.repeat(is_maker, per_column)
    made_pos = (np.cumsum(made_row) - 1).astype(np.int32)  # row -> among the made goods
    one = pos & maker_entry                     # exactly one per maker, in column order
    out = made_pos[A.indices[one]].astype(np.int64)
    gain = A.data[one].astype(float)
    neg &= at_made & maker_entry
    inputs = sp.csc_matrix((-A.data[neg], made_pos[A.indices[neg]].astype(np.int32),
                            np.r_[0, np.cumsum(_kept(neg, A.indptr)[cols])]),
                           shape=(int(made.sum()), len(cols)))
    return Technology(lower=lower, free=free, made=made, used=used,
                      joint=procs[per_col > 1], cols=cols, out=out, gain=gain,
                      inputs=inputs, _matrix=A, _maker_entry=maker_entry)


def _kept(mask: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per column of a CSC matrix, how many of its entries ``mask`` keeps."""
    counts = np.zeros(len(indptr) - 1, dtype=np.int64)
    full = np.diff(indptr) > 0
    if mask.size:
        counts[full] = np.add.reduceat(mask.view(np.uint8), indptr[:-1][full],
                                       dtype=np.int64)
    return counts


def _check_weights(lp: LinearProgram, goods: np.ndarray, made: np.ndarray,
                   weights: np.ndarray | None) -> None:
    if weights is None:
        raise _Refused("the objective's weights were not given")
    off = np.flatnonzero((weights != 0) & ~made)
    if off.size:
        raise _Refused(f"the objective weighs goods no process makes "
                       f"({_first(lp, 'row', goods[off])})")
    if np.any(weights < 0):
        raise _Refused(f"the objective weighs goods negatively "
                       f"({_first(lp, 'row', goods[weights < 0])})")
    if not np.any(weights > 0):
        raise _Refused("the objective weighs no good")


# -- policy iteration ------------------------------------------------------------------------
class _Techniques:
    """Cheapest technique per good at given values, vectorised over all techniques."""

    def __init__(self, shape: _Shape) -> None:
        self.shape = shape
        self.n = len(shape.made)
        self.order = np.argsort(shape.out, kind="stable")
        self.group = shape.out[self.order]
        self.starts = np.searchsorted(self.group, np.arange(self.n))
        self.inputs_t = shape.inputs.T.tocsr()

    def unit_costs(self, v: np.ndarray) -> np.ndarray:
        s = self.shape
        return (s.cost + self.inputs_t @ v) / s.gain

    def cheapest(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per good: the cheapest technique (index into ``shape.cols``), its unit cost;
        and every technique's unit cost."""
        cost = self.unit_costs(v)
        sorted_cost = cost[self.order]
        low = np.minimum.reduceat(sorted_cost, self.starts)
        at_min = np.flatnonzero(sorted_cost <= low[self.group])
        first = at_min[np.r_[True, self.group[at_min][1:] != self.group[at_min][:-1]]]
        best = np.empty(self.n, dtype=np.int64)
        best[self.group[first]] = self.order[first]
        return best, low, cost

    def matrix(self, chosen: np.ndarray) -> sp.csc_matrix:
        """``A_T``: column g is the inputs of good g's technique per unit of its output."""
        s = self.shape
        M = s.inputs[:, chosen]
        M.data = M.data * np.repeat(1.0 / s.gain[chosen], np.diff(M.indptr))
        return M


def _policy_iteration(tech: _Techniques, budget: Budget
                      ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Values and chosen techniques at the fixed point; `_Refused` when none is found."""
    s = tech.shape
    v = np.zeros(tech.n)
    for _ in range(_VALUE_STEPS):                 # a few value-iteration steps from 0
        chosen, v, _ = tech.cheapest(v)
    solves = rounds = failures = 0
    rough = True
    while rounds < _MAX_ROUNDS:
        if budget.expired():
            raise TimeoutError
        rounds += 1
        A_T = tech.matrix(chosen)
        # rounds that still change techniques need values only to well above the
        # margin they switch at; the last round's values are refined to full accuracy
        found = leontief_solve(A_T.T.tocsr(), s.cost[chosen] / s.gain[chosen], v,
                               tol=_ROUGH_TOL if rough else _SOLVE_TOL)
        solves += 1
        if found is None or np.any(found[0] < -1e-12 * max(np.max(np.abs(found[0])), 1.0)):
            # not productive: more value iteration, then try again, a few times
            failures += 1
            if failures > _RETRIES:
                raise _Refused("no productive choice of techniques was found (is the "
                               "economy productive?)")
            for _ in range(10 * failures):
                chosen, v, _ = tech.cheapest(v)
            continue
        v = np.maximum(found[0], 0.0)
        best, low, cost = tech.cheapest(v)
        now = cost[chosen]
        margin = _ROUGH_IMPROVE if rough else _IMPROVE
        better = low < now - margin * np.maximum(np.abs(now), 1e-300)
        if not np.any(better):
            if not rough:
                return v, chosen, rounds, solves
            rough = False                # settled roughly: solve once more, exactly
            continue
        chosen = np.where(better, best, chosen)
    raise _Refused(f"no stable choice of techniques after {_MAX_ROUNDS} rounds")


# -- the objective's final output and the duals ---------------------------------------------
def _final_output(lp: LinearProgram, shape: _Shape, v: np.ndarray,
                  weights: np.ndarray | None) -> tuple[np.ndarray, float, np.ndarray,
                                                       float, np.ndarray]:
    """Final net output ``y`` per made good, the number of sets ``s``, the worth ``mu``
    of a unit of the resource, and per made good its price (the improvement per unit
    made available) and whether its good row (rather than its assortment row) binds."""
    d = shape.demand
    n = len(d)
    if lp.sense == "minimize":
        return d.copy(), 0.0, 1.0, np.ones(n, dtype=bool), np.zeros(0)
    limit = -float(lp.row_lower[shape.resource])
    needed = float(v @ d)
    if needed > limit * (1 + 1e-12) + 1e-300:
        raise _Refused("the resource does not cover the demands (infeasible)")
    if not shape.sets_col.size:                          # maximize weights
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(weights > 0, weights / v, 0.0)
        r = int(np.argmax(ratio))
        if not np.isfinite(ratio[r]):
            raise _Refused("a weighted good costs nothing to make (unbounded)")
        y = d.copy()
        y[r] += (limit - needed) / v[r]
        binds = np.ones(n, dtype=bool)
        binds[r] = False
        return y, 0.0, float(ratio[r]), binds, np.zeros(0)
    # maximize_sets: y_g = max(d_g, count_g s), spending the resource
    assort = shape.assort
    count = -np.asarray(lp.matrix[:, shape.sets_col].todense()).ravel()[assort]
    where = _positions(shape.made, shape.assort_good)
    if np.any(where < 0):
        raise _Refused("the basket holds goods no process makes")
    if np.any(count <= 0):
        raise _Refused("the basket has counts that are not positive")
    vb, db = v[where], d[where]
    t = db / count
    order = np.argsort(t, kind="stable")
    slope = np.cumsum((vb * count)[order])
    offset = np.cumsum((vb * db)[order])
    at_break = needed + slope * t[order] - offset
    k = max(int(np.searchsorted(at_break, limit * (1 + 1e-15), side="right")), 1)
    if slope[k - 1] <= 0:
        raise _Refused("the basket costs nothing to make (unbounded)")
    sets = (limit - needed + offset[k - 1]) / slope[k - 1]
    active = np.zeros(len(assort), dtype=bool)
    active[order[:k]] = True
    y = d.copy()
    y[where] = np.maximum(db, count * sets)
    binds = np.ones(n, dtype=bool)
    binds[where[active]] = False
    return y, float(sets), 1.0 / float(slope[k - 1]), binds, active


def _by_merit(lp: LinearProgram, refused: str, budget: Budget) -> StructureResult:
    """The merit-order method (`lp.merit`: capacities, a second resource) where the
    plain structure is missing; the first reason when that does not apply either."""
    from kantorovich.lp.merit import MERIT_FROM_ROWS, solve_by_merit

    if lp.shape[0] < MERIT_FROM_ROWS:
        return StructureResult(None, refused)
    found = solve_by_merit(lp, budget=budget)
    if found.solution is None:
        return StructureResult(None, f"{refused}, and the merit order does not apply: "
                               f"{found.reason}")
    return found


def _positions(made: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Position of each of ``rows`` among the (sorted) ``made`` rows, -1 when absent."""
    at = np.clip(np.searchsorted(made, rows), 0, max(len(made) - 1, 0))
    return np.where((len(made) > 0) & (made[at] == rows), at, -1)


def solve_by_structure(lp: LinearProgram, *, weights: np.ndarray | None = None,
                       budget: Budget | float | None = None) -> StructureResult:
    """Solve ``lp`` by the non-substitution structure, or say why it does not qualify.

    Parameters
    ----------
    lp : LinearProgram
        A compiled plan (rows ``good`` and ``assortment``, columns ``process`` and
        ``sets``).
    weights : ndarray, optional
        For a ``maximize`` objective, the weight of each good row (the plan's objective
        weights in the order of the good rows).
    budget : Budget or float, optional
        Time allowance; when it runs out the solution's status is ``time_limit``.

    Returns
    -------
    StructureResult
        The candidate optimum (not yet certified) or the reason there is none.
    """
    budget = Budget.of(budget)
    started = time.perf_counter()
    try:
        try:
            shape = _read(lp, None if weights is None else np.asarray(weights, dtype=float))
        except _Refused as why:
            return _by_merit(lp, str(why), budget)
        if len(shape.made) == 0:
            raise _Refused("no process makes a good")
        tech = _Techniques(shape)
        v, chosen, rounds, solves = _policy_iteration(tech, budget)
        y, sets, mu, binds, active = _final_output(
            lp, shape, v, None if weights is None else
            np.asarray(weights, dtype=float)[_positions(shape.goods, shape.made)])
        A_T = tech.matrix(chosen)
        found = leontief_solve(A_T.tocsr(), y, None)
        solves += 1
        if found is None:
            raise _Refused("the chosen techniques are not productive")
    except _Refused as why:
        return StructureResult(None, str(why))
    except TimeoutError:
        return StructureResult(LpSolution(Status.TIME_LIMIT, message="the time budget was "
                                          "spent"), "the time budget ran out")
    q = np.maximum(found[0], 0.0)
    m, ncol = lp.shape
    x = np.zeros(ncol)
    cols = shape.cols[chosen]
    x[cols] = q / shape.gain[chosen]
    sets_col = shape.sets_col
    x[sets_col] = sets
    activity = lp.matrix @ x
    if shape.limited.size:        # a cost minimisation: limited goods must not bind
        lo = lp.row_lower[shape.limited]
        over = shape.limited[activity[shape.limited] < lo - 1e-9 * np.maximum(np.abs(lo), 1)]
        if over.size:
            return StructureResult(None, f"the cheapest plan needs more of "
                                   f"{_first(lp, 'row', over)} than there is: a second "
                                   "resource binds")
    dual = np.zeros(m)
    price = mu * v                                    # improvement per unit made available
    assort = shape.assort
    dual[shape.made[binds]] = -price[binds]
    if assort.size:
        where = _positions(shape.made, shape.assort_good)
        dual[assort[active]] = -price[where[active]]
    if shape.resource >= 0:
        dual[shape.resource] = -mu
    if lp.sense == "maximize" and not sets_col.size:
        w = np.asarray(weights, dtype=float)
        dual[shape.goods] += w                          # w_g - mu v_g on made goods
        dual[shape.made[~binds]] = 0.0
    col_basis = np.full(ncol, "lower", dtype=object)
    col_basis[cols] = "basic"
    col_basis[sets_col] = "basic"
    row_basis = np.full(m, "basic", dtype=object)
    row_basis[shape.made[binds]] = "lower"
    if assort.size:
        row_basis[assort[active]] = "lower"
    if shape.resource >= 0:
        row_basis[shape.resource] = "lower"
    objective = float(lp.objective @ x) + lp.constant
    seconds = time.perf_counter() - started
    reason = (f"one primary resource, no joint production, no capacities or rules: by the "
              f"non-substitution theorem the cheapest techniques solve the plan; "
              f"{rounds} round{'s' if rounds != 1 else ''} of policy iteration, "
              f"{solves} sparse solve{'s' if solves != 1 else ''}")
    log.debug("structure: %s in %.3fs", reason, seconds)
    solution = LpSolution(Status.OPTIMAL, objective=objective, x=x, row_activity=activity,
                          row_dual=dual + 0.0, row_basis=row_basis, col_basis=col_basis,
                          seconds=seconds, iterations=rounds, message="structure")
    return StructureResult(solution, reason, rounds, solves, v, shape.made, cols)
