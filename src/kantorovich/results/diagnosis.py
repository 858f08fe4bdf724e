"""Why a plan has no optimum, said in the plan's own words.

An infeasible plan gets two answers, because planners ask two questions:

* *what contradicts what?* An irreducible conflicting set of statements (supplies,
  demands, policies, capacities, minimum levels): drop any one and that contradiction
  goes. It comes from HiGHS's IIS; without one, from an elastic and a deletion filter.
* *what is the least I must give up?* The smallest weighted relaxation, found by an
  elastic program, applied to the plan and re-solved to check that it really is feasible.

An unbounded plan gets the processes that can grow without limit, from HiGHS's primal
ray (or, failing that, from re-solving with every unlimited level capped). Every
statement is named by its plan id and name, and every number carries its unit; solver
rows and columns never reach the text.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.numbers import fmt
from kantorovich.serialise import plain
from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan, Policy

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["Diagnosis", "diagnose"]

log = logging.getLogger(__name__)

#: Slack values at or below ``_ZERO * (1 + |bound|)`` are solver noise, not relaxations.
_ZERO = 1e-9
#: The deletion-filter fallback stops growing its candidate set beyond this many statements.
_MAX_FILTER = 200
#: The elastic objective is scaled by at most this factor (see `_elastic`).
_MAX_SCALE = 1e9
#: The summary lists at most this many items per section (the lists themselves are whole).
_MAX_LISTED = 25
#: Slack values this far (relative) past a relaxed bound fail the feasibility check.
_FEASIBLE = 1e-6
#: Elastic programs with this many nonzeros or more are solved by interior point: from
#: scratch, at 10^5 processes, 16 iterations and 2 s against 11,000 simplex ones and 11 s.
_INTERIOR_FROM = 200_000
#: Seconds an optional step (conflict search, relaxed optimum) may take at least.
_MIN_ALLOWANCE = 1.0


# -- the result ---------------------------------------------------------------------------
@dataclass
class Diagnosis:
    """Why a plan has no optimum: the conflict, the least relaxation, or the runaway
    processes, each item a plain dict keyed by plan ids with its numbers and units.

    ``kind`` is ``"optimal"``, ``"infeasible"``, ``"unbounded"`` or ``"stopped"`` (a limit
    or a solver error). ``verified`` says whether the plan with ``relaxation`` applied was
    re-solved and found feasible (None when there is nothing to verify).
    ``irreducible`` says whether ``conflict`` is minimal (dropping any member removes it).
    ``weighted_relaxation`` is the elastic program's optimum: the sum of each change
    divided by (1 + the size of the statement changed), a unit-free "fraction given up".
    ``unexamined`` names what the time allowed did not settle: ``"relaxation"``,
    ``"conflict"`` (none isolated, or not shown irreducible), ``"relaxed_objective"``.
    """

    status: Status
    kind: str
    plan: str
    conflict: list[dict[str, Any]] = field(default_factory=list)
    relaxation: list[dict[str, Any]] = field(default_factory=list)
    unbounded: list[dict[str, Any]] = field(default_factory=list)
    verified: bool | None = None
    irreducible: bool | None = None
    conflict_source: str | None = None
    relaxed_objective: float | None = None
    weighted_relaxation: float | None = None
    objective_unit: str = ""
    unexamined: list[str] = field(default_factory=list)
    message: str = ""

    def summary(self) -> str:
        """Plain-language text for a planner: what conflicts, what would fix it."""
        lines = [self.message]
        if self.kind == "infeasible":
            if self.conflict:
                head = ("These statements conflict (drop any one and this conflict goes):"
                        if self.irreducible else "These statements conflict:")
                lines += ["", head, *_bullets(_conflict_texts(self.conflict))]
            else:
                lines += ["", "No conflicting set of statements could be isolated."]
            if self.relaxation:
                lines += ["", "The smallest change that makes it feasible (each change "
                          "weighted by 1/(1 + the size of the statement it changes)):",
                          *_bullets([r["text"] for r in self.relaxation])]
                if self.verified:
                    tail = "Checked: the plan with this change is feasible"
                    if self.relaxed_objective is not None:
                        tail += (", with objective "
                                 f"{_amount(self.relaxed_objective, self.objective_unit)}")
                    lines += ["", tail + "."]
                    if "relaxed_objective" in self.unexamined:
                        lines += ["The best objective of the changed plan was not computed "
                                  "in the time allowed."]
                elif self.verified is False:
                    lines += ["", "Warning: the plan with this change was re-solved and is "
                              "still not feasible; treat the change as a guide only."]
            elif "relaxation" in self.unexamined:
                lines += ["", "The smallest change that makes it feasible was not found in "
                          "the time allowed."]
            else:
                lines += ["", "No relaxation of supplies, demands, policies, capacities "
                          "or minimum levels was found."]
        elif self.kind == "unbounded":
            if self.unbounded:
                lines += ["", *_bullets([u["text"] for u in self.unbounded]), "",
                          "Give one of these processes a capacity, or make it use a good "
                          "that is scarce."]
            else:
                lines += ["", "The processes that grow without limit could not be "
                          "identified."]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain Python numbers, None for infinite or undefined ones."""
        return plain({
            "status": self.status.value, "kind": self.kind, "plan": self.plan,
            "message": self.message, "conflict": self.conflict,
            "irreducible": self.irreducible, "conflict_source": self.conflict_source,
            "relaxation": self.relaxation, "verified": self.verified,
            "relaxed_objective": self.relaxed_objective,
            "weighted_relaxation": self.weighted_relaxation,
            "objective_unit": self.objective_unit, "unbounded": self.unbounded,
            "unexamined": self.unexamined,
        })

    def __repr__(self) -> str:
        return (f"<Diagnosis {self.kind}: {len(self.conflict)} conflicting, "
                f"{len(self.relaxation)} relaxed, {len(self.unbounded)} unbounded, "
                f"verified={self.verified}>")


