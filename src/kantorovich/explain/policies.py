"""What each policy costs: its marginal price beside its exact cost.

The price says what loosening a rule by one unit would gain; the exact cost re-solves the
plan without the rule. The two differ when the rule would stop binding, or another rule
would start binding, before it is dropped altogether, so a planner needs both.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from kantorovich.lp.budget import Budget
from kantorovich.lp.status import Status
from kantorovich.results.result import PlanResult

__all__ = ["policy_costs"]

_NOT_MEASURED = "not measured: time budget spent"


def policy_costs(result: PlanResult, *, budget: Budget | float | None = None,
                 progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """What each policy costs the plan: its price beside the exact cost of dropping it.

    Parameters
    ----------
    result : PlanResult
        An optimal result.
    budget : Budget or float, optional
        Time for the re-solves (by default the result's budget).
    progress : callable, optional
        Called with ``"policy costs"`` when the re-solves start.

    Returns
    -------
    DataFrame
        Indexed by policy id: ``name``, ``rule``, ``binding``, ``price``, ``cost``
        (objective gained by dropping the rule), ``status_without``, ``measured``, ``note``
        (why not, when not measured) and ``change_<good>`` for each objective good.

    Notes
    -----
    A rule with slack costs nothing to drop (the optimum stays optimal without it), so
    only tight rules are re-solved: warm, the dearest first, while the budget lasts.
    Each call computes afresh; `kantorovich.analyse` runs it once per result.
    """
    result._need_optimum()
    budget = result.budget if budget is None else Budget.of(budget)
    if progress is not None:
        progress("policy costs")
    return _policy_costs(result, budget)


def _policy_costs(result: PlanResult, budget: Budget) -> pd.DataFrame:
    plan, lp = result.plan, result.lp
    prices = result.policy_prices
    rows = lp.row_positions("policy")
    weights = plan.objective.weights
    goods_rows = lp.row_positions("good")[plan.goods.index.get_indexer(weights.index)]
    now = result.solution.row_activity[goods_rows]
    k = len(rows)
    slack = prices["slack"].to_numpy(float)
    loose = (prices["sense"].to_numpy() != "==") & (
        slack > 1e-7 * (1 + np.abs(prices["rhs"].to_numpy(float))))
    cost = np.where(loose, 0.0, np.nan)
    change = np.where(loose[:, None], 0.0, np.nan) * np.ones((k, len(weights)))
    status = np.where(loose, Status.OPTIMAL.value, "").astype(object)
    measured = loose.copy()
    note = np.where(loose, "", _NOT_MEASURED).astype(object)
    order = np.flatnonzero(~loose)
    order = order[np.argsort(-np.abs(prices["price"].to_numpy(float))[order], kind="stable")]
    session = result.session()
    if order.size and session.what_if(budget).status is Status.OPTIMAL:
        for j in order:
            i = rows[j]
            session.set_row_bounds(i, -np.inf, np.inf)
            try:
                without = session.what_if(budget, values=True)
            finally:
                session.restore_row(i)
            if without.status is Status.TIME_LIMIT:
                break
            measured[j], note[j], status[j] = True, "", without.status.value
            if without.status is Status.OPTIMAL:
                cost[j] = lp.improves * (without.objective - result.objective)
                change[j] = without.row_activity[goods_rows] - now
            elif without.status is Status.UNBOUNDED:
                cost[j] = np.inf
            else:
                note[j] = f"not measured: the re-solve ended {without.status.value}"
                measured[j] = False
    # a rule cannot cost less than nothing: a tiny negative is the solver's rounding
    rounding = np.isfinite(cost) & (cost < 0) & (cost > -1e-9 * (1 + abs(result.objective)))
    cost = np.where(rounding, 0.0, cost)
    status = np.where(measured | (status != ""), status, Status.TIME_LIMIT.value)
    table = pd.DataFrame({
        "name": prices["name"].to_numpy(), "rule": prices["rule"].to_numpy(),
        "binding": prices["binding"].to_numpy(bool), "price": prices["price"].to_numpy(float),
        "cost": cost, "status_without": status, "measured": measured, "note": note,
    }, index=prices.index)
    return table.join(pd.DataFrame(change, index=prices.index,
                                   columns=[f"change_{g}" for g in weights.index]))
