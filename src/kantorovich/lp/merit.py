"""Capacities and a second resource without a simplex: merit order and the resources' worth.

The structure method (`lp.structure`) needs one primary resource and no capacities. Real
plans have both: a capped technique, a second factor (capital, CO2). HiGHS then pays for
every row at once, and on economies of 10^5 products its factorisations fill in. Yet
the optimum keeps most of the structure, and this module uses it:

* **Capacities: merit order.** At the optimum each product's techniques run in the order
  of their unit cost at the plan's values: the cheapest up to its capacity, then the
  next, until the product's gross output is met; the last one that runs, the marginal
  technique, sets the product's value, and every technique ahead of it earns a rent
  (its capacity's shadow price). So one round is: values from the marginal techniques
  (one sparse solve of ``v = c_T + v A_T``), the number of sets the resource allows
  (closed form: the resource plus the rents, over the basket's value), gross outputs
  (one sparse solve), and dispatch in merit order; repeat until nothing changes.
  A fixed point meets every optimality condition of the program with one resource.
  Where the optimum fills a capacity exactly, the good's value is set by a user that
  runs two techniques, and the rounds cycle; the goods in the cycle are then settled by
  a program of a few columns (the rest of the economy answering linearly, one sparse
  solve per technique involved) whose basis says which goods are pinned at a capacity
  and which run two techniques, or, at a degenerate optimum, whose levels and prices
  say what runs and what each good is worth. When that answer prices a technique of
  another good wrongly, the good joins the program and it is solved again, warm.
  A cycle that this does not settle (over more than `_LOCAL_GOODS` goods, or after
  `_EXPANSIONS` widenings) ends the method: its last choice of techniques goes to the
  next method as a basis of the whole program (`_choice_basis`), from which HiGHS's
  simplex starts.
* **Two resources: their relative worth.** Weighing them by ``w`` makes one composite
  resource; the optimum ``s(w)`` of that relaxation bounds the plan's optimum from
  above for every ``w`` (surrogate duality), and its least value over ``w`` is the
  plan's optimum. With two resources ``w`` has one degree of freedom. The search keeps
  one plan that overuses the first resource and one that overuses the second, and
  steps to where their bounds cross (each a ratio of linear functions of ``w`` for a
  fixed choice of techniques; bisection every third step), until the mix of two plans
  that fits both supplies is as good as the lower of their bounds; that mix is the
  answer, priced by the duals of the plan with the lower bound. When the budget runs
  out first, the best mix found is returned with its gap, never called optimal.

The answer is a candidate like any solver's: the chain (`results.chain`) checks it with
the same certificate on the full program and hands on to HiGHS when it fails. What this does
not handle (rules, joint production, minimum levels, more than two resources, a
product whose capacities cannot meet its demand) is refused with the reason.

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> # bread by hand (labour 2) or by mill (labour 1, capacity 4); a basket of bread
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, -1.0], [-2.0, -1.0, 0.0]]))
>>> lp = LinearProgram("maximize", np.array([0.0, 0.0, 1.0]), A,
...     np.array([0.0, 0.0, -10.0]), np.full(3, np.inf), np.zeros(3),
...     np.array([np.inf, 4.0, np.inf]),
...     pd.DataFrame({"kind": ["good", "assortment", "good"],
...                   "id": ["bread", "bread", "labour"]}),
...     pd.DataFrame({"kind": ["process", "process", "sets"],
...                   "id": ["hand", "mill", "sets"]}))
>>> found = solve_by_merit(lp, min_rows=0)
>>> found.solution.x.round(6).tolist(), round(found.solution.objective, 6)
([3.0, 4.0, 7.0], 7.0)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession, LpSolution
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.lp.leontief import LeontiefSystem, NotProductive
from kantorovich.lp.methods import Candidate, Start, Verdict
from kantorovich.lp.technology import Technology, read_technology
from kantorovich.numbers import count as count_of

__all__ = ["MERIT_FROM_ROWS", "Merit", "solve_by_merit"]

log = logging.getLogger(__name__)

MERIT_FROM_ROWS = 10_000
"""Programs of fewer rows go to HiGHS, which solves them fast and hands back a basis the
analyses can start from (`lp.generation.GENERATE_FROM_ROWS`, the same measurement)."""

MAX_RESOURCES = 2
_ROUNDS = 200            # merit-order rounds per weighing of the resources
_SEARCH_STEPS = 80       # steps of the search over the resources' relative worth
_GAP = 1e-9              # the search stops when its mix is this close to its bound
#                          (relative; the certificate asks for 1e-6, HiGHS for 1e-7)
_OVERDRAW = 1e-9         # a mix may overdraw a supply by this share (certificate: 1e-6)
_LOCAL_GOODS = 60        # goods in a cycle's small program, at most
_EXPANSIONS = 6          # times a cycle's program takes in the goods it got wrong
_EXACT = 1e-9           # relative: a price off by more fails a state (evaluated exactly)
_READ = 1e-7            # ... read off a cycle's small program (`_from_local`)
_TIE = 1e-12             # relative: a technique must be this much cheaper to overtake


class _Refused(Exception):
    """The program is not of this shape; the message says why."""


class _OutOfTime(Exception):
    """The budget ran out during the search; ``best`` is the best mix found so far
    (first end, second end, share of the first), None when there is none."""

    def __init__(self, best: tuple[_Point, _Point, float] | None) -> None:
        super().__init__("the time budget ran out")
        self.best = best


def _first(lp: LinearProgram, table: str, positions: np.ndarray) -> str:
    ids = (lp.rows if table == "row" else lp.cols)["id"].to_numpy()[positions[:3]]
    more = f" and {len(positions) - 3:,} more" if len(positions) > 3 else ""
    return ", ".join(f"'{i}'" for i in ids) + more


# -- the program read as an economy ----------------------------------------------------------
@dataclass
class _Economy:
    tech: Technology         # the techniques (`lp.technology`)
    use: np.ndarray          # resources x techniques, per level
    supply: np.ndarray       # per resource
    resource_rows: np.ndarray
    cap: np.ndarray          # per technique; inf when none
    demand: np.ndarray       # per made good: net output needed whatever the sets
    count: np.ndarray        # per made good: its count in the basket (0 when not in it)
    assort: np.ndarray       # assortment rows
    assort_made: np.ndarray  # per assortment row: its made good
    sets_col: int

    @property
    def n(self) -> int:
        return self.tech.n

    @property
    def made(self) -> np.ndarray:
        return self.tech.made_rows

    @property
    def cols(self) -> np.ndarray:
        return self.tech.cols

    @property
    def out(self) -> np.ndarray:
        return self.tech.out

    @property
    def gain(self) -> np.ndarray:
        return self.tech.gain

    @property
    def inputs(self) -> sp.csc_matrix:
        return self.tech.inputs

    @property
    def inputs_t(self) -> sp.csr_matrix:
        return self.tech.inputs_t


def _read(lp: LinearProgram) -> _Economy:
    rows_kind = np.asarray(lp.rows["kind"].to_numpy(), dtype=object)
    cols_kind = np.asarray(lp.cols["kind"].to_numpy(), dtype=object)
    if np.any(rows_kind == "policy"):
        raise _Refused("the plan has rules")
    sets = np.flatnonzero(cols_kind == "sets")
    if lp.sense != "maximize" or sets.size != 1:
        raise _Refused("the objective is not a number of sets of a basket")
    if np.any(cols_kind[lp.objective != 0] != "sets"):
        raise _Refused("the objective values more than the sets")
    procs = np.flatnonzero(cols_kind == "process")
    if np.any(lp.col_lower[procs] != 0):
        raise _Refused(f"processes {_first(lp, 'col', procs[lp.col_lower[procs] != 0])} "
                       "have a minimum level")
    goods = np.flatnonzero(rows_kind == "good")
    tech = read_technology(lp, goods, procs)
    lower, made = tech.lower, tech.made
    if tech.joint.size:
        raise _Refused(f"processes {_first(lp, 'col', tech.joint)} make more than one "
                       "good (joint production)")
    if np.any(made & (lower < 0)):
        raise _Refused(f"goods {_first(lp, 'row', goods[made & (lower < 0)])} have a "
                       "supply and are also made")
    primary = ~made & ~tech.free
    if np.any(primary & (lower > 0)):
        raise _Refused(f"goods {_first(lp, 'row', goods[primary & (lower > 0)])} are "
                       "demanded beyond their supply and no process makes them")
    limited = np.flatnonzero(primary & tech.used & np.isfinite(lower))
    if limited.size == 0:
        raise _Refused("no primary resource of limited supply")
    if limited.size > MAX_RESOURCES:
        raise _Refused(f"{limited.size:,} primary resources, more than {MAX_RESOURCES}")
    use = tech.uses(goods[limited])
    supply = -lower[limited]
    if np.any(supply <= 0):
        raise _Refused("a resource has no supply")
    A = lp.matrix.tocsc()
    made_rows = goods[made]
    # the basket: assortment rows, each naming a made good, with the sets column
    assort = np.flatnonzero(rows_kind == "assortment")
    ids = lp.rows["id"].to_numpy()
    made_pos = {}
    if assort.size:
        at = pd.Index(ids[made_rows]).get_indexer(ids[assort])
        if np.any(at < 0):
            raise _Refused("the basket holds goods no process makes")
        made_pos = at
    else:
        raise _Refused("the basket is empty")
    n = len(made_rows)
    count = np.zeros(n)
    coeff = -np.asarray(A[:, sets].todense()).ravel()
    count[made_pos] = coeff[assort]
    if np.any(count[made_pos] <= 0):
        raise _Refused("the basket has counts that are not positive")
    if np.any(coeff[goods] != 0):
        raise _Refused("the sets column enters a good's balance")
    demand = lower[made].astype(float)
    if np.any((demand > 0) & (count > 0)):
        raise _Refused("goods of the basket also have a demand of their own")
    if np.any(lp.row_lower[assort] != 0):
        raise _Refused("an assortment row has a bound other than zero")
    cap = lp.col_upper[tech.cols].astype(float)
    return _Economy(tech=tech, use=use, supply=supply, resource_rows=goods[limited],
                    cap=cap, demand=demand, count=count, assort=assort,
                    assort_made=np.asarray(made_pos), sets_col=int(sets[0]))


# -- one resource (or a weighed composite) with capacities: merit order -----------------------
@dataclass
class _Point:
    """A fixed point of the merit order at one weighing of the resources."""

    weights: np.ndarray      # per resource
    marginal: np.ndarray     # per good: its marginal technique
    full: np.ndarray         # per technique: running at its capacity
    values: np.ndarray       # per good, in the composite resource
    level: np.ndarray        # per technique
    sets: float
    bound: float             # the relaxation's optimum: equal to sets at a fixed point
    uses: np.ndarray         # per resource: what the plan uses
    rounds: int
    solves: int
    state: _State | None = None
    fraction: tuple[np.ndarray, np.ndarray] | None = None
    q: np.ndarray | None = None          # gross outputs of the marginal techniques


@dataclass
class _State:
    """Which techniques run: a marginal one per good, some at capacity; goods pinned at
    a capacity (no marginal technique of their own) and as many second techniques."""

    marginal: np.ndarray
    full: np.ndarray
    pinned: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    split: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: False for a state read off a cycle's small program at a degenerate optimum (not as
    #: many second techniques as pinned goods): it holds at its weights, and is not
    #: evaluated at others
    exact: bool = True


@dataclass
class _Evaluation:
    values: np.ndarray
    unit: np.ndarray
    sets: float
    level: np.ndarray
    output: np.ndarray
    q: np.ndarray
    solves: int


def _leontief(system: LeontiefSystem, b: np.ndarray, start: np.ndarray | None = None, *,
              transposed: bool = False) -> np.ndarray:
    """``u = b + A u`` (``A'`` when ``transposed``); `_Refused` when the techniques
    behind ``A`` are not productive. ``b`` may hold several right-hand sides."""
    try:
        return system.solve(b, transposed=transposed, start=start)
    except NotProductive:
        raise _Refused("a choice of marginal techniques is not productive") from None


def _square_solve(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A small dense system; `_Refused` when singular."""
    if np.linalg.cond(R) > 1e12:
        raise _Refused("a split of techniques is degenerate")
    return np.linalg.solve(R, b)


class _Merit:
    def __init__(self, eco: _Economy) -> None:
        self.eco = eco
        order = np.argsort(eco.out, kind="stable")
        self.capped = np.isfinite(eco.cap)
        self.cap_out = np.where(self.capped, eco.cap, np.inf) * eco.gain
        # goods with a capped technique need their techniques in merit order; the rest
        # only their cheapest
        has_cap = np.zeros(eco.n, dtype=bool)
        has_cap[eco.out[self.capped]] = True
        in_sub = has_cap[eco.out[order]]
        self.free_techs = order[~in_sub]
        self.free_goods = np.flatnonzero(~has_cap)
        self.free_group = np.searchsorted(self.free_goods, eco.out[self.free_techs])
        self.free_starts = np.searchsorted(self.free_group, np.arange(len(self.free_goods)))
        self.sub_techs = order[in_sub]
        self.sub_goods = np.flatnonzero(has_cap)
        self.sub_index = np.full(eco.n, -1)
        self.sub_index[self.sub_goods] = np.arange(len(self.sub_goods))
        self.sub_starts = np.searchsorted(self.sub_index[eco.out[self.sub_techs]],
                                          np.arange(len(self.sub_goods)))
        # every technique that was marginal or at capacity in some state tried: what the
        # next method starts from when the merit order does not settle
        self.tried = np.zeros(len(eco.cols), dtype=bool)
        self.last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def handed_on(self, lp: LinearProgram, running: np.ndarray | None = None) -> Start:
        """What the next method may start from: the techniques the merit order tried
        (and those of ``running``, columns), and the basis of the last choice it tried
        (`_choice_basis`)."""
        cols = self.eco.cols[self.tried]
        if running is not None:
            cols = np.union1d(cols, running)
        col_basis = row_basis = None
        if self.last is not None:
            col_basis, row_basis = _choice_basis(lp, self.eco, *self.last)
        return Start(col_basis=col_basis, row_basis=row_basis, techniques=cols,
                     source="the merit order")

    def start(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Marginal techniques by a few value-iteration steps, nothing at capacity."""
        cost = weights @ self.eco.use
        chosen, v = self.eco.tech.start(cost)
        return chosen, np.zeros(len(cost), dtype=bool), v

    def solve(self, weights: np.ndarray, marginal: np.ndarray, full: np.ndarray,
              v: np.ndarray, budget: Budget, q: np.ndarray | None = None) -> _Point:
        """The merit order's fixed point at ``weights``, from the given state.

        A state that comes back is a cycle: a capacity that the optimum fills exactly,
        so that the good's value is set not by a technique of its own but by a user of
        it that runs two techniques. `_settle` solves that state directly.
        """
        cost = weights @ self.eco.use
        seen: dict[bytes, int] = {}
        history: list[tuple[np.ndarray, np.ndarray]] = []
        solves = 0
        q_start = q
        for rounds in range(1, _ROUNDS + 1):
            if budget.expired():
                raise TimeoutError
            state = _State(marginal, full)
            self.tried[marginal] = True
            self.tried |= full
            self.last = (weights, marginal, full)
            ev = self._evaluate(weights, cost, state, v, q_start)
            solves += ev.solves
            v, q_start = ev.values, ev.q
            new_marginal, new_full = self._dispatch(ev.unit, ev.output, marginal, full)
            if np.array_equal(new_marginal, marginal) and np.array_equal(new_full, full):
                return self._point(weights, state, ev, rounds, solves)
            key = marginal.tobytes() + full.tobytes()
            if key in seen:
                cycle = history[seen[key]:]
                log.debug("merit: a cycle of %d choices after %d rounds", len(cycle), rounds)
                settled = self._settle(weights, cost, cycle, v, budget)
                if settled is not None:
                    state, ev = settled
                    return self._point(weights, state, ev, rounds, solves + ev.solves)
                raise _Refused("the merit order cycles between "
                               f"{len(cycle)} choices that no split of techniques settles")
            seen[key] = len(history)
            history.append((marginal, full))
            marginal, full = new_marginal, new_full
        raise _Refused(f"the merit order did not settle in {_ROUNDS} rounds")

    def _point(self, weights: np.ndarray, state: _State, ev: _Evaluation, rounds: int,
               solves: int) -> _Point:
        return _Point(weights, state.marginal, state.full, ev.values, ev.level, ev.sets,
                      ev.sets, self.eco.use @ ev.level, rounds, solves, state,
                      q=ev.q if not state.pinned.size else None)

    def at_state(self, weights: np.ndarray, point: _Point) -> _Point | None:
        """``point``'s choice of techniques evaluated at other weights; None when it is
        not optimal there."""
        state = point.state
        if state is None or not state.exact:
            return None
        try:
            ev = self._evaluate(weights, weights @ self.eco.use, state, point.values, None)
        except (_Refused, np.linalg.LinAlgError):
            return None
        if not self._optimal(state, ev):
            return None
        return self._point(weights, state, ev, 0, ev.solves)

    def fraction(self, point: _Point) -> tuple[np.ndarray, np.ndarray] | None:
        """The sets of ``point``'s choice as a ratio of linear functions of the weights
        (`_fraction`); None for a state that is not evaluated at other weights."""
        if point.state is None or not point.state.exact:
            return None
        if point.fraction is None:
            point.fraction = self._fraction(point)
        return point.fraction

    def _fraction(self, point: _Point) -> tuple[np.ndarray, np.ndarray]:
        """The sets of ``point``'s choice at any weights ``w``: ``(w @ a) / (w @ b)``.

        Values, rents and so the closed form of the sets are linear in the weights for
        a fixed choice of techniques: the values per unit of each resource give ``a``
        and ``b``. The point's values are their mix at its weights, so one value solve
        (for the resource of the smaller weight, which the mix holds least accurately)
        gives both."""
        e = self.eco
        state = point.state
        assert state is not None
        K = len(e.supply)
        w = point.weights
        solved = int(np.argmin(w)) if K > 1 else 0
        per = {solved: self._values(e.use[solved], state, None)[0]}
        if K > 1:
            other = 1 - solved
            per[other] = (point.values - w[solved] * per[solved]) / w[other]
        a, b = np.zeros(K), np.zeros(K)
        cap_level = np.where(state.full, e.cap, 0.0)
        for k in range(K):                  # two at most
            v = per[k]
            unit = (e.use[k] + e.inputs_t @ v) / e.gain
            rent = (v[e.out] - unit) * e.gain
            a[k] = e.supply[k] - float(v @ e.demand) + float(rent @ cap_level)
            b[k] = float(v @ e.count)
        return a, b

    def _evaluate(self, weights: np.ndarray, cost: np.ndarray, state: _State,
                  v: np.ndarray | None, q_start: np.ndarray | None) -> _Evaluation:
        """Values, sets and levels of one state: one sparse solve for the values and one
        for the quantities, plus one of each per pinned good."""
        e = self.eco
        v, system, solves = self._values(cost, state, v)
        marginal, full = state.marginal, state.full
        pinned, split = state.pinned, state.split

        def solve(b: np.ndarray, start: np.ndarray | None) -> np.ndarray:
            nonlocal solves
            solves += 1
            return _leontief(system, b, start)

        unit = (cost + e.inputs_t @ v) / e.gain
        rent = (v[e.out] - unit) * e.gain               # per level
        cap_level = np.where(full, e.cap, 0.0)
        made_full = np.bincount(e.out, weights=e.gain * cap_level, minlength=e.n)
        net_full = made_full - e.inputs @ cap_level
        basket = float(v @ e.count)
        if not basket > 0:
            raise _Refused("the basket costs nothing to make (unbounded)")
        sets = (float(weights @ e.supply) - float(v @ e.demand) + float(rent @ cap_level)
                ) / basket
        rhs = e.demand + sets * e.count - net_full
        q = solve(rhs, q_start if not pinned.size else None)
        psi = np.zeros(0)
        if pinned.size:
            Psi = solve(-e.tech.net(split).toarray(), None)
            psi = _square_solve(Psi[pinned], -q[pinned])
            q = q + Psi @ psi
            q[pinned] = 0.0
        level = cap_level.copy()
        owned = np.ones(e.n, dtype=bool)
        owned[pinned] = False
        level[marginal[owned]] = q[owned] / e.gain[marginal[owned]]
        level[split] += psi
        output = np.bincount(e.out, weights=e.gain * level, minlength=e.n)
        return _Evaluation(v, unit, sets, level, output, q, solves)

    def _values(self, cost: np.ndarray, state: _State, v: np.ndarray | None
                ) -> tuple[np.ndarray, LeontiefSystem, int]:
        """Values of a state at ``cost``, the Leontief system of its techniques (for its
        quantities too), and the solves."""
        e = self.eco
        marginal, pinned, split = state.marginal, state.pinned, state.split
        M = e.tech.matrix(marginal)
        if pinned.size:                      # a pinned good has no technique of its own
            keep = np.ones(e.n)
            keep[pinned] = 0.0
            M = (M @ sp.diags(keep)).tocsc()
        rhs = cost[marginal] / e.gain[marginal]
        rhs[pinned] = 0.0
        system = LeontiefSystem(M)
        solves = 0

        def solve(b: np.ndarray, start: np.ndarray | None) -> np.ndarray:
            nonlocal solves
            solves += 1
            return _leontief(system, b, start, transposed=True)

        v = solve(rhs, v if not pinned.size else None)
        if pinned.size:
            # v = v0 + Phi theta; the split techniques' zero reduced costs fix theta
            units = np.zeros((e.n, len(pinned)))
            units[pinned, np.arange(len(pinned))] = 1.0
            Phi = solve(units, None)
            net = e.tech.net(split)                       # goods x split techniques
            theta = _square_solve(net.T @ Phi, cost[split] - net.T @ v)
            v = v + Phi @ theta
        return v, system, solves

    def _settle(self, weights: np.ndarray, cost: np.ndarray,
                cycle: list[tuple[np.ndarray, np.ndarray]], v: np.ndarray,
                budget: Budget) -> tuple[_State, _Evaluation] | None:
        """The state a cycle circles round, found by a small program over the goods whose
        techniques change in it; kept when it meets every optimality condition.

        A cycle means a capacity that the optimum fills exactly: the good's value is set
        not by a technique of its own but by a user of it that runs two techniques. The
        rest of the economy answers linearly (one sparse solve per technique of those
        goods, with the state at the start of the cycle), so the program has a handful of
        columns and rows: HiGHS's basis for it says which goods are pinned at a capacity
        and which run two techniques (at a degenerate optimum, its levels and prices do,
        `_from_local`). When the answer prices some technique outside the program wrongly,
        or sends a level below zero, those goods join the program, with all their
        techniques, and it is solved again (`_EXPANSIONS` times at most).
        """
        e = self.eco
        marginals = np.stack([m for m, _ in cycle])
        fulls = np.stack([f for _, f in cycle])
        goods = np.union1d(e.out[np.flatnonzero(np.any(fulls != fulls[0], axis=0))],
                           np.flatnonzero(np.any(marginals != marginals[0], axis=0)))
        # the techniques of those goods that run in some state of the cycle
        running = np.zeros(len(e.cols), dtype=bool)
        running[marginals.ravel()] = True
        running |= np.any(fulls, axis=0)
        kept: dict[int, np.ndarray] = {}      # the block solve's columns, to start from
        for _ in range(_EXPANSIONS):
            if goods.size > _LOCAL_GOODS or budget.expired():
                log.debug("merit: a cycle over %d goods is left unsettled", goods.size)
                return None
            found = self._local(weights, cost, marginals[0], fulls[0], goods, running, v,
                                budget, kept)
            if found is None:
                return None
            state, ev = found
            wrong = self._violations(state, ev)
            if wrong.size == 0:
                return state, ev
            more = np.isin(e.out, wrong) & ~running      # their techniques not yet in
            if np.all(np.isin(wrong, goods)) and not more.any():
                log.debug("merit: the cycle's program is wrong about its own goods")
                return None
            log.debug("merit: the cycle's program misses %d goods or %d techniques; solved "
                      "again with them", np.setdiff1d(wrong, goods).size, int(more.sum()))
            goods = np.union1d(goods, wrong)
            running |= more
        return None

    def _local(self, weights: np.ndarray, cost: np.ndarray, marginal: np.ndarray,
               full_all: np.ndarray, goods: np.ndarray, running: np.ndarray,
               v: np.ndarray, budget: Budget, kept: dict[int, np.ndarray]
               ) -> tuple[_State, _Evaluation] | None:
        """The cycle's small program over ``goods`` (with their techniques in
        ``running``), the rest of the economy in the choice ``marginal``, ``full_all``;
        its state and evaluation (not yet checked), or None. ``kept`` holds the block
        solve's columns of an earlier, smaller program (keyed -2, -1 for the constant and
        the sets, else by technique): the iteration starts from them."""
        e = self.eco
        inside = np.isin(e.out, goods)
        techniques = np.flatnonzero(inside & running)
        base = _State(marginal, full_all & ~inside, goods)
        M = e.tech.matrix(base.marginal)
        keep = np.ones(e.n)
        keep[goods] = 0.0
        system = LeontiefSystem((M @ sp.diags(keep)).tocsr())
        cap_level = np.where(base.full, e.cap, 0.0)
        net_full = np.bincount(e.out, weights=e.gain * cap_level, minlength=e.n) - (
            e.inputs @ cap_level)
        net = e.tech.net(techniques).toarray()
        rhs = np.column_stack([e.demand - net_full, e.count, -net])
        keys = [-2, -1, *techniques.tolist()]
        start = np.column_stack([kept.get(key, rhs[:, k]) for k, key in enumerate(keys)])
        try:
            Q = system.solve(rhs, start=start)
        except NotProductive:
            return None
        kept.update(zip(keys, Q.T))
        # gross output of the outside goods' marginal techniques, and the goods'
        # shortfalls (what a technique of their own would have to make): q = Q @ (1, s, x)
        unit_cost = cost[base.marginal] / e.gain[base.marginal]
        unit_cost[goods] = 0.0
        spend = unit_cost @ Q                       # composite resource per (1, s, x)
        spend[2:] += cost[techniques]
        fixed = float(cost @ cap_level)
        short = Q[goods]                            # <= 0: the goods are covered
        ncol = 1 + len(techniques)
        A = sp.csc_matrix(np.vstack([short[:, 1:], spend[None, 1:]]))
        upper = np.r_[-short[:, 0], float(weights @ e.supply) - fixed - spend[0]]
        local = LinearProgram(
            "maximize", np.r_[1.0, np.zeros(len(techniques))], A,
            np.full(len(goods) + 1, -np.inf), upper, np.zeros(ncol),
            np.r_[np.inf, e.cap[techniques]],
            pd.DataFrame({"kind": ["good"] * len(goods) + ["resource"],
                          "id": [str(g) for g in goods] + ["resource"]}),
            pd.DataFrame({"kind": ["sets"] + ["process"] * len(techniques),
                          "id": ["sets"] + [str(j) for j in techniques]}))
        session = HighsSession(local, budget=budget)
        session.tighten_tolerances(1e3)         # tiny and dense: solved to 1e-10
        found = session.solve(budget)
        session.close()
        if found.status is not Status.OPTIMAL:
            log.debug("merit: the cycle's program is %s", found.status)
            return None
        status = np.asarray(found.col_basis[1:], dtype=object)
        basic = techniques[status == "basic"]
        full = base.full.copy()
        full[techniques[status == "upper"]] = True
        # per good: its first basic technique is its marginal; a good with none is
        # pinned at its capacities; every further basic technique is a second one
        marginal = base.marginal.copy()
        owner = e.out[basic]
        order = np.argsort(owner, kind="stable")
        basic, owner = basic[order], owner[order]
        first = np.r_[True, owner[1:] != owner[:-1]] if owner.size else owner.astype(bool)
        marginal[owner[first]] = basic[first]
        pinned = np.setdiff1d(goods, owner)
        split = basic[~first]
        if pinned.size != split.size:
            log.debug("merit: the cycle's basis pins %d goods with %d second techniques: "
                      "read from its levels and prices", pinned.size, split.size)
            return self._from_local(weights, cost, base, system, Q, goods, techniques,
                                    found)
        state = _State(marginal, full, pinned, split)
        try:
            ev = self._evaluate(weights, cost, state, v, None)
        except (_Refused, np.linalg.LinAlgError) as why:
            log.debug("merit: the cycle's state cannot be evaluated (%s)", why)
            return None
        return state, ev

    def _from_local(self, weights: np.ndarray, cost: np.ndarray, base: _State,
                    system: LeontiefSystem, Q: np.ndarray, goods: np.ndarray,
                    techniques: np.ndarray, found: LpSolution
                    ) -> tuple[_State, _Evaluation] | None:
        """The state of a cycle's small program at a degenerate optimum, read from its
        levels and prices rather than its basis: the cycle's goods keep the values its
        prices give them (per unit of the composite resource), the rest of the economy
        the values that follow from them by one sparse solve per cycle good; the
        techniques of the cycle's goods run at the program's levels. Kept when it meets
        every optimality condition."""
        e = self.eco
        mu = float(found.row_dual[-1])           # sets per unit of the resource
        if not mu > 0:
            return None
        theta = found.row_dual[:-1] / mu         # the cycle's goods, in the resource
        sets, x = float(found.x[0]), found.x[1:]
        rhs = cost[base.marginal] / e.gain[base.marginal]
        rhs[goods] = 0.0
        units = np.zeros((e.n, len(goods)))
        units[goods, np.arange(len(goods))] = 1.0
        try:
            v = system.solve(np.column_stack([rhs, units]), transposed=True)
        except NotProductive:
            return None
        v = v[:, 0] + v[:, 1:] @ theta
        q = Q @ np.r_[1.0, sets, x]
        level = np.where(base.full, e.cap, 0.0)
        owned = np.ones(e.n, dtype=bool)
        owned[goods] = False
        level[base.marginal[owned]] = q[owned] / e.gain[base.marginal[owned]]
        level[techniques] = x
        tol = 1e-9 * np.maximum(np.abs(x), 1.0)
        capped = np.isfinite(e.cap[techniques])
        full = base.full.copy()
        at_cap = capped & (x >= e.cap[techniques] - tol)
        full[techniques[at_cap]] = True
        split = techniques[~at_cap & (x > tol)]
        state = _State(base.marginal, full, goods, split, exact=False)
        unit = (cost + e.inputs_t @ v) / e.gain
        output = np.bincount(e.out, weights=e.gain * level, minlength=e.n)
        return state, _Evaluation(v, unit, sets, level, output, q, 2 + len(goods))

    def _optimal(self, state: _State, ev: _Evaluation) -> bool:
        """Every level within its bounds and every technique priced as its status says."""
        return self._violations(state, ev).size == 0

    def _violations(self, state: _State, ev: _Evaluation) -> np.ndarray:
        """The goods where ``state`` fails an optimality condition: a technique priced
        against its status, a level outside its bounds."""
        e = self.eco
        scale = np.maximum(np.abs(ev.unit), np.abs(ev.values[e.out]))
        # a state read off the cycle's small program carries that program's accuracy
        # (its prices to about 1e-8 relative); the certificate judges the answer anyway
        tol = (_EXACT if state.exact else _READ) * np.maximum(scale, 1e-300)
        gap = ev.values[e.out] - ev.unit                 # > 0: cheaper than the good's value
        basic = np.zeros(len(gap), dtype=bool)
        owned = np.ones(e.n, dtype=bool)
        owned[state.pinned] = False
        basic[state.marginal[owned]] = True
        basic[state.split] = True
        lower = ~basic & ~state.full
        level_tol = 1e-9 * np.maximum(np.max(np.abs(ev.level), initial=0.0), 1e-300)
        wrong = ((lower & (gap > tol)) | (state.full & (gap < -tol))
                 | (basic & (np.abs(gap) > tol)) | (ev.level < -level_tol)
                 | (ev.level > np.where(np.isfinite(e.cap), e.cap * (1 + 1e-9) + level_tol,
                                        np.inf)))
        return np.unique(e.out[wrong])

    def _dispatch(self, unit: np.ndarray, output: np.ndarray, marginal: np.ndarray,
                  full: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per good, its techniques in order of unit cost; those whose capacities the
        good's gross output exceeds run full, the next is marginal. Goods without a
        capacity need no order, only their cheapest technique."""
        e = self.eco
        keep = np.zeros(len(unit), dtype=bool)
        keep[marginal] = True
        keep |= full
        # ties go to the techniques already running, so that a tie cannot cycle
        key = unit - _TIE * np.abs(unit) * keep
        new_marginal = np.empty(e.n, dtype=np.int64)
        new_full = np.zeros(len(unit), dtype=bool)
        free = self.free_techs
        if free.size:
            k = key[free]
            low = np.minimum.reduceat(k, self.free_starts)
            at_min = np.flatnonzero(k <= low[self.free_group])
            first = at_min[np.r_[True, self.free_group[at_min][1:]
                                 != self.free_group[at_min][:-1]]]
            new_marginal[self.free_goods] = free[first]
        sub = self.sub_techs
        if sub.size:
            tech = sub[np.lexsort((key[sub], e.out[sub]))]
            group = self.sub_index[e.out[tech]]          # sorted: 0, 0, 0, 1, 1, ...
            capout = self.cap_out[tech]
            finite = np.where(np.isfinite(capout), capout, 0.0)
            cum = np.cumsum(finite)
            within = cum - np.r_[0.0, cum][self.sub_starts][group]
            infinite = np.cumsum(~np.isfinite(capout))
            unlimited = infinite - np.r_[0, infinite][self.sub_starts][group] > 0
            within = np.where(unlimited, np.inf, within)
            reaches = np.flatnonzero(within >= output[e.out[tech]] * (1 - 1e-13))
            first_pos = np.full(len(self.sub_goods), -1)
            if reaches.size:
                hit = np.r_[True, group[reaches][1:] != group[reaches][:-1]]
                first_pos[group[reaches[hit]]] = reaches[hit]
            if np.any(first_pos < 0):
                short = int(np.sum(first_pos < 0))
                self.tried[tech[first_pos[group] < 0]] = True   # every one runs full
                raise _Refused(f"the capacities of {short:,} goods cannot meet their gross "
                               "output (capacity, not a resource, limits the plan)")
            new_marginal[self.sub_goods] = tech[first_pos]
            new_full[tech] = np.arange(len(tech)) < first_pos[group]
        return new_marginal, new_full


