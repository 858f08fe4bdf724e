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
from kantorovich.explain.diagnosis_text import summary as diagnosis_summary
from kantorovich.numbers import a as article
from kantorovich.numbers import cell, count, fmt, quantity, residual
from kantorovich.model.expansion import horizon_of
from kantorovich.results.horizon import span
from kantorovich.results.result import PlanResult

__all__ = ["Explanation", "explain", "fmt"]

#: The moves listed in sentences (all of them are in the comparison's table).
_MOVES_SHOWN = 10


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


def _yields(result: PlanResult, good: str, unit: str, levels: pd.Series
            ) -> pd.Series:
    """What one unit of ``good`` becomes at ``unit``: each output of the unit's process
    that uses the most of it (at ``levels``), per unit of that input."""
    plan = result.plan
    flows = plan.flows
    uses = flows[(flows["good"].to_numpy() == good) & (plan.flow_units() == unit) &
                 (flows["input"].to_numpy() > 0)]
    if uses.empty:
        return pd.Series(dtype=float)
    used = uses["input"].to_numpy(float) * levels.reindex(uses["process"]).fillna(
        0.0).to_numpy()
    main = uses.iloc[int(np.argmax(used))]
    outs = flows[(flows["process"] == main["process"]) & (flows["output"] > 0)]
    return pd.Series(outs["output"].to_numpy(float) / float(main["input"]),
                     index=outs["good"].to_numpy(object))


def _like_with_like(result: PlanResult, good: str, sender: str, receiver: str,
                    baseline: pd.Series) -> tuple[str, float, str, float] | None:
    """The output to compare a move's two ends by: the same good made at both, or failing
    that goods measured in the same unit (flour of two districts, both in t); of several,
    the one worth most to the plan at the receiver (at its shadow price plus its weight in
    the objective). Returns (sender's good, its yield,
    receiver's good, its yield), or None when the two make nothing alike."""
    plan = result.plan
    ys, yr = (_yields(result, good, sender, baseline),
              _yields(result, good, receiver, result.levels))
    if ys.empty or yr.empty:
        return None
    price = result.shadow_prices
    units = plan.goods["unit"]
    pairs = [(a, b) for b in yr.index for a in ys.index if a == b]
    if not pairs:
        pairs = [(a, b) for b in yr.index for a in ys.index if units.get(a) == units.get(b)]
    if not pairs:
        return None
    weight = plan.objective.weights

    def worth(ab: tuple[str, str]) -> tuple[float, float]:
        # what the receiver's output is worth to the plan: its price as a good plus
        # what the objective counts it as (an objective good may have no price of its own)
        value = abs(float(price.get(ab[1], 0.0)) + float(weight.get(ab[1], 0.0)))
        return value * yr[ab[1]], yr[ab[1]]

    a, b = max(pairs, key=worth)
    return a, float(ys[a]), b, float(yr[b])


def _percent(share: float) -> str:
    """A share as a person writes it: 20%, 0.25%, never a bare 0%."""
    pct = share * 100
    if pct >= 1:
        return f"{pct:,.0f}%"
    return f"{float(f'{pct:.2g}'):g}%" if pct >= 1e-4 else "under 0.0001%"


def _plurals(plan) -> dict[str, str]:
    """Plurals a plan declares for its goods' units (a ``unit_plural`` column)."""
    goods = plan.goods
    if "unit_plural" not in goods:
        return {}
    pairs = goods[["unit", "unit_plural"]].dropna()
    return {str(u): str(p) for u, p in zip(pairs["unit"], pairs["unit_plural"]) if p}


def _amount(plan, value: float, unit: str) -> str:
    """A number with its unit, in the plural the plan's readers use."""
    return quantity(value, unit, plurals=_plurals(plan))


def _level_unit(plan, process: str) -> str:
    """The unit of a process's level: the one its plan declares (``level_unit``), else
    the unit of the goods it takes or makes exactly one of per unit of level (a mill
    taking 1 t of wheat runs in t, a bakery making 1 loaf in loaves), when they agree;
    else none."""
    procs = plan.processes
    unit = procs.at[process, "level_unit"] if "level_unit" in procs else ""
    if not (unit is None or (isinstance(unit, float) and np.isnan(unit)) or unit == ""):
        return str(unit)
    flows = plan.flows
    mine = flows[flows["process"].to_numpy() == process]
    one = mine[(mine["input"].to_numpy(float) == 1) | (mine["output"].to_numpy(float) == 1)]
    units = {plan.good_unit(str(g)) for g in one["good"]}
    return units.pop() if len(units) == 1 else ""