def diagnose(result: PlanResult, *, budget: Budget | float | None = None) -> Diagnosis:
    """Explain why ``result`` has no optimum, in the plan's ids, names and units.

    Parameters
    ----------
    result : PlanResult
        Any solved plan; an optimal one gets an empty diagnosis of kind ``"optimal"``.
    budget : Budget or float, optional
        Time for every solve the diagnosis makes; by default the command's
        (``result.options["budget"]``). It starts from what the failed solve knows (its
        session for HiGHS's IIS) and checks the relaxation on the elastic program's own
        levels, so it costs about one solve of the plan from scratch.

    Returns
    -------
    Diagnosis
        For an infeasible plan the conflicting statements and the least relaxation
        (checked by re-solving); for an unbounded plan the processes that grow without
        limit; for a plan stopped by a limit, a message saying so.

    Examples
    --------
    >>> import kantorovich as k
    >>> plan = k.Plan.from_dict({
    ...     "name": "Too little wheat",
    ...     "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
    ...     "processes": {"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.5}}},
    ...     "supply": {"wheat": 100}, "demand": {"flour": 60},
    ...     "objective": {"maximize": {"flour": 1}},
    ... })
    >>> d = diagnose(k.solve(plan))
    >>> sorted((c["kind"], c["id"]) for c in d.conflict)
    [('demand', 'flour'), ('supply', 'wheat')]
    >>> d.relaxation[0]["text"], d.verified
    ('demand for flour -10 t (from 60 to 50 t)', True)
    """
    plan, status = result.plan, result.status
    unit = plan.objective_unit
    if status is Status.OPTIMAL:
        return Diagnosis(status, "optimal", plan.name, objective_unit=unit,
                         message=f"The plan '{plan.name}' has an optimum; there is "
                                 "nothing to diagnose.")
    budget = Budget.of(budget if budget is not None else result.options.get("budget"))
    if status is Status.INFEASIBLE:
        return _diagnose_infeasible(result, budget)
    if status is Status.UNBOUNDED:
        return _diagnose_unbounded(result, budget)
    reason = {Status.TIME_LIMIT: "the time limit was reached",
              Status.ITERATION_LIMIT: "the iteration limit was reached",
              }.get(status, "the solver reported an error")
    return Diagnosis(status, "stopped", plan.name, objective_unit=unit,
                     message=f"The plan '{plan.name}' was not solved to the end: {reason}. "
                             "Nothing is known yet about a conflict; allow more time or "
                             "iterations and solve again.")


# -- infeasible plans ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Elastic:
    """The elastic program: the plan's program plus one weighted slack per relaxable side.

    Slack ``k`` is column ``n + k``; ``kind[k]`` says what it relaxes, ``pos[k]`` the row
    or column of the original program, ``statement[k]`` the statement it belongs to (a row
    ``i`` is statement ``i``, a capacity ``m + j``, a minimum level ``m + n + j``).
    """

    lp: LinearProgram
    kind: np.ndarray
    pos: np.ndarray
    weight: np.ndarray
    statement: np.ndarray
    bound: np.ndarray       # the original size of the relaxed statement, in plan units


