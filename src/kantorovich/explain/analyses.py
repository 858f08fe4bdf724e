"""Every analysis of a result, run once, in one order, under the command's one budget.

The CLI's tables, its JSON summary, the sentences and the output directory all read the
same ranges, price intervals, rule costs and moves. `analyse` runs them in the order of
their cost to the planner's understanding (cheap ranging first, the re-solves after), and
gives each a share of what is left of the budget, so that an early analysis that finishes
quickly leaves its time to the next. What an analysis could not examine it says itself
(``checked``, ``measured`` and ``gain_note`` columns); what was not run at all is listed
in `Analyses.skipped`.

The answer is stored on the result (`PlanResult.analyses`), so a second `analyse` of the
same result, the CLI's tables, the sentences and a sweep all read one set of analyses;
the analyses themselves are plain functions of a result (`sensitivity`, `price_ranges`,
`policy_costs`, `compare_to_baseline`) that compute afresh on each call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kantorovich.explain.baseline import BaselineComparison, compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.lp.budget import Budget
from kantorovich.lp.program import repeated_category
from kantorovich.results.result import PlanResult
from kantorovich.results.sensitivity_report import report_tables
from kantorovich.results.sensitivity import basis_ranging, price_ranges, sensitivity_tables

__all__ = ["Analyses", "analyse", "default_seconds", "moves"]

Progress = Callable[[str], None]


@dataclass(eq=False)
class Analyses:
    """The analyses of one result; None where an analysis does not apply or was skipped.

    Parameters
    ----------
    sensitivity : mapping of str to DataFrame, optional
        Ranges of supplies, demands, policies and weights (`sensitivity`), each table
        made when read (`sensitivity_tables`).
    price_ranges : DataFrame, optional
        Each price as an interval (`price_ranges`).
    baseline : BaselineComparison, optional
        The baseline against the optimum, with its moves (`compare_to_baseline`).
    policy_costs : DataFrame, optional
        Each policy's price and exact cost (`policy_costs`).
    skipped : list of str
        Analyses that applied but were not run: the budget was spent before them.
    report : mapping of str to DataFrame, optional
        The sensitivity report in Excel Solver's layout (`sensitivity_report`), built
        from ``sensitivity``, each table made when read (`report_tables`).
    """

    sensitivity: Mapping[str, pd.DataFrame] | None = None
    price_ranges: pd.DataFrame | None = None
    baseline: BaselineComparison | None = None
    policy_costs: pd.DataFrame | None = None
    skipped: list[str] = field(default_factory=list)
    report: Mapping[str, pd.DataFrame] | None = None

    def to_dict(self) -> dict[str, Any]:
        """What was examined, for the JSON summary."""
        return {"skipped": list(self.skipped)}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The analyses' tables as ``-o DIR`` writes them, by file name stem.

        Returns
        -------
        dict of str to DataFrame
            ``policy_costs``, ``baseline``, ``moves``, ``price_ranges`` and
            ``sensitivity_<goods|policies|weights|processes|capacities>``, each only when
            that analysis ran; each table says row by row what it examined (``checked``,
            ``measured``, ``gain_note``), and each that holds prices their sign
            (``convention``: ``improvement``, or ``excel`` in the report's two).
        """
        return {name: make() for name, make in self.table_makers().items()}

    def table_makers(self) -> dict[str, Callable[[], pd.DataFrame]]:
        """`tables`, each made only when called (in the same order): ``solve -o`` makes,
        writes and lets go of one table at a time, not of all of them at once (each a
        copy of a frame of one row a process: gigabytes at 10^7 processes)."""
        makers: dict[str, Callable[[], pd.DataFrame]] = {}
        if self.policy_costs is not None:
            costs = self.policy_costs
            makers["policy_costs"] = lambda: _improvement(costs.reset_index())
        if self.baseline is not None:
            baseline = self.baseline
            makers["baseline"] = lambda: baseline.processes.reset_index()
            makers["moves"] = lambda: baseline.moves
        if self.price_ranges is not None:
            ranges = self.price_ranges
            makers["price_ranges"] = lambda: _improvement(ranges.reset_index())
        sens = self.sensitivity or {}
        for name in sens:
            makers[f"sensitivity_{name}"] = functools.partial(_sensitivity_table, name,
                                                              sens)
        if self.report:   # the planner's report, as Excel Solver lays it out
            report = self.report
            makers["sensitivity_variable_cells"] = lambda: report["variable_cells"] \
                .rename_axis("process").reset_index()
            makers["sensitivity_constraints"] = lambda: report["constraints"]
        return makers


