"""The sensitivity report, in the layout and the sign convention of Excel Solver's.

It has two tables (`sensitivity_report`), the same in the terminal,
in ``summary.json`` (``sensitivity.variable_cells`` and ``sensitivity.constraints``) and
in ``-o DIR`` (``sensitivity_variable_cells`` and ``sensitivity_constraints``):

``variable_cells``, one row per process
    ``final_value`` (its level), ``reduced_cost`` (the change in the objective per unit
    the level is forced up, at the shadow prices), ``objective_coefficient`` (what one
    unit of level adds to the objective, c_j: a contribution when maximising, a cost when
    minimising, in objective units), ``allowable_increase`` and ``allowable_decrease``
    (how far c_j may move, all else fixed, before the optimal plan changes).
``constraints``, one row per good, policy and finite capacity (``kind``, ``id``)
    ``sense`` and ``rhs`` state the constraint as a spreadsheet would: a good with a
    supply is ``use <= supply`` (``final_value``: what the plan draws on its supply,
    demand minus net output), any other good ``net output >= demand`` (``final_value``:
    its net output); a policy is its rule (``final_value``: the left-hand side); a
    capacity is ``level <= capacity``. ``shadow_price`` is the change in the objective
    per unit increase of ``rhs``, and ``allowable_increase`` / ``allowable_decrease`` how
    far ``rhs`` may move with that price unchanged (a supply never below 0).
``convention``, in both
    ``excel``: the sign convention the row uses.

Sign convention: Excel's and LINDO's, not the rest of the package's. A shadow price is
d(objective)/d(right-hand side) and a reduced cost d(objective)/d(level), in the
objective's own direction: raising a ``>=`` rule that binds in a maximisation has a
negative shadow price, and a minimisation's prices are costs. The package's other tables
give improvements per unit loosened (see the README). NaN (``null`` in JSON) marks a
range not examined (ranging ran out of time); infinities are ranges without limit.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kantorovich.lp.program import repeated_category
from kantorovich.results.lazy_tables import Tables, table_rows

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["REPORT_COLUMNS", "report_tables", "sensitivity_report"]

REPORT_COLUMNS = ["final_value", "shadow_price", "rhs", "allowable_increase",
                   "allowable_decrease"]
#: The value of the ``convention`` column: Excel Solver's (and LINDO's) signs.
CONVENTION = "excel"


def _cost_ranges(result: PlanResult, sens: Mapping[str, pd.DataFrame]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest objective coefficient of each process over which the optimal
    basis stays optimal (NaN where not examined), from the ``processes`` ranges."""
    table = sens["processes"].reindex(result.plan.processes.index)
    return table["cost_low"].to_numpy(float), table["cost_high"].to_numpy(float)


def _rows(kind: str, ids: np.ndarray, sense: np.ndarray | str, final: np.ndarray,
          price: np.ndarray, rhs: np.ndarray, low: np.ndarray, high: np.ndarray
          ) -> pd.DataFrame:
    """Constraint rows whose ``rhs`` holds its price from ``low`` to ``high``."""
    with np.errstate(invalid="ignore"):
        return pd.DataFrame({
            "kind": kind, "id": ids, "sense": sense, "final_value": final,
            "shadow_price": price + 0.0, "rhs": rhs, "allowable_increase": high - rhs,
            "allowable_decrease": rhs - low, "convention": _convention(len(ids))})


def _convention(n: int) -> pd.Categorical[str]:
    """The ``convention`` column of ``n`` rows (one category: no string per row)."""
    return repeated_category(CONVENTION, n)


def _good_rows(result: PlanResult, sens: Mapping[str, pd.DataFrame], s: float) -> pd.DataFrame:
    """A good with a (finite, positive) supply as ``use <= supply``, any other as ``net
    output >= demand``; Excel's price is the change per unit more supply (or demand)."""
    goods = sens["goods"]
    supply = goods["supply"].to_numpy(float)
    demand = goods["demand"].to_numpy(float)
    net = result.net_output.reindex(goods.index).to_numpy(float)
    price = goods["shadow_price"].to_numpy(float)
    supplied = np.isfinite(supply) & (supply > 0)
    # a supply never falls below 0, whatever the basis would allow
    s_low = np.minimum(goods["supply_low"].to_numpy(float), supply)
    return _rows("good", goods.index.to_numpy(object), np.where(supplied, "<=", ">="),
                 np.where(supplied, demand - net, net),
                 np.where(supplied, s * price, -s * price),
                 np.where(supplied, supply, demand),
                 np.where(supplied, np.maximum(s_low, 0.0), goods["demand_low"]),
                 np.where(supplied, goods["supply_high"], goods["demand_high"]))


