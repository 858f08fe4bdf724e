"""Sensitivity: over what range each price holds, and whether it is unique.

Ranges come from HiGHS's basis ranging (the interval of a bound, or of an objective weight,
over which the current basis stays optimal), translated into the plan's own terms:
supply, demand, a rule's right-hand side, a good's objective weight.

A degenerate optimum can have several optimal price vectors. There the price of a good
is not one number but an interval: from the slope of the optimal objective on one side
of the current supply to the slope on the other. We measure both slopes by re-solving
with the bound moved a little each way and reading the price there.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["price_ranges", "sensitivity"]

INF = np.inf


def _row_ranges(result: PlanResult) -> tuple[np.ndarray, np.ndarray]:
    """Interval of each row's active bound over which its price holds."""
    lp, sol = result.lp, result.solution
    m = lp.shape[0]
    low, high = np.full(m, -INF), np.full(m, INF)
    with result.session() as session:
        session.solve()
        ranging = session.ranging()
    act = sol.row_activity
    basic = sol.row_basis == "basic" if sol.has_basis else np.zeros(m, dtype=bool)
    if ranging is not None:
        low = np.where(basic, low, ranging["row_dn"])
        high = np.where(basic, high, ranging["row_up"])
    # A basic row has price 0 while its bound stays on the slack side of the activity.
    at_lower = np.isfinite(lp.row_lower) & ~np.isfinite(lp.row_upper)
    at_upper = np.isfinite(lp.row_upper) & ~np.isfinite(lp.row_lower)
    low = np.where(basic & at_upper, act, low)
    high = np.where(basic & at_lower, act, high)
    low[low <= -1e30] = -INF
    high[high >= 1e30] = INF
    return low, high


def _weight_ranges(result: PlanResult) -> pd.DataFrame:
    """Interval of each objective weight over which the optimal levels stay optimal.

    Weights multiply goods, not columns, so we re-solve a copy of the program in which
    each weighted good's net output is a column of its own, and range that column's cost.
    """
    plan, lp = result.plan, result.lp
    objective = plan.objective
    weights = objective.weights
    table = pd.DataFrame({"weight": weights, "weight_low": np.nan, "weight_high": np.nan})
    if objective.sense == "maximize_sets" or len(weights) == 0:
        return table
    goods_rows = lp.row_positions("good")
    wpos = plan.goods.index.get_indexer(weights.index)
    net = lp.matrix[goods_rows[wpos]]
    if objective.sense == "minimize":
        net = -net
    k = len(wpos)
    m, n = lp.shape
    matrix = sp.vstack([sp.hstack([lp.matrix, sp.csc_matrix((m, k))]),
                        sp.hstack([net, -sp.identity(k)])], format="csc")
    aux = LinearProgram(
        sense=lp.sense, objective=np.concatenate([np.zeros(n), weights.to_numpy(float)]),
        matrix=matrix, row_lower=np.concatenate([lp.row_lower, np.zeros(k)]),
        row_upper=np.concatenate([lp.row_upper, np.zeros(k)]),
        col_lower=np.concatenate([lp.col_lower, np.full(k, -INF)]),
        col_upper=np.concatenate([lp.col_upper, np.full(k, INF)]),
        rows=pd.concat([lp.rows, pd.DataFrame({"kind": "objective", "id": weights.index})],
                       ignore_index=True),
        cols=pd.concat([lp.cols, pd.DataFrame({"kind": "net", "id": weights.index})],
                       ignore_index=True),
        constant=lp.constant)
    with HighsSession(aux, time_limit=result.options.get("time_limit")) as session:
        if session.solve().status is not Status.OPTIMAL:
            return table
        ranging = session.ranging()
    if ranging is None:
        return table
    low, high = ranging["cost_dn"][n:], ranging["cost_up"][n:]
    table["weight_low"] = np.where(low <= -1e30, -INF, low)
    table["weight_high"] = np.where(high >= 1e30, INF, high)
    return table


def sensitivity(result: PlanResult) -> dict[str, pd.DataFrame]:
    """Ranges in plan terms: ``goods`` (supply and demand ranges of each price),
    ``policies`` (right-hand-side range of each policy price) and ``weights``."""
    result._need_optimum()
    return result.memo("sensitivity", lambda: _sensitivity(result))


