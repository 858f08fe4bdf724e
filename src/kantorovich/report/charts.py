"""The numbers a report's charts draw, as plain JSON beside the summary.

The charts of `kantorovich.report.figures` are drawn from this data and the JSON summary
alone, so a page's charts show exactly the numbers embedded in it. Three sections:

``flows``
    The plan's flows for a Sankey diagram: supplies -> goods -> processes -> goods ->
    net output. Nodes ``{"id", "label", "kind"}`` (kind ``supply``, ``good``,
    ``process`` or ``output``) and links ``{"source", "target", "good", "amount",
    "unit", "value"}``: ``amount`` in the good's own unit, ``value`` the link's width.
    Widths are in objective units (each good at its worth to the plan: its shadow price
    plus its weight in the objective, in absolute value) when ``scale`` is ``"value"``;
    when no good has any worth, ``scale`` is ``"amount"`` and widths are the amounts.
    Above `MOST_NODES` processes (or goods), the smaller ones are drawn as one node.
    Goods that flow but are worth nothing to the plan have no width: ``unvalued`` names
    the first `MOST_BARS` of them, ``unvalued_count`` counts them.
``baseline_inputs``
    Per production unit and good it uses: its input in the plan in force and at the
    optimum (``unit``, ``unit_name``, ``good``, ``good_name``, ``measure``,
    ``baseline``, ``optimal``), the largest `MOST_BARS` changes.
``labels``
    Names of goods, processes, units and policies, by id, for the charts' axes and the
    page's tables, each good's unit (``good_units``) and the unit of each rule's
    right-hand side (``policy_units``, empty where its terms mix units). A table longer than the
    summary holds (`kantorovich.report.summary.INLINE_ROWS` rows) is not on the page, so
    neither are its names: such a mapping is empty and ids stand for themselves.
``top_prices``
    Only then, for goods: the `MOST_BARS` largest shadow prices, ``{good: {"name",
    "price", "unit"}}``, for the prices chart.

Examples
--------
>>> import kantorovich as k
>>> result = k.solve(k.load_plan("examples/leningrad.yaml"))
>>> data = chart_data(result)
>>> data["flows"]["scale"], len(data["flows"]["nodes"])
('value', 13)
>>> rows = {(r["unit"], r["good"]): r for r in data["baseline_inputs"]}
>>> rows["mill-5", "wheat"]["baseline"], rows["mill-5", "wheat"]["optimal"]
(2000.0, 2400.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kantorovich.report.summary import INLINE_ROWS
from kantorovich.results.result import PlanResult
from kantorovich.serialise import clean

__all__ = ["MOST_BARS", "MOST_NODES", "chart_data"]

#: Processes (and goods) drawn one by one in the Sankey; the rest share one node.
MOST_NODES = 16
#: Bars of the baseline chart: the largest changes of inputs per unit.
MOST_BARS = 30


def _text(value: Any, default: str) -> str:
    """A name from a table cell, or ``default`` for an empty or missing one."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return default
    return str(value)


def _names(frame: pd.DataFrame) -> dict[str, str]:
    """Names by id; a name several ids share is followed by the id, so that no two
    bars, nodes or rows read alike."""
    names = frame["name"] if "name" in frame else pd.Series(index=frame.index, dtype=object)
    named = pd.Series([_text(n, str(i)) for i, n in zip(frame.index, names)],
                      index=frame.index.astype(str), dtype=object)
    shared = named.duplicated(keep=False).to_numpy()
    ids = named.index.to_numpy(object)
    named[shared] = named[shared] + " (" + ids[shared] + ")"
    return dict(zip(ids, named.to_numpy(object)))


def _worth(result: PlanResult) -> pd.Series:
    """What one unit of each good is worth to the plan, in objective units: its shadow
    price plus what the objective counts it as (a good valued only by the objective has
    price 0 but is worth its weight)."""
    prices = result.shadow_prices.abs()
    weights = result.plan.objective.weights.abs().reindex(prices.index, fill_value=0.0)
    return prices + weights


_KINDS = ("supply", "good", "process", "output")


def _groups(size: np.ndarray, most: int) -> np.ndarray:
    """The node each item is drawn in: its own for the ``most - 1`` largest by ``size``
    (numbered in the items' order), the last one for all the others (every item its own
    when there are at most ``most``)."""
    if size.size <= most:
        return np.arange(size.size)
    kept = np.sort(np.argsort(-size, kind="stable")[:most - 1])
    group = np.full(size.size, most - 1)
    group[kept] = np.arange(most - 1)
    return group