def _sensitivity_table(name: str, sens: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """A sensitivity table as written: its ids as a column, and the sign of its prices
    where it has them."""
    table = sens[name].reset_index()
    return _improvement(table) if name in _PRICED else table


#: The sensitivity tables that hold prices (the others hold ranges of numbers only).
_PRICED = ("goods", "policies", "processes")
#: The ``convention`` of a table whose prices are improvements per unit loosened (the
#: package's; the Excel-laid-out report's are ``excel``, see `sensitivity_report`).
IMPROVEMENT = "improvement"


def _improvement(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a ``convention`` column saying its prices are improvements, so that
    a file read on its own says which sign it uses."""
    return table.assign(convention=repeated_category(IMPROVEMENT, len(table)))


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
    """Run every analysis that applies to ``result``, once, and keep them on it.

    Parameters
    ----------
    result : PlanResult
        A solved result (without an optimum there is nothing to analyse).
    budget : Budget or float, optional
        The command's budget (by default the one the result was solved under).
    seconds : float, optional
        The analyses' allowance within it (by default `default_seconds`); pass
        ``float("inf")`` to examine everything the budget allows.
    progress : callable, optional
        Called with a short stage name as each analysis starts: ``"sensitivity"``,
        ``"policy costs"``, ``"moves"``, ``"price intervals"``.

    Returns
    -------
    Analyses
        Also stored as ``result.analyses``; a later call returns it as it is, whatever
        its arguments.
    """
    if result.analyses is not None:
        return result.analyses
    out = _run(result, budget, seconds, progress)
    result.analyses = out
    return out


def _run(result: PlanResult, budget: Budget | float | None, seconds: float | None,
         progress: Progress | None) -> Analyses:
    if not result.status.has_solution:
        return Analyses()
    budget = result.budget if budget is None else Budget.of(budget)
    budget = budget.at_most(default_seconds(result) if seconds is None else seconds)
    out = Analyses()
    plan = result.plan
    ranging = None
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
            ranging = basis_ranging(result, budget=part)
            # made when read (written, or counted by the summary), not held: a row a
            # process, a good and a capacity, gigabytes at 10^7 processes
            out.sensitivity = sensitivity_tables(result, budget=part, ranging=ranging)
            out.report = report_tables(result, out.sensitivity)
        elif name == "policy costs":
            out.policy_costs = policy_costs(result, budget=part)
        elif name == "moves":
            out.baseline = compare_to_baseline(result, budget=part)
        else:
            out.price_ranges = price_ranges(result, budget=part, priority=_priority(result),
                                            ranging=ranging)
    return out


def moves(result: PlanResult, *, budget: Budget | float | None = None,
          progress: Progress | None = None) -> pd.DataFrame | None:
    """The moves from the plan's baseline to its optimum, each with its gain.

    Parameters
    ----------
    result : PlanResult
        A solved result of a plan with a baseline.
    budget : Budget or float, optional
        Time for the gains' re-solves (by default the result's budget).
    progress : callable, optional
        Called with ``"moves"`` when the re-solves start.

    Returns
    -------
    DataFrame or None
        One row per move: ``good``, ``sender``, ``receiver``, ``amount``, ``unit``,
        ``share_of_sender``, ``gain``, ``gain_note`` and ``step`` (moves that gain only
        together are one step; its gain is on its first row). None without a baseline or an
        optimum. The whole comparison (gain, what no move explains) is
        `compare_to_baseline`; each call computes afresh, and `analyse` keeps its answer
        in ``result.analyses.baseline``.
    """
    if progress is not None:
        progress("moves")
    found = compare_to_baseline(result, budget=budget)
    return None if found is None else found.moves
