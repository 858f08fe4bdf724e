"""`Session`: a warm solver for what-ifs on one plan.

A session compiles its plan once. Each `Session.solve` takes the changes of
`Plan.with_changes` (supply, demand, capacity, min_level, weights, rules), relative to
the session's own plan, builds the changed program with the builders `compile_plan`
uses (`lp.compile.good_bounds`, `rule_bounds`, `process_bounds`, `process_costs`,
`set_counts`), and solves it by the one chain (`results.chain`), warm:

* where the plan qualifies for the structure method, from the techniques of the last
  answer: by the non-substitution theorem a change of supplies or demands changes no
  technique, so the what-if is one value solve (which confirms the techniques) and one
  quantity solve on the same sparse factors;
* where HiGHS solves it, in one live model kept for the whole session: only the bounds,
  costs and coefficients (a rule given anew, ``rules={"share": "output(bread,
  region=D3) >= 0.6 * output(bread)"}``, rewrites its row's) that differ from what the
  model holds are written (whatever the
  previous call changed and this one does not is put back), and the re-solve starts
  from the base plan's optimal basis once a call without changes has found it (every
  what-if is a change of the base, so that basis is nearer than the previous what-if's:
  half the iterations at 20,000 processes), else from the last basis.

Every answer is certified like any other; the `PlanResult` equals
``solve(plan.with_changes(**changes))``: the same status and objective, and the same
levels and prices wherever the optimum has only one (at a degenerate optimum the cold
solve's choice among equal prices is itself arbitrary). A change the live model cannot
hold exactly (a new good in a ``maximize_sets`` set, a number outside what the session's
scaling keeps within the solver's range, `Scaling.holds`) is solved cold.

For a plan over time, `Session.replan` plans the periods after one already done from what
was realised (`results.replan`), warm from the basis of the session's optimum, or of an
earlier re-plan's to roll the plan on period by period.

It lives in `results` because it makes results from plans, as `solve` does: it reads the
model (`Plan.with_changes`), the compiler's builders and the adapter (`HighsSession`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.errors import PlanError, Problem
from kantorovich.lp.budget import Budget
from kantorovich.lp.compile import (compile_plan, good_bounds, good_weights, policy_rows,
                                    process_bounds, process_costs, rule_bounds, set_counts)
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.highs_method import Highs
from kantorovich.lp.methods import Candidate, Start
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.structure import Structure
from kantorovich.model.plan import Changes, Plan
from kantorovich.results.chain import solve_program
from kantorovich.results.implied import WithoutImplied
from kantorovich.results.result import PlanResult, answer, solve
from kantorovich.results.staircase import staircase_method

__all__ = ["Session"]

_CHANGES = ("supply", "demand", "capacity", "min_level", "weights", "rules")


class Session:
    """A warm solver for what-ifs on ``plan``.

    Parameters
    ----------
    plan : Plan
        The base plan; every what-if is a change of it.
    time_limit : float, optional
        Seconds for each `solve` (each call gets its own budget), unless ``budget``.
    budget : Budget, optional
        One budget shared by every call of the session.

    Examples
    --------
    >>> import kantorovich as k
    >>> plan = k.Plan.from_dict({
    ...     "name": "Two mills",
    ...     "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
    ...     "processes": {"a": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.70}},
    ...                   "b": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721},
    ...                         "capacity": 1200}},
    ...     "supply": {"wheat": 2000},
    ...     "objective": {"maximize": {"flour": 1}},
    ... })
    >>> session = k.Session(plan)
    >>> round(session.solve().objective, 3)
    1425.2
    >>> round(session.solve(supply={"wheat": 2500}).objective, 3)
    1775.2
    >>> round(session.solve(capacity={"b": 2000}).objective, 3)
    1442.0
    """

    def __init__(self, plan: Plan, *, time_limit: float | None = None,
                 budget: Budget | None = None) -> None:
        self.plan = plan
        self.lp = compile_plan(plan)
        self._time_limit = time_limit
        self._budget = budget
        self._highs = HighsSession(self.lp, budget=Budget(None))
        lp = self.lp
        self._good_rows = lp.row_positions("good")
        self._policy_rows = lp.row_positions("policy")
        self._process_cols = lp.col_positions("process")
        self._assortment_rows = lp.row_positions("assortment")
        self._sets_col = (lp.col_positions("sets")[0] if plan.objective.sense ==
                          "maximize_sets" else None)
        self._assortment = pd.Index(lp.rows["id"].to_numpy()[self._assortment_rows])
        self._optimum: tuple[np.ndarray, np.ndarray] | None = None
        self._start: Start | None = None     # the techniques of the last structure answer
        self._structure = Structure()        # keeps the techniques and factors it read
        self._now = lp                       # what the live model holds
        self._base: PlanResult | None = None  # the optimum of the plan as it is

    def __repr__(self) -> str:
        return (f"<Session {self.plan.name!r}: {len(self.plan.processes)} processes, "
                f"{len(self.plan.goods)} goods>")

    # -- the one public call ----------------------------------------------------------
    def solve(self, **changes: Changes) -> PlanResult:
        """Solve the session's plan with ``changes``, warm.

        Parameters
        ----------
        **changes : mapping of id to number
            ``supply=``, ``demand=`` (goods), ``capacity=``, ``min_level=`` (processes),
            ``weights=`` (goods' objective weights) and ``rules=`` (a policy's new
            constant right-hand side, or its whole new rule as text, so that a
            coefficient may change: a share from 40% to 60%), as `Plan.with_changes`
            takes them. Each call's changes replace the previous call's: they are
            relative to the session's plan.

        Returns
        -------
        PlanResult
            Equal to ``solve(plan.with_changes(**changes))``: same status, levels, prices
            and objective. It holds no live solver; ``result.session()`` builds one from
            its basis when an analysis needs it.

        Raises
        ------
        PlanError
            For an unknown kind of change, or an id the plan does not have.
        """
        unknown = sorted(set(changes) - set(_CHANGES))
        if unknown:
            raise PlanError([Problem(f"unknown change '{unknown[0]}'", path=unknown[0],
                                     hint=f"changes are {', '.join(_CHANGES)}")])
        plan, changes = _changed_plan(self.plan, changes)
        budget = (self._budget if self._budget is not None
                  else Budget.of(self._time_limit))
        lp = self._program(plan, changes)
        if lp is None:                      # not a change of bounds and coefficients
            return solve(plan, budget=budget)
        warm = self._highs.scaling.holds(self.lp, lp)
        highs = (_WarmHighs(self, lp, record=not changes) if warm else Highs())
        solved = solve_program(lp, budget=budget, start=self._start,
                               methods={"structure": self._structure, "highs": highs})
        if solved.method == "structure" and solved.start is not None:
            self._start = replace(solved.start, source="the session's last answer")
        options = {"time_limit": self._time_limit, "budget": budget, "verbose": False}
        solved.session = None               # the live model stays with the session
        found = answer(plan, lp, solved, options)
        if not changes:
            self._base = found
        return found

    # -- plans over time ----------------------------------------------------------------
    def replan(self, after: int, realised: Mapping[str, Any] | None = None, *,
               result: PlanResult | None = None) -> PlanResult:
        """Plan periods ``after+1..T`` of the session's plan over time from what was
        realised, warm from the optimal basis of ``result`` (`results.replan.replan`).

        Parameters
        ----------
        after : int
            The last period already done.
        realised : mapping, optional
            ``{"stocks": {process: {good: amount}}, "inventories": {good: amount}}``:
            what each stock is at the start of ``after + 1``, and what arrives then from
            store; by default what the plan had.
        result : PlanResult, optional
            The optimum re-planned from: an earlier re-plan's, to roll the plan on
            period by period; by default the session's own optimum of its plan, found
            once (by its first `solve` without changes, or here) and kept.

        Raises
        ------
        PlanError
            For a plan that is not over time, a period outside it, or a realised amount
            of an unknown stock or good (`results.replan.replanned_plan`).
        """
        from kantorovich.results.replan import replan

        if result is None:
            if self._base is None:
                self._base = self.solve()
            result = self._base
        budget = (self._budget if self._budget is not None
                  else Budget.of(self._time_limit))
        return replan(result, after, realised, budget=budget)

    # -- from changes to a program ----------------------------------------------------------
    def _program(self, plan: Plan, changes: Mapping[str, Any]) -> LinearProgram | None:
        """The session's program for ``plan`` (the changed one), built by the compiler's
        own builders; None when the change is not one of bounds and coefficients (a new
        good in the set)."""
        lp = self.lp
        if not changes:
            return lp
        row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        row_lower[self._good_rows], row_upper[self._good_rows] = good_bounds(plan.goods)
        row_lower[self._policy_rows], row_upper[self._policy_rows] = rule_bounds(
            plan.policies)
        col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        col_lower[self._process_cols], col_upper[self._process_cols] = process_bounds(
            plan.processes)
        objective, matrix, weights = lp.objective, lp.matrix, lp.good_weights
        rewritten = np.array([i for i, (now, base) in enumerate(
            zip(plan.policies, self.plan.policies, strict=True))
            if now.rule.terms != base.rule.terms], dtype=np.int64)
        if rewritten.size:                  # a rule's coefficients: its row anew
            block, _, _ = policy_rows(plan, tuple(plan.policies[i] for i in rewritten))
            matrix = _with_rows(matrix, self._policy_rows[rewritten],
                                self._process_cols, block)
        if "weights" in changes:
            if self._sets_col is not None:
                if not plan.objective.weights.index.equals(self._assortment):
                    return None
                entries = matrix.tolil()
                entries[self._assortment_rows, self._sets_col] = set_counts(plan)
                matrix = entries.tocsc()
            else:
                weights = good_weights(plan)
                objective = objective.copy()
                objective[self._process_cols] = process_costs(plan, weights)
        return replace(lp, matrix=matrix, objective=objective, row_lower=row_lower,
                       row_upper=row_upper, col_lower=col_lower, col_upper=col_upper,
                       good_weights=weights)

    def _write(self, lp: LinearProgram) -> None:
        """Write into the live model what differs from what it holds now."""
        now = self._now
        h = self._highs
        rows = np.flatnonzero((lp.row_lower != now.row_lower)
                              | (lp.row_upper != now.row_upper))
        h.set_rows_bounds(rows, lp.row_lower[rows], lp.row_upper[rows])
        cols = np.flatnonzero((lp.col_lower != now.col_lower)
                              | (lp.col_upper != now.col_upper))
        h.set_cols_bounds(cols, lp.col_lower[cols], lp.col_upper[cols])
        costs = np.flatnonzero(lp.objective != now.objective)
        h.set_costs(costs, lp.objective[costs])
        if self._sets_col is not None and lp.matrix is not now.matrix:
            new = lp.matrix[:, [self._sets_col]].toarray().ravel()[self._assortment_rows]
            old = now.matrix[:, [self._sets_col]].toarray().ravel()[self._assortment_rows]
            for k in np.flatnonzero(new != old):
                h.set_coefficient(self._assortment_rows[k], self._sets_col, new[k])
        rows = self._policy_rows
        if rows.size and lp.matrix is not now.matrix:   # rules' coefficients, or put back
            changed, wanted = _changed_entries(now.matrix, lp.matrix, rows)
            for row, col, value in zip(changed[0], changed[1], wanted, strict=True):
                h.set_coefficient(row, col, value)      # HiGHS takes them one by one
        self._now = lp


class _WarmHighs(Highs):
    """HiGHS in the session's live model: the what-if written in only when the chain
    gets this far, the re-solve from the base plan's optimal basis."""

    def __init__(self, session: Session, lp: LinearProgram, *, record: bool) -> None:
        super().__init__(session=session._highs,
                         warm_reason="a warm what-if re-solve in a Session")
        self.owner = session
        self.lp = lp
        self.record = record

    def solve(self, lp: LinearProgram, budget: Budget, start: Start | None = None
              ) -> Candidate:
        owner = self.owner
        owner._write(self.lp)
        first: tuple[Start, float] | None = None
        crossed = True
        if owner._optimum is not None:           # every what-if starts from the base's
            owner._highs.set_basis(*owner._optimum)
        else:                                    # a plan over time: as `solve` starts it
            first = _staircase_start(owner.plan, self.lp, budget)
            begin = first[0] if first is not None else None
            if begin is not None and begin.col_basis is not None \
                    and begin.row_basis is not None:
                owner._highs.set_basis(begin.col_basis, begin.row_basis)
            elif begin is not None and begin.x is not None and begin.row_dual is not None:
                crossed = owner._highs.cross_over(begin.x, begin.row_dual)
        # where HiGHS could not cross over from the point, its own interior point (with its
        # own crossover) in the live model, not its simplex from nothing
        candidate = super().solve(lp, budget, None) if crossed else Highs(
            "ipm", session=owner._highs, why="HiGHS's interior point with crossover, its "
            "crossover from the first solve's point having failed").solve(lp, budget, None)
        solution = candidate.solution
        if first is not None:
            candidate.reason = f"{candidate.reason}, from {first[0].source}"
            if solution is not None:             # the time of both solves, as one's
                candidate.solution = solution = replace(
                    solution, seconds=solution.seconds + first[1])
        if (self.record and owner._optimum is None and solution is not None
                and solution.has_basis):
            owner._optimum = (solution.col_basis, solution.row_basis)
        return candidate


