"""Terminal tables (rich) for a result: the plan, prices, rules, moves, the certificate,
and on request the sensitivity report in the layout of Excel Solver's.

Everything the plan's author wrote (names, ids, units, rules) reaches rich as `Text` or
escaped: rich reads ``[bold]`` or ``[/]`` as markup, which would vanish or crash. Numbers
are cleaned column by column first (`kantorovich.serialise.clean`): the solver's rounding
of zero prints as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kantorovich.explain.diagnosis_text import summary as diagnosis_summary
from kantorovich.numbers import fmt
from kantorovich.results.result import PlanResult
from kantorovich.serialise import clean

if TYPE_CHECKING:
    from kantorovich.explain.analyses import Analyses
    from kantorovich.results.horizon import OverTime

__all__ = ["print_result", "print_sensitivity_report"]

_MAX_ROWS = 40
NOT_EXAMINED = "-"


def _column(values: pd.Series | np.ndarray) -> list[str]:
    """A numeric column as text: noise around zero as 0, infinities as inf or -inf, NaN
    (not examined) as a dash."""
    x = clean(np.asarray(values, dtype=float))
    return [NOT_EXAMINED if np.isnan(v) else "inf" if v == np.inf else "-inf"
            if v == -np.inf else fmt(v) for v in x]


def _table(title: str, frame: pd.DataFrame, labels: Sequence[str],
           numbers: Sequence[str], headers: Sequence[str]) -> Table:
    """A rich table of ``frame``'s first rows: text columns ``labels`` (escaped), then
    numeric columns ``numbers``, under ``headers``."""
    t = Table(title=title)
    for i, header in enumerate(headers):
        t.add_column(header, justify="left" if i < len(labels) else "right")
    head = frame.head(_MAX_ROWS)
    text = [[Text("" if pd.isna(v) else str(v)) for v in head[c]] for c in labels]
    nums = [_column(head[c].to_numpy(float)) for c in numbers]
    for row in zip(*text, *nums):
        t.add_row(*row)
    return t


def _more(console: Console, frame: pd.DataFrame, what: str) -> None:
    if len(frame) > _MAX_ROWS:
        console.print(f"... {len(frame) - _MAX_ROWS} more {what} (use -o DIR for all)",
                      markup=False)


def print_result(result: PlanResult, console: Console | None = None, *,
                 analyses: Analyses | None = None, sensitivity: bool = False) -> None:
    """Print the result as tables; long tables show their first rows and a count.

    Parameters
    ----------
    result : PlanResult
    console : rich.console.Console, optional
    analyses : Analyses, optional
        The analyses the command ran: adds the moves against the baseline, the cost of
        each policy and (with ``sensitivity``) the sensitivity report.
    sensitivity : bool, default False
        Print the sensitivity report (`print_sensitivity_report`).
    """
    console = console or Console()
    plan = result.plan
    unit = escape(result.objective_unit)
    if not result.is_optimal:
        console.print(f"[bold red]{escape(plan.name)}: {result.status.value}[/]")
        console.print(diagnosis_summary(result.diagnosis()), markup=False)
        return
    objective = float(clean([result.objective])[0])
    console.print(f"[bold]{escape(plan.name)}[/]: [green]optimal[/], objective "
                  f"[bold]{escape(fmt(objective, result.objective_unit))}[/] a "
                  f"{escape(plan.period)}")

    timed = result.over_time              # a plan over time: by (id, period)
    when = ["period"] if timed is not None else []
    procs = timed.processes if timed is not None else result.processes.reset_index()
    console.print(_table(f"Processes (reduced cost in {unit} per unit of level)", procs,
                         ["process", *when, "unit", "position"],
                         ["level", "capacity", "reduced_cost"],
                         ["process", *when, "unit", "position", "level", "capacity",
                          "reduced cost"]))
    _more(console, procs, "processes")

    goods = timed.goods if timed is not None else result.goods.reset_index()
    console.print(_table(f"Goods and shadow prices ({unit} per unit of the good)", goods,
                         ["good", *when, "unit"],
                         ["supply", "demand", "net_output", "surplus", "shadow_price"],
                         ["good", *when, "unit", "supply", "demand", "net output",
                          "surplus", "shadow price"]))
    _more(console, goods, "goods")
    if timed is not None:
        _print_over_time(console, timed, unit)

    if plan.policies:
        pol = result.policy_prices.reset_index()
        pol["binding"] = np.where(pol["binding"], "yes", "no")
        costs = analyses.policy_costs if analyses is not None else None
        numbers = ["slack", "price"]
        headers = ["policy", "rule", "binding", "slack", "price"]
        if costs is not None:
            pol["cost"] = costs["cost"].reindex(pol["policy"]).to_numpy(float)
            numbers.append("cost")
            headers.append("cost")
        console.print(_table(f"Policies (price in {unit} per unit the rule is loosened"
                             + (f", cost in {unit} of keeping it)" if costs is not None
                                else ")"), pol, ["policy", "rule", "binding"], numbers,
                             headers))

    comparison = analyses.baseline if analyses is not None else None
    if comparison is not None and len(comparison.moves):
        moves = comparison.moves.assign(
            share_pct=comparison.moves["share_of_sender"].to_numpy(float) * 100.0)
        console.print(_table(f"Moves from the plan in force (gain in {unit})",
                             moves, ["good", "sender", "receiver", "unit"],
                             ["amount", "share_pct", "gain"],
                             ["good", "from", "to", "unit", "amount", "% of sender",
                              "gain"]))
        _more(console, comparison.moves, "moves")

    if sensitivity and analyses is not None:
        print_sensitivity_report(result, analyses, console)

    cert = result.certificate
    mark = "[green]verified[/]" if cert.verified else "[red]NOT verified[/]"
    console.print(f"Certificate {mark}: primal {cert.primal_infeasibility:.1e}, dual "
                  f"{cert.dual_infeasibility:.1e}, complementary slackness "
                  f"{cert.complementary_slackness:.1e}, duality gap {cert.duality_gap:.1e}")


def _print_over_time(console: Console, timed: OverTime, unit: str) -> None:
    """A plan over time's stocks, inventories and rate of return."""
    stocks = timed.stocks
    if len(stocks):
        console.print(_table(f"Stocks (shadow value in {unit} per unit of stock)", stocks,
                             ["process", "good", "period"],
                             ["stock", "investment", "shadow_value"],
                             ["process", "good", "period", "stock", "investment",
                              "shadow value"]))
        _more(console, stocks, "stocks")
    stored = timed.inventories
    if len(stored):
        console.print(_table("Inventories", stored, ["good", "period"],
                             ["carried", "arriving", "loss"],
                             ["good", "period", "carried", "arriving", "loss per period"]))
        _more(console, stored, "inventories")
    rates = timed.investment_return()
    good = timed.numeraire()
    if good is not None and rates:
        shown = ", ".join("-" if r is None else f"{r:.2%}" for r in rates)
        console.print(f"Rate of return on investment, in {escape(good)}, period to "
                      f"period: {escape(shown)}")


