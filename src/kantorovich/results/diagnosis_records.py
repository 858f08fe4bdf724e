"""The statements a diagnosis mentions, as plain records in the plan's own terms.

Each record is a dict keyed by plan ids, with the names and units looked up from the plan
and the numbers of the statement (a supply and a demand, a policy's rule and right-hand
side, a capacity, a change from one bound to another, a process's flows per unit of
level). Solver rows and columns stop here. The sentences made of these records are
`kantorovich.explain.diagnosis_text`'s.
"""

from __future__ import annotations

import math
from typing import Any

from kantorovich.lp.program import LinearProgram
from kantorovich.model.plan import Plan, Policy
from kantorovich.results.elastic import Elastic

__all__ = ["Records"]


class Records:
    """Records of the plan's statements, relaxations and runaway processes."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.policies: dict[str, Policy] = {p.id: p for p in plan.policies}
        self.unit = plan.objective_unit

    def good(self, good: str) -> tuple[str, str]:
        """(name, unit) of a good; its name is its id when it has none."""
        row = self.plan.goods.loc[good]
        return _str(row.get("name")) or good, _str(row.get("unit"))

    def process_name(self, process: str) -> str:
        return _str(self.plan.processes.at[process, "name"]) or process

    # conflict members
    def row_statement(self, lp: LinearProgram, i: int, side: str) -> dict[str, Any]:
        """The statement of row ``i`` whose ``side`` conflicts: a good's balance (kind
        ``demand``, ``supply`` or ``balance``, by which of the two exceeds the other), a
        policy, the assortment, or another row kind by its id."""
        kind, ident = str(lp.rows["kind"].iat[i]), str(lp.rows["id"].iat[i])
        if kind == "good":
            name, unit = self.good(ident)
            supply, demand = self.plan.goods.loc[ident, ["supply", "demand"]].to_numpy(float)
            gap = demand - supply
            scale = 1e-9 * (1.0 + abs(demand) + abs(supply))
            what = "demand" if gap > scale else "supply" if gap < -scale else "balance"
            return {"kind": what, "id": ident, "good": ident, "name": name, "unit": unit,
                    "supply": supply, "demand": demand}
        if kind == "policy":
            policy = self.policies[ident]
            rule = policy.rule
            return {"kind": "policy", "id": ident, "policy": ident, "name": policy.label,
                    "rule": rule.text, "sense": rule.sense, "rhs": float(rule.rhs),
                    "side": side, "unit": self.plan.rule_unit(rule)}
        if kind == "assortment":
            name, unit = self.good(ident)
            return {"kind": "assortment", "id": ident, "good": ident, "name": name,
                    "unit": unit}
        return {"kind": kind, "id": ident}

    def col_statements(self, lp: LinearProgram, j: int, side: str) -> list[dict[str, Any]]:
        """The bounds of column ``j`` that conflict: a process's minimum level (kind
        ``nonnegative`` when it conflicts only as "level at least 0") and its capacity."""
        kind, ident = str(lp.cols["kind"].iat[j]), str(lp.cols["id"].iat[j])
        if kind != "process":
            return []           # e.g. 'sets' >= 0: not a statement of the plan
        name = self.process_name(ident)
        out: list[dict[str, Any]] = []
        low = float(lp.col_lower[j])
        if side.startswith("nonnegative") or (side in ("lower", "boxed") and low == 0):
            out.append({"kind": "nonnegative", "id": ident, "process": ident, "name": name,
                        "min_level": 0.0})
        elif side in ("lower", "boxed"):
            out.append({"kind": "min_level", "id": ident, "process": ident, "name": name,
                        "min_level": low})
        if side in ("upper", "boxed", "nonnegative+upper"):
            out.append({"kind": "capacity", "id": ident, "process": ident, "name": name,
                        "capacity": float(lp.col_upper[j])})
        return out

    # relaxations
    def relaxation(self, lp: LinearProgram, el: Elastic, k: int, amount: float
                   ) -> dict[str, Any]:
        """Slack ``k`` of the elastic program at ``amount``, as a change of its statement
        from one bound to another (``amount`` in the record is ``to - from``)."""
        kind, pos, old = str(el.kind[k]), int(el.pos[k]), float(el.bound[k])
        weight = float(el.weight[k])
        if kind in ("supply", "demand"):
            ident = str(lp.rows["id"].iat[pos])
            name, unit = self.good(ident)
            new = old + amount if kind == "supply" else old - amount
            return {"kind": kind, "id": ident, "good": ident, "amount": new - old,
                    "from": old, "to": new, "unit": unit, "weight": weight, "name": name}
        if kind in ("policy_lower", "policy_upper"):
            ident = str(lp.rows["id"].iat[pos])
            policy = self.policies[ident]
            new = old - amount if kind == "policy_lower" else old + amount
            side = "lower" if kind == "policy_lower" else "upper"
            return {"kind": "policy", "id": ident, "policy": ident, "side": side,
                    "amount": new - old, "from": old, "to": new,
                    "unit": self.plan.rule_unit(policy.rule), "weight": weight,
                    "name": policy.label, "rule": policy.rule.text,
                    "sense": policy.rule.sense}
        ident = str(lp.cols["id"].iat[pos])
        new = old + amount if kind == "capacity" else old - amount
        return {"kind": kind, "id": ident, "process": ident, "amount": new - old,
                "from": old, "to": new, "unit": "", "weight": weight,
                "name": self.process_name(ident)}

    # unbounded processes
    def runaway(self, lp: LinearProgram, j: int, direction: float) -> dict[str, Any]:
        """Process column ``j`` growing at ``direction`` (units of level per unit of the
        lead process): its objective improvement per unit of level and its flows."""
        ident = str(lp.cols["id"].iat[j])
        gain = float(lp.improves * lp.objective[j]) + 0.0
        flows = self.plan.flows
        mine = flows[flows["process"].to_numpy() == ident]
        makes, uses = [], []
        for good, inp, out in zip(mine["good"], mine["input"], mine["output"]):
            name, unit = self.good(str(good))
            if out > 0:
                makes.append({"good": str(good), "name": name, "amount": float(out),
                              "unit": unit})
            if inp > 0:
                uses.append({"good": str(good), "name": name, "amount": float(inp),
                             "unit": unit})
        return {"process": ident, "name": self.process_name(ident), "direction": direction,
                "improvement": gain, "objective_unit": self.unit, "makes": makes,
                "uses": uses}


def _str(value: object) -> str:
    """A plan text, empty when missing (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
