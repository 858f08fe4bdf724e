"""A plan over time told in the plan's words: what to build when and what it pays back,
which stocks bind and what a unit of each earns, what is kept in store and why, and the
plan's own rate of return on investment.

Every number comes from the result's tables by period (`kantorovich.results.horizon`):
prices are the objective's units in each period, discounted as the objective is, so a
price now and a price a period later compare directly, and their ratio is the rate at
which the optimal plan trades the present against the future (Kantorovich's
"normative efficiency of investment").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kantorovich.numbers import fmt, quantity

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["explain_over_time"]

_SHOWN = 12
_TINY = 1e-9


def _cell(frame: pd.DataFrame, row: str, column: int) -> float:
    """One number of a table of numbers (read as a float: pandas types a cell as any
    scalar)."""
    return float(frame.loc[[row], [column]].to_numpy(float)[0, 0])


def _percent(rate: float) -> str:
    return f"{rate * 100:,.1f}%"


class _Words:
    """The plan's names and units for sentences about a plan over time."""

    def __init__(self, result: PlanResult) -> None:
        timed = result.over_time
        if timed is None:
            raise ValueError("a result of a plan over time, with an optimum, is told here")
        self.result = result
        self.timed = timed
        self.tpl = self.timed.template
        self.period = self.tpl.period
        self.unit = result.objective_unit

    def good(self, good: str) -> str:
        goods = self.tpl.goods
        return str(goods.at[good, "name"]) if good in goods.index else str(good)

    def process(self, process: str) -> str:
        procs = self.tpl.processes
        return str(procs.at[process, "name"]) if process in procs.index else str(process)

    def unit_of(self, good: str) -> str:
        return str(self.tpl.goods.at[good, "unit"])

    def amount(self, value: float, good: str) -> str:
        return quantity(value, self.unit_of(good))

    def worth(self, value: float) -> str:
        return quantity(value, self.unit)

    def when(self, t: int) -> str:
        return f"{self.period} {t}"

    def per(self, good: str) -> str:
        unit = str(self.tpl.goods.at[good, "unit"]) or "unit"
        article = "an" if unit[:1].lower() in "aeio" or unit == "h" else "a"
        return f"{article} {unit} of {self.good(good)}"


def _headline(w: _Words) -> str:
    result, timed = w.result, w.timed
    periods = timed.periods
    span = (f"{len(periods)} {w.period}s" if len(periods) != 1
            else f"one {w.period}")
    discount = w.timed.map.timeline.discount
    disc = f" (each {w.period} discounted {_percent(discount)})" if discount else ""
    verb = "The optimal plan" if result.is_optimal else \
        "The solver's plan (not verified optimal)"
    if timed.sets is not None:
        sets = timed.sets["sets"].to_numpy(float)
        per = ", ".join(f"{fmt(s)} in {w.when(t)}" for t, s in zip(periods, sets))
        return (f"{verb} makes {w.worth(result.objective)} over {span}{disc}: {per}.")
    what = "reaches" if w.tpl.objective.is_maximize else "needs"
    return f"{verb} {what} {w.worth(result.objective)} over {span}{disc}."


def _investment_lines(w: _Words) -> list[str]:
    """What to build in which period, what it costs and what it pays back."""
    timed = w.timed
    stocks = timed.stocks
    made = stocks[stocks["investment"] > _TINY]
    rentals = timed.rentals.set_index(["process", "good", "period"])["rental"]
    worth = timed.worth()
    lags = timed.map.stocks.set_index(["process", "good"])["lag"]
    deps = timed.map.stocks.set_index(["process", "good"])["depreciation"]
    last = int(timed.periods[-1])
    lines = []
    for _, row in made.head(_SHOWN).iterrows():
        p, g, t = str(row["process"]), str(row["good"]), int(row["period"])
        joins = t + int(lags[(p, g)])
        cost = _cell(worth, g, t)
        earned = []
        share = 1.0
        for s in range(joins, last + 1):
            r = float(rentals.get((p, g, s), 0.0)) * share
            if abs(r) > _TINY:
                earned.append(f"{w.worth(r)} in {w.when(s)}")
            share *= 1.0 - float(deps[(p, g)])
        pays = ("earns " + ", ".join(earned[:6]) + (" and more" if len(earned) > 6
                                                     else "")) if earned else \
            "earns nothing within the plan (it is kept for its end)"
        beyond = joins > last + (1 if timed.map.timeline.terminal else 0)
        use = ("joins no stock within the plan: it is only a use of "
               f"{w.good(g)}" if beyond else f"in use from {w.when(joins)}")
        lines.append(
            f"In {w.when(t)}, invest {w.amount(row['investment'], g)} of {w.good(g)} in "
            f"{w.process(p)}'s stock ({use}): each costs "
            f"{w.worth(cost)}, what {w.per(g)} is worth to the plan in {w.when(t)}, and "
            f"{'earns nothing' if beyond else pays}.")
    if len(made) > _SHOWN:
        lines.append(f"... and {len(made) - _SHOWN} more investments (see the stocks "
                     "table).")
    if not len(made) and len(stocks):
        lines.append("The plan invests in no stock: no investment pays back its cost at "
                     "the plan's prices.")
    return lines