def _elastic(lp: LinearProgram, plan: Plan) -> _Elastic:
    """Add non-negative slacks for every supply, demand, policy side, capacity and minimum
    level, and minimise their weighted sum.

    Weights are ``1 / (1 + |original bound|)``, so a slack measures roughly the *fraction*
    of its statement given up: 200 t of 2,000 t counts as much as 400,000 of 4,000,000
    loaves, which makes relaxations comparable across units. Supply and demand of a good
    are separate statements; a demand can fall to zero, no further. A capacity relaxation
    is a copy of its process's column (extra level above capacity), a minimum-level one a
    negated copy, so no row is added and the matrix is assembled in a few sparse stacks.
    """
    m, n = lp.shape
    rkind = lp.rows["kind"].to_numpy(object)
    lo, up = lp.row_lower, lp.row_upper
    good = np.flatnonzero((rkind == "good") & np.isfinite(lo))
    gpos = plan.goods.index.get_indexer(lp.rows["id"].to_numpy(object)[good])
    supply = plan.goods["supply"].to_numpy(float)[gpos]
    demand = plan.goods["demand"].to_numpy(float)[gpos]
    has_demand = demand > 0
    dem = good[has_demand]
    policy = rkind == "policy"
    pol_lo = np.flatnonzero(policy & np.isfinite(lo))
    pol_up = np.flatnonzero(policy & np.isfinite(up))
    process = (lp.cols["kind"] == "process").to_numpy()
    cap = np.flatnonzero(process & np.isfinite(lp.col_upper))
    mins = np.flatnonzero(process & (lp.col_lower > 0) & np.isfinite(lp.col_lower))

    row_pos = np.concatenate([good, dem, pol_lo, pol_up])
    sign = np.concatenate([np.ones(len(good) + len(dem) + len(pol_lo)), -np.ones(len(pol_up))])
    k_rows = len(row_pos)
    slack_rows = sp.csc_matrix((sign, (row_pos, np.arange(k_rows))), shape=(m, k_rows))
    A = lp.matrix.tocsc()
    matrix = sp.hstack([A, slack_rows, A[:, cap], -A[:, mins]], format="csc")

    bound = np.concatenate([supply, demand[has_demand], lo[pol_lo], up[pol_up],
                            lp.col_upper[cap], lp.col_lower[mins]])
    weight = 1.0 / (1.0 + np.abs(bound))
    k = len(weight)
    kind = np.concatenate([np.full(len(good), "supply", dtype=object),
                           np.full(len(dem), "demand", dtype=object),
                           np.full(len(pol_lo), "policy_lower", dtype=object),
                           np.full(len(pol_up), "policy_upper", dtype=object),
                           np.full(len(cap), "capacity", dtype=object),
                           np.full(len(mins), "min_level", dtype=object)])
    pos = np.concatenate([row_pos, cap, mins]).astype(int)
    statement = np.concatenate([row_pos, m + cap, m + n + mins]).astype(int)
    slack_upper = np.full(k, np.inf)
    slack_upper[len(good):len(good) + len(dem)] = demand[has_demand]
    slack_upper[k - len(mins):] = lp.col_lower[mins]
    cols = pd.DataFrame({"kind": np.concatenate([lp.cols["kind"].to_numpy(object),
                                                 "slack_" + kind.astype(str)]),
                         "id": np.concatenate([lp.cols["id"].to_numpy(object),
                                               np.concatenate([
                                                   lp.rows["id"].to_numpy(object)[row_pos],
                                                   lp.cols["id"].to_numpy(object)[cap],
                                                   lp.cols["id"].to_numpy(object)[mins]])])})
    # Weights of big statements are tiny (2.5e-7 per loaf of a 4,000,000-loaf demand), and
    # their differences would drown in HiGHS's absolute dual tolerance (1e-7): solve with
    # the weights scaled so that the smallest is 1, which changes no optimum.
    scale = min(1.0 / float(np.min(weight, initial=1.0)), _MAX_SCALE)
    elastic = LinearProgram(
        sense="minimize", objective=np.concatenate([np.zeros(n), scale * weight]),
        matrix=matrix,
        row_lower=lo.copy(), row_upper=up.copy(),
        col_lower=np.concatenate([lp.col_lower, np.zeros(k)]),
        col_upper=np.concatenate([lp.col_upper, slack_upper]),
        rows=lp.rows.copy(), cols=cols)
    return _Elastic(elastic, kind, pos, weight, statement, bound)


def _relaxed_program(lp: LinearProgram, el: _Elastic, amount: np.ndarray) -> LinearProgram:
    """``lp`` with each slack amount applied to the bound it relaxes."""
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    for kind, target, sign in (("supply", row_lower, -1.0), ("demand", row_lower, -1.0),
                               ("policy_lower", row_lower, -1.0),
                               ("policy_upper", row_upper, 1.0),
                               ("capacity", col_upper, 1.0), ("min_level", col_lower, -1.0)):
        sel = el.kind == kind
        np.add.at(target, el.pos[sel], sign * amount[sel])
    return replace(lp, row_lower=row_lower, row_upper=row_upper,
                   col_lower=col_lower, col_upper=col_upper)


