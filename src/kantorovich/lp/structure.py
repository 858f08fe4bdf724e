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
   solve (`lp.leontief`: sparse LU for small systems, else fixed-point iteration warm
   from the last ``v``; never a dense inverse);
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

The techniques are read, chosen and solved by the kernels of `lp.technology`, shared
with the merit order and technique generation. A plan without this structure is refused
with the reason (`Structure.qualifies`); `results.chain` then tries the next method (the
merit order handles capacities and a second resource). The answer is a candidate: the
chain checks it with the same certificate as every solver's answer.

Given a `Start` with techniques (a `Session`'s what-if of the plan solved before), the
policy iteration starts from them: after a change of supplies or demands no technique
changes (the non-substitution theorem), so the answer is one value solve, which
confirms them, and one quantity solve on the same factors.

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, -0.2], [0.0, -0.5, 1.0], [-2.0, -1.0, -1.0]]))
>>> lp = LinearProgram("minimize", np.array([2.0, 1.0, 1.0]), A,
...     np.array([10.0, 0.0, -np.inf]), np.full(3, np.inf), np.zeros(3), np.full(3, np.inf),
...     pd.DataFrame({"kind": ["good"] * 3, "id": ["corn", "iron", "labour"]}),
...     pd.DataFrame({"kind": ["process"] * 3, "id": ["hand", "plough", "iron"]}))
>>> found = Structure().solve(lp, Budget(None))
>>> found.solution.x.round(6).tolist(), round(found.solution.objective, 6)
([0.0, 11.111111, 5.555556], 16.666667)
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import LpSolution
from kantorovich.lp.leontief import ROUGH_TOLERANCE, TOLERANCE, LeontiefSystem, NotProductive
from kantorovich.lp.methods import Candidate, Start, Verdict
from kantorovich.lp.program import LinearProgram, repeated
from kantorovich.lp.status import Status
from kantorovich.lp.technology import SWITCH, Technology, read_technology
from kantorovich.numbers import count

__all__ = ["Structure", "solve_by_structure"]

log = logging.getLogger(__name__)

_MAX_ROUNDS = 200          # policy-iteration rounds before giving up
_RETRIES = 4               # unproductive choices met before giving up
_ROUGH_SWITCH = 1e-8       # the margin of the rounds solved to ROUGH_TOLERANCE


class _Refused(Exception):
    """The program does not have the structure; the message says why."""


# -- reading the structure off the program ----------------------------------------------------
@dataclass
class _Shape:
    """The program read as an economy: made goods, techniques and one cost per level."""

    tech: Technology          # the techniques (`lp.technology`)
    demand: np.ndarray        # per made good: its lower bound (net output needed), >= 0
    cost: np.ndarray          # per technique: resource (or cost) per unit of level
    resource: int             # row of the resource, -1 for a cost minimisation
    limited: np.ndarray       # rows of other limited primary goods (minimize only)
    weights: np.ndarray | None  # per made good: the objective's weight (maximize only)
    assort: np.ndarray        # assortment rows
    assort_good: np.ndarray   # the good row of each assortment row
    sets_col: np.ndarray      # the sets column (empty unless maximize_sets)

    @property
    def made(self) -> np.ndarray:
        return self.tech.made_rows

    @property
    def goods(self) -> np.ndarray:
        return self.tech.goods


def _first(lp: LinearProgram, kind: str, positions: np.ndarray) -> str:
    table = lp.rows if kind == "row" else lp.cols
    ids = table["id"].to_numpy()[positions[:3]]
    more = f" and {len(positions) - 3:,} more" if len(positions) > 3 else ""
    return ", ".join(f"'{i}'" for i in ids) + more


