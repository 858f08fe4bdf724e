"""The JSON summary of a result, one object keyed by the plan's own ids, and the
sensitivity report in the layout of Excel Solver's.

The sensitivity report has two tables (`sensitivity_report`), the same in the terminal,
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

from typing import Any

import numpy as np
import pandas as pd

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.serialise import frame_cleaned, frame_records, number, plain, series_dict
from kantorovich.results.result import PlanResult

__all__ = ["sensitivity_report", "summary"]

_REPORT_COLUMNS = ["final_value", "shadow_price", "rhs", "allowable_increase",
                   "allowable_decrease"]


def _ranges_of(result: PlanResult, sens: dict[str, pd.DataFrame]
               ) -> dict[str, np.ndarray] | None:
    """HiGHS's ranging of the optimal basis, for what the sensitivity analysis' tables
    do not give (read here once, within the result's budget; None when not examined)."""
    from kantorovich.results.sensitivity import basis_ranging

    return basis_ranging(result).ranges


def _cost_ranges(result: PlanResult, sens: dict[str, pd.DataFrame],
                 ranges: dict[str, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest objective coefficient of each process column over which the
    optimal basis stays optimal (NaN where not examined): from the sensitivity
    analysis' ``processes`` table when it gives one, otherwise from ``ranges``."""
    procs = result.lp.col_positions("process")
    table = sens.get("processes")
    if table is not None and {"cost_low", "cost_high"} <= set(table.columns):
        return (table["cost_low"].to_numpy(float), table["cost_high"].to_numpy(float))
    if ranges is None:
        return np.full(len(procs), np.nan), np.full(len(procs), np.nan)
    return ranges["cost_dn"][procs], ranges["cost_up"][procs]


def _capacity_rows(result: PlanResult, sens: dict[str, pd.DataFrame],
                   ranges: dict[str, np.ndarray] | None) -> pd.DataFrame:
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
    table = sens.get("capacities")
    if table is not None and {"capacity_low", "capacity_high"} <= set(table.columns):
        table = table.reindex(procs.index)
        high, low = table["capacity_high"].to_numpy(float), table["capacity_low"].to_numpy(float)
    elif ranges is not None and {"col_up", "col_dn"} <= set(ranges):
        cols = result.lp.col_positions("process")[finite]
        high, low = ranges["col_up"][cols], ranges["col_dn"][cols]
    else:
        high = low = np.full(len(procs), np.nan)
    increase = np.where(held, high - cap, increase)
    decrease = np.where(held, cap - low, decrease)
    return pd.DataFrame({
        "kind": "capacity", "id": procs.index.to_numpy(object), "final_value": level,
        "shadow_price": np.where(held, procs["reduced_cost"].to_numpy(float), 0.0),
        "rhs": cap, "allowable_increase": increase,
        "allowable_decrease": np.minimum(decrease, cap),
    })


def sensitivity_report(result: PlanResult, analyses: Analyses) -> dict[str, pd.DataFrame]:
    """The sensitivity report of an optimal result in Excel Solver's layout.

    Parameters
    ----------
    result : PlanResult
        A result with a solution.
    analyses : Analyses
        The analyses run on it; their ``sensitivity`` gives the ranges.

    Returns
    -------
    dict of pandas.DataFrame
        ``variable_cells`` (indexed by process) and ``constraints`` (columns ``kind``,
        ``id`` and the report's); empty when the sensitivity analysis did not run. See
        the module docstring for every column.
    """
    sens = analyses.sensitivity
    if sens is None or not result.status.has_solution:
        return {}
    lp = result.lp
    cols = lp.col_positions("process")
    coef = lp.objective[cols]
    needs = "processes" not in sens or "capacities" not in sens
    ranges = _ranges_of(result, sens) if needs else None
    low, high = _cost_ranges(result, sens, ranges)
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
    parts = [p for p in (good_rows, policy_rows, _capacity_rows(result, sens, ranges)) if len(p)]
    constraints = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "id", *_REPORT_COLUMNS])
    return {"variable_cells": variable_cells, "constraints": constraints}


def summary(result: PlanResult, *, analyses: Analyses | bool = True) -> dict[str, Any]:
    """Everything a script needs from a solve; ``analyses`` (run here when True, or
    given) adds baseline, moves, policy costs and sensitivity ranges."""
    plan = result.plan
    out: dict[str, Any] = {
        "plan": plan.name, "period": plan.period, "status": result.status.value,
        "objective": number(result.objective) if result.is_optimal else None,
        "objective_unit": result.objective_unit, "sense": plan.objective.sense,
        "solve_seconds": number(result.seconds),
        "size": {"processes": len(plan.processes), "goods": len(plan.goods),
                 "policies": len(plan.policies), "rows": result.lp.shape[0],
                 "columns": result.lp.shape[1], "nonzeros": int(result.lp.matrix.nnz)},
    }
    if not result.status.has_solution:
        out["diagnosis"] = plain(result.diagnosis().to_dict())
        return out
    out["levels"] = series_dict(result.levels)
    out["shadow_prices"] = series_dict(result.shadow_prices)
    out["price_units"] = series_dict(result.goods["price_unit"])
    out["policy_prices"] = series_dict(result.policy_prices["price"])
    out["reduced_costs"] = series_dict(result.reduced_costs)
    out["net_output"] = series_dict(result.net_output)
    by_unit = frame_cleaned(result.by_unit())
    by_unit = by_unit[(by_unit["input"] != 0) | (by_unit["output"] != 0)]
    out["by_unit"] = {}
    for (good, unit), row in by_unit.iterrows():
        out["by_unit"].setdefault(str(unit), {})[str(good)] = {
            "input": number(row["input"]), "output": number(row["output"])}
    if plan.objective.sense == "maximize_sets":
        out["assortment_prices"] = series_dict(result.assortment_prices)
    out["certificate"] = plain(result.certificate.to_dict())
    out["degenerate"] = result.is_degenerate
    if analyses is False:
        return out
    found = analyse(result) if analyses is True else analyses
    out["analyses"] = found.to_dict()
    ranges = found.price_ranges
    if ranges is not None:
        ranges = frame_cleaned(ranges)
        out["price_ranges"] = {
            section: {str(i): {"low": number(r["low"]), "high": number(r["high"]),
                               "unique": bool(r["unique"]), "checked": bool(r["checked"])}
                      for i, r in ranges[ranges["kind"] == kind].iterrows()}
            for section, kind in (("goods", "good"), ("policies", "policy"))}
    sens = found.sensitivity
    if sens is not None:
        out["sensitivity"] = {
            section: {str(k): plain(r) for k, r in
                      frame_cleaned(sens[section]).to_dict(orient="index").items()}
            for section in ("goods", "policies", "weights")}
        report = sensitivity_report(result, found)
        cells = report["variable_cells"]
        out["sensitivity"]["variable_cells"] = {
            str(k): plain(r) for k, r in frame_cleaned(cells).to_dict(orient="index").items()}
        out["sensitivity"]["constraints"] = frame_records(report["constraints"])
    comparison = found.baseline
    if comparison is not None:
        out["baseline"] = comparison.to_dict()
        out["moves"] = frame_records(comparison.moves)
    if found.policy_costs is not None:
        out["policy_costs"] = {str(p): plain(r) for p, r in
                               frame_cleaned(found.policy_costs).to_dict(orient="index").items()}
    return out