def _diagnose_infeasible(result: PlanResult, budget: Budget) -> Diagnosis:
    """The least relaxation first (one elastic solve: the answer a planner acts on), then
    the conflict, then the relaxed plan's optimum, each within what is left of ``budget``.

    The conflict and the optimum are extras that can cost many solves; each gets at most
    `_allowance` seconds, and what was cut is listed in ``unexamined``.
    """
    plan, lp = result.plan, result.lp
    started = time.perf_counter()
    spent = result.solution.seconds
    el = _elastic(lp, plan)
    n = lp.shape[1]
    unexamined: list[str] = []

    relaxation: list[dict[str, Any]] = []
    verified: bool | None = None
    relaxed_objective: float | None = None
    weighted: float | None = None
    amount: np.ndarray | None = None
    names = _Names(plan)
    elastic = HighsSession(el.lp, budget=budget)
    elastic.use_interior_point(el.lp.matrix.nnz >= _INTERIOR_FROM)
    sol = elastic.solve()
    elastic.use_interior_point(False)
    if sol.status is Status.OPTIMAL:
        raw = sol.x[n:]
        amount = np.where(raw > _ZERO * (1.0 + np.abs(el.bound)), raw, 0.0)
        weighted = float(el.weight @ amount)
        for k in np.flatnonzero(amount):
            relaxation.append(names.relaxation(lp, el, int(k), float(amount[k])))
        verified = _satisfies(_relaxed_program(lp, el, amount), _plan_levels(el, sol.x, n))
        log.debug("elastic program: weighted relaxation %.6g, %d changes, levels %s",
                  sol.objective, len(relaxation), "check" if verified else "fail")
    else:
        log.info("the elastic program ended %s; no relaxation reported", sol.status.value)
        if sol.status is Status.TIME_LIMIT:
            unexamined.append("relaxation")

    spent += time.perf_counter() - started
    rows = cols = np.array([], dtype=int)
    row_side = col_side = np.array([], dtype=object)
    source, irreducible = None, None
    found = None
    if result.solution.iterations == 0:
        # decided by presolve from bounds alone: HiGHS's IIS is then immediate (it ignores
        # time limits, so it is not asked about conflicts the simplex had to find)
        session = result.session()
        saved = session.budget
        session.budget = budget
        try:
            found = session.iis()
        finally:
            session.budget = saved
    if found is not None:
        rows, row_side, cols, col_side = found
        col_side = _weaken_min_levels(lp, rows, row_side, cols, col_side, budget)
        source, irreducible = "highs-iis", True
    elif not budget.expired():
        log.info("isolating the conflict with an elastic and a deletion filter")
        filtered = _filter_conflict(lp, el, elastic, _allowance(budget, spent))
        if filtered is not None:
            statements, irreducible = filtered
            rows, row_side, cols, col_side = _statement_sides(lp, statements)
            source = "deletion-filter" if irreducible else "elastic-filter"
    if source is None or not irreducible:
        unexamined.append("conflict")
    conflict = ([names.row_statement(lp, int(i), str(s)) for i, s in zip(rows, row_side)] +
                [e for j, s in zip(cols, col_side)
                 for e in names.col_statements(lp, int(j), str(s))])

    if amount is not None:
        relaxed = _relaxed_program(lp, el, amount)
        # the changed plan's optimum costs a full solve: at most what the failed one took
        allowed = _allowance(budget, result.solution.seconds)
        with HighsSession(relaxed, budget=allowed) as check:
            again = check.solve()
        if again.status is Status.OPTIMAL:
            relaxed_objective = float(again.objective)
        elif again.status is Status.INFEASIBLE:
            verified = False
        elif again.status is not Status.UNBOUNDED:
            unexamined.append("relaxed_objective")

    message = f"The plan '{plan.name}' cannot be met: no levels satisfy all its statements."
    return Diagnosis(Status.INFEASIBLE, "infeasible", plan.name, conflict=conflict,
                     relaxation=relaxation, verified=verified, irreducible=irreducible,
                     conflict_source=source, relaxed_objective=relaxed_objective,
                     weighted_relaxation=weighted, objective_unit=plan.objective_unit,
                     unexamined=unexamined, message=message)


def _allowance(budget: Budget, spent: float) -> Budget:
    """What an optional step may take: ``spent`` seconds (at least `_MIN_ALLOWANCE`),
    never past ``budget``, so that an extra never costs more than what came before it."""
    return budget.at_most(max(spent, _MIN_ALLOWANCE))


def _plan_levels(el: _Elastic, x: np.ndarray, n: int) -> np.ndarray:
    """The plan's levels at an elastic solution: a capacity slack is extra level of its
    process, a minimum-level slack level taken off (see `_elastic`)."""
    levels = x[:n].copy()
    for kind, sign in (("capacity", 1.0), ("min_level", -1.0)):
        sel = el.kind == kind
        np.add.at(levels, el.pos[sel], sign * x[n:][sel])
    return levels


def _satisfies(lp: LinearProgram, x: np.ndarray) -> bool:
    """Whether levels ``x`` meet every row and bound of ``lp``, to a relative 1e-6: the
    relaxed plan is feasible because here is a point of it, computed from the matrix."""
    activity = lp.matrix @ x

    def within(v: np.ndarray, lo: np.ndarray, up: np.ndarray) -> bool:
        with np.errstate(invalid="ignore"):
            return bool(np.all(v >= lo - _FEASIBLE * (1.0 + np.abs(lo))) and
                        np.all(v <= up + _FEASIBLE * (1.0 + np.abs(up))))

    return within(activity, lp.row_lower, lp.row_upper) and within(x, lp.col_lower,
                                                                   lp.col_upper)