def _sensitivity(result: PlanResult) -> dict[str, pd.DataFrame]:
    plan, lp = result.plan, result.lp
    low, high = _row_ranges(result)
    g = lp.row_positions("good")
    supply = plan.goods["supply"].to_numpy(float)
    demand = plan.goods["demand"].to_numpy(float)
    free = np.isinf(supply)
    with np.errstate(invalid="ignore"):
        goods = pd.DataFrame({
            "shadow_price": result.shadow_prices,
            "supply": supply, "supply_low": np.where(free, INF, demand - high[g]),
            "supply_high": np.where(free, INF, demand - low[g]),
            "demand": demand, "demand_low": np.where(free, -INF, supply + low[g]),
            "demand_high": np.where(free, INF, supply + high[g]),
        }, index=plan.goods.index)
    p = lp.row_positions("policy")
    policies = pd.DataFrame({
        "price": result.policy_prices["price"].to_numpy(),
        "rhs": result.policy_prices["rhs"].to_numpy(), "rhs_low": low[p], "rhs_high": high[p],
    }, index=result.policy_prices.index)
    return {"goods": goods, "policies": policies, "weights": _weight_ranges(result)}


def price_ranges(result: PlanResult, *, max_rows: int = 500,
                 budget_seconds: float = 30.0) -> pd.DataFrame:
    """Each good's and policy's price as an interval ``[low, high]``, with ``unique``.

    Unique prices need no work; when the optimum is degenerate, each tight row (up to
    ``max_rows``, and while ``budget_seconds`` last) is re-solved with its bound moved a
    little each way. Rows left unexamined have ``checked`` False.
    """
    result._need_optimum()
    limit = result.options.get("time_limit")
    if limit is not None:
        budget_seconds = min(budget_seconds, float(limit))
    return result.memo(f"price_ranges:{max_rows}:{budget_seconds}",
                       lambda: _price_ranges(result, max_rows, budget_seconds))


def _price_ranges(result: PlanResult, max_rows: int, budget_seconds: float) -> pd.DataFrame:
    lp, sol = result.lp, result.solution
    rows = np.concatenate([lp.row_positions("good"), lp.row_positions("policy")])
    ids = lp.rows["id"].to_numpy()[rows]
    kinds = lp.rows["kind"].to_numpy()[rows]
    price = np.concatenate([result.shadow_prices.to_numpy(),
                            result.policy_prices["price"].to_numpy()])
    # sign turning d(objective)/d(bound) into the reported price, row by row
    s = lp.improves
    senses = np.array([p.rule.sense for p in result.plan.policies], dtype=object)
    to_price = np.concatenate([np.full(len(lp.row_positions("good")), -s),
                               np.where(senses == ">=", -s, s)]) if len(rows) else np.array([])
    low, high = price.copy(), price.copy()
    checked = np.full(len(rows), not result.is_degenerate)
    started = time.perf_counter()
    if result.is_degenerate:
        act = sol.row_activity[rows]
        lower, upper = lp.row_lower[rows], lp.row_upper[rows]
        bound = np.where(np.isfinite(lower), lower, upper)
        tight = np.isfinite(bound) & (np.abs(act - bound) <= 1e-7 * (1 + np.abs(bound)))
        todo = np.flatnonzero(tight)[:max_rows]
        checked[~tight] = True
        with result.session() as session:
            session.solve()
            for k in todo:
                if time.perf_counter() - started > budget_seconds:
                    break
                checked[k] = True
                i, b = rows[k], bound[k]
                step = 1e-5 * max(1.0, abs(b))
                slopes = []
                for delta in (-step, step):
                    lo = lp.row_lower[i] + delta if np.isfinite(lp.row_lower[i]) else -INF
                    up = lp.row_upper[i] + delta if np.isfinite(lp.row_upper[i]) else INF
                    session.set_row_bounds(i, lo, up)
                    moved = session.solve()
                    if moved.status is Status.OPTIMAL:
                        slopes.append(to_price[k] * moved.row_marginal[i])
                    elif moved.status is Status.INFEASIBLE:
                        # the objective falls without limit on this side of the bound
                        slopes.append(to_price[k] * -s * np.sign(delta) * INF)
                    session.set_row_bounds(i, lp.row_lower[i], lp.row_upper[i])
                if slopes:
                    low[k] = min([price[k], *slopes])
                    high[k] = max([price[k], *slopes])
    unique = np.isclose(low, high, rtol=1e-7, atol=1e-9) & checked
    return pd.DataFrame({"kind": kinds, "price": price, "low": low, "high": high,
                         "unique": unique, "checked": checked},
                        index=pd.Index(ids, name="id"))
