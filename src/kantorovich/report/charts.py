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
``baseline_inputs``
    Per production unit and good it uses: its input in the plan in force and at the
    optimum (``unit``, ``unit_name``, ``good``, ``good_name``, ``measure``,
    ``baseline``, ``optimal``), the largest `MOST_BARS` changes.
``labels``
    Names of goods, processes, units and policies, by id, for the charts' axes.

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


def _keep_largest(ids: pd.Series, size: pd.Series, most: int, other: str) -> pd.Series:
    """Map each id to itself, or to ``other`` when it is not among the ``most - 1``
    largest by ``size`` (all kept when there are at most ``most``)."""
    if size.size <= most:
        return pd.Series(ids.to_numpy(object), index=ids.to_numpy(object))
    kept = set(size.nlargest(most - 1).index)
    return pd.Series([i if i in kept else other for i in ids], index=ids.to_numpy(object))


def _flows(result: PlanResult) -> dict[str, Any]:
    """The Sankey's nodes and links (see the module docstring), built by groupby."""
    plan = result.plan
    flows = result.flows
    goods = result.goods
    worth = _worth(result)
    scale = "value" if bool((worth.reindex(flows["good"]).to_numpy() *
                             (flows["input"] + flows["output"]).to_numpy() > 0).any()) \
        else "amount"
    per = worth if scale == "value" else pd.Series(1.0, index=worth.index)
    made_used = (flows["input"] + flows["output"]).to_numpy(float)
    through = pd.Series(made_used * per.reindex(flows["good"]).to_numpy(), index=flows.index)
    proc_size = through.groupby(flows["process"].to_numpy()).sum()
    proc_of = _keep_largest(pd.Series(proc_size.index), proc_size, MOST_NODES, "(other processes)")
    good_size = (goods["made"] + goods["used"]) * per.reindex(goods.index)
    good_of = _keep_largest(pd.Series(goods.index), good_size, MOST_NODES, "(other goods)")

    # a good nothing makes is its own supply node, a good nothing uses its own output
    # node; a good both supplied (or delivered) and made and used gets one of each
    drawn = (goods["used"] - goods["made"]).clip(lower=0.0)      # supply the plan uses
    drawn = drawn[goods["made"] > 0]
    delivered = (goods["made"] - goods["used"]).clip(lower=0.0)  # net output
    delivered = delivered[goods["used"] > 0]
    links = [
        pd.DataFrame({"source": "supply:" + good_of[drawn.index].to_numpy(object),
                      "target": "good:" + good_of[drawn.index].to_numpy(object),
                      "good": drawn.index.to_numpy(object), "amount": drawn.to_numpy()}),
        pd.DataFrame({"source": "good:" + good_of[flows["good"]].to_numpy(object),
                      "target": "process:" + proc_of[flows["process"]].to_numpy(object),
                      "good": flows["good"].to_numpy(object),
                      "amount": flows["input"].to_numpy(float)}),
        pd.DataFrame({"source": "process:" + proc_of[flows["process"]].to_numpy(object),
                      "target": "good:" + good_of[flows["good"]].to_numpy(object),
                      "good": flows["good"].to_numpy(object),
                      "amount": flows["output"].to_numpy(float)}),
        pd.DataFrame({"source": "good:" + good_of[delivered.index].to_numpy(object),
                      "target": "output:" + good_of[delivered.index].to_numpy(object),
                      "good": delivered.index.to_numpy(object),
                      "amount": delivered.to_numpy()}),
    ]
    frame = pd.concat(links, ignore_index=True)
    frame["amount"] = clean(frame["amount"].to_numpy(float))
    frame = frame[frame["amount"] > 0]
    frame["value"] = frame["amount"].to_numpy() * per.reindex(frame["good"]).to_numpy()
    frame = frame[frame["value"] > 0]
    # a link between two aggregated nodes mixes goods: it is named by its first good
    frame = frame.groupby(["source", "target"], sort=False, as_index=False).agg(
        good=("good", "first"), amount=("amount", "sum"), value=("value", "sum"),
        goods=("good", "nunique"))
    unit = plan.goods["unit"]
    frame["unit"] = np.where(frame["goods"] > 1, "", unit.reindex(frame["good"]).fillna("")
                             .to_numpy(object))
    good_names, proc_names = _names(plan.goods), _names(plan.processes)
    sources = set(frame["source"])
    targets = set(frame["target"])
    nodes = []
    for node in pd.unique(np.concatenate([frame["source"].to_numpy(object),
                                          frame["target"].to_numpy(object)])):
        kind, ident = node.split(":", 1)
        name = (proc_names.get(ident, ident) if kind == "process"
                else good_names.get(ident, ident))
        label = {"supply": f"Supply of {name}", "output": f"{name} (net output)"}.get(kind, name)
        if kind == "good" and node not in targets:
            kind, label = "supply", f"{name} (supply)"
        elif kind == "good" and node not in sources:
            kind, label = "output", f"{name} (net output)"
        nodes.append({"id": node, "label": label, "kind": kind})
    records = frame.drop(columns="goods").to_dict(orient="records")
    return {"scale": scale, "nodes": nodes,
            "links": [{**r, "amount": float(r["amount"]), "value": float(r["value"])}
                      for r in records]}


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
    return [{**r, "baseline": float(r["baseline"]), "optimal": float(r["optimal"])}
            for r in frame.to_dict(orient="records")]


def chart_data(result: PlanResult) -> dict[str, Any]:
    """The charts' numbers for ``result`` (see the module docstring); a result without an
    optimum has only ``labels``."""
    plan = result.plan
    labels = {"goods": _names(plan.goods), "processes": _names(plan.processes),
              "units": _names(plan.units),
              "policies": {p.id: p.name or p.id for p in plan.policies},
              "good_units": {str(g): _text(u, "") for g, u in plan.goods["unit"].items()}}
    if not result.status.has_solution:
        return {"labels": labels}
    return {"labels": labels, "flows": _flows(result),
            "baseline_inputs": _baseline_inputs(result)}