def _weaken_min_levels(lp: LinearProgram, rows: np.ndarray, row_side: np.ndarray,
                       cols: np.ndarray, col_side: np.ndarray, budget: Budget
                       ) -> np.ndarray:
    """Mark IIS lower bounds that conflict only as 'level >= 0' with side 'nonnegative'.

    HiGHS drops a bound to -inf when testing whether it is needed, so a minimum level
    shows up whenever *some* lower bound is needed, often just "processes do not run
    backwards". Each positive minimum level is lowered to 0 in the (small) subsystem; if
    it stays infeasible, the minimum level is not what conflicts. The subsystem remains
    irreducible, since removing that bound altogether made it feasible.
    """
    col_side = col_side.copy()
    candidates = [k for k, (j, side) in enumerate(zip(cols, col_side))
                  if side in ("lower", "boxed") and lp.col_lower[j] > 0]
    if not candidates:
        return col_side
    sub = _subsystem(lp, rows, row_side, cols, col_side)
    used = sub.cols["id"].to_numpy(int)
    with HighsSession(sub, budget=budget) as session:
        for k in candidates:
            j = int(np.flatnonzero(used == cols[k])[0])
            upper = sub.col_upper[j]
            session.set_col_bounds(j, 0.0, upper)
            if session.solve().status is Status.INFEASIBLE:
                col_side[k] = "nonnegative" if col_side[k] == "lower" else "nonnegative+upper"
            else:
                session.set_col_bounds(j, sub.col_lower[j], upper)
    return col_side


def _subsystem(lp: LinearProgram, rows: np.ndarray, row_side: np.ndarray,
               cols: np.ndarray, col_side: np.ndarray) -> LinearProgram:
    """The conflicting rows and bounds alone, over the columns they mention, as a
    feasibility problem; ``cols['id']`` holds each column's position in ``lp``."""
    A = lp.matrix.tocsr()[rows]
    used = np.union1d(np.unique(A.indices), cols).astype(int)
    side_lo = np.isin(row_side, ["lower", "boxed"])
    side_up = np.isin(row_side, ["upper", "boxed"])
    col_lower = np.full(len(used), -np.inf)
    col_upper = np.full(len(used), np.inf)
    where = np.searchsorted(used, cols)
    lo_side = np.isin(col_side, ["lower", "boxed"])
    up_side = np.isin(col_side, ["upper", "boxed"])
    col_lower[where[lo_side]] = lp.col_lower[cols[lo_side]]
    col_upper[where[up_side]] = lp.col_upper[cols[up_side]]
    return LinearProgram(
        sense="minimize", objective=np.zeros(len(used)), matrix=A[:, used].tocsc(),
        row_lower=np.where(side_lo, lp.row_lower[rows], -np.inf),
        row_upper=np.where(side_up, lp.row_upper[rows], np.inf),
        col_lower=col_lower, col_upper=col_upper, rows=lp.rows.iloc[rows].reset_index(
            drop=True),
        cols=pd.DataFrame({"kind": "position", "id": used}))


def _filter_conflict(lp: LinearProgram, el: _Elastic, session: HighsSession,
                     budget: Budget) -> tuple[np.ndarray, bool] | None:
    """A conflicting set of statements without HiGHS's IIS (Chinneck's filters).

    Elastic filter: solve the elastic program, make every statement it relaxed hard
    (its slacks fixed at zero), repeat until the elastic program is infeasible; the hard
    statements then conflict. Deletion filter: drop each of them in turn from the plan
    reduced to those statements, and keep it dropped if the rest still conflict; what
    remains is irreducible. The elastic filter goes on in ``session``, the elastic
    program's own (warm), the deletion filter in one more; both stop at ``_MAX_FILTER``
    statements or when ``budget`` is spent, returning the set found so far (then not
    irreducible), or None before any.
    """
    m, n = lp.shape
    enforced: set[int] = set()
    while True:
        sol = session.solve(budget)
        if sol.status is Status.INFEASIBLE:
            break
        if sol.status is not Status.OPTIMAL:
            return (np.array(sorted(enforced)), False) if enforced else None
        raw = sol.x[n:]
        used = raw > _ZERO * (1.0 + np.abs(el.bound))
        new = set(np.unique(el.statement[used]).tolist()) - enforced
        if not new:
            return None
        enforced |= new
        for k in np.flatnonzero(np.isin(el.statement, list(new))):
            session.set_col_bounds(n + int(k), 0.0, 0.0)
        if len(enforced) > _MAX_FILTER:
            log.info("elastic filter stopped at %d statements", len(enforced))
            return np.array(sorted(enforced)), False

    # the plan reduced to the enforced statements, as a feasibility problem
    statements = np.unique(el.statement)
    off = statements[~np.isin(statements, list(enforced))]
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    off_rows = off[off < m]
    row_lower[off_rows], row_upper[off_rows] = -np.inf, np.inf
    col_upper[off[(off >= m) & (off < m + n)] - m] = np.inf
    col_lower[off[off >= m + n] - m - n] = 0.0
    reduced = replace(lp, objective=np.zeros(n), row_lower=row_lower, row_upper=row_upper,
                      col_lower=col_lower, col_upper=col_upper)
    keep: list[int] = []
    bounds = _Bounds(reduced)
    with HighsSession(reduced, budget=budget) as session:
        for done, s in enumerate(sorted(enforced)):
            bounds.switch(session, lp, s, on=False)
            status = session.solve().status
            if status is Status.INFEASIBLE:
                continue            # the rest still conflict: s is not needed
            bounds.switch(session, lp, s, on=True)
            if status is Status.TIME_LIMIT:   # not examined: keep it and the rest
                return np.array(keep + sorted(enforced)[done:], dtype=int), False
            keep.append(s)
    return np.array(keep, dtype=int), True


