"""Why a plan has no optimum, in the plan's own terms: the numbers.

An infeasible plan gets two answers, because planners ask two questions:

* *what contradicts what?* An irreducible conflicting set of statements (supplies,
  demands, policies, capacities, minimum levels): drop any one and that contradiction
  goes. It comes from HiGHS's IIS; without one, from an elastic and a deletion filter
  (`kantorovich.results.elastic`).
* *what is the least I must give up?* The smallest weighted relaxation, found by an
  elastic program, applied to the plan and re-solved to check that it really is feasible.

An unbounded plan gets the processes that can grow without limit, from HiGHS's primal
ray (or, failing that, from re-solving with every unlimited level capped). Every
statement is a record keyed by its plan id, with its name and unit
(`kantorovich.results.diagnosis_records`); solver rows and columns never reach a record.
The sentences, the summary and the JSON document with its texts are
`kantorovich.explain.diagnosis_text`'s.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.results.diagnosis_records import Records
from kantorovich.results.elastic import (elastic_program, filter_conflict, plan_levels,
                                         relaxed_program, satisfies, slack_amounts,
                                         statement_sides, weaken_min_levels)
from kantorovich.serialise import plain_dict

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["Diagnosis", "diagnose"]

log = logging.getLogger(__name__)

#: Elastic programs with this many nonzeros or more are solved by interior point: from
#: scratch, at 10^5 processes, 16 iterations and 2 s against 11,000 simplex ones and 11 s.
_INTERIOR_FROM = 200_000
#: Seconds an optional step (conflict search, relaxed optimum) may take at least.
_MIN_ALLOWANCE = 1.0


# -- the result ---------------------------------------------------------------------------
@dataclass
class Diagnosis:
    """Why a plan has no optimum: the conflict, the least relaxation, or the runaway
    processes, each item a plain dict keyed by plan ids with its names, numbers and units.

    ``kind`` is ``"optimal"``, ``"infeasible"``, ``"unbounded"`` or ``"stopped"`` (a limit
    or a solver error). ``verified`` says whether the plan with ``relaxation`` applied was
    re-solved and found feasible (None when there is nothing to verify).
    ``irreducible`` says whether ``conflict`` is minimal (dropping any member removes it).
    ``weighted_relaxation`` is the elastic program's optimum: the sum of each change
    divided by (1 + the size of the statement changed), a unit-free "fraction given up".
    ``unexamined`` names what the time allowed did not settle: ``"relaxation"``,
    ``"conflict"`` (none isolated, or not shown irreducible), ``"relaxed_objective"``.
    ``lead`` is the process the ``unbounded`` directions are measured per unit of level
    of, and ``lead_rate`` the objective's improvement per unit of the lead's level.

    The sentences are `kantorovich.explain.diagnosis_text`'s: its ``summary(diagnosis)``
    for a planner, ``diagnosis_dict(diagnosis)`` for the JSON document.
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
    lead: str | None = None
    lead_rate: float | None = None
    unexamined: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The numbers, JSON-ready: plain Python numbers, ``"inf"``/``"-inf"`` for
        infinities, None for undefined ones. The JSON document of ``kantorovich solve
        --json``, with its sentences, is
        `kantorovich.explain.diagnosis_text.diagnosis_dict`."""
        return plain_dict({
            "status": self.status.value, "kind": self.kind, "plan": self.plan,
            "conflict": self.conflict, "irreducible": self.irreducible,
            "conflict_source": self.conflict_source, "relaxation": self.relaxation,
            "verified": self.verified, "relaxed_objective": self.relaxed_objective,
            "weighted_relaxation": self.weighted_relaxation,
            "objective_unit": self.objective_unit, "unbounded": self.unbounded,
            "lead": self.lead, "lead_rate": self.lead_rate, "unexamined": self.unexamined,
        })

    def __repr__(self) -> str:
        return (f"<Diagnosis {self.kind}: {len(self.conflict)} conflicting, "
                f"{len(self.relaxation)} relaxed, {len(self.unbounded)} unbounded, "
                f"verified={self.verified}>")


def diagnose(result: PlanResult, *, budget: Budget | float | None = None) -> Diagnosis:
    """Find why ``result`` has no optimum, in the plan's ids, names and units.

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
        limit; for a plan stopped by a limit, its status alone.

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
    >>> change = d.relaxation[0]
    >>> change["kind"], change["id"], change["from"], change["to"], change["unit"], d.verified
    ('demand', 'flour', 60.0, 50.0, 't', True)
    """
    plan, status = result.plan, result.status
    if status is Status.OPTIMAL:
        return Diagnosis(status, "optimal", plan.name, objective_unit=plan.objective_unit)
    budget = Budget.of(budget if budget is not None else result.options.get("budget"))
    if status is Status.INFEASIBLE:
        return _diagnose_infeasible(result, budget)
    if status is Status.UNBOUNDED:
        return _diagnose_unbounded(result, budget)
    return Diagnosis(status, "stopped", plan.name, objective_unit=plan.objective_unit)


# -- infeasible plans ---------------------------------------------------------------------
def _diagnose_infeasible(result: PlanResult, budget: Budget) -> Diagnosis:
    """The least relaxation first (one elastic solve: the answer a planner acts on), then
    the conflict, then the relaxed plan's optimum, each within what is left of ``budget``.

    The conflict and the optimum are extras that can cost many solves; each gets at most
    `_allowance` seconds, and what was cut is listed in ``unexamined``.
    """
    plan, lp = result.plan, result.lp
    started = time.perf_counter()
    spent = result.solution.seconds
    el = elastic_program(lp, plan)
    n = lp.shape[1]
    unexamined: list[str] = []

    relaxation: list[dict[str, Any]] = []
    verified: bool | None = None
    relaxed_objective: float | None = None
    weighted: float | None = None
    amount: np.ndarray | None = None
    records = Records(plan)
    elastic = HighsSession(el.lp, budget=budget)
    elastic.use_interior_point(el.lp.matrix.nnz >= _INTERIOR_FROM)
    sol = elastic.solve()
    elastic.use_interior_point(False)
    if sol.status is Status.OPTIMAL:
        amount = slack_amounts(el, sol.x)
        weighted = float(el.weight @ amount)
        for k in np.flatnonzero(amount):
            relaxation.append(records.relaxation(lp, el, int(k), float(amount[k])))
        verified = satisfies(relaxed_program(lp, el, amount), plan_levels(el, sol.x, n))
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
        col_side = weaken_min_levels(lp, rows, row_side, cols, col_side, budget)
        source, irreducible = "highs-iis", True
    elif not budget.expired():
        log.info("isolating the conflict with an elastic and a deletion filter")
        filtered = filter_conflict(lp, el, elastic, _allowance(budget, spent))
        if filtered is not None:
            statements, irreducible = filtered
            rows, row_side, cols, col_side = statement_sides(lp, statements)
            source = "deletion-filter" if irreducible else "elastic-filter"
    if source is None or not irreducible:
        unexamined.append("conflict")
    conflict = ([records.row_statement(lp, int(i), str(s)) for i, s in zip(rows, row_side)]
                + [e for j, s in zip(cols, col_side)
                   for e in records.col_statements(lp, int(j), str(s))])

    if amount is not None:
        relaxed = relaxed_program(lp, el, amount)
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

    return Diagnosis(Status.INFEASIBLE, "infeasible", plan.name, conflict=conflict,
                     relaxation=relaxation, verified=verified, irreducible=irreducible,
                     conflict_source=source, relaxed_objective=relaxed_objective,
                     weighted_relaxation=weighted, objective_unit=plan.objective_unit,
                     unexamined=unexamined)


def _allowance(budget: Budget, spent: float) -> Budget:
    """What an optional step may take: ``spent`` seconds (at least `_MIN_ALLOWANCE`),
    never past ``budget``, so that an extra never costs more than what came before it."""
    return budget.at_most(max(spent, _MIN_ALLOWANCE))


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
    lead, rate = None, None
    if ray is not None:
        process = (lp.cols["kind"] == "process").to_numpy()
        scale = float(np.max(np.abs(ray[process]), initial=0.0))
        if scale > 0:
            direction = np.where(process, ray / scale, 0.0)
            records = Records(plan)
            entries = [records.runaway(lp, int(j), float(direction[j]))
                       for j in np.flatnonzero(direction > 1e-9)]
            lead = str(lp.cols["id"].iat[int(np.argmax(direction))])
            rate = float(lp.improves * (lp.objective @ direction))
    return Diagnosis(Status.UNBOUNDED, "unbounded", plan.name, unbounded=entries,
                     objective_unit=plan.objective_unit, lead=lead, lead_rate=rate)


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
