"""``prices``: decentralised planning by prices (Dantzig-Wolfe decomposition, Malinvaud).

Price-directive: the centre never sees a technology and never hands out quantities to
obey until the end. Each round it posts prices: the shadow prices of goods and rules in
its master program, and each unit's own price of its convexity row (what the centre
already gets from that unit's proposals). Each unit answers with its best plan at those
prices (every process at its reported capacity where its reduced profit is positive,
else at its minimum: the unit's own program, which has no internal goods here) as one
proposal: the goods it would take and give, its part of each rule, and its value. The
master (a linear program of the proposals, one column each, solved by HiGHS through the
project's LP layer and warm-started as columns arrive) chooses a convex mix of each
unit's proposals. When no unit's best answer improves on its convexity price by more
than ``tolerance`` (relative to the objective) the master's optimum is the optimum of
the reported plan (Dantzig, G. B. and Wolfe, P. (1960) "Decomposition principle for
linear programs", Operations Research 8(1): 101-111; Malinvaud, E. (1967)
"Decentralized procedures for planning", in Malinvaud and Bacharach (eds.) Activity
Analysis in the Theory of Growth and Planning). Its quantity-directive counterpart is
``kornai-liptak``.

The first round starts from each unit's minimum and full-capacity proposals. Where their
mixes cannot meet the demands and rules, the master first minimises how far it misses
them (artificial columns; phase one of the simplex method, Dantzig 1963) and the units
answer at *those* prices until the mix is feasible; then it maximises the objective.
Where the reports allow no feasible plan at all, the centre plans as ``central`` does:
without the rules and demands (measure ``infeasible`` = 1).

Counted per period: rounds (master solves) and numbers sent: prices of the goods and
rules a unit touches and its convexity price each round, each proposal's nonzero
quantities and its value, and the final weights. Rules over ``level(process)`` are
refused (they name what only the unit sees); every process needs a finite capacity.
Units are paid a share of profit at the final prices. Decomposition pays where units
have many private techniques and share few goods: on `experiments/worlds/workshops.yaml`
(8 units of 40 to 60 techniques) 15 rounds and 1,493 numbers against 1,950 for full
technology reports; with a few techniques a unit, or one (Leningrad: 1 round, 71
against 21; the US 2017 table: 1 round, 19,793 against 5,179), it sends more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime
from kantorovich.lp.program import LinearProgram

if TYPE_CHECKING:
    from kantorovich.lab.world import World

__all__ = ["Decomposed", "PricesRegime", "decompose", "without_rules_and_demands"]

_INF = np.inf


class PricesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tolerance: float = Field(1e-7, gt=0, lt=1)
    max_rounds: int = Field(50, ge=1, le=10_000)
    profit_share: float = Field(0.5, ge=0, le=1)


@dataclass
class Decomposed:
    """How one period's decomposition went: the levels it plans, rounds, numbers sent,
    whether no unit could improve (``converged``) and whether the master found a mix
    meeting every demand and rule (``feasible``)."""

    levels: np.ndarray
    rounds: int
    messages: int
    converged: bool
    feasible: bool


def without_rules_and_demands(lp: LinearProgram, demand: np.ndarray) -> LinearProgram:
    """``lp`` (a world's compiled program) with its political rules dropped and its
    demands set to zero: what a centre plans when the reports cannot meet them."""
    lo, up = lp.row_lower.copy(), lp.row_upper.copy()
    policy = lp.row_positions("policy")
    lo[policy], up[policy] = -_INF, _INF
    goods = lp.row_positions("good")
    lo[goods] = lo[goods] - np.clip(demand, 0, None)
    return LinearProgram(lp.sense, lp.objective, lp.matrix, lo, up, lp.col_lower,
                         lp.col_upper, lp.rows, lp.cols, lp.constant)


def _labels(kind: str, n: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"kind": np.full(n, kind, dtype=object),
                         "id": np.arange(start, start + n).astype(str).astype(object)})


def decompose(lp: LinearProgram, unit: np.ndarray, n_units: int, low: np.ndarray,
              high: np.ndarray, *, tolerance: float = 1e-7, max_rounds: int = 50
              ) -> Decomposed:
    """Dantzig-Wolfe decomposition of ``lp`` (a world's compiled program) whose process
    columns belong to ``unit`` and lie in [``low``, ``high``]; see the module docstring."""
    from kantorovich.lp.highs import HighsSession

    A = lp.matrix.tocsc()
    procs = lp.col_positions("process")
    others = np.setdiff1d(np.arange(A.shape[1]), procs)
    AP, AC = A[:, procs].tocsc(), A[:, others].tocsc()
    m, n, U, C = A.shape[0], len(procs), int(n_units), len(others)
    unit = np.asarray(unit, dtype=np.int64)
    c = lp.improves * lp.objective[procs]
    lo, up = lp.row_lower, lp.row_upper
    owner = sp.csr_matrix((np.ones(n), (unit, np.arange(n))), shape=(U, n))
    rows_per_unit = np.asarray(((owner @ abs(AP).T) > 0).sum(axis=1)).ravel()
    # artificial columns: +1 where a row's lower bound may be missed, -1 its upper
    miss_lo, miss_up = np.flatnonzero(np.isfinite(lo)), np.flatnonzero(np.isfinite(up))
    n_art = len(miss_lo) + len(miss_up)
    art = sp.csc_matrix((np.concatenate([np.ones(len(miss_lo)), -np.ones(len(miss_up))]),
                         (np.concatenate([miss_lo, miss_up]), np.arange(n_art))),
                        shape=(m + U, n_art))
    centre = sp.vstack([AC, sp.csc_matrix((U, C))]).tocsc()
    master = LinearProgram(
        sense="maximize", objective=np.concatenate([np.zeros(C), -np.ones(n_art)]),
        matrix=sp.hstack([centre, art], format="csc"),
        row_lower=np.concatenate([lo, np.ones(U)]),
        row_upper=np.concatenate([up, np.ones(U)]),
        col_lower=np.concatenate([lp.col_lower[others], np.zeros(n_art)]),
        col_upper=np.concatenate([lp.col_upper[others], np.full(n_art, _INF)]),
        rows=_labels("row", m + U), cols=_labels("centre", C + n_art))
    session = HighsSession(master)
    first = C + n_art                         # the proposals' columns start here
    arts = C + np.arange(n_art)
    owners: list[np.ndarray] = []
    plans: list[sp.csc_matrix] = []
    phase_one = True

    def propose(who: np.ndarray, X: sp.csc_matrix) -> int:
        """Add the units' proposals (columns of ``X``, one per unit in ``who``) to the
        master; returns the numbers they send (nonzero quantities and a value each)."""
        quantities = (AP @ X).tocsc()
        convexity = sp.csc_matrix((np.ones(len(who)), (m + who, np.arange(len(who)))),
                                  shape=(m + U, len(who)))
        column = sp.vstack([quantities, sp.csc_matrix((U, len(who)))]).tocsc() + convexity
        column.eliminate_zeros()
        worth = np.asarray(X.T @ c).ravel()
        start = session.lp.shape[1]
        session.add_columns(column, np.zeros(len(who)) if phase_one else worth,
                            np.zeros(len(who)), np.full(len(who), _INF),
                            _labels("proposal", len(who), start))
        owners.append(who)
        plans.append(X)
        return int(quantities.getnnz() + len(who))

    def vertex(who: np.ndarray, levels: np.ndarray) -> sp.csc_matrix:
        """One column per unit in ``who``: its processes at ``levels``, others 0."""
        at = np.full(U, -1)
        at[who] = np.arange(len(who))
        mine = np.flatnonzero(at[unit] >= 0)
        X = sp.csc_matrix((levels[mine], (mine, at[unit[mine]])), shape=(n, len(who)))
        X.eliminate_zeros()
        return X

    everyone = np.arange(U)
    messages = propose(everyone, vertex(everyone, low))
    messages += propose(everyone, vertex(everyone, high))
    rounds = 0
    converged = feasible = False
    sol = None
    while rounds < max_rounds:
        sol = session.solve()
        if not sol.status.has_solution:
            break
        y, sigma = sol.row_dual[:m], sol.row_dual[m:]
        scale = max(1.0, abs(float(sol.objective)))
        if phase_one and -float(sol.objective) <= 1e-9 * (
                1.0 + np.abs(np.nan_to_num(np.concatenate([lo, up]), posinf=0,
                                           neginf=0)).sum()):
            # the mix meets every demand and rule: now the objective
            phase_one = False
            session.set_cols_bounds(arts, np.zeros(n_art), np.zeros(n_art))
            costs = np.concatenate([np.asarray(X.T @ c).ravel() for X in plans])
            session.set_costs(np.concatenate([np.arange(C), first + np.arange(len(costs))]),
                              np.concatenate([lp.improves * lp.objective[others], costs]))
            session.set_costs(arts, np.zeros(n_art))
            continue
        rounds += 1
        messages += int(rows_per_unit.sum()) + U          # the prices posted
        reduced = (np.zeros(n) if phase_one else c) - AP.T @ y
        best = np.where(reduced > 0, high, low)
        value = np.bincount(unit, weights=reduced * best, minlength=U)
        better = np.flatnonzero(value - sigma > tolerance * scale)
        if not len(better):
            converged = not phase_one
            break
        messages += propose(better, vertex(better, best))
    feasible = sol is not None and sol.status.has_solution and not phase_one
    if rounds >= max_rounds and feasible and not converged:
        sol = session.solve()       # the master with the last proposals
        feasible = sol.status.has_solution
    if not feasible or sol is None:     # (a feasible master always has a solution)
        return Decomposed(np.zeros(n), rounds, messages, False, False)
    weights = sol.x[first:]
    levels = sp.hstack(plans).tocsr() @ weights
    messages += len(weights)                                  # the final weights
    return Decomposed(np.clip(levels, low, high), rounds, messages, converged, True)


class PricesRegime(Regime[PricesSettings]):
    """Price-guided planning by decomposition; see the module docstring."""

    type = "prices"
    Settings = PricesSettings

    def __init__(self, name: str, settings: PricesSettings, world: World) -> None:
        super().__init__(name, settings, world)
        plan = world.plan
        bad = [p.id for p in plan.policies
               if any(term.kind == "level" for term, _ in p.rule.terms)]
        if bad:
            raise PlanError([Problem(
                f"the prices regime cannot price rule '{bad[0]}': it names process "
                "levels, which the centre does not see", f"regimes.{name}",
                hint="write the rule over input(...)/output(...) of units or regions")])
        self.require_finite_capacities("a unit's best answer at prices would be "
                                       "unbounded")

    def rules(self) -> UnitRules:
        return UnitRules(share=self.settings.profit_share)

    def plan(self, view: CentreView) -> Planned:
        s = self.settings
        low = self.world.plan.processes["min_level"].to_numpy(float)
        high = np.maximum(view.reported_capacity, low)
        lp = self.world.evaluation(view.unit_yield).lp
        done = decompose(lp, view.process_unit, view.n_units, low, high,
                         tolerance=s.tolerance, max_rounds=s.max_rounds)
        rounds, messages = done.rounds, done.messages
        if not done.feasible:          # the reports cannot meet the rules and demands
            relaxed = decompose(without_rules_and_demands(lp, self.world.demand),
                                view.process_unit, view.n_units, low, high,
                                tolerance=s.tolerance, max_rounds=s.max_rounds)
            rounds, messages = rounds + relaxed.rounds, messages + relaxed.messages
            done = Decomposed(relaxed.levels, rounds, messages, relaxed.converged, False)
        return Planned(np.clip(done.levels, 0, None), rounds=rounds, messages=messages,
                       measures={"converged": float(done.converged),
                                 "infeasible": float(not done.feasible)})