def _level(plan, process: str, value: float) -> str:
    """A process's level with the unit its plan declares for it: "80 t", or "80"."""
    return _amount(plan, value, _level_unit(plan, process))


def _move_phrase(plan, mv: pd.Series, sender: str, receiver: str, *, pair: bool,
                 share: bool) -> str:
    """One good's part of a move: "100,000 worker-hours of Labour" (with ``share``, "(20%
    of Mill No. 3's allocation)"; and, when the step's rows do not all go between the
    same two units, "from A to B")."""
    what = f"{_amount(plan, mv['amount'], mv['unit'])} of {_good_name(plan, mv['good'])}"
    if not pair:
        what += f" from {sender} to {receiver}"
    if share and np.isfinite(mv["share_of_sender"]):
        what += f" ({_percent(mv['share_of_sender'])} of {sender}'s allocation)"
    return what


def _step_line(result: PlanResult, rows: pd.DataFrame, baseline: pd.Series) -> str:
    """The sentence of one step: its moves, and what the plan gains by them together."""
    plan = result.plan
    unit = result.objective_unit
    head = rows.iloc[0]
    sender, receiver = _unit_name(plan, head["sender"]), _unit_name(plan, head["receiver"])
    pair = bool(((rows["sender"] == head["sender"]) & (rows["receiver"] == head["receiver"])
                 ).all())
    single = len(rows) == 1
    parts = [_move_phrase(plan, mv, _unit_name(plan, mv["sender"]),
                          _unit_name(plan, mv["receiver"]), pair=pair, share=not single)
             for _, mv in rows.iterrows()]
    listed = parts[0] if single else ", ".join(parts[:-1]) + " and " + parts[-1]
    each = "" if horizon_of(plan) is not None else f" {article(plan.period)}"  # in its period
    line = (f"Move {listed}{each} from {sender} to {receiver}" if pair
            else f"Move {listed}{each}")
    if single and np.isfinite(head["share_of_sender"]):
        line += f" ({_percent(head['share_of_sender'])} of {sender}'s allocation)"
    gain = float(head["gain"])
    note = str(head.get("gain_note") or "")
    together = "together " if len(rows) > 1 else ""
    if np.isfinite(gain):
        verb = (_verb(plan, "gains", "saves") if gain >= 0 else
                _verb(plan, "loses", "spends an extra"))
        line += f": {together}the plan {verb} {_amount(plan, abs(gain), unit)} {span(plan)}"
        if note:
            line += f" ({note})"
        line += "."
    else:
        line += f" ({note})." if note else "."
    if len(rows) == 1:
        alike = _like_with_like(result, head["good"], head["sender"], head["receiver"],
                                baseline)
        if alike is not None and alike[1] > 0:
            per = (f"per {plan.good_unit(head['good']) or 'unit'} of "
                   f"{_good_name(plan, head['good'])}")
            made_r = (f"{_amount(plan, alike[3], plan.good_unit(alike[2]))} of "
                      f"{_good_name(plan, alike[2])} {per}")
            made_s = (f"{_amount(plan, alike[1], plan.good_unit(alike[0]))} of "
                      f"{_good_name(plan, alike[0])}")
            better = (alike[3] / alike[1] - 1) * 100
            line += (f" {receiver} makes {made_r}, {sender} {made_s}"
                     + (f" ({better:,.1f}% more)." if better > 0.05 else "."))
    return line


