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
from rich.text import Text

from kantorovich.explain.baseline import WITH_ABOVE
from kantorovich.explain.diagnosis_text import summary as diagnosis_summary
from kantorovich.number_table import NumberTable as Table  # numbers never cut
from kantorovich.numbers import fmt, plural, quantity, residual
from kantorovich.results.horizon import span
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
           numbers: Sequence[str], headers: Sequence[str], written: Sequence[str] = ()
           ) -> Table:
    """A rich table of ``frame``'s first rows: text columns ``labels`` (escaped), then
    numeric columns ``numbers``, then ``written``: numbers already written as text (right
    aligned), under ``headers``."""
    t = Table(title=title)
    for i, header in enumerate(headers):
        t.add_column(header, justify="left" if i < len(labels) else "right")
    head = frame.head(_MAX_ROWS)
    text = [[Text("" if pd.isna(v) else str(v)) for v in head[c]] for c in labels]
    nums = [_column(head[c].to_numpy(float)) for c in numbers]
    done = [[Text(str(v)) for v in head[c]] for c in written]
    for row in zip(*text, *nums, *done):
        t.add_row(*row)
    return t


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows `_table` shows of a table indexed by id, its ids as a column."""
    return frame.head(_MAX_ROWS).reset_index()


def _more(console: Console, frame: pd.DataFrame, what: str, rows: int | None = None
          ) -> None:
    """Say how many rows of ``frame`` (``rows`` of the table it shows the first of)
    are not shown."""
    n = len(frame) if rows is None else rows
    if n > _MAX_ROWS:
        console.print(f"... {n - _MAX_ROWS} more {what} (use -o DIR for all)",
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
    unit = escape(plural(result.objective_unit))
    if not result.is_optimal:
        console.print(f"[bold red]{escape(plan.name)}: {result.status.value}[/]")
        console.print(diagnosis_summary(result.diagnosis()), markup=False)
        return
    objective = float(clean([result.objective])[0])
    console.print(f"[bold]{escape(plan.name)}[/]: [green]optimal[/], objective "
                  f"[bold]{escape(quantity(objective, result.objective_unit))}[/] "
                  f"{escape(span(plan))}")

    timed = result.over_time              # a plan over time: by (id, period)
    when = ["period"] if timed is not None else []
    # the first rows only are shown: reset (ids made a column) those, not a copy of all
    procs = timed.processes if timed is not None else _shown(result.processes)
    console.print(_table(f"Processes (reduced cost: improvement in {unit} per unit more "
                         "level)", procs,
                         ["process", *when, "unit", "position"],
                         ["level", "capacity", "reduced_cost"],
                         ["process", *when, "unit", "position", "level", "capacity",
                          "reduced cost"]))
    _more(console, procs, "processes", len(result.processes) if timed is None else None)

    goods = timed.goods if timed is not None else _shown(result.goods)
    console.print(_table(f"Goods and shadow prices (improvement in {unit} per unit more "
                         "of the good made available)", goods,
                         ["good", *when, "unit"],
                         ["supply", "demand", "net_output", "surplus", "shadow_price"],
                         ["good", *when, "unit", "supply", "demand", "net output",
                          "surplus", "shadow price"]))
    _more(console, goods, "goods", len(result.goods) if timed is None else None)
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
        if "step" not in moves:
            moves = moves.assign(step=np.arange(1, len(moves) + 1))
        # a step's gain is on its first row: the others say so rather than gain 0
        gains = _column(moves["gain"].to_numpy(float))
        moves = moves.assign(gain_text=[
            "in step" if note == WITH_ABOVE else text
            for note, text in zip(moves["gain_note"].fillna(""), gains)])
        console.print(_table(f"Moves from the plan in force (gain in {unit}; moves that "
                             "gain only together are one step)",
                             moves, ["step", "good", "sender", "receiver", "unit"],
                             ["amount", "share_pct"],
                             ["step", "good", "from", "to", "unit", "amount", "% of sender",
                              "gain"], ["gain_text"]))
        _more(console, comparison.moves, "moves")

    if sensitivity and analyses is not None:
        print_sensitivity_report(result, analyses, console)

    cert = result.certificate
    mark = "[green]verified[/]" if cert.verified else "[red]NOT verified[/]"
    console.print(f"Certificate {mark}: primal {residual(cert.primal_infeasibility)}, dual "
                  f"{residual(cert.dual_infeasibility)}, complementary slackness "
                  f"{residual(cert.complementary_slackness)}, duality gap "
                  f"{residual(cert.duality_gap)}")


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
    unit = escape(plural(result.objective_unit))
    cells = report["variable_cells"].reset_index()
    console.print(_table(
        f"Variable Cells (objective coefficient and reduced cost in {unit} per unit of "
        "level; reduced cost: change in the objective per unit of level, Excel's sign)",
        cells, ["process", "unit"],
        ["final_value", "reduced_cost", "objective_coefficient", "allowable_increase",
         "allowable_decrease"],
        ["process", "unit", "final value", "reduced cost", "objective coefficient",
         "allowable increase", "allowable decrease"]))
    _more(console, cells, "processes")
    constraints = report["constraints"]
    console.print(_table(
        f"Constraints (shadow price: change in the objective, in {unit}, per unit "
        "increase of the R.H. side, Excel's sign)", constraints,
        ["kind", "id", "sense"],
        ["final_value", "shadow_price", "rhs", "allowable_increase", "allowable_decrease"],
        ["kind", "constraint", "sense", "final value", "shadow price", "constraint R.H. side",
         "allowable increase", "allowable decrease"]))
    _more(console, constraints, "constraints")