def _staircase_start(plan: Plan, lp: LinearProgram, budget: Budget
                     ) -> tuple[Start, float] | None:
    """For a plan over time, the start `solve` would reach first (`results.staircase`:
    the crash basis, or interior point with crossover without the implied goods rows,
    or Clarabel's point there) and the seconds that took; None where `solve` makes no
    such choice or it gave neither basis nor point. The session's live simplex then
    only confirms it (after its own crossover, from a point)."""
    choice = staircase_method(plan, lp, "auto")
    if choice is None:
        return None
    if choice.start is not None:
        return choice.start, 0.0
    if choice.implied is not None:
        first, basis = WithoutImplied(choice.implied, choice.method, choice.reason,
                                      interior=choice.interior,
                                      vertex_on_presolve=choice.vertex_on_presolve
                                      ).first(lp, budget)
    else:
        first = Highs(choice.method, why=choice.reason).solve(lp, budget)
        solved = first.solution
        basis = (Start(col_basis=solved.col_basis, row_basis=solved.row_basis,
                       source=f"the staircase solved by {choice.method}")
                 if solved is not None and solved.has_basis else None)
    if first.session is not None:
        first.session.close()
    seconds = first.solution.seconds if first.solution is not None else 0.0
    return (basis, seconds) if basis is not None else None