def _moves_lines(result: PlanResult, comparison: BaselineComparison) -> list[str]:
    baseline = comparison.processes["baseline"]
    moves = comparison.moves
    lines = []
    if "step" in moves and len(moves):
        steps = moves["step"].to_numpy()
        order = pd.unique(steps)
        shown = order[:_MOVES_SHOWN]
        for step in shown:
            lines.append(_step_line(result, moves[steps == step], baseline))
        hidden = len(order) - len(shown)
    else:
        for _, mv in moves.head(_MOVES_SHOWN).iterrows():
            lines.append(_step_line(result, mv.to_frame().T, baseline))
        hidden = len(moves) - min(len(moves), _MOVES_SHOWN)
    if not lines:
        lines.append("No input changes hands between production units.")
        return lines
    if hidden > 0:
        lines.append(f"... and {count(hidden, 'more move')}.")
    gains = moves.groupby("step")["gain"].sum(min_count=1) if "step" in moves else \
        moves["gain"]
    measured = gains.dropna()
    if len(measured) and not (measured > 1e-9 * (1.0 + abs(comparison.gain))).any():
        lines.append("No move gains on its own: the gain comes from changes no move names "
                     "(below).")
    lines.extend(_adding_up(result, comparison))
    return lines


def _adding_up(result: PlanResult, comparison: BaselineComparison) -> list[str]:
    """How the moves' gains are measured, and what no move explains, so that the parts
    read add up to the headline."""
    plan = result.plan
    unit = result.objective_unit
    lines = ["Each move's gain is what it adds to the moves above it: the plan is re-solved "
             "with each unit a move names held to its use of the moved good in the plan in "
             "force plus the moves so far, and all else free to change."]
    tiny = 1e-9 * (1 + abs(comparison.objective) + abs(comparison.optimal_objective))
    rest = comparison.unexplained
    unmeasured = int(comparison.moves["gain"].isna().sum())
    if abs(rest) <= tiny and not unmeasured:
        lines[-1] += (f" Together they make the whole "
                      f"{_amount(plan, comparison.gain, unit)}.")
        return lines
    parts = []
    if abs(comparison.unnamed) > tiny:
        parts.append(f"{_amount(plan, comparison.unnamed, unit)} from changes no move "
                     "names: other processes' levels, supply the plan in force left unused")
    if abs(rest - comparison.unnamed) > tiny:
        why = ("inputs the named units take beyond what the moves carry, from supply the "
               "plan in force left unused")
        if unmeasured:
            why = f"the {count(unmeasured, 'move')} not measured and " + why
        parts.append(f"{_amount(plan, rest - comparison.unnamed, unit)} from {why}")
    if not parts:
        parts.append(f"the {count(unmeasured, 'move')} not measured add nothing")
    if len(parts) == 1:     # the one part is the whole: its amount is said once
        parts = [parts[0].split(" from ", 1)[-1]]
    lines.append(f"What no move explains: {_amount(plan, rest, unit)} {span(plan)} ("
                 + "; ".join(parts) + ").")
    if abs(comparison.gain) > tiny and rest * comparison.gain > 0.5 * comparison.gain ** 2:
        lines.append(_most_of_the_gain(result, comparison))
    return lines


#: How many processes and goods a sentence names.
_NAMED = 3