def _capacity_rows(result: PlanResult, sens: Mapping[str, pd.DataFrame], s: float
                   ) -> pd.DataFrame:
    """One row per finite capacity, ``level <= capacity``: a process held at it has its
    reduced cost as price; any other, 0 (from the ``capacities`` ranges)."""
    procs = result.processes
    finite = np.isfinite(procs["capacity"].to_numpy(float))
    procs = procs[finite]
    rc = procs["reduced_cost"].to_numpy(float)
    held = (procs["position"] == "at capacity").to_numpy() & (rc > 0)
    table = sens["capacities"].reindex(procs.index)
    return _rows("capacity", procs.index.to_numpy(object), "<=",
                 procs["level"].to_numpy(float), np.where(held, s * rc, 0.0),
                 procs["capacity"].to_numpy(float), table["capacity_low"].to_numpy(float),
                 table["capacity_high"].to_numpy(float))


def _policy_rows(result: PlanResult, sens: Mapping[str, pd.DataFrame], s: float
                 ) -> pd.DataFrame:
    """One row per policy, its rule as written: Excel's price is the change per unit its
    right-hand side rises (a loosening of ``<=``, a tightening of ``>=``)."""
    pol = sens["policies"]
    prices = result.policy_prices.reindex(pol.index)
    sense = prices["sense"].to_numpy(object)
    price = pol["price"].to_numpy(float)
    return _rows("policy", pol.index.to_numpy(object), sense,
                 prices["lhs"].to_numpy(float),
                 s * np.where(sense == ">=", -price, price), pol["rhs"].to_numpy(float),
                 pol["rhs_low"].to_numpy(float), pol["rhs_high"].to_numpy(float))


def sensitivity_report(result: PlanResult, sens: Mapping[str, pd.DataFrame] | None
                       ) -> dict[str, pd.DataFrame]:
    """The sensitivity report of an optimal result in Excel Solver's layout and signs.

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
        ``id``, ``sense``, the report's and ``convention``); empty when the sensitivity
        analysis did not run. See the module docstring for every column.
    """
    if sens is None or not result.status.has_solution:
        return {}
    return {"variable_cells": _variable_cells(result, sens),
            "constraints": _constraints(result, sens)}


def report_tables(result: PlanResult, sens: Mapping[str, pd.DataFrame] | None
                  ) -> Tables | None:
    """`sensitivity_report`'s two tables, each made when read (`Tables`), not held;
    None where it has none (no ranges, or no solution)."""
    if sens is None or not result.status.has_solution:
        return None
    plan = result.plan
    capacities = int(np.isfinite(plan.processes["capacity"].to_numpy(float)).sum())
    constraints = len(plan.goods) + table_rows(sens, "policies") + capacities
    return Tables({
        "variable_cells": (functools.partial(_variable_cells, result, sens),
                           len(plan.processes)),
        "constraints": (functools.partial(_constraints, result, sens), constraints)})


def _variable_cells(result: PlanResult, sens: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row a process: its level, reduced cost, coefficient and that's range."""
    lp = result.lp
    s = float(lp.improves)      # Excel's d(objective) is s times an improvement
    cols = lp.col_positions("process")
    coef = lp.objective[cols]
    low, high = _cost_ranges(result, sens)
    procs = result.processes
    # copy=False: the columns as made, not copied into one block (a row a process)
    return pd.DataFrame({
        "unit": procs["unit"], "final_value": procs["level"],
        "reduced_cost": s * procs["reduced_cost"] + 0.0, "objective_coefficient": coef,
        "allowable_increase": high - coef, "allowable_decrease": coef - low,
        "convention": _convention(len(procs)),
    }, index=procs.index, copy=False)


def _constraints(result: PlanResult, sens: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row a good, a policy and a finite capacity, as a spreadsheet states them."""
    s = float(result.lp.improves)
    parts = [p for p in (_good_rows(result, sens, s), _policy_rows(result, sens, s),
                         _capacity_rows(result, sens, s)) if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "id", "sense", *REPORT_COLUMNS, "convention"])
