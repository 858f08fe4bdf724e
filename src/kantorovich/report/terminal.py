"""Terminal tables (rich) for a result: levels, goods and prices, policies, certificate.

Everything the plan's author wrote (names, ids, units, rules) reaches rich as `Text` or
escaped: rich reads ``[bold]`` or ``[/]`` as markup, which would vanish or crash.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kantorovich.numbers import fmt
from kantorovich.results.result import PlanResult

__all__ = ["print_result"]

_MAX_ROWS = 40


def _num(value: float) -> str:
    return fmt(value) if value is not None and np.isfinite(value) else (
        "inf" if value is not None and value == np.inf else "-")


def print_result(result: PlanResult, console: Console | None = None) -> None:
    """Print the result as tables; long tables show their first rows and a count."""
    console = console or Console()
    plan = result.plan
    unit = escape(result.objective_unit)
    if not result.is_optimal:
        console.print(f"[bold red]{escape(plan.name)}: {result.status.value}[/]")
        console.print(result.diagnosis().summary(), markup=False)
        return
    console.print(f"[bold]{escape(plan.name)}[/]: [green]optimal[/], objective "
                  f"[bold]{escape(fmt(result.objective, result.objective_unit))}[/] a "
                  f"{escape(plan.period)}")

    procs = result.processes
    t = Table(title=f"Processes (reduced cost in {unit} per unit of level)")
    for col in ("process", "unit", "level", "capacity", "reduced cost", "position"):
        t.add_column(col, justify="right" if col in {"level", "capacity", "reduced cost"}
                     else "left")
    for pid, row in procs.head(_MAX_ROWS).iterrows():
        t.add_row(Text(str(pid)), Text(str(row["unit"] or "")), _num(row["level"]),
                  _num(row["capacity"]), _num(row["reduced_cost"]), row["position"])
    console.print(t)
    if len(procs) > _MAX_ROWS:
        console.print(f"... {len(procs) - _MAX_ROWS} more processes (use -o DIR for all)")

    goods = result.goods
    t = Table(title=f"Goods and shadow prices ({unit} per unit of the good)")
    for col in ("good", "unit", "supply", "demand", "net output", "surplus", "shadow price"):
        t.add_column(col, justify="left" if col in {"good", "unit"} else "right")
    for gid, row in goods.head(_MAX_ROWS).iterrows():
        t.add_row(Text(str(gid)), Text(str(row["unit"])), _num(row["supply"]),
                  _num(row["demand"]), _num(row["net_output"]), _num(row["surplus"]),
                  _num(row["shadow_price"]))
    console.print(t)

    if plan.policies:
        pol = result.policy_prices
        t = Table(title=f"Policies (price in {unit} per unit the rule is loosened)")
        for col in ("policy", "rule", "binding", "slack", "price"):
            t.add_column(col, justify="right" if col in {"slack", "price"} else "left")
        for pid, row in pol.iterrows():
            t.add_row(Text(str(pid)), Text(str(row["rule"])),
                      "yes" if row["binding"] else "no", _num(row["slack"]), _num(row["price"]))
        console.print(t)
    cert = result.certificate
    mark = "[green]verified[/]" if cert.verified else "[red]NOT verified[/]"
    console.print(f"Certificate {mark}: primal {cert.primal_infeasibility:.1e}, dual "
                  f"{cert.dual_infeasibility:.1e}, complementary slackness "
                  f"{cert.complementary_slackness:.1e}, duality gap {cert.duality_gap:.1e}")