# -- two resources: their relative worth ------------------------------------------------------
def _weights(eco: _Economy, t: float) -> np.ndarray:
    """Weights at ``t`` in [0, 1]: each resource per unit of its supply, mixed by ``t``."""
    if len(eco.supply) == 1:
        return np.array([1.0 / eco.supply[0]])
    return np.array([(1.0 - t) / eco.supply[0], t / eco.supply[1]])


def _search(merit: _Merit, budget: Budget) -> tuple[_Point, _Point, float, int]:
    """The two weighings whose plans, mixed, fit both supplies with a bound as close as
    asked; with the share of the first in the mix and the number of weighings.

    Raising the second resource's weight never makes the plan use more of it, so the
    imbalance ``uses_1 / supply_1 - uses_2 / supply_2`` only grows with ``t``: the
    bracket keeps one end that overuses the second resource and one that overuses the
    first.
    It stops when the mix of the two ends is within ``_GAP`` of the lower of their bounds.
    """
    eco = merit.eco
    marginal, full, v = merit.start(_weights(eco, 0.5 if len(eco.supply) > 1 else 0.0))
    memo: dict[float, _Point] = {}

    q = None

    def at(t: float) -> _Point:
        nonlocal marginal, full, v, q
        if t not in memo:
            if memo:                       # warm from the nearest weighing already done
                near = memo[min(memo, key=lambda u: abs(u - t))]
                marginal, full, v, q = near.marginal, near.full, near.values, near.q
            began = time.perf_counter()
            memo[t] = merit.solve(_weights(eco, t), marginal, full, v, budget, q)
            log.debug("merit: weighing t=%.15g: %d rounds, %d solves, %.2fs, sets %.12g, "
                      "uses/supply %s", t, memo[t].rounds, memo[t].solves,
                      time.perf_counter() - began, memo[t].sets, memo[t].uses / eco.supply)
        return memo[t]

    def imbalance(point: _Point) -> float:
        share = point.uses / eco.supply
        return float(share[0] - share[1])

    if len(eco.supply) == 1:
        point = at(0.0)
        return point, point, 1.0, 1
    lo, hi = 0.0, 1.0
    if imbalance(at(lo)) >= 0:             # the second resource is left over
        return at(lo), at(lo), 1.0, len(memo)
    if imbalance(at(hi)) <= 0:             # the first is left over
        return at(hi), at(hi), 1.0, len(memo)

    best: list[tuple[_Point, _Point, float]] = []

    def close(one: _Point, two: _Point) -> float | None:
        """The share of ``one`` when the mix of the two is as good as their bound."""
        theta = _mix(eco, one, two)
        if theta is None:
            return None
        sets = theta * one.sets + (1 - theta) * two.sets
        if not best or sets > _mixed_sets(*best[0]):
            best[:] = [(one, two, theta)]
        bound = min(one.bound, two.bound)
        return theta if bound - sets <= _GAP * abs(bound) else None

    try:
        return _narrow(merit, at, imbalance, close, lo, hi, memo)
    except TimeoutError:
        raise _OutOfTime(best[0] if best else None) from None


