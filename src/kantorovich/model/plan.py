"""`Plan`: the domain model as tables, not as an object per process.

A plan is goods, units and processes (each a DataFrame indexed by the plan's own ids), a
long table of flows (process, good, input, output per unit of level), availabilities,
an objective, named policies and an optional baseline. Tables scale to economy size and
let compilation stay vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from kantorovich.model.rules import Rule

__all__ = ["Objective", "Plan", "Policy", "codes_in"]

Sense = Literal["maximize", "minimize", "maximize_sets"]


@dataclass(frozen=True)
class Objective:
    """What the plan optimises.

    ``maximize``: sum of weight x net output (outputs - inputs) per good.
    ``minimize``: sum of weight x net use (inputs - outputs) per good.
    ``maximize_sets``: the number of complete sets, net output of each good >= count x sets.
    """

    sense: Sense
    weights: pd.Series
    unit: str = ""
    constant: float = 0.0

    @property
    def is_maximize(self) -> bool:
        return self.sense != "minimize"


@dataclass(frozen=True)
class Policy:
    """A named political rule; ``rule`` is the parsed linear (in)equality."""

    id: str
    rule: Rule
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, eq=False)
class Plan:
    """A planning problem in Kantorovich/Koopmans activity-analysis form.

    Every good obeys ``supply + outputs - inputs >= demand``; process levels lie in
    ``[min_level, capacity]``. Build one with :func:`kantorovich.load_plan` or
    :meth:`Plan.from_dict`.
    """

    name: str
    goods: pd.DataFrame        # index good: name, unit, supply, demand
    units: pd.DataFrame        # index unit: name, region
    processes: pd.DataFrame    # index process: name, unit, min_level, capacity
    flows: pd.DataFrame        # process, good, input, output (one row per pair)
    objective: Objective
    policies: tuple[Policy, ...] = ()
    baseline: pd.Series | None = None   # level per process
    period: str = "period"
    source: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, object], *, source: str | None = None) -> Plan:
        """Build a plan from the same mapping a YAML plan file holds."""
        from kantorovich.model.load import plan_from_mapping

        return plan_from_mapping(data, source=source)

    def with_policies(self, policies: tuple[Policy, ...]) -> Plan:
        return replace(self, policies=tuple(policies))

    def without_policy(self, policy_id: str) -> Plan:
        return self.with_policies(tuple(p for p in self.policies if p.id != policy_id))

    def with_supply(self, good: str, amount: float) -> Plan:
        goods = self.goods.copy()
        goods.loc[good, "supply"] = amount
        return replace(self, goods=goods)

    def with_demand(self, good: str, amount: float) -> Plan:
        goods = self.goods.copy()
        goods.loc[good, "demand"] = amount
        return replace(self, goods=goods)

    # -- views ---------------------------------------------------------------------------
    @property
    def objective_unit(self) -> str:
        """The unit every objective-valued number is reported in."""
        if self.objective.unit:
            return self.objective.unit
        weights = self.objective.weights
        if self.objective.sense == "maximize_sets":
            return "sets"
        if len(weights) == 1 and float(weights.iloc[0]) == 1.0:
            return str(self.goods.at[weights.index[0], "unit"]) or "objective units"
        return "objective units"

    def good_unit(self, good: str) -> str:
        return str(self.goods.at[good, "unit"])

    def flow_units(self) -> np.ndarray:
        """The production unit of each flow's process; a process with no unit stands for
        itself, so its inputs still have an owner when moves are counted."""
        unit = self.processes["unit"].reindex(self.flows["process"]).to_numpy(object)
        return np.where(pd.isna(unit), self.flows["process"].to_numpy(object), unit)

    def rule_unit(self, rule: Rule) -> str:
        """The unit a rule is measured in: its goods' unit when they all share one, and
        none when it counts process levels."""
        units = set()
        for term, _ in rule.terms:
            if term.kind == "level" or term.target not in self.goods.index:
                return ""
            units.add(str(self.goods.at[term.target, "unit"]))
        return units.pop() if len(units) == 1 else ""

    def process_region(self) -> pd.Series:
        """Region of each process (through its unit); missing where none is given."""
        unit = self.processes["unit"]
        return unit.map(self.units["region"]) if len(self.units) else unit.map(lambda _: None)

    def __repr__(self) -> str:
        return (f"<Plan {self.name!r}: {len(self.goods)} goods, {len(self.units)} units, "
                f"{len(self.processes)} processes, {len(self.flows)} flows, "
                f"{len(self.policies)} policies, objective {self.objective.sense}>")

    def summary(self) -> dict[str, object]:
        return {"name": self.name, "period": self.period, "goods": len(self.goods),
                "units": len(self.units), "processes": len(self.processes),
                "flows": len(self.flows), "policies": len(self.policies),
                "objective": self.objective.sense,
                "baseline": self.baseline is not None}


def empty_flows() -> pd.DataFrame:
    return pd.DataFrame({"process": pd.Series([], dtype=object),
                         "good": pd.Series([], dtype=object),
                         "input": pd.Series([], dtype=float),
                         "output": pd.Series([], dtype=float)})


def normalise_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """One row per (process, good), amounts summed, zero rows dropped."""
    p_codes, _ = pd.factorize(flows["process"])
    g_codes, g_uniques = pd.factorize(flows["good"])
    pairs = p_codes.astype(np.int64) * max(len(g_uniques), 1) + g_codes
    if pd.Series(pairs).duplicated().any():
        flows = flows.groupby(["process", "good"], sort=False, as_index=False)[
            ["input", "output"]].sum()
    keep = (flows["input"].to_numpy() != 0) | (flows["output"].to_numpy() != 0)
    return flows.loc[keep].reset_index(drop=True)



def codes_in(values: pd.Series | pd.Index, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 where absent), hashing each distinct value
    once: ids repeat across flows, and hashing strings is the cost that matters."""
    if not isinstance(values, (pd.Series, pd.Index)):
        values = pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    positions = np.append(index.get_indexer(uniques), -1)
    return positions[np.where(codes >= 0, codes, len(positions) - 1)]
