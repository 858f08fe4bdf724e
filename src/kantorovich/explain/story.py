"""The plan explained in sentences a Party official could follow.

Every number in a sentence comes from a table the result already holds (levels, prices,
baseline comparison, policy costs) and is shown with its unit, so each can be traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.explain.baseline import BaselineComparison
from kantorovich.numbers import fmt
from kantorovich.results.result import PlanResult

__all__ = ["Explanation", "explain", "fmt"]


@dataclass
class Explanation:
    """The sentences, grouped, plus the tables they were built from."""

    headline: str
    sections: dict[str, list[str]] = field(default_factory=dict)
    baseline: BaselineComparison | None = None
    policy_costs: pd.DataFrame | None = None

    def text(self) -> str:
        parts = [self.headline]
        for title, lines in self.sections.items():
            if lines:
                parts.append("")
                parts.append(title)
                parts.extend(f"  - {line}" for line in lines)
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.text()


def rule_sides(text: str) -> tuple[str, str]:
    """The two sides of an equality rule, split at its comparison, not at an ``=`` inside
    a term such as ``input(steel, unit=factory-47)``.

    >>> rule_sides("input(steel, unit=f-47) == input(steel, region='Perm')")
    ('input(steel, unit=f-47)', "input(steel, region='Perm')")
    """
    depth, quote = 0, ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "=" and depth == 0:
            rest = text[i + 2:] if text[i + 1:i + 2] == "=" else text[i + 1:]
            return text[:i].strip(), rest.strip()
    return text.strip(), ""


def _verb(plan, gain: str, save: str) -> str:
    """Improvement is more of what is maximised and less of what is minimised."""
    return gain if plan.objective.is_maximize else save


def _unit_name(plan, unit: str) -> str:
    if unit in plan.units.index:
        return str(plan.units.at[unit, "name"])
    if unit in plan.processes.index:
        return str(plan.processes.at[unit, "name"])
    return str(unit)


def _good_name(plan, good: str) -> str:
    return str(plan.goods.at[good, "name"]) if good in plan.goods.index else str(good)


def _yield_text(result: PlanResult, good: str, unit: str) -> tuple[str, float] | None:
    """What one unit of ``good`` becomes at ``unit`` (its main output per unit of input)."""
    plan = result.plan
    flows = plan.flows
    uses = flows[(flows["good"].to_numpy() == good) & (plan.flow_units() == unit) &
                 (flows["input"].to_numpy() > 0)]
    if uses.empty:
        return None
    process = uses["process"].iloc[0]
    per_input = float(uses["input"].iloc[0])
    outs = flows[(flows["process"] == process) & (flows["output"] > 0)]
    if outs.empty:
        return None
    out = outs.iloc[0]
    amount = float(out["output"]) / per_input
    g_unit = plan.good_unit(good)
    return (f"{fmt(amount, plan.good_unit(out['good']))} of {_good_name(plan, out['good'])} "
            f"per {g_unit or 'unit'} of {_good_name(plan, good)}", amount)


def _moves_lines(result: PlanResult, comparison: BaselineComparison) -> list[str]:
    plan = result.plan
    unit = result.objective_unit
    lines = []
    for _, mv in comparison.moves.head(10).iterrows():
        sender, receiver = _unit_name(plan, mv["sender"]), _unit_name(plan, mv["receiver"])
        share = (f" ({mv['share_of_sender'] * 100:,.0f}% of {sender}'s allocation)"
                 if np.isfinite(mv["share_of_sender"]) else "")
        gain = (f": the plan {_verb(plan, 'gains', 'saves')} {fmt(mv['gain'], unit)} a "
                f"{plan.period}"
                if np.isfinite(mv["gain"]) else f" ({mv['gain_note']})"
                if mv.get("gain_note") else "")
        line = (f"Move {fmt(mv['amount'], mv['unit'])} of {_good_name(plan, mv['good'])} a "
                f"{plan.period} from {sender} to {receiver}{share}{gain}.")
        ys, yr = _yield_text(result, mv["good"], mv["sender"]), _yield_text(
            result, mv["good"], mv["receiver"])
        if ys and yr and ys[1] > 0:
            better = (yr[1] / ys[1] - 1) * 100
            line += (f" {receiver} makes {yr[0]}, {sender} {ys[0]}"
                     + (f" ({better:,.1f}% more)." if better > 0.05 else "."))
        lines.append(line)
    if not lines:
        lines.append("No input changes hands between production units.")
    return lines


def _policy_lines(result: PlanResult, costs: pd.DataFrame,
                  ranges: pd.DataFrame | None) -> list[str]:
    plan = result.plan
    if ranges is not None:
        ranges = ranges[ranges["kind"] == "policy"]
    unit = result.objective_unit
    lines = []
    weights = plan.objective.weights
    policies = {p.id: p for p in plan.policies}
    for pid, row in costs.iterrows():
        name = row["name"]
        policy = policies[pid]
        per = plan.rule_unit(policy.rule)
        tiny = 1e-9 * (1 + abs(result.objective))
        free = abs(row["cost"]) < tiny and abs(row["price"]) < tiny
        if free or (not row["binding"] and abs(row["cost"]) < tiny):
            slack = result.policy_prices.at[pid, "slack"]
            if slack > 1e-9 * (1 + abs(result.policy_prices.at[pid, "rhs"])):
                lines.append(f"'{name}' does not bind ({fmt(slack, per)} to spare): it costs "
                             "nothing in this plan.")
            else:
                lines.append(f"'{name}' is met exactly, but costs nothing: dropping it "
                             "would not improve the plan.")
            continue
        price = row["price"]
        if result.policy_prices.at[pid, "sense"] == "==":
            left, right = rule_sides(row["rule"])
            if price < 0:
                left, right = right, left
            marginal = (f"each {per or 'unit'} by which {left} were allowed to exceed {right} "
                        "would "
                        f"{_verb(plan, 'add', 'save')} {fmt(abs(price), unit)}")
        else:
            marginal = (f"each {per or 'unit'} it is loosened would "
                        f"{_verb(plan, 'add', 'save')} {fmt(price, unit)}")
        if ranges is not None and pid in ranges.index and not ranges.at[pid, "unique"] \
                and ranges.at[pid, "checked"]:
            low, high = ranges.at[pid, "low"], ranges.at[pid, "high"]
            marginal += (f" (at this degenerate optimum its price is not unique: any value "
                         f"from {fmt(low, unit)} to {fmt(high, unit)} is valid)")
        cost = row["cost"]
        if np.isfinite(cost):
            whole = (f"dropping it altogether would {_verb(plan, 'add', 'save')} "
                     f"{fmt(cost, unit)} a {plan.period}")
            changes = [f"{fmt(row[f'change_{g}'], plan.good_unit(g))} more "
                       f"{_good_name(plan, g)}" for g in weights.index
                       if f"change_{g}" in row and np.isfinite(row[f"change_{g}"])
                       and row[f"change_{g}"] > 1e-9 * (1 + abs(result.objective))]
            if changes and len(weights) > 1:
                whole += f" ({', '.join(changes)})"
        else:
            whole = f"without it the plan would be {row['status_without']}"
        lines.append(f"'{name}' binds: {marginal}; {whole}.")
    return lines


def _price_lines(result: PlanResult) -> list[str]:
    plan = result.plan
    unit = result.objective_unit
    goods = result.goods
    lines = []
    weights = plan.objective.weights
    if plan.objective.sense != "maximize_sets" and len(weights) > 1:
        lines.append("The objective counts " + ", ".join(
            f"a {plan.good_unit(g) or 'unit'} of {_good_name(plan, g)} as {fmt(w, unit)}"
            for g, w in weights.head(8).items()) + ".")
    valued = goods[goods["shadow_price"].abs() > 1e-12].sort_values(
        "shadow_price", ascending=False)
    for good, row in valued.head(12).iterrows():
        lines.append(f"A {row['unit'] or 'unit'} of {_good_name(plan, good)} is worth "
                     f"{fmt(row['shadow_price'], unit)} to the plan.")
    free = goods[(goods["shadow_price"].abs() <= 1e-12) & (goods["surplus"] > 1e-9)]
    for good, row in free.head(6).iterrows():
        if plan.objective.weights.get(good, 0):
            continue
        lines.append(f"{_good_name(plan, good)} is not scarce ({fmt(row['surplus'], row['unit'])}"
                     " left over): one more is worth nothing to the plan.")
    return lines


def _process_lines(result: PlanResult) -> list[str]:
    plan = result.plan
    unit = result.objective_unit
    procs = result.processes
    lines = []
    held = procs[(procs["position"] == "at capacity") & (procs["reduced_cost"] > 1e-9)]
    for pid, row in held.sort_values("reduced_cost", ascending=False).head(8).iterrows():
        lines.append(f"{plan.processes.at[pid, 'name']} runs at capacity "
                     f"({fmt(row['capacity'])}): each extra unit of capacity would "
                     f"{_verb(plan, 'add', 'save')} {fmt(row['reduced_cost'], unit)}.")
    idle = procs[(procs["level"] <= 1e-9) & (procs["reduced_cost"] < -1e-9)]
    for pid, row in idle.sort_values("reduced_cost").head(8).iterrows():
        lines.append(f"{plan.processes.at[pid, 'name']} stays idle: each unit would "
                     f"{_verb(plan, 'lose', 'cost an extra')} {fmt(-row['reduced_cost'], unit)} "
                     "at the plan's prices.")
    return lines


def explain(result: PlanResult, analyses: Analyses | None = None) -> Explanation:
    """Sentences for the whole result: headline, moves, policies, prices, processes.

    ``analyses`` are those the command already ran (`analyse`); by default they are run
    here, within the budget the result was solved under."""
    plan = result.plan
    if not result.status.has_solution:
        diagnosis = result.diagnosis()
        return Explanation(headline=diagnosis.summary())
    found = analyse(result) if analyses is None else analyses
    unit = result.objective_unit
    comparison = found.baseline
    costs = found.policy_costs
    what = {"maximize": "The optimal plan reaches", "minimize": "The optimal plan needs",
            "maximize_sets": "The optimal plan makes"}[plan.objective.sense]
    if not result.is_optimal:   # the solver's answer, which our certificate did not confirm
        what = what.replace("The optimal plan", "The solver's plan (not verified optimal)")
    headline = f"{what} {fmt(result.objective, unit)} a {plan.period}"
    if comparison is not None:
        if comparison.feasible:
            gain = comparison.gain
            pct = (f" ({gain / abs(comparison.objective) * 100:,.2f}%)"
                   if comparison.objective else "")
            verb = "more" if plan.objective.is_maximize else "less"
            headline += (f": {fmt(abs(gain), unit)}{pct} {verb if gain >= 0 else 'worse'} "
                         f"than the plan in force ({fmt(comparison.objective, unit)}).")
        else:
            headline += (f". The plan in force ({fmt(comparison.objective, unit)}) breaks "
                         f"{len(comparison.violations)} of the plan's own statements.")
    else:
        headline += "."
    sections: dict[str, list[str]] = {}
    if comparison is not None:
        sections["What to move"] = _moves_lines(result, comparison)
        if not comparison.feasible:
            sections["Where the plan in force breaks the rules"] = list(
                comparison.violations["statement"])
    if costs is not None:
        sections["What the policies cost"] = _policy_lines(
            result, costs, found.price_ranges if result.is_degenerate else None)
    sections["What things are worth (shadow prices)"] = _price_lines(result)
    sections["Bottlenecks"] = _process_lines(result)
    cert = result.certificate
    sections["Check"] = [
        ("Optimality verified by an independent check: " if cert.verified else
         "WARNING: the independent optimality check failed: ")
        + f"primal infeasibility {cert.primal_infeasibility:.1e}, dual infeasibility "
        f"{cert.dual_infeasibility:.1e}, duality gap {cert.duality_gap:.1e}."]
    if found.skipped:
        sections["Check"].append(
            "Not examined within the time allowed: " + ", ".join(found.skipped) + ".")
    if result.is_degenerate and found.price_ranges is not None:
        ranges = found.price_ranges
        ranges = ranges[ranges["kind"] == "good"]
        loose = ranges[~ranges["unique"] & ranges["checked"]]
        if loose.empty and ranges["checked"].all():
            sections["Check"].append("The optimum is degenerate, but every good's price is "
                                     "unique.")
        elif not ranges["checked"].all():
            sections["Check"].append(
                f"The optimum is degenerate; {int((~ranges['checked']).sum())} goods' prices were "
                "not checked for uniqueness within the time allowed.")
        for rid, row in loose.head(10).iterrows():
            what = f"a {plan.good_unit(rid) or 'unit'} of {_good_name(plan, rid)}"
            sections["Check"].append(
                f"The price of {what} is not unique: any value from {fmt(row['low'], unit)} "
                f"to {fmt(row['high'], unit)} is valid (a degenerate optimum).")
    return Explanation(headline, sections, comparison, costs)