def _stock_lines(w: _Words) -> list[str]:
    """Which stocks bind, in which periods, and what one more unit earns."""
    rentals = w.timed.rentals
    binding = rentals[rentals["binding"] & (rentals["rental"] > _TINY)]
    values = w.timed.stocks.set_index(["process", "good", "period"])["shadow_value"]
    timeline = w.timed.map.timeline
    wear = timeline.stocks.set_index(["process", "good"])["depreciation"]
    every = rentals.set_index(["process", "good"]).sort_values("period")
    lines = []
    groups = list(binding.groupby(["process", "good"], sort=False))
    for (process, good), rows in groups[:_SHOWN]:
        p, g = str(process), str(good)
        earns = ", ".join(f"{w.worth(r)} in {w.when(int(t))}"
                          for t, r in zip(rows["period"], rows["rental"]))
        first = int(rows["period"].iloc[0])
        whole = float(values.get((p, g, first), 0.0))
        # what a unit at the start of `first` earns while it lasts, worn down each period
        own = every.loc[[(p, g)]]
        later = own[own["period"] >= first]
        rate = float(wear.get((p, g), 0.0))
        kept = (1.0 - rate) ** (later["period"].to_numpy() - first)
        earned = float(later["rental"].to_numpy(float) @ kept)
        spared = timeline.terminal and whole - earned > 1e-9 * (1.0 + abs(whole))
        worn = (f", as it wears ({_percent(rate)} a {w.period})"
                if rate > 0 and len(later) > 1 else "")
        lines.append(f"The {w.good(g)} held by {w.process(p)} binds: one more "
                     f"{w.unit_of(g) or 'unit'} of it would earn {earns}; "
                     f"at the start of {w.when(first)} it is worth {w.worth(whole)} to "
                     "the plan, " + (
                         f"{w.worth(earned)} for what it earns from then on{worn} and "
                         f"{w.worth(whole - earned)} for the investment it spares at "
                         "the end, where the plan must leave its initial stocks"
                         if spared else f"all it earns from then on{worn}") + ".")
    if len(groups) > _SHOWN:
        lines.append(f"... and {len(groups) - _SHOWN} more stocks that bind.")
    if not len(binding) and len(rentals):
        lines.append("No stock binds: the plan has capital to spare in every period.")
    return lines


def _inventory_lines(w: _Words) -> list[str]:
    stored = w.timed.inventories
    kept = stored[stored["carried"] > _TINY]
    worth = w.timed.worth()
    lines = []
    for _, row in kept.head(_SHOWN).iterrows():
        g, t = str(row["good"]), int(row["period"])
        now, later = _cell(worth, g, t), _cell(worth, g, t + 1)
        loss = float(row["loss"])
        lost = f", {_percent(loss)} of it lost on the way" if loss else ""
        lines.append(
            f"Keep {w.amount(row['carried'], g)} of {w.good(g)} from {w.when(t)} to "
            f"{w.when(t + 1)}{lost}: {w.per(g)} is worth {w.worth(now)} in {w.when(t)} and "
            f"{w.worth(later)} in {w.when(t + 1)}, so what arrives "
            f"({w.worth((1 - loss) * later)}) is worth what it costs to keep.")
    if len(kept) > _SHOWN:
        lines.append(f"... and {len(kept) - _SHOWN} more (see the inventories table).")
    return lines


def _return_lines(w: _Words) -> list[str]:
    timed = w.timed
    good = timed.numeraire()
    if good is None:
        return ["The plan has no primary resource to measure its rate of return in."]
    rates = timed.investment_return()
    periods = timed.periods
    if not rates:
        return []
    parts = [f"{w.when(int(t))} to {int(t) + 1}: "
             + (f"not defined (the price of {w.good(good)} in {w.when(int(t) + 1)} is 0: "
                "more of it would add nothing then)" if r is None else _percent(r))
             for t, r in zip(periods[:-1], rates)]
    discount = timed.map.timeline.discount
    lines = [f"Measured in {w.good(good)}, the plan values {w.per(good)} now against one "
             f"a {w.period} later at these rates of return: " + "; ".join(parts) + ".",
             f"Investment is worth making where it returns at least this much; the "
             f"objective's own discount is {_percent(discount)} a {w.period}."]
    weights = w.tpl.objective.weights
    if good in weights.index and float(weights[good]) != 0:
        lines.append(f"These rates take the price of {w.good(good)}'s supply alone; what "
                     f"the objective itself counts of {w.good(good)} is left out of them "
                     "(it is in what things are worth, below).")
    return lines


def _price_lines(w: _Words) -> list[str]:
    prices = w.timed.worth()
    scarce = prices[(prices.abs() > _TINY).any(axis=1)]
    order = scarce.abs().max(axis=1).sort_values(ascending=False).index
    lines = []
    for g in order[:_SHOWN]:
        row = prices.loc[g]
        lines.append(f"{w.per(g).capitalize()} is worth " + ", ".join(
            f"{fmt(v)} in {w.when(int(t))}" for t, v in row.items())
            + f" ({w.unit}).")
    return lines


def explain_over_time(result: PlanResult, analyses: Any = None
                      ) -> tuple[str, dict[str, list[str]]]:
    """The headline and sections of the `Explanation` of a result of a plan over time
    (`explain.story.explain` makes it)."""
    w = _Words(result)
    sections = {
        "What to build, when, and what it pays back": _investment_lines(w),
        "Which stocks bind and what a unit earns": _stock_lines(w),
        "What is kept in store and why": _inventory_lines(w),
        "The plan's rate of return on investment": _return_lines(w),
        "What things are worth, period by period (prices, with what the objective "
        "counts)": _price_lines(w),
    }
    cert = result.certificate
    sections["Check"] = [
        ("Optimality verified by an independent check of the whole program: "
         if cert.verified else "WARNING: the independent optimality check failed: ")
        + f"primal infeasibility {cert.primal_infeasibility:.1e}, dual infeasibility "
        f"{cert.dual_infeasibility:.1e}, duality gap {cert.duality_gap:.1e}."]
    skipped = getattr(analyses, "skipped", None)
    if skipped:
        sections["Check"].append("Not examined within the time allowed: "
                                 + ", ".join(skipped) + ".")
    return _headline(w), sections