def _read(lp: LinearProgram, known: _Known | None = None) -> _Shape:
    """The structure of ``lp``; `_Refused` with the reason when it has none. ``known``
    keeps the techniques read from a program with the same matrix and columns (a
    `Session`'s what-ifs change only bounds), so they are read once."""
    tables = known.tables(lp) if known else _Tables(lp)
    rows_kind, cols_kind = tables.rows_kind, tables.cols_kind
    if np.any(rows_kind == "policy"):
        raise _Refused(f"the plan has rules "
                       f"({count(int(np.sum(rows_kind == 'policy')), 'policy')})")
    procs, goods = tables.procs, tables.goods
    capped = procs[np.isfinite(lp.col_upper[procs]) | (lp.col_lower[procs] != 0)]
    if capped.size:
        raise _Refused(f"processes {_first(lp, 'col', capped)} have a capacity or a "
                       "minimum level")
    tech = known.technology(lp, goods, procs) if known else read_technology(lp, goods, procs)
    lower = lp.row_lower[goods]           # fresh: a kept technology may be of other bounds
    free, made, used = tech.free, tech.made, tech.used
    if tech.joint.size:
        raise _Refused(f"processes {_first(lp, 'col', tech.joint)} make more than one "
                       "good (joint production)")
    if tech.n == 0:
        raise _Refused("no process makes a good")
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
    demand = lower[made]
    weights = None
    sense = "sets" if np.any(cols_kind == "sets") else lp.sense
    if sense == "minimize":
        cost = lp.objective[tech.cols].astype(float)
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
        cost = (known.uses(tech, resource) if known
                else tech.uses(np.array([resource]))[0])
        other = np.zeros(0, dtype=np.int64)
        if sense == "maximize":
            weights = _checked_weights(lp, goods, made)
    return _Shape(tech=tech, demand=demand, cost=cost, resource=resource, limited=other,
                  weights=weights, assort=tables.assort, assort_good=tables.assort_good,
                  sets_col=tables.sets_col)


class _Tables:
    """What the program's row and column tables say: kinds and positions."""

    def __init__(self, lp: LinearProgram) -> None:
        self.rows_kind = np.asarray(lp.rows["kind"].to_numpy(), dtype=object)
        self.cols_kind = np.asarray(lp.cols["kind"].to_numpy(), dtype=object)
        self.procs = np.flatnonzero(self.cols_kind == "process")
        self.goods = np.flatnonzero(self.rows_kind == "good")
        self.assort = np.flatnonzero(self.rows_kind == "assortment")
        ids = lp.rows["id"]
        self.assort_good = self.goods[pd.Index(ids.iloc[self.goods]).get_indexer(
            ids.iloc[self.assort])]
        self.sets_col = np.flatnonzero(self.cols_kind == "sets")


class _Known:
    """What a `Structure` keeps between solves of programs that differ only in their
    bounds: the techniques (read once per matrix and lower bounds' pattern), the
    resource's use, and the Leontief factors of the last choice of techniques."""

    def __init__(self) -> None:
        self._tables: tuple[object, object, _Tables] | None = None
        self._key: tuple[object, ...] | None = None
        self._tech: Technology | None = None
        self._uses: dict[int, np.ndarray] = {}
        self._system: tuple[np.ndarray, float, LeontiefSystem] | None = None

    def tables(self, lp: LinearProgram) -> _Tables:
        kept = self._tables
        if kept is None or kept[0] is not lp.rows or kept[1] is not lp.cols:
            kept = self._tables = (lp.rows, lp.cols, _Tables(lp))
        return kept[2]

    def technology(self, lp: LinearProgram, goods: np.ndarray, procs: np.ndarray
                   ) -> Technology:
        # digests of the bounds' pattern, not their bytes (16 bytes a column, 0.7 GB
        # at 2.4·10^7 columns, held as long as the method)
        key = (lp.matrix, *(_digest(a) for a in (
            np.isneginf(lp.row_lower[goods]), lp.col_lower, lp.col_upper, goods, procs)))
        if self._key is None or self._key[0] is not key[0] or self._key[1:] != key[1:]:
            self._key, self._tech = key, read_technology(lp, goods, procs)
            self._uses, self._system = {}, None
        assert self._tech is not None
        return self._tech

    def uses(self, tech: Technology, resource: int) -> np.ndarray:
        if resource not in self._uses:
            self._uses[resource] = tech.uses(np.array([resource]))[0]
        return self._uses[resource]

    def system(self, tech: Technology, chosen: np.ndarray, tol: float) -> LeontiefSystem:
        """The Leontief system of ``chosen``, the last one again when it is the same
        choice (its factors are kept)."""
        kept = self._system
        if kept is not None and kept[1] <= tol and np.array_equal(kept[0], chosen):
            return kept[2]
        self._system = None     # let go before the next is made (each is A_T's copy)
        system = tech.system(chosen, tol)
        self._system = (chosen.copy(), tol, system)
        return system