def _mixed_sets(one: _Point, two: _Point, theta: float) -> float:
    return theta * one.sets + (1 - theta) * two.sets


def _narrow(merit: _Merit, at: Any, imbalance: Any, close: Any, lo: float, hi: float,
            memo: dict[float, _Point]) -> tuple[_Point, _Point, float, int]:
    """Narrow the bracket ``[lo, hi]`` until the mix of its ends is the optimum."""
    eco = merit.eco
    for step in range(_SEARCH_STEPS):
        one, two = at(lo), at(hi)
        theta = close(one, two)
        if theta is not None:
            return one, two, theta, len(memo)
        t = _crossing(merit, one, two, lo, hi) if step % 3 != 2 else None
        if t is not None:
            # both ends' choices at the weighing where their bounds cross: when both are
            # optimal there, their mix is the optimum
            a = merit.at_state(_weights(eco, t), one)
            b = merit.at_state(_weights(eco, t), two) if a is not None else None
            if a is not None and b is not None:
                theta = close(a, b)
                if theta is not None:
                    return a, b, theta, len(memo)
        else:
            t = 0.5 * (lo + hi)
        if not lo < t < hi:
            break
        if imbalance(at(t)) <= 0:
            lo = t
        else:
            hi = t
    one, two = at(lo), at(hi)
    theta = _mix(eco, one, two)
    if theta is None:
        raise _Refused("no mix of the search's two ends fits the supplies")
    return one, two, theta, len(memo)