class _Bounds:
    """The bounds a feasibility session currently holds, so that a capacity and a minimum
    level of the same process can be dropped and restored independently."""

    def __init__(self, lp: LinearProgram) -> None:
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()

    def switch(self, session: HighsSession, lp: LinearProgram, statement: int, *,
               on: bool) -> None:
        """Enforce (``on``) or drop one statement (see `_Elastic` for the codes)."""
        m, n = lp.shape
        if statement < m:
            lower, upper = ((lp.row_lower[statement], lp.row_upper[statement]) if on
                            else (-np.inf, np.inf))
            session.set_row_bounds(statement, lower, upper)
            return
        if statement < m + n:
            j = statement - m
            self.col_upper[j] = lp.col_upper[j] if on else np.inf
        else:
            j = statement - m - n
            self.col_lower[j] = lp.col_lower[j] if on else 0.0
        session.set_col_bounds(j, self.col_lower[j], self.col_upper[j])


def _statement_sides(lp: LinearProgram, statements: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Statement codes as (rows, row sides, columns, column sides), like an IIS."""
    m, n = lp.shape
    rows = statements[statements < m]
    lo_ok, up_ok = np.isfinite(lp.row_lower[rows]), np.isfinite(lp.row_upper[rows])
    row_side = np.where(lo_ok & up_ok, "boxed", np.where(lo_ok, "lower", "upper"))
    caps = statements[(statements >= m) & (statements < m + n)] - m
    mins = statements[statements >= m + n] - m - n
    cols = np.concatenate([caps, mins]).astype(int)
    col_side = np.array(["upper"] * len(caps) + ["lower"] * len(mins), dtype=object)
    return rows.astype(int), row_side.astype(object), cols, col_side


# -- unbounded plans ----------------------------------------------------------------------
def _diagnose_unbounded(result: PlanResult, budget: Budget) -> Diagnosis:
    plan, lp = result.plan, result.lp
    with HighsSession(lp, budget=budget) as session:
        ray = session.primal_ray()
    if ray is not None and lp.improves * float(lp.objective @ ray) <= 0:
        ray = None
    if ray is None:
        log.info("no primal ray from HiGHS; capping unlimited levels to find the runaway")
        ray = _capped_direction(lp, budget)
    entries: list[dict[str, Any]] = []
    if ray is not None:
        process = (lp.cols["kind"] == "process").to_numpy()
        scale = float(np.max(np.abs(ray[process]), initial=0.0))
        if scale > 0:
            direction = np.where(process, ray / scale, 0.0)
            growing = np.flatnonzero(direction > 1e-9)
            names = _Names(plan)
            ids = [str(lp.cols["id"].iat[j]) for j in growing]
            lead = str(lp.cols["id"].iat[int(np.argmax(direction))])
            for j, pid in zip(growing, ids):
                entries.append(names.runaway(lp, int(j), float(direction[j]),
                                             [p for p in ids if p != pid], lead))
            rate = float(lp.improves * (lp.objective @ direction))
    message = (f"The plan '{plan.name}' has no optimum: its objective "
               f"({plan.objective_unit}) can be improved without limit.")
    if len(entries) > 1:
        message += (f" The processes below grow together; the objective improves by "
                    f"{_amount(rate, plan.objective_unit)} per unit of level of '{lead}'.")
    return Diagnosis(Status.UNBOUNDED, "unbounded", plan.name, unbounded=entries,
                     objective_unit=plan.objective_unit, message=message)


def _capped_direction(lp: LinearProgram, budget: Budget) -> np.ndarray | None:
    """Cap every unlimited level at M, then at 2M, and re-solve: the levels that grow
    between the two solves give the direction of unlimited improvement.

    Past the point where the caps bind, the optimum moves along a ray as M grows, so the
    difference of the two solutions is (a multiple of) that ray, chains of processes that
    feed each other included.
    """
    finite = np.concatenate([lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper])
    finite = finite[np.isfinite(finite)]
    big = 1e4 * (1.0 + float(np.max(np.abs(finite), initial=1.0)))
    unlimited = np.isinf(lp.col_upper)
    levels = []
    for cap in (big, 2.0 * big):
        capped = replace(lp, col_upper=np.where(unlimited, cap, lp.col_upper),
                         col_lower=np.where(np.isneginf(lp.col_lower), -cap, lp.col_lower))
        with HighsSession(capped, budget=budget) as session:
            sol = session.solve()
        if sol.status is not Status.OPTIMAL:
            return None
        levels.append(sol.x)
    direction = levels[1] - levels[0]
    direction[np.abs(direction) <= 1e-6 * big] = 0.0
    return direction if np.any(direction != 0) else None


# -- saying it in the plan's words --------------------------------------------------------
class _Names:
    """Labels, units and texts for the few statements a diagnosis mentions."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.policies: dict[str, Policy] = {p.id: p for p in plan.policies}
        self.unit = plan.objective_unit

    def good(self, good: str) -> tuple[str, str, str]:
        """(label, name, unit) of a good."""
        row = self.plan.goods.loc[good]
        name = _text(row.get("name"))
        return _label(name, good), name or good, _text(row.get("unit"))

    def process(self, process: str) -> str:
        return _label(_text(self.plan.processes.at[process, "name"]), process)

    def policy_unit(self, policy: Policy) -> str:
        """The unit of a policy's left side: that of its goods when they share one."""
        return self.plan.rule_unit(policy.rule)

    def policy_label(self, policy: Policy) -> str:
        return (f"policy '{policy.name}' ({policy.id})" if policy.name and
                policy.name != policy.id else f"policy '{policy.id}'")

    # conflict members
    def row_statement(self, lp: LinearProgram, i: int, side: str) -> dict[str, Any]:
        kind, ident = str(lp.rows["kind"].iat[i]), str(lp.rows["id"].iat[i])
        if kind == "good":
            label, name, unit = self.good(ident)
            supply = float(self.plan.goods.at[ident, "supply"])
            demand = float(self.plan.goods.at[ident, "demand"])
            gap = demand - supply
            scale = 1e-9 * (1.0 + abs(demand) + abs(supply))
            balance = (f"the balance of {name}: supply {_amount(supply, unit)}, "
                       f"demand {_amount(demand, unit)}")
            if gap > scale:
                what = "demand"
                text = f"demand for {label} of at least {_amount(demand, unit)} ({balance})"
            elif gap < -scale:
                what = "supply"
                text = f"supply of {label} of only {_amount(supply, unit)} ({balance})"
            else:
                what = "balance"
                text = (f"the balance of {label}: supply {_amount(supply, unit)}, demand "
                        f"{_amount(demand, unit)}, so no more can be used than is made")
            return {"kind": what, "id": ident, "good": ident, "name": name, "unit": unit,
                    "supply": supply, "demand": demand, "text": text}
        if kind == "policy":
            policy = self.policies[ident]
            rule = policy.rule
            unit = self.policy_unit(policy)
            text = f"{self.policy_label(policy)}: {rule.text}"
            if rule.sense == "==" and side in ("lower", "upper"):
                text += f" (its {'>=' if side == 'lower' else '<='} side)"
            return {"kind": "policy", "id": ident, "policy": ident, "name": policy.label,
                    "rule": rule.text, "sense": rule.sense, "rhs": float(rule.rhs),
                    "side": side, "unit": unit, "text": text}
        if kind == "assortment":
            label, name, unit = self.good(ident)
            return {"kind": "assortment", "id": ident, "good": ident, "name": name,
                    "unit": unit, "text": f"the assortment: each set needs net output of "
                                          f"{label}"}
        return {"kind": kind, "id": ident, "text": f"{kind} '{ident}'"}

    def col_statements(self, lp: LinearProgram, j: int, side: str) -> list[dict[str, Any]]:
        kind, ident = str(lp.cols["kind"].iat[j]), str(lp.cols["id"].iat[j])
        if kind != "process":
            return []           # e.g. 'sets' >= 0: not a statement of the plan
        label = self.process(ident)
        name = _text(self.plan.processes.at[ident, "name"]) or ident
        out: list[dict[str, Any]] = []
        low = float(lp.col_lower[j])
        if side.startswith("nonnegative") or (side in ("lower", "boxed") and low == 0):
            out.append({"kind": "nonnegative", "id": ident, "process": ident, "name": name,
                        "min_level": 0.0, "text": f"level of {label} at least 0 (a process "
                                                  "cannot run backwards)"})
        elif side in ("lower", "boxed"):
            out.append({"kind": "min_level", "id": ident, "process": ident, "name": name,
                        "min_level": low,
                        "text": f"minimum level of {label}: at least {fmt(low)}"})
        if side in ("upper", "boxed", "nonnegative+upper"):
            cap = float(lp.col_upper[j])
            out.append({"kind": "capacity", "id": ident, "process": ident, "name": name,
                        "capacity": cap, "text": f"capacity of {label}: {fmt(cap)}"})
        return out

    # relaxations
    def relaxation(self, lp: LinearProgram, el: _Elastic, k: int, amount: float
                   ) -> dict[str, Any]:
        kind, pos, old = str(el.kind[k]), int(el.pos[k]), float(el.bound[k])
        if kind in ("supply", "demand"):
            ident = str(lp.rows["id"].iat[pos])
            label, _, unit = self.good(ident)
            new = old + amount if kind == "supply" else old - amount
            change = new - old
            what = "supply of" if kind == "supply" else "demand for"
            text = (f"{what} {label} {_signed(change)} {unit} (from {fmt(old)} to "
                    f"{_amount(new, unit)})").replace("  ", " ")
            return {"kind": kind, "id": ident, "good": ident, "amount": change,
                    "from": old, "to": new, "unit": unit, "weight": float(el.weight[k]),
                    "text": text}
        if kind in ("policy_lower", "policy_upper"):
            ident = str(lp.rows["id"].iat[pos])
            policy = self.policies[ident]
            unit = self.policy_unit(policy)
            new = old - amount if kind == "policy_lower" else old + amount
            side = "lower" if kind == "policy_lower" else "upper"
            where = ""
            if policy.rule.sense == "==":
                where = " on its >= side" if side == "lower" else " on its <= side"
            text = (f"{self.policy_label(policy)} relaxed by {_amount(amount, unit)} (rhs "
                    f"{fmt(old)} -> {_amount(new, unit)}{where}): {policy.rule.text}")
            return {"kind": "policy", "id": ident, "policy": ident, "side": side,
                    "amount": new - old, "from": old, "to": new, "unit": unit,
                    "weight": float(el.weight[k]), "text": text}
        ident = str(lp.cols["id"].iat[pos])
        label = self.process(ident)
        if kind == "capacity":
            new = old + amount
            text = f"capacity of {label} {_signed(amount)} ({fmt(old)} -> {fmt(new)})"
        else:
            new = old - amount
            text = (f"minimum level of {label} {_signed(-amount)} ({fmt(old)} -> "
                    f"{fmt(new)})")
        return {"kind": kind, "id": ident, "process": ident, "amount": new - old,
                "from": old, "to": new, "unit": "", "weight": float(el.weight[k]),
                "text": text}

    # unbounded processes
    def runaway(self, lp: LinearProgram, j: int, direction: float, others: list[str],
                lead: str) -> dict[str, Any]:
        ident = str(lp.cols["id"].iat[j])
        name = _text(self.plan.processes.at[ident, "name"]) or ident
        gain = float(lp.improves * lp.objective[j]) + 0.0
        flows = self.plan.flows
        mine = flows[flows["process"].to_numpy() == ident]
        makes, uses = [], []
        for good, inp, out in zip(mine["good"], mine["input"], mine["output"]):
            label, gname, unit = self.good(str(good))
            if out > 0:
                makes.append({"good": str(good), "name": gname, "amount": float(out),
                              "unit": unit, "text": f"{label} {_amount(float(out), unit)}"})
            if inp > 0:
                uses.append({"good": str(good), "name": gname, "amount": float(inp),
                             "unit": unit, "text": f"{label} {_amount(float(inp), unit)}"})
        quoted = (f"process '{ident}' ({name})" if name != ident else f"process '{ident}'")
        text = f"{quoted} can grow without limit"
        if others:
            text += f", together with {', '.join(others)}"
            if ident != lead:
                text += f" ({fmt(direction)} units of level per unit of '{lead}')"
        if gain > 0:
            text += f": each unit of level improves the objective by {_amount(gain, self.unit)}"
        elif gain < 0:
            text += (f": each unit of level costs {_amount(-gain, self.unit)} of the "
                     "objective, more than repaid by the processes growing with it")
        else:
            text += ": it improves the objective through the processes growing with it"
        if uses:
            text += (" and uses only " + ", ".join(u["text"] for u in uses) +
                     " per unit of level, none of it scarce")
        else:
            text += " and uses nothing that is scarce"
        if makes:
            text += "; it makes " + ", ".join(m["text"] for m in makes) + " per unit of level"
        return {"process": ident, "name": name, "direction": direction,
                "improvement": gain, "objective_unit": self.unit, "makes": makes,
                "uses": uses, "text": text}


# -- small helpers ------------------------------------------------------------------------
def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _label(name: str, ident: str) -> str:
    return f"{name} ({ident})" if name and name != ident else ident


def _amount(x: float, unit: str) -> str:
    return f"{fmt(x)} {unit}" if unit else fmt(x)


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "-") + fmt(abs(x))


def _conflict_texts(conflict: list[dict[str, Any]]) -> list[str]:
    """One line per statement; processes that merely cannot run backwards share one."""
    texts = [c["text"] for c in conflict if c["kind"] != "nonnegative"]
    still = [c["id"] for c in conflict if c["kind"] == "nonnegative"]
    if still:
        shown = ", ".join(still[:_MAX_LISTED])
        more = f" and {len(still) - _MAX_LISTED} more" if len(still) > _MAX_LISTED else ""
        texts.append(f"processes that cannot run backwards (level at least 0): {shown}{more}")
    return texts


def _bullets(texts: list[str]) -> list[str]:
    shown = [f"  - {t}" for t in texts[:_MAX_LISTED]]
    if len(texts) > _MAX_LISTED:
        shown.append(f"  ... and {len(texts) - _MAX_LISTED} more (see to_dict())")
    return shown
