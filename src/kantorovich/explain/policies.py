"""What each policy costs: its marginal price beside its exact cost.

The price says what loosening a rule by one unit would gain; the exact cost re-solves the
plan without the rule. The two differ when the rule would stop binding, or another rule
would start binding, before it is dropped altogether, so a planner needs both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kantorovich.lp.status import Status
from kantorovich.results.result import PlanResult

__all__ = ["policy_costs"]


def policy_costs(result: PlanResult) -> pd.DataFrame:
    """Per policy: price, exact cost (objective gained by dropping it), status without it,
    and how the objective's goods would change. Computed once per result."""
    result._need_optimum()
    return result.memo("policy_costs", lambda: _policy_costs(result))


def _policy_costs(result: PlanResult) -> pd.DataFrame:
    plan, lp = result.plan, result.lp
    prices = result.policy_prices
    rows = lp.row_positions("policy")
    weights = plan.objective.weights
    goods_rows = lp.row_positions("good")[plan.goods.index.get_indexer(weights.index)]
    now = result.solution.row_activity[goods_rows]
    records = []
    with result.session() as session:
        session.solve()
        for k, policy in enumerate(plan.policies):
            i = rows[k]
            session.set_row_bounds(i, -np.inf, np.inf)
            try:
                without = session.solve()
            finally:
                session.set_row_bounds(i, lp.row_lower[i], lp.row_upper[i])
            if without.status is Status.OPTIMAL:
                cost = float(lp.improves * (without.objective - result.objective))
                change = without.row_activity[goods_rows] - now
            elif without.status is Status.UNBOUNDED:
                cost, change = np.inf, np.full(len(weights), np.nan)
            else:
                cost, change = np.nan, np.full(len(weights), np.nan)
            records.append({
                "policy": policy.id, "name": policy.label, "rule": policy.rule.text,
                "binding": bool(prices.at[policy.id, "binding"]),
                "price": float(prices.at[policy.id, "price"]),
                "cost": max(cost, 0.0) if np.isfinite(cost) and cost > -1e-9 * (
                    1 + abs(result.objective)) else cost,
                "status_without": without.status.value,
                **{f"change_{g}": float(c) for g, c in zip(weights.index, change)},
            })
    columns = ["policy", "name", "rule", "binding", "price", "cost", "status_without"]
    return pd.DataFrame(records, columns=columns + [f"change_{g}" for g in weights.index]
                        ).set_index("policy")
