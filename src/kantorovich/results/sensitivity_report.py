"""The sensitivity report, in the layout of Excel Solver's.

It has two tables (`sensitivity_report`), the same in the terminal,
in ``summary.json`` (``sensitivity.variable_cells`` and ``sensitivity.constraints``) and
in ``-o DIR`` (``sensitivity_variable_cells`` and ``sensitivity_constraints``):

``variable_cells``, one row per process
    ``final_value`` (its level), ``reduced_cost`` (improvement per unit of level at the
    shadow prices), ``objective_coefficient`` (what one unit of level adds to the
    objective, c_j: a contribution when maximising, a cost when minimising, in objective
    units), ``allowable_increase`` and ``allowable_decrease`` (how far c_j may move, all
    else fixed, before the optimal plan changes).
``constraints``, one row per good, policy and finite capacity (``kind``, ``id``)
    ``final_value`` (a good: what the plan draws on its supply, demand minus net output;
    a policy: the rule's left-hand side; a capacity: the level), ``shadow_price`` (the
    improvement per unit the constraint is loosened: more supply, a rule relaxed, more
    capacity; a capacity's is the process's reduced cost), ``rhs`` (supply, the rule's
    constant, capacity) and ``allowable_increase`` / ``allowable_decrease`` (how far it
    may move with the shadow price unchanged; a supply never below 0).

Sign convention: the package's own (see the README): every price is an improvement, so
for a minimisation the shadow price is minus Excel's. NaN (``null`` in JSON) marks a
range not examined (ranging ran out of time, or a capacity's range the solver does not
give); infinities are ranges without limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["REPORT_COLUMNS", "sensitivity_report"]

REPORT_COLUMNS = ["final_value", "shadow_price", "rhs", "allowable_increase",
                   "allowable_decrease"]


def _cost_ranges(result: PlanResult, sens: dict[str, pd.DataFrame]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest objective coefficient of each process over which the optimal
    basis stays optimal (NaN where not examined), from the ``processes`` ranges."""
    table = sens["processes"].reindex(result.plan.processes.index)
    return table["cost_low"].to_numpy(float), table["cost_high"].to_numpy(float)


def _capacity_rows(result: PlanResult, sens: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One constraint row per finite capacity: a process held at it has its reduced
    cost as shadow price; one below it may lose the slack and gain without limit."""
    procs = result.processes
    finite = np.isfinite(procs["capacity"].to_numpy(float))
    procs = procs[finite]
    level = procs["level"].to_numpy(float)
    cap = procs["capacity"].to_numpy(float)
    held = (procs["position"] == "at capacity").to_numpy() & (
        procs["reduced_cost"].to_numpy(float) > 0)
    increase = np.where(held, np.nan, np.inf)
    decrease = np.where(held, np.nan, cap - level)
    table = sens["capacities"].reindex(procs.index)
    high, low = table["capacity_high"].to_numpy(float), table["capacity_low"].to_numpy(float)
    increase = np.where(held, high - cap, increase)
    decrease = np.where(held, cap - low, decrease)
    return pd.DataFrame({
        "kind": "capacity", "id": procs.index.to_numpy(object), "final_value": level,
        "shadow_price": np.where(held, procs["reduced_cost"].to_numpy(float), 0.0),
        "rhs": cap, "allowable_increase": increase,
        "allowable_decrease": np.minimum(decrease, cap),
    })


def sensitivity_report(result: PlanResult, sens: dict[str, pd.DataFrame] | None
                       ) -> dict[str, pd.DataFrame]:
    """The sensitivity report of an optimal result in Excel Solver's layout.

    Parameters
    ----------
    result : PlanResult
        A result with a solution.
    sens : dict of DataFrame, optional
        Its sensitivity ranges (`kantorovich.results.sensitivity.sensitivity`, as the
        analyses keep them); None when they were not examined.

    Returns
    -------
    dict of pandas.DataFrame
        ``variable_cells`` (indexed by process) and ``constraints`` (columns ``kind``,
        ``id`` and the report's); empty when the sensitivity analysis did not run. See
        the module docstring for every column.
    """
    if sens is None or not result.status.has_solution:
        return {}
    lp = result.lp
    cols = lp.col_positions("process")
    coef = lp.objective[cols]
    low, high = _cost_ranges(result, sens)
    procs = result.processes
    variable_cells = pd.DataFrame({
        "unit": procs["unit"], "final_value": procs["level"],
        "reduced_cost": procs["reduced_cost"], "objective_coefficient": coef,
        "allowable_increase": high - coef, "allowable_decrease": coef - low,
    }, index=procs.index)

    goods = sens["goods"]
    supply = goods["supply"].to_numpy(float)
    use = goods["demand"].to_numpy(float) - result.net_output.to_numpy(float)
    free = np.isinf(supply)
    with np.errstate(invalid="ignore"):
        good_rows = pd.DataFrame({
            "kind": "good", "id": goods.index.to_numpy(object), "final_value": use,
            "shadow_price": goods["shadow_price"].to_numpy(float), "rhs": supply,
            "allowable_increase": np.where(free, np.inf,
                                           goods["supply_high"].to_numpy(float) - supply),
            # a supply cannot fall below 0, whatever the basis would allow
            "allowable_decrease": np.where(free, np.inf, np.minimum(
                supply - goods["supply_low"].to_numpy(float), supply)),
        })
    pol = sens["policies"]
    rhs = pol["rhs"].to_numpy(float)
    policy_rows = pd.DataFrame({
        "kind": "policy", "id": pol.index.to_numpy(object),
        "final_value": result.policy_prices["lhs"].reindex(pol.index).to_numpy(float),
        "shadow_price": pol["price"].to_numpy(float), "rhs": rhs,
        "allowable_increase": pol["rhs_high"].to_numpy(float) - rhs,
        "allowable_decrease": rhs - pol["rhs_low"].to_numpy(float),
    })
    parts = [p for p in (good_rows, policy_rows, _capacity_rows(result, sens)) if len(p)]
    constraints = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "id", *REPORT_COLUMNS])
    return {"variable_cells": variable_cells, "constraints": constraints}