def _crossing(merit: _Merit, one: _Point, two: _Point, lo: float, hi: float
              ) -> float | None:
    """The weighing in (lo, hi) where the bounds of the two ends' choices are equal (each
    a ratio of linear functions of ``t``); None when there is none inside."""
    eco = merit.eco
    first, second = merit.fraction(one), merit.fraction(two)
    if first is None or second is None:
        return None
    a1, b1 = first
    a2, b2 = second
    r = eco.supply
    # w(t) = ((1 - t) / r0, t / r1): w @ a = A0 + t A1
    A0, A1 = a1[0] / r[0], a1[1] / r[1] - a1[0] / r[0]
    B0, B1 = b1[0] / r[0], b1[1] / r[1] - b1[0] / r[0]
    C0, C1 = a2[0] / r[0], a2[1] / r[1] - a2[0] / r[0]
    D0, D1 = b2[0] / r[0], b2[1] / r[1] - b2[0] / r[0]
    # (A0 + t A1)(D0 + t D1) = (C0 + t C1)(B0 + t B1)
    quadratic = A1 * D1 - C1 * B1
    linear = A0 * D1 + A1 * D0 - C0 * B1 - C1 * B0
    constant = A0 * D0 - C0 * B0
    roots = np.roots([quadratic, linear, constant]) if abs(quadratic) > 0 else (
        np.array([-constant / linear]) if linear != 0 else np.zeros(0))
    inside = [float(t.real) for t in np.atleast_1d(roots)
              if abs(t.imag) <= 1e-12 * max(abs(t.real), 1.0) and lo < t.real < hi]
    if len(inside) != 1:
        return None
    return inside[0]