def print_sensitivity_report(result: PlanResult, analyses: Analyses,
                             console: Console | None = None) -> None:
    """Print the sensitivity report: "Variable Cells" (one row per process) and
    "Constraints" (goods, policies, capacities), as Excel Solver lays it out.

    Columns are those of `kantorovich.results.sensitivity_report`; a dash marks
    a range not examined.
    """

    console = console or Console()
    report = analyses.report or {}
    if not report:
        console.print("Sensitivity report: not examined (the analyses ran out of time)",
                      markup=False)
        return
    unit = escape(result.objective_unit)
    cells = report["variable_cells"].reset_index()
    console.print(_table(
        f"Variable Cells (objective coefficient and reduced cost in {unit} per unit of "
        "level)", cells, ["process", "unit"],
        ["final_value", "reduced_cost", "objective_coefficient", "allowable_increase",
         "allowable_decrease"],
        ["process", "unit", "final value", "reduced cost", "objective coefficient",
         "allowable increase", "allowable decrease"]))
    _more(console, cells, "processes")
    constraints = report["constraints"]
    console.print(_table(
        f"Constraints (shadow price in {unit} per unit loosened)", constraints,
        ["kind", "id"],
        ["final_value", "shadow_price", "rhs", "allowable_increase", "allowable_decrease"],
        ["kind", "constraint", "final value", "shadow price", "constraint R.H. side",
         "allowable increase", "allowable decrease"]))
    _more(console, constraints, "constraints")