def _changed_plan(plan: Plan, changes: Mapping[str, Any]) -> tuple[Plan, dict[str, Any]]:
    """``plan.with_changes(**changes)`` (which checks every id, `PlanError`) and the
    changes that are not empty."""
    given = {kind: values for kind, values in changes.items()
             if values is not None and len(values)}
    return (plan.with_changes(**given) if given else plan), given


def _with_rows(matrix: sp.csc_matrix, rows: np.ndarray, process_cols: np.ndarray,
               block: sp.csr_matrix) -> sp.csc_matrix:
    """``matrix`` with its ``rows`` replaced by ``block`` (a row per one of ``rows``,
    over the process columns)."""
    entries = sp.coo_matrix(matrix)
    keep = ~np.isin(entries.row, rows)
    new = sp.coo_matrix(block)
    result = sp.csc_matrix(
        (np.concatenate([entries.data[keep], new.data]),
         (np.concatenate([entries.row[keep], rows[new.row]]),
          np.concatenate([entries.col[keep], process_cols[new.col]]))),
        shape=matrix.shape)
    result.sum_duplicates()
    result.eliminate_zeros()
    return result


def _changed_entries(old: sp.csc_matrix, new: sp.csc_matrix, rows: np.ndarray
                     ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Where the ``rows`` of ``new`` differ from those of ``old`` (row and column in the
    whole matrix), and the values ``new`` has there (0 where it has none)."""
    before = sp.csr_matrix(old)[rows]
    after = sp.csr_matrix(new)[rows]
    moved = sp.coo_matrix(after - before)       # a - b is 0 exactly where a == b
    moved.eliminate_zeros()
    values = np.asarray(after[moved.row, moved.col], dtype=float).ravel()
    return (rows[moved.row], moved.col), values