def _flows(result: PlanResult) -> dict[str, Any]:
    """The Sankey's nodes and links (see the module docstring): every flow is mapped to
    its two nodes by integer codes and summed by one groupby, so a plan of a million
    flows costs a few array passes; names are looked up for the drawn nodes only."""
    plan = result.plan
    flows = result.flows
    goods = result.goods
    worth = _worth(result).reindex(goods.index).to_numpy(float)
    gpos = goods.index.get_indexer(pd.Index(flows["good"], copy=False))
    ppos = plan.processes.index.get_indexer(pd.Index(flows["process"], copy=False))
    inputs = flows["input"].to_numpy(float)
    outputs = flows["output"].to_numpy(float)
    scale = "value" if bool((worth[gpos] * (inputs + outputs) > 0).any()) else "amount"
    per = worth if scale == "value" else np.ones_like(worth)
    through = (inputs + outputs) * per[gpos]
    proc_group = _groups(np.bincount(ppos, weights=through, minlength=len(plan.processes)),
                         MOST_NODES)
    made, used = goods["made"].to_numpy(float), goods["used"].to_numpy(float)
    good_group = _groups((made + used) * per, MOST_NODES)
    width = 1 + max(proc_group.max(initial=0), good_group.max(initial=0))
    supply, good, process, output = (k * width for k in range(len(_KINDS)))

    # a good nothing makes is its own supply node, a good nothing uses its own output
    # node; a good both supplied (or delivered) and made and used gets one of each
    every = np.arange(len(goods))
    drawn = np.where(made > 0, np.clip(used - made, 0.0, None), 0.0)   # supply used
    delivered = np.where(used > 0, np.clip(made - used, 0.0, None), 0.0)  # net output
    gg, pg = good_group[gpos], proc_group[ppos]
    frame = pd.DataFrame({
        "source": np.concatenate([supply + good_group, good + gg, process + pg,
                                  good + good_group]),
        "target": np.concatenate([good + good_group, process + pg, good + gg,
                                  output + good_group]),
        "good": np.concatenate([every, gpos, gpos, every]),
        "amount": clean(np.concatenate([drawn, inputs, outputs, delivered]))})
    frame["value"] = frame["amount"].to_numpy() * per[frame["good"].to_numpy()]
    frame = frame[(frame["amount"].to_numpy() > 0) & (frame["value"].to_numpy() > 0)]
    # a link between two aggregated nodes mixes goods: it is named by its first good
    frame = frame.groupby(["source", "target"], sort=False, as_index=False).agg(
        good=("good", "first"), amount=("amount", "sum"), value=("value", "sum"),
        goods=("good", "nunique"))
    good_ids = goods.index.astype(str).to_numpy(object)
    proc_ids = plan.processes.index.astype(str).to_numpy(object)
    units = plan.goods["unit"].reindex(goods.index).fillna("").astype(str).to_numpy(object)
    first_good = dict(zip(*(a.tolist() for a in np.unique(good_group, return_index=True))))
    first_proc = dict(zip(*(a.tolist() for a in np.unique(proc_group, return_index=True))))
    other_goods, other_procs = len(good_ids) > MOST_NODES, len(proc_ids) > MOST_NODES
    good_names, proc_names = _names(plan.goods), _names(plan.processes)
    sources, targets = set(frame["source"].tolist()), set(frame["target"].tolist())

    def node(key: int) -> dict[str, Any]:
        kind, group = _KINDS[key // width], key % width
        if kind == "process":
            other = other_procs and group == MOST_NODES - 1
            ident = "(other processes)" if other else str(proc_ids[first_proc[group]])
            name = ident if other else proc_names.get(ident, ident)
        else:
            other = other_goods and group == MOST_NODES - 1
            ident = "(other goods)" if other else str(good_ids[first_good[group]])
            name = ident if other else good_names.get(ident, ident)
        label = {"supply": f"Supply of {name}", "output": f"{name} (net output)"}.get(kind,
                                                                                    name)
        if kind == "good" and key not in targets:
            kind, label = "supply", f"{name} (supply)"
        elif kind == "good" and key not in sources:
            kind, label = "output", f"{name} (net output)"
        return {"id": f"{_KINDS[key // width]}:{ident}", "label": label, "kind": kind}

    keys = pd.unique(np.concatenate([frame["source"].to_numpy(), frame["target"].to_numpy()]))
    nodes = {int(key): node(int(key)) for key in keys}
    flowing = np.bincount(gpos, weights=inputs + outputs, minlength=len(goods)) > 0
    unvalued = good_ids[flowing & (per == 0)]
    return {"scale": scale, "unvalued": [str(g) for g in unvalued[:MOST_BARS]],
            "unvalued_count": int(unvalued.size), "nodes": list(nodes.values()), "links": [
        {"source": nodes[int(s)]["id"], "target": nodes[int(t)]["id"],
         "good": str(good_ids[g]), "amount": float(a), "value": float(v),
         "unit": "" if n > 1 else str(units[g])}
        for s, t, g, a, v, n in zip(frame["source"], frame["target"], frame["good"],
                                    frame["amount"], frame["value"], frame["goods"])]}


def _baseline_inputs(result: PlanResult) -> list[dict[str, Any]]:
    """Each unit's input of each good, in the plan in force and at the optimum."""
    plan = result.plan
    if plan.baseline is None:
        return []
    levels = plan.baseline.reindex(plan.processes.index, fill_value=0.0)
    before = result.by_unit(levels)["input"]
    after = result.by_unit()["input"]
    both = pd.DataFrame({"baseline": before, "optimal": after.reindex(before.index)})
    both = both.fillna(0.0)
    both = both[(both["baseline"] != 0) | (both["optimal"] != 0)]
    change = (both["optimal"] - both["baseline"]).abs()
    both = both.loc[change.sort_values(ascending=False, kind="stable").index[:MOST_BARS]]
    goods = both.index.get_level_values("good").astype(str)
    units = both.index.get_level_values("unit").astype(str)
    unit_names = _names(plan.units)
    good_names = _names(plan.goods)
    measure = plan.goods["unit"].reindex(goods).fillna("").to_numpy(object)
    frame = pd.DataFrame({"unit": units, "unit_name": [unit_names.get(u, u) for u in units],
                          "good": goods, "good_name": [good_names.get(g, g) for g in goods],
                          "measure": measure,
                          "baseline": clean(both["baseline"].to_numpy(float)),
                          "optimal": clean(both["optimal"].to_numpy(float))})
    position = pd.Series(np.arange(len(plan.units)), index=plan.units.index.astype(str))
    frame["_at"] = position.reindex(frame["unit"]).fillna(len(position)).to_numpy()
    frame = frame.sort_values(["_at", "good"], kind="stable").drop(columns="_at")
    return [{**{str(k): v for k, v in r.items()}, "baseline": float(r["baseline"]),
             "optimal": float(r["optimal"])} for r in frame.to_dict(orient="records")]


def chart_data(result: PlanResult) -> dict[str, Any]:
    """The charts' numbers for ``result`` (see the module docstring); a result without an
    optimum has only ``labels``."""
    plan = result.plan
    def small(frame: pd.DataFrame) -> bool:
        return len(frame) <= INLINE_ROWS

    labels = {"goods": _names(plan.goods) if small(plan.goods) else {},
              "processes": _names(plan.processes) if small(plan.processes) else {},
              "units": _names(plan.units) if small(plan.units) else {},
              "policies": ({p.id: p.name or p.id for p in plan.policies}
                           if len(plan.policies) <= INLINE_ROWS else {}),
              "policy_units": ({p.id: plan.rule_unit(p.rule) or "" for p in plan.policies}
                               if len(plan.policies) <= INLINE_ROWS else {}),
              "good_units": ({str(g): _text(u, "") for g, u in plan.goods["unit"].items()}
                             if small(plan.goods) else {})}
    if not result.status.has_solution:
        return {"labels": labels}
    out = {"labels": labels, "flows": _flows(result),
           "baseline_inputs": _baseline_inputs(result)}
    if not small(plan.goods):   # the summary leaves prices to a table: the chart keeps
        out["top_prices"] = _top_prices(result)   # those worth most
    return out


def _top_prices(result: PlanResult) -> dict[str, dict[str, Any]]:
    """The `MOST_BARS` goods with the largest shadow prices (in absolute value), each with
    its name, price and price unit, for a plan whose summary leaves prices to a table."""
    goods = result.goods
    prices = pd.Series(clean(goods["shadow_price"].to_numpy(float)), index=goods.index)
    top = prices.abs().sort_values(ascending=False, kind="stable").index[:MOST_BARS]
    names = _names(result.plan.goods.loc[top])
    return {str(g): {"name": names[str(g)], "price": float(prices[g]),
                     "unit": str(goods.at[g, "price_unit"])} for g in top}
