"""Every analysis of a result, run once, in one order, under the command's one budget.

The CLI's tables, its JSON summary, the sentences and the output directory all read the
same ranges, price intervals, rule costs and moves. `analyse` runs them in the order of
their cost to the planner's understanding (cheap ranging first, the re-solves after), and
gives each a share of what is left of the budget, so that an early analysis that finishes
quickly leaves its time to the next. What an analysis could not examine it says itself
(``checked``, ``measured`` and ``gain_note`` columns); what was not run at all is listed
in `Analyses.skipped`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kantorovich.explain.baseline import BaselineComparison, compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.lp.budget import Budget
from kantorovich.results.result import PlanResult
from kantorovich.results.sensitivity import price_ranges, sensitivity

__all__ = ["Analyses", "analyse", "default_seconds"]

Progress = Callable[[str], None]


@dataclass(eq=False)
class Analyses:
    """The analyses of one result; None where an analysis does not apply."""

    sensitivity: dict[str, pd.DataFrame] | None = None
    price_ranges: pd.DataFrame | None = None
    baseline: BaselineComparison | None = None
    policy_costs: pd.DataFrame | None = None
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What was examined, for the JSON summary."""
        return {"skipped": list(self.skipped)}


def _priority(result: PlanResult) -> list[str]:
    """Rows whose price a reader meets first: binding rules, then scarce goods."""
    ids: list[str] = []
    if result.plan.policies:
        pol = result.policy_prices
        ids += list(pol.index[pol["binding"].to_numpy(bool)])
    prices = result.shadow_prices
    scarce = prices[prices.abs() > 0]
    ids += list(scarce.abs().sort_values(ascending=False).index)
    return ids


# (name, share of what is left when it starts). Ranging is one call that cannot be cut
# short, and gives every range at once, so it may take most of the time; what it leaves
# goes to the re-solves of the others.
_PLAN = (("sensitivity", 0.9), ("policy costs", 1 / 3), ("moves", 0.5),
         ("price intervals", 1.0))


def default_seconds(result: PlanResult) -> float:
    """The analyses' allowance when none is asked for: half the solve's time, at least
    three quarters of a second, so that a solve with every analysis costs about 1.5 solves
    at scale (and at most 2 from 10,000 processes up)."""
    return max(MIN_SECONDS, SOLVE_SHARE * result.seconds)


MIN_SECONDS = 0.75
SOLVE_SHARE = 0.5


def analyse(result: PlanResult, *, budget: Budget | float | None = None,
            seconds: float | None = None, progress: Progress | None = None) -> Analyses:
    """Run every analysis that applies to ``result``, once; later calls return the same
    answers.

    They get ``seconds`` (by default `default_seconds`), and never more than is left of
    ``budget`` (by default the budget the result was solved under, i.e. the command's
    time limit). Pass ``seconds=float("inf")`` to examine everything the budget allows.
    """
    if not result.status.has_solution:
        return Analyses()
    budget = result.budget if budget is None else Budget.of(budget)
    budget = budget.at_most(default_seconds(result) if seconds is None else seconds)
    out = Analyses()
    plan = result.plan
    for name, share in _PLAN:
        if name == "policy costs" and not plan.policies:
            continue
        if name == "moves" and plan.baseline is None:
            continue
        if budget.expired():
            out.skipped.append(name)
            continue
        if progress is not None:
            progress(name)
        part = budget.share(share)
        if name == "sensitivity":
            out.sensitivity = sensitivity(result, budget=part)
        elif name == "policy costs":
            out.policy_costs = policy_costs(result, budget=part)
        elif name == "moves":
            out.baseline = compare_to_baseline(result, budget=part)
        else:
            out.price_ranges = price_ranges(result, budget=part, priority=_priority(result))
    return out