def _mix(eco: _Economy, one: _Point, two: _Point) -> float | None:
    """The share of ``one`` in the mix with ``two`` of most sets that fits the supplies;
    None when no mix fits.

    Two plans found at slightly different weights may each fit the other's supplies
    only nearly: then the share that overdraws both resources least is taken when the
    overdraft is within ``_OVERDRAW`` of the supply (far inside the certificate's 1e-6)."""
    lo, hi = 0.0, 1.0
    lines = []                               # overdraft of resource k: p + q * theta
    for k in range(len(eco.supply)):
        a, b = one.uses[k], two.uses[k]      # theta * a + (1 - theta) * b <= supply
        r = eco.supply[k]
        lines.append(((b - r) / r, (a - b) / r))
        if abs(a - b) <= 1e-15 * r:
            if b > r * (1 + _OVERDRAW):
                return None
            continue
        edge = (r - b) / (a - b)
        if a > b:
            hi = min(hi, edge)
        else:
            lo = max(lo, edge)
    if lo <= hi:
        theta = hi if one.sets >= two.sets else lo
        return float(np.clip(theta, 0.0, 1.0))
    if len(lines) != 2 or lines[0][1] == lines[1][1]:
        return None
    (p0, q0), (p1, q1) = lines               # the share where both overdraw alike
    theta = float(np.clip((p1 - p0) / (q0 - q1), 0.0, 1.0))
    if max(p0 + q0 * theta, p1 + q1 * theta) > _OVERDRAW:
        return None
    return theta


