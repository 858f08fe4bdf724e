"""The numbers a planner may move on the planning table, each under its sweep key.

Every input of the page is one number of the plan, named by the key a sweep varies
(`kantorovich.sweep.grid`): ``supply.GOOD``, ``demand.GOOD``,
``processes.ID.capacity``, ``policies.ID`` (the rule's bound as written) and
``objective.GOOD``. `plan_inputs` lists them in one table, built column by column; a
plan of 10^5 goods gets the top `SHOWN` of each kind on the page (those that weigh most
in the base optimum: a scarce supply, a binding capacity or rule, a large weight) and
`search` finds any other by id or name.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from kantorovich.model.expansion import horizon_of
from kantorovich.model.plan import Plan
from kantorovich.model.rules import bound_sign
from kantorovich.results.result import PlanResult

__all__ = ["ALL_BELOW", "KINDS", "SHOWN", "plan_inputs", "records", "search", "shown"]

#: A kind with at most this many numbers shows every one of them.
ALL_BELOW = 40
#: Otherwise, how many of a kind the page shows (the rest are found by `search`).
SHOWN = 20

#: The kinds of input, in the page's order, with their headings.
KINDS = {"supply": "Supplies", "demand": "Demands", "capacity": "Capacities",
         "rule": "Rule bounds", "weight": "Objective weights"}

_COLUMNS = ["key", "kind", "id", "name", "unit", "value", "weight"]


def _frame(kind: str, prefix: str, ids: pd.Index, names: Any, units: Any,
           values: Any, weight: Any, suffix: str = "") -> pd.DataFrame:
    ids = ids.astype(str)
    return pd.DataFrame({
        "key": prefix + pd.Series(ids, dtype=object) + suffix, "kind": kind,
        "id": np.asarray(ids, dtype=object),
        "name": np.asarray(names, dtype=object), "unit": np.asarray(units, dtype=object),
        "value": np.asarray(values, dtype=float),
        "weight": np.abs(np.nan_to_num(np.asarray(weight, dtype=float), nan=0.0))},
        columns=_COLUMNS)


def plan_inputs(plan: Plan, base: PlanResult | None = None) -> pd.DataFrame:
    """Every number of ``plan`` a planner may move, one row each.

    Parameters
    ----------
    plan : Plan
    base : PlanResult, optional
        The base optimum: its prices rank the inputs (``weight``), so that the page shows
        first what the optimum depends on most.

    Returns
    -------
    DataFrame
        Columns ``key`` (the sweep key, the input's ``data-change``), ``kind``
        (`KINDS`), ``id``, ``name``, ``unit``, ``value`` (the plan's own; a rule's bound
        as written) and ``weight`` (what ranks it), in the order of `KINDS`.
    """
    goods, procs = plan.goods, plan.processes
    solved = base if base is not None and base.status.has_solution else None
    prices = (solved.shadow_prices.reindex(goods.index).to_numpy(float) if solved
              else np.zeros(len(goods)))
    names = goods["name"].fillna("").astype(str).to_numpy(object)
    names = np.where(names == "", goods.index.astype(str).to_numpy(object), names)
    units = goods["unit"].fillna("").astype(str).to_numpy(object)
    supply = goods["supply"].fillna(0.0).to_numpy(float)
    demand = goods["demand"].fillna(0.0).to_numpy(float)
    parts = [_frame("supply", "supply.", goods.index, names, units, supply,
                    prices * supply),
             _frame("demand", "demand.", goods.index, names, units, demand,
                    prices * demand)]
    capacity = procs["capacity"].to_numpy(float)       # inf: unlimited, an empty input
    limited = np.isfinite(capacity)
    reduced = (solved.reduced_costs.reindex(procs.index).to_numpy(float) if solved
               else np.zeros(len(procs)))
    pnames = procs["name"].fillna("").astype(str).to_numpy(object)
    pnames = np.where(pnames == "", procs.index.astype(str).to_numpy(object), pnames)
    parts.append(_frame("capacity", "processes.", procs.index, pnames,
                        procs["level_unit"].fillna("").astype(str).to_numpy(object),
                        capacity, np.where(limited, reduced * np.where(limited, capacity, 0),
                                           0.0), suffix=".capacity"))
    if plan.policies:
        ids = pd.Index([p.id for p in plan.policies], dtype=object)
        bounds = [bound_sign(p.rule) * p.rule.rhs + 0.0 for p in plan.policies]
        rule_prices = (solved.policy_prices["price"].reindex(ids).to_numpy(float) if solved
                       else np.zeros(len(ids)))
        parts.append(_frame("rule", "policies.", ids, [p.name or p.id for p in plan.policies],
                            [""] * len(ids), bounds, rule_prices * np.abs(bounds)))
    weights = plan.objective.weights.astype(float)
    known = goods.index.get_indexer(weights.index)
    wunits = pd.Series(np.where(known >= 0, units[np.maximum(known, 0)], ""), dtype=object)
    objective_unit = plan.objective.unit or ""
    per = (f"{objective_unit} per " + wunits).where((wunits != "") & bool(objective_unit), "")
    parts.append(_frame("weight", "objective.", weights.index,
                        np.where(known >= 0, names[np.maximum(known, 0)],
                                 weights.index.astype(str).to_numpy(object)),
                        per.to_numpy(object), weights.to_numpy(float),
                        weights.to_numpy(float)))
    found = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return _planners_own(plan, found)


def _planners_own(plan: Plan, inputs: pd.DataFrame) -> pd.DataFrame:
    """``inputs`` without the rows a plan over time adds of its own (the capacity a stock
    gives, holding, investing and carrying, the sets' baskets): a planner moves a good's
    supply or demand in a period, a process's capacity, an initial stock (the supply of
    ``stock:P:G[1]``), not the expansion's bookkeeping."""
    mapping = horizon_of(plan)
    if mapping is None:
        return inputs
    goods = pd.Series(mapping.goods["kind"].to_numpy(), index=plan.goods.index.astype(str))
    procs = pd.Series(mapping.processes["kind"].to_numpy(),
                      index=plan.processes.index.astype(str))
    kind = inputs["kind"].to_numpy()
    ids = inputs["id"]
    good_kind = ids.map(goods).to_numpy(object)
    process_kind = ids.map(procs).to_numpy(object)
    keep = np.ones(len(inputs), dtype=bool)
    amounts = (kind == "supply") | (kind == "demand")
    first = pd.Series(mapping.goods["period"].to_numpy() == mapping.periods[0],
                      index=goods.index)
    initial = (good_kind == "stock") & (kind == "supply") & \
        ids.map(first).fillna(False).to_numpy(bool)
    keep[amounts] = (good_kind[amounts] == "good") | initial[amounts]
    keep[kind == "weight"] = good_kind[kind == "weight"] == "good"
    keep[kind == "capacity"] = process_kind[kind == "capacity"] == "process"
    return inputs[keep].reset_index(drop=True)


def shown(inputs: pd.DataFrame, state: dict[str, float] | None = None) -> pd.DataFrame:
    """The inputs the page shows: every one of a kind with at most `ALL_BELOW`; else
    its top `SHOWN` by weight (among equal weights, a number the plan gives before one
    it leaves at 0, then in the plan's order), and any the state has moved."""
    moved = inputs["key"].isin(list(state or ()))
    counts = inputs["kind"].map(inputs["kind"].value_counts()).to_numpy(int)
    rank = (inputs.assign(_order=np.arange(len(inputs)), _given=inputs["value"] != 0)
            .sort_values(["kind", "weight", "_given", "_order"],
                         ascending=[True, False, False, True])
            .groupby("kind", sort=False).cumcount().sort_index().to_numpy(int))
    keep = (counts <= ALL_BELOW) | (rank < SHOWN) | moved.to_numpy(bool)
    return inputs[keep]


def search(inputs: pd.DataFrame, query: str, limit: int) -> pd.DataFrame:
    """The inputs whose key, id or name holds ``query`` (any case), the weightiest first."""
    words = query.strip().lower()
    if not words:
        return inputs.iloc[:0]
    text = (inputs["key"].astype(str) + "\x1f" + inputs["name"].astype(str)).str.lower()
    found = inputs[text.str.contains(words, regex=False).to_numpy(bool)]
    return found.sort_values("weight", ascending=False, kind="stable").head(limit)


def records(inputs: pd.DataFrame) -> list[dict[str, Any]]:
    """The inputs as JSON records (``key``, ``kind``, ``id``, ``name``, ``unit``,
    ``value``; an unlimited value is ``"inf"``)."""
    values = inputs["value"].to_numpy(float).astype(object)
    values[np.isposinf(inputs["value"].to_numpy(float))] = "inf"
    rows = inputs[["key", "kind", "id", "name", "unit"]].assign(value=values)
    return cast(list[dict[str, Any]], rows.to_dict(orient="records"))  # str columns