def _digest(values: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    """``values``' type, shape and a digest of their bytes, read in place."""
    held = np.ascontiguousarray(values)
    return held.dtype.str, held.shape, hashlib.blake2b(
        held.reshape(-1).view(np.uint8).data, digest_size=32).digest()


def _checked_weights(lp: LinearProgram, goods: np.ndarray, made: np.ndarray
                     ) -> np.ndarray:
    """The objective's weight per made good (`LinearProgram.good_weights`)."""
    weights = lp.good_weights
    if weights is None:
        raise _Refused("the objective's weights per good were not given")
    weights = np.asarray(weights, dtype=float)
    off = np.flatnonzero((weights != 0) & ~made)
    if off.size:
        raise _Refused(f"the objective weighs goods no process makes "
                       f"({_first(lp, 'row', goods[off])})")
    if np.any(weights < 0):
        raise _Refused(f"the objective weighs goods negatively "
                       f"({_first(lp, 'row', goods[weights < 0])})")
    if not np.any(weights > 0):
        raise _Refused("the objective weighs no good")
    return np.asarray(weights[made])


# -- policy iteration ------------------------------------------------------------------------
@dataclass
class _Fixed:
    """Policy iteration's answer: values, techniques and the factors that solved them."""

    values: np.ndarray
    chosen: np.ndarray
    system: LeontiefSystem
    rounds: int
    solves: int


def _policy_iteration(shape: _Shape, budget: Budget, chosen: np.ndarray | None = None,
                      v: np.ndarray | None = None, known: _Known | None = None) -> _Fixed:
    """Values and chosen techniques at the fixed point, from ``chosen`` when given (then
    exact from the first round); `_Refused` when none is found."""
    tech, cost = shape.tech, shape.cost
    rough = chosen is None
    if chosen is None:
        chosen, v = tech.start(cost)
    solves = rounds = failures = 0
    while rounds < _MAX_ROUNDS:
        if budget.expired():
            raise TimeoutError
        rounds += 1
        # rounds that still change techniques need values only to well above the
        # margin they switch at; the last round's values are solved to full accuracy
        tol = ROUGH_TOLERANCE if rough else TOLERANCE
        system = None           # the last round's factors let go before the next's
        system = known.system(tech, chosen, tol) if known else tech.system(chosen, tol)
        solves += 1
        try:
            found = tech.values(chosen, cost, v, system=system)
        except NotProductive:
            found = None
        if found is None or np.any(found < -1e-12 * max(np.max(np.abs(found)), 1.0)):
            # not productive: more value iteration, then try again, a few times
            failures += 1
            if failures > _RETRIES:
                raise _Refused("no productive choice of techniques was found (is the "
                               "economy productive?)")
            v = np.zeros(tech.n) if v is None else v
            for _ in range(10 * failures):
                chosen, v, _ = tech.cheapest(cost, v)
            rough = True
            continue
        v = np.maximum(found, 0.0)
        chosen, changed = tech.improve(cost, v, chosen, _ROUGH_SWITCH if rough else SWITCH)
        if not changed:
            if not rough:
                return _Fixed(v, chosen, system, rounds, solves)
            rough = False                # settled roughly: solve once more, exactly
    raise _Refused(f"no stable choice of techniques after {_MAX_ROUNDS} rounds")


# -- the objective's final output and the duals ---------------------------------------------
def _final_output(lp: LinearProgram, shape: _Shape, v: np.ndarray
                  ) -> tuple[np.ndarray, float, float, np.ndarray, np.ndarray]:
    """Final net output ``y`` per made good, the number of sets ``s``, the worth ``mu``
    of a unit of the resource, and per made good whether its good row (rather than its
    assortment row) binds, and per assortment row whether it binds."""
    d = shape.demand
    n = len(d)
    if lp.sense == "minimize":
        return d.copy(), 0.0, 1.0, np.ones(n, dtype=bool), np.zeros(0, dtype=bool)
    limit = -float(lp.row_lower[shape.resource])
    needed = float(v @ d)
    if needed > limit * (1 + 1e-12) + 1e-300:
        raise _Refused("the resource does not cover the demands (infeasible)")
    if not shape.sets_col.size:                          # maximize weights
        weights = shape.weights
        assert weights is not None                       # read for every `maximize`
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(weights > 0, weights / v, 0.0)
        r = int(np.argmax(ratio))
        if not np.isfinite(ratio[r]):
            raise _Refused("a weighted good costs nothing to make (unbounded)")
        y = d.copy()
        y[r] += (limit - needed) / v[r]
        binds = np.ones(n, dtype=bool)
        binds[r] = False
        return y, 0.0, float(ratio[r]), binds, np.zeros(0, dtype=bool)
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


def _positions(made: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Position of each of ``rows`` among the (sorted) ``made`` rows, -1 when absent."""
    at = np.clip(np.searchsorted(made, rows), 0, max(len(made) - 1, 0))
    return np.where((len(made) > 0) & (made[at] == rows), at, -1)


def _solution(lp: LinearProgram, shape: _Shape, fixed: _Fixed, q: np.ndarray, sets: float,
              mu: float, binds: np.ndarray, active: np.ndarray, started: float
              ) -> LpSolution | str:
    """The candidate in the program's terms: levels, activities, row duals (the
    improvement per unit of each row's bound) and the basis of the chosen techniques;
    or why there is none."""
    tech, chosen, v = shape.tech, fixed.chosen, fixed.values
    m, ncol = lp.shape
    x = np.zeros(ncol)
    cols = tech.cols[chosen]
    x[cols] = q / tech.gain[chosen]
    sets_col = shape.sets_col
    x[sets_col] = sets
    activity = lp.matrix @ x
    if shape.limited.size:        # a cost minimisation: limited goods must not bind
        lo = lp.row_lower[shape.limited]
        over = shape.limited[activity[shape.limited] < lo - 1e-9 * np.maximum(np.abs(lo), 1)]
        if over.size:
            return (f"the cheapest plan needs more of {_first(lp, 'row', over)} than there "
                    "is: a second resource binds")
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
        dual[shape.made] += shape.weights                # w_g - mu v_g on made goods
        dual[shape.made[~binds]] = 0.0
    col_basis = repeated("lower", ncol)
    col_basis[cols] = "basic"
    col_basis[sets_col] = "basic"
    row_basis = repeated("basic", m)
    row_basis[shape.made[binds]] = "lower"
    if assort.size:
        row_basis[assort[active]] = "lower"
    if shape.resource >= 0:
        row_basis[shape.resource] = "lower"
    objective = float(lp.objective @ x) + lp.constant
    return LpSolution(Status.OPTIMAL, objective=objective, x=x, row_activity=activity,
                      row_dual=dual + 0.0, row_basis=row_basis, col_basis=col_basis,
                      seconds=time.perf_counter() - started, iterations=fixed.rounds,
                      message="structure")


class Structure:
    """The structure method behind the chain's protocol (`lp.methods.Method`).

    One instance solving programs that differ only in bounds (a `Session`'s what-ifs)
    reads their techniques once and keeps the sparse factors of its last choice.
    """

    name = "structure"

    def __init__(self) -> None:
        self._known = _Known()

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        try:
            _read(lp, self._known)
        except _Refused as why:
            return Verdict(False, str(why))
        return Verdict(True, "one primary resource, no joint production, no capacities "
                       "or rules")

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        """The candidate optimum (not yet certified), or None and why not; from the
        techniques of ``start`` when it has them."""
        started = time.perf_counter()
        try:
            shape = _read(lp, self._known)
            chosen, v = _from_start(shape, start)
            fixed = _policy_iteration(shape, budget, chosen, v, self._known)
            y, sets, mu, binds, active = _final_output(lp, shape, fixed.values)
            try:
                q = shape.tech.quantities(fixed.chosen, y, system=fixed.system)
            except NotProductive:
                raise _Refused("the chosen techniques are not productive") from None
            fixed.solves += 1
        except _Refused as why:
            return Candidate(None, str(why))
        except TimeoutError:
            return Candidate(LpSolution(Status.TIME_LIMIT, message="the time budget was "
                                        "spent"), "the time budget ran out")
        solution = _solution(lp, shape, fixed, np.maximum(q, 0.0), sets, mu, binds, active,
                             started)
        if isinstance(solution, str):
            return Candidate(None, solution)
        rounds, solves = fixed.rounds, fixed.solves
        reason = (f"one primary resource, no joint production, no capacities or rules: by "
                  f"the non-substitution theorem the cheapest techniques solve the plan; "
                  f"{rounds} round{'s' if rounds != 1 else ''} of policy iteration, "
                  f"{solves} sparse solve{'s' if solves != 1 else ''}")
        if start is not None and start.techniques is not None:
            reason += f", from the techniques of {start.source or 'a start'}"
        log.debug("structure: %s in %.3fs", reason, solution.seconds)
        techniques = shape.tech.cols[fixed.chosen]
        return Candidate(solution, reason, start=Start(techniques=techniques,
                                                       values=fixed.values,
                                                       source="structure"),
                         detail={"rounds": rounds, "solves": solves,
                                 "values": fixed.values, "made": shape.made,
                                 "techniques": techniques})


def _from_start(shape: _Shape, start: Start | None
                ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Per made good, its technique among ``start.techniques`` (the columns that ran),
    and the start's values when they fit; (None, None) when the start has no technique
    for every good."""
    if start is None or start.techniques is None:
        return None, None
    tech = shape.tech
    where = np.full(int(tech.cols.max(initial=-1)) + 1, -1, dtype=np.int64)
    where[tech.cols] = np.arange(len(tech.cols))
    given = np.asarray(start.techniques, dtype=np.int64)
    given = given[(given < len(where))]
    at = where[given]
    at = at[at >= 0]
    chosen = np.full(tech.n, -1, dtype=np.int64)
    chosen[tech.out[at]] = at
    if np.any(chosen < 0):
        return None, None
    v = start.values if start.values is not None and len(start.values) == tech.n else None
    return chosen, v


def solve_by_structure(lp: LinearProgram, *, budget: Budget | float | None = None,
                       start: Start | None = None) -> Candidate:
    """`Structure().solve`: the candidate of the structure method, or why there is none.

    Parameters
    ----------
    lp : LinearProgram
        A compiled plan (rows ``good`` and ``assortment``, columns ``process`` and
        ``sets``); a ``maximize`` objective needs ``lp.good_weights``.
    budget : Budget or float, optional
        Time allowance; when it runs out the solution's status is ``time_limit``.
    start : Start, optional
        Techniques to start the policy iteration from.
    """
    return Structure().solve(lp, Budget.of(budget), start)