# -- the answer in the program's terms --------------------------------------------------------
def _choice_basis(lp: LinearProgram, eco: _Economy, weights: np.ndarray,
                  marginal: np.ndarray, full: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A basis of the full program from a choice of techniques: the marginal ones and
    the number of sets basic, those at capacity at their bound; each good's binding row
    (its assortment row in the basket, else its balance) and the resource of the larger
    weight at theirs, every other row's slack basic. The counts agree, so HiGHS takes
    it and its simplex starts from the choice (a crash start, not an optimum)."""
    m, ncol = lp.shape
    col_basis = np.full(ncol, "lower", dtype=object)
    col_basis[eco.cols[full]] = "upper"
    col_basis[eco.cols[marginal]] = "basic"
    col_basis[eco.sets_col] = "basic"
    row_basis = np.full(m, "basic", dtype=object)
    in_basket = eco.count > 0
    row_basis[eco.made[~in_basket]] = "lower"
    row_basis[eco.assort] = "lower"
    row_basis[eco.resource_rows[int(np.argmax(weights * eco.supply))]] = "lower"
    return col_basis, row_basis


def _solution(lp: LinearProgram, eco: _Economy, point: _Point, level: np.ndarray,
              sets: float, started: float, status: Status = Status.OPTIMAL) -> LpSolution:
    m, ncol = lp.shape
    x = np.zeros(ncol)
    x[eco.cols] = level
    x[eco.sets_col] = sets
    activity = lp.matrix @ x
    v = point.values
    scale = 1.0 / float(v @ eco.count)             # improvement per unit of value
    price = scale * v
    dual = np.zeros(m)
    in_basket = eco.count > 0
    dual[eco.made[~in_basket]] = -price[~in_basket]
    dual[eco.assort] = -price[eco.assort_made]
    dual[eco.resource_rows] = -scale * point.weights
    col_basis = np.full(ncol, "lower", dtype=object)
    tol = 1e-12
    running = level > tol * np.maximum(np.max(level, initial=0.0), 1e-300)
    at_cap = np.isfinite(eco.cap) & (level >= eco.cap * (1 - 1e-12)) & running
    basis = np.where(at_cap, "upper", np.where(running, "basic", "lower"))
    col_basis[eco.cols] = basis
    col_basis[eco.sets_col] = "basic"
    row_basis = np.full(m, "basic", dtype=object)
    row_basis[eco.made[~in_basket]] = "lower"
    row_basis[eco.assort] = "lower"
    binding = eco.resource_rows[point.weights > 0]
    row_basis[binding] = "lower"
    objective = float(lp.objective @ x) + lp.constant
    return LpSolution(status, objective=objective, x=x, row_activity=activity,
                      row_dual=dual + 0.0, row_basis=row_basis, col_basis=col_basis,
                      seconds=time.perf_counter() - started, iterations=point.rounds,
                      message="merit order")


class Merit:
    """The merit order behind the chain's protocol (`lp.methods.Method`).

    Parameters
    ----------
    min_rows : int
        ``auto`` uses it from this many rows (`MERIT_FROM_ROWS`); asked for, at any size.
    """

    name = "merit"

    def __init__(self, min_rows: int = MERIT_FROM_ROWS) -> None:
        self.min_rows = min_rows

    def qualifies(self, lp: LinearProgram, asked: bool = False) -> Verdict:
        try:
            eco = _read(lp)
        except _Refused as why:
            return Verdict(False, str(why))
        if not asked and lp.shape[0] < self.min_rows:
            return Verdict(False, f"{count_of(lp.shape[0], 'row')}: below "
                           f"{self.min_rows:,} HiGHS "
                           "solves a plan with capacities or two resources as fast")
        k = len(eco.supply)
        return Verdict(True, f"capacities and {k} primary resource{'s' if k > 1 else ''}, "
                       "no joint production or rules")

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        """The candidate optimum (not yet certified); when the merit order does not
        settle, no solution but the techniques it tried, for the next method to start
        from."""
        started = time.perf_counter()
        try:
            eco = _read(lp)
        except _Refused as why:
            return Candidate(None, str(why))
        merit = _Merit(eco)
        try:
            one, two, theta, points = _search(merit, budget)
        except _Refused as why:
            return Candidate(None, str(why), start=merit.handed_on(lp))
        except (TimeoutError, _OutOfTime) as out:
            return _out_of_time(lp, eco, merit, getattr(out, "best", None), started)
        if one is two:
            level, sets, point = one.level, one.sets, one
        else:
            level = theta * one.level + (1 - theta) * two.level
            sets = theta * one.sets + (1 - theta) * two.sets
            point = one if one.bound <= two.bound else two
        solution = _solution(lp, eco, point, level, sets, started)
        capped = int(np.sum(np.isfinite(eco.cap)))
        full = int(np.sum(point.full))
        k = len(eco.supply)
        what = (f"{capped:,} capacities" if capped else "no capacities") + (
            f" and {k} primary resources" if k > 1 else " and one primary resource")
        reason = (f"{what}, no joint production or rules: techniques run in merit order "
                  f"at the plan's values ({full:,} at capacity)")
        if k > 1:
            reason += (f"; the resources' relative worth by a search over {points} "
                       "weighings (where the bounds of two choices cross, with "
                       "bisection), the answer a mix of two choices that fits both "
                       "supplies")
        log.debug("merit: %s in %.3fs", reason, time.perf_counter() - started)
        running = eco.cols[level > 0]
        return Candidate(solution, reason, bound=point.bound,
                         start=merit.handed_on(lp, running),
                         detail={"rounds": point.rounds, "solves": point.solves,
                                 "weighings": points, "values": point.values,
                                 "made": eco.made, "techniques": eco.cols[point.marginal]})


def _out_of_time(lp: LinearProgram, eco: _Economy, merit: _Merit,
                 best: tuple[_Point, _Point, float] | None, started: float) -> Candidate:
    """The best mix found when the budget ran out, never called optimal."""
    if best is None:
        return Candidate(LpSolution(Status.TIME_LIMIT, message="the time budget was spent"),
                         "the time budget ran out", start=merit.handed_on(lp))
    one, two, theta = best
    point = one if one.bound <= two.bound else two
    sets = _mixed_sets(one, two, theta)
    solution = _solution(lp, eco, point, theta * one.level + (1 - theta) * two.level,
                         sets, started, Status.TIME_LIMIT)
    gap = (point.bound - sets) / abs(point.bound)
    return Candidate(solution, f"the time budget ran out during the search over the "
                     f"resources' worth: the best plan found makes {sets:.9g} sets against "
                     f"a bound of {point.bound:.9g} from its prices, a gap of {gap:.1g} "
                     "(relative)", bound=point.bound, start=merit.handed_on(lp))


def solve_by_merit(lp: LinearProgram, *, budget: Budget | float | None = None,
                   min_rows: int = MERIT_FROM_ROWS) -> Candidate:
    """`Merit` on ``lp`` as ``auto`` would use it: refused below ``min_rows`` rows.

    Parameters
    ----------
    lp : LinearProgram
        A compiled plan maximising the sets of a basket.
    budget : Budget or float, optional
        Time allowance; when it runs out the solution's status is ``time_limit``.
    min_rows : int
        Smaller programs are refused (HiGHS solves them as fast, with a basis).

    Returns
    -------
    Candidate
        The candidate optimum (not yet certified) or the reason there is none.
    """
    method = Merit(min_rows)
    verdict = method.qualifies(lp)
    if not verdict:
        return Candidate(None, verdict.reason)
    return method.solve(lp, Budget.of(budget))
