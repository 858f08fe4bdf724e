"""`Session`: a warm solver for what-ifs on one plan.

A session compiles its plan once and keeps one live HiGHS model. Each `Session.solve`
takes the changes of `Plan.with_changes` (supply, demand, capacity, min_level, weights,
rules), relative to the session's own plan, and writes only bounds and coefficients into
the live model: supply and demand into the goods' row bounds, capacity and min_level into
the process columns' bounds, a rule's new right-hand side into its row's bounds, and
objective weights into the columns' objective coefficients (or, for ``maximize_sets``,
into the set column's counts). Whatever the previous call changed and this one does not is
put back. The re-solve starts warm: from the base plan's optimal basis once a call
without changes has found it (every what-if is a change of the base, so that basis is
nearer than the previous what-if's: half the iterations at 20,000 processes), else from
the last basis. Its answer is certified like any other; the `PlanResult` equals
``solve(plan.with_changes(**changes))``: the same status and objective, and the same
levels and prices wherever the optimum has only one (at a degenerate optimum the cold
solve's choice among equal prices is itself arbitrary). A change the live model cannot
hold exactly (a new good in a ``maximize_sets`` set, a number outside what the session's
scaling keeps within the solver's range) is solved cold.

It lives in `results` because it makes results from plans, as `solve` does: it reads the
model (`Plan.with_changes`) and the adapter (`HighsSession`), and nothing above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.lp.budget import Budget
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.model.plan import Plan
from kantorovich.results.result import PlanResult, solve, verified_solve, with_certificate

__all__ = ["Session"]

_CHANGES = ("supply", "demand", "capacity", "min_level", "weights", "rules")

#: changed numbers the session's scaling holds exactly and within HiGHS's range; a what-if
#: outside these is solved cold, with its own scaling, so that its answer stays that of
#: `solve` (see `kantorovich.lp.scaling`)
_BOUND_RANGE = (1e-6, 1e15)
_COST_RANGE = (1e-6, 1e13)


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
        self._sets_col = (lp.col_positions("sets")[0] if plan.objective.sense ==
                          "maximize_sets" else None)
        self._assortment = pd.Index(lp.rows["id"].to_numpy()[lp.row_positions("assortment")])
        self._base_counts = self._set_counts(lp)
        self._optimum: tuple[np.ndarray, np.ndarray] | None = None
        # what the live model holds now, in the plan's units
        self._now = (lp.row_lower.copy(), lp.row_upper.copy(), lp.col_lower.copy(),
                     lp.col_upper.copy(), lp.objective.copy(), self._base_counts)

    def __repr__(self) -> str:
        return (f"<Session {self.plan.name!r}: {len(self.plan.processes)} processes, "
                f"{len(self.plan.goods)} goods>")

    # -- the one public call ----------------------------------------------------------
    def solve(self, **changes: Mapping[str, float]) -> PlanResult:
        """Solve the session's plan with ``changes``, warm from the last basis.

        Parameters
        ----------
        **changes : mapping of id to number
            ``supply=``, ``demand=`` (goods), ``capacity=``, ``min_level=`` (processes),
            ``weights=`` (goods' objective weights) and ``rules=`` (a policy's new
            constant right-hand side), as `Plan.with_changes` takes them. Each call's
            changes replace the previous call's: they are relative to the session's plan.

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
        target = self._target(plan, changes)
        if target is None:                  # not a change of bounds and coefficients
            return solve(plan, budget=budget)
        lp = self._program(target)
        if not self._representable(target):
            return solve(plan, budget=budget)
        self._write(target)
        if self._optimum is not None:           # every what-if starts from the base's
            self._highs.set_basis(*self._optimum)
        solution, cert = verified_solve(self._highs, lp, budget)
        if self._optimum is None and not changes and solution.has_basis:
            self._optimum = (solution.col_basis, solution.row_basis)
        options = {"time_limit": self._time_limit, "budget": budget, "verbose": False}
        return with_certificate(PlanResult(
            plan, lp, solution, options, method="simplex",
            method_reason="a warm what-if re-solve in a Session"), cert)

    # -- from changes to arrays -----------------------------------------------------------
    def _set_counts(self, lp: LinearProgram) -> np.ndarray:
        """The set column's entries in the assortment rows (minus each good's count)."""
        if self._sets_col is None:
            return np.array([])
        rows = lp.row_positions("assortment")
        return lp.matrix[:, [self._sets_col]].toarray().ravel()[rows]

    def _target(self, plan: Plan, changes: Mapping[str, Any]
                ) -> tuple[np.ndarray, ...] | None:
        """The arrays the live model must hold for ``plan`` (the changed one); None when
        the change is not one of bounds and coefficients (a new good in the set)."""
        lp = self.lp
        row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        goods = plan.goods
        supply = goods["supply"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            row_lower[self._good_rows] = np.where(np.isinf(supply), -np.inf,
                                                  goods["demand"].to_numpy(float) - supply)
        col_lower[self._process_cols] = plan.processes["min_level"].to_numpy(float)
        col_upper[self._process_cols] = plan.processes["capacity"].to_numpy(float)
        for row, policy in zip(self._policy_rows, plan.policies):
            rule = policy.rule
            row_lower[row] = rule.rhs if rule.sense in (">=", "==") else -np.inf
            row_upper[row] = rule.rhs if rule.sense in ("<=", "==") else np.inf
        objective, counts = lp.objective.copy(), self._base_counts
        if "weights" in changes:
            weights = plan.objective.weights
            if self._sets_col is not None:
                if not weights.index.equals(self._assortment):
                    return None
                counts = -weights.to_numpy(float)
            else:
                w = np.zeros(len(goods))
                w[goods.index.get_indexer(weights.index)] = weights.to_numpy(float)
                net = lp.matrix[self._good_rows][:, self._process_cols]
                cost = np.asarray(net.T @ w).ravel()
                objective[self._process_cols] = -cost if lp.sense == "minimize" else cost
        return row_lower, row_upper, col_lower, col_upper, objective, counts

    def _program(self, target: tuple[np.ndarray, ...]) -> LinearProgram:
        """The session's program with ``target``'s bounds and coefficients."""
        row_lower, row_upper, col_lower, col_upper, objective, counts = target
        matrix = self.lp.matrix
        if self._sets_col is not None and not np.array_equal(counts, self._base_counts):
            matrix = matrix.tolil()
            matrix[self.lp.row_positions("assortment"), self._sets_col] = counts
            matrix = matrix.tocsc()
        return replace(self.lp, matrix=matrix, objective=objective, row_lower=row_lower,
                       row_upper=row_upper, col_lower=col_lower, col_upper=col_upper)

    def _representable(self, target: tuple[np.ndarray, ...]) -> bool:
        """Whether every number that differs from the base program stays, scaled by the
        session's factors, where the solver reads it faithfully."""
        lp, scaling = self.lp, self._highs.scaling
        pairs = ((target[0], lp.row_lower, scaling.row[:len(lp.row_lower)], _BOUND_RANGE),
                 (target[1], lp.row_upper, scaling.row[:len(lp.row_upper)], _BOUND_RANGE),
                 (target[2], lp.col_lower, 1.0 / scaling.col, _BOUND_RANGE),
                 (target[3], lp.col_upper, 1.0 / scaling.col, _BOUND_RANGE),
                 (target[4], lp.objective, scaling.col, _COST_RANGE))
        for new, base, factor, (low, high) in pairs:
            changed = (new != base) & np.isfinite(new) & (new != 0)
            if not changed.any():
                continue
            size = np.abs(new[changed] * np.broadcast_to(factor, new.shape)[changed])
            if size.min() < low or size.max() > high:
                return False
        return True

    def _write(self, target: tuple[np.ndarray, ...]) -> None:
        """Write into the live model what differs from what it holds now."""
        row_lower, row_upper, col_lower, col_upper, objective, counts = target
        now = self._now
        h = self._highs
        rows = np.flatnonzero((row_lower != now[0]) | (row_upper != now[1]))
        h.set_rows_bounds(rows, row_lower[rows], row_upper[rows])
        cols = np.flatnonzero((col_lower != now[2]) | (col_upper != now[3]))
        h.set_cols_bounds(cols, col_lower[cols], col_upper[cols])
        costs = np.flatnonzero(objective != now[4])
        h.set_costs(costs, objective[costs])
        if len(counts):
            assortment = self.lp.row_positions("assortment")
            for k in np.flatnonzero(counts != now[5]):
                h.set_coefficient(assortment[k], self._sets_col, counts[k])
        self._now = target


def _changed_plan(plan: Plan, changes: Mapping[str, Any]) -> tuple[Plan, dict[str, Any]]:
    """``plan.with_changes(**changes)`` (which checks every id, `PlanError`) and the
    changes that are not empty."""
    given = {kind: values for kind, values in changes.items()
             if values is not None and len(values)}
    return (plan.with_changes(**given) if given else plan), given