def _most_of_the_gain(result: PlanResult, comparison: BaselineComparison) -> str:
    """What explains a gain most of which no move explains: processes the plan in force
    does not run at all (the largest contributions to the objective first), and supply it
    left unused that the optimum takes up."""
    plan, lp = result.plan, result.lp
    procs = comparison.processes
    base, best = procs["baseline"].to_numpy(float), procs["optimal"].to_numpy(float)
    scale = 1e-9 * (1.0 + np.abs(best))
    cols = lp.col_positions("process")
    worth = lp.improves * lp.objective[cols] * best
    new = np.flatnonzero((np.abs(base) <= scale) & (best > scale))
    new = new[np.argsort(-np.abs(worth[new]), kind="stable")]
    parts = []
    for j in new[:_NAMED]:
        pid = str(procs.index[j])
        parts.append(f"{str(plan.processes.at[pid, 'name'])}, which the plan in force does not "
                     f"run at all, runs at {_level(plan, pid, best[j])}")
    if len(new) > _NAMED:
        parts.append(f"{count(len(new) - _NAMED, 'other process')} it does not run "
                     "start")
    x = np.zeros(lp.shape[1])
    x[cols] = base
    rows = lp.row_positions("good")
    goods = plan.goods
    supply = goods["supply"].to_numpy(float)
    net_base = (lp.matrix @ x)[rows]
    unused = supply + net_base - goods["demand"].to_numpy(float)
    left = result.goods["surplus"].reindex(goods.index).to_numpy(float)
    taken = unused - left
    with np.errstate(invalid="ignore"):
        took = np.flatnonzero(np.isfinite(supply) & (supply > 0)
                              & (taken > 1e-9 * (1.0 + supply)) & (unused > 0))
    for i in took[np.argsort(-taken[took], kind="stable")][:_NAMED]:
        g = str(goods.index[i])
        unit = plan.good_unit(g)
        how_much = ("all" if abs(taken[i] - unused[i]) <= 1e-9 * (1 + unused[i]) else
                    f"{_amount(plan, taken[i], unit)} of the")
        parts.append(f"the optimum uses {how_much} {_amount(plan, unused[i], unit)} of "
                     f"{_good_name(plan, g)} the plan in force left unused")
    share = abs(comparison.unexplained) / abs(comparison.gain)
    if not parts:
        return (f"Most of the gain ({_percent(share)}) comes from no move: from processes "
                "that change their levels without taking an input from another unit.")
    return (f"Most of the gain ({_percent(share)}) comes from no move: "
            + "; ".join(parts) + ".")


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
        policy = policies[str(pid)]
        per = plan.rule_unit(policy.rule)
        tiny = 1e-9 * (1 + abs(result.objective))
        free = abs(row["cost"]) < tiny and abs(row["price"]) < tiny
        if free or (not row["binding"] and abs(row["cost"]) < tiny):
            slack = cell(result.policy_prices.at[pid, "slack"])
            if slack > 1e-9 * (1 + abs(cell(result.policy_prices.at[pid, "rhs"]))):
                lines.append(f"'{name}' does not bind ({_amount(plan, slack, per)} to spare): it costs "
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
                        f"{_verb(plan, 'add', 'save')} {_amount(plan, abs(price), unit)}")
        else:
            marginal = (f"each {per or 'unit'} it is loosened would "
                        f"{_verb(plan, 'add', 'save')} {_amount(plan, price, unit)}")
        if ranges is not None and pid in ranges.index and not ranges.at[pid, "unique"] \
                and ranges.at[pid, "checked"]:
            low, high = cell(ranges.at[pid, "low"]), cell(ranges.at[pid, "high"])
            marginal += (f" (at this degenerate optimum its price is not unique: any value "
                         f"from {_amount(plan, low, unit)} to {_amount(plan, high, unit)} is valid)")
        cost = row["cost"]
        if np.isfinite(cost):
            whole = (f"dropping it altogether would {_verb(plan, 'add', 'save')} "
                     f"{_amount(plan, cost, unit)} {span(plan)}")
            changes = [f"{_amount(plan, row[f'change_{g}'], plan.good_unit(g))} more "
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
            f"{article(plan.good_unit(str(g)) or 'unit')} of {_good_name(plan, str(g))} as {_amount(plan, w, unit)}"
            for g, w in weights.head(8).items()) + ".")
    valued = goods[goods["shadow_price"].abs() > 1e-12].sort_values(
        "shadow_price", ascending=False)
    for good, row in valued.head(12).iterrows():
        lines.append(f"{article(row['unit'] or 'unit', capital=True)} of {_good_name(plan, str(good))} is worth "
                     f"{_amount(plan, row['shadow_price'], unit)} to the plan.")
    free = goods[(goods["shadow_price"].abs() <= 1e-12) & (goods["surplus"] > 1e-9)]
    for good, row in free.head(6).iterrows():
        if plan.objective.weights.get(good, 0):
            continue
        lines.append(f"{_good_name(plan, str(good))} is not scarce ({_amount(plan, row['surplus'], row['unit'])}"
                     " left over): one more is worth nothing to the plan.")
    return lines


def _process_lines(result: PlanResult) -> list[str]:
    plan = result.plan
    unit = result.objective_unit
    procs = result.processes
    lines = []
    held = procs[(procs["position"] == "at capacity") & (procs["reduced_cost"] > 1e-9)]
    for pid, row in held.sort_values("reduced_cost", ascending=False).head(8).iterrows():
        per = _level_unit(plan, str(pid)) or "unit"
        lines.append(f"{str(plan.processes.at[pid, 'name'])} runs at capacity "
                     f"({_level(plan, str(pid), row['capacity'])}): each extra {per} of capacity "
                     f"would {_verb(plan, 'add', 'save')} "
                     f"{_amount(plan, row['reduced_cost'], unit)}.")
    idle = procs[(procs["level"] <= 1e-9) & (procs["reduced_cost"] < -1e-9)]
    for pid, row in idle.sort_values("reduced_cost").head(8).iterrows():
        per = _level_unit(plan, str(pid)) or "unit"
        lines.append(f"{str(plan.processes.at[pid, 'name'])} stays idle: each {per} of its "
                     f"level would {_verb(plan, 'lose', 'cost an extra')} "
                     f"{_amount(plan, -row['reduced_cost'], unit)} at the plan's prices.")
    return lines


def explain(result: PlanResult, analyses: Analyses | None = None) -> Explanation:
    """Sentences for the whole result: headline, moves, policies, prices, processes.

    ``analyses`` are those the command already ran (`analyse`); by default they are run
    here, within the budget the result was solved under."""
    plan = result.plan
    if not result.status.has_solution:
        return Explanation(headline=diagnosis_summary(result.diagnosis()))
    found = analyse(result) if analyses is None else analyses
    if result.over_time is not None:      # a plan over time: told period by period
        from kantorovich.explain.horizon import explain_over_time

        told, by_time = explain_over_time(result, found)
        if found.policy_costs is not None:
            by_time = {"What the policies cost": _policy_lines(
                result, found.policy_costs, None), **by_time}
        return Explanation(told, by_time, found.baseline, found.policy_costs)
    unit = result.objective_unit
    comparison = found.baseline
    costs = found.policy_costs
    what = {"maximize": "The optimal plan reaches", "minimize": "The optimal plan needs",
            "maximize_sets": "The optimal plan makes"}[plan.objective.sense]
    if not result.is_optimal:   # the solver's answer, which our certificate did not confirm
        what = what.replace("The optimal plan", "The solver's plan (not verified optimal)")
    headline = f"{what} {_amount(plan, result.objective, unit)} {span(plan)}"
    if comparison is not None:
        if comparison.feasible:
            gain = comparison.gain
            pct = (f" ({gain / abs(comparison.objective) * 100:,.2f}%)"
                   if comparison.objective else "")
            verb = "more" if plan.objective.is_maximize else "less"
            headline += (f": {_amount(plan, abs(gain), unit)}{pct} {verb if gain >= 0 else 'worse'} "
                         f"than the plan in force ({_amount(plan, comparison.objective, unit)}).")
        else:
            headline += (f". The plan in force ({_amount(plan, comparison.objective, unit)}) breaks "
                         f"{count(len(comparison.violations), 'statement')} of the plan's own.")
    else:
        headline += "."
    sections: dict[str, list[str]] = {}
    if comparison is not None and comparison.feasible:
        sections["What to move"] = _moves_lines(result, comparison)
    elif comparison is not None:   # moves from levels the plan forbids would mislead
        sections["Where the plan in force breaks the rules"] = [
            "No moves are listed: the plan in force breaks the plan's own rules, so it is "
            "no starting point to move from.", *comparison.violations["statement"]]
    if costs is not None:
        sections["What the policies cost"] = _policy_lines(
            result, costs, found.price_ranges if result.is_degenerate else None)
    sections["What things are worth (shadow prices)"] = _price_lines(result)
    sections["Bottlenecks"] = _process_lines(result)
    cert = result.certificate
    sections["Check"] = [
        ("Optimality verified by an independent check: " if cert.verified else
         "WARNING: the independent optimality check failed: ")
        + f"primal infeasibility {residual(cert.primal_infeasibility)}, dual infeasibility "
        f"{residual(cert.dual_infeasibility)}, duality gap {residual(cert.duality_gap)}."]
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
            what = f"{article(plan.good_unit(str(rid)) or 'unit')} of {_good_name(plan, str(rid))}"
            sections["Check"].append(
                f"The price of {what} is not unique: any value from {_amount(plan, row['low'], unit)} "
                f"to {_amount(plan, row['high'], unit)} is valid (a degenerate optimum).")
    return Explanation(headline, sections, comparison, costs)
