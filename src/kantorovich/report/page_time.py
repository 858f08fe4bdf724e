"""The report page of a plan over time: the plan as a timeline.

Charts (drawn from the JSON summary alone, as every chart of the page): the levels of
the processes period by period, the stocks with the investment in them, the prices of
the goods worth most, and the plan's rate of return from one period to the next.
Tables: levels, stocks and investment, prices and rates of return by period, every
number marked with its place in the embedded ``kantorovich-data`` (``["levels",
"bake", 1]`` is the level of ``bake`` in the second period planned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from kantorovich.report.page_parts import PageData, chart, esc, left_out, table
from kantorovich.report.plotly_text import plotly_text

__all__ = ["timeline_cards", "timeline_figures", "timeline_section"]

_LINES = 12
_BLUE = "#1f5fa8"


def _layout(fig: go.Figure, title: str, axis: str) -> go.Figure:
    fig.update_layout(title={"text": plotly_text(title), "x": 0, "font": {"size": 15}},
                      height=380, margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      paper_bgcolor="white", plot_bgcolor="white",
                      font={"family": "system-ui, sans-serif", "size": 12},
                      legend={"orientation": "v"})
    fig.update_xaxes(title_text=plotly_text(axis), tickmode="linear", dtick=1,
                     showgrid=True, gridcolor="#eceff2")
    fig.update_yaxes(showgrid=True, gridcolor="#eceff2", zeroline=True)
    return fig


def _lines(series: Sequence[tuple[str | None, list[Any]]], periods: list[int]) -> list[go.Scatter]:
    """One line per (label, values), the `_LINES` with the largest values."""
    def size(values: list[Any]) -> float:
        return max((abs(v) for v in values if isinstance(v, (int, float))), default=0.0)

    shown = sorted(series, key=lambda lv: -size(lv[1]))[:_LINES]
    return [go.Scatter(x=periods, y=[v if isinstance(v, (int, float)) else None
                                     for v in values],
                       mode="lines+markers", name=plotly_text(label),
                       hovertemplate=plotly_text(label) + ": %{y}<extra></extra>")
            for label, values in shown]


def timeline_figures(data: dict[str, Any], names: dict[str, dict[str, str]]
                     ) -> dict[str, go.Figure]:
    """The timeline's charts by name (``timeline_levels``, ``timeline_stocks``,
    ``timeline_prices``, ``timeline_return``), each from the summary ``data``; those
    with nothing to draw (or left to a table) are left out."""
    periods = data.get("periods") or []
    word = data.get("period", "period")
    out = {}
    goods, procs = names["goods"], names["processes"]
    levels = data.get("levels")
    if isinstance(levels, dict) and "table" not in levels and levels:
        out["timeline_levels"] = _layout(go.Figure(_lines(
            [(procs.get(p, p), v) for p, v in levels.items()], periods)),
            "Levels of the processes, period by period", word)
    stocks = data.get("stocks")
    if isinstance(stocks, dict) and "table" not in stocks and stocks:
        held = [(f"{goods.get(g, g)} held by {procs.get(p, p)}", v["stock"])
                for p, by in stocks.items() for g, v in by.items()]
        out["timeline_stocks"] = _layout(go.Figure(_lines(held, periods)),
                                         "Stocks at the start of each period", word)
    prices = data.get("shadow_prices")
    if isinstance(prices, dict) and "table" not in prices and prices:
        valued = [(goods.get(g, g), v) for g, v in prices.items()
                  if any(isinstance(x, (int, float)) and x != 0 for x in v)]
        if valued:
            out["timeline_prices"] = _layout(
                go.Figure(_lines(valued, periods)),
                f"Shadow prices by period ({data.get('objective_unit', '')} per unit)",
                word)
    rates = data.get("investment_return") or []
    if any(isinstance(r, (int, float)) for r in rates):
        shown = [r * 100 if isinstance(r, (int, float)) else None for r in rates]
        steps = [f"{a} to {b}" for a, b in zip(periods[:-1], periods[1:])]
        fig = go.Figure(go.Bar(x=steps, y=shown, marker_color=_BLUE,
                               hovertemplate="%{x}: %{y:.2f}%<extra></extra>"))
        numeraire = data.get("numeraire") or ""
        out["timeline_return"] = _layout(
            fig, f"The plan's rate of return on investment, in "
                 f"{goods.get(numeraire, numeraire)} (%)", word)
        out["timeline_return"].update_xaxes(tickmode="auto", dtick=None)
    return out


def timeline_cards(page: PageData) -> list[tuple[str, str, str]]:
    """Cards for the headline: the horizon and the first rate of return."""
    periods = page.get(["periods"])
    cards = [("Horizon", esc(f"{len(periods)} {page.get(['period'])}s"),
              esc(f"periods {periods[0]} to {periods[-1]}") if periods else "")]
    rates = page.get(["investment_return"]) or []
    if rates and isinstance(rates[0], (int, float)):
        cards.append(("Rate of return", page.num(["investment_return", 0], digits=4),
                      esc(f"{page.get(['period'])} {periods[0]} to {periods[1]}, in "
                          f"{page.get(['numeraire'])}")))
    return cards


def _by_period(page: PageData, key: str, ids: list[str], names: dict[str, str],
               head: str, periods: list[int], caption: str, unit: str = "") -> str:
    rows = [[esc(names.get(i, i)), *(page.num([key, i, k], unit if k == 0 else "")
                                     for k in range(len(periods)))] for i in ids]
    return table([head, *(esc(f"{t}") for t in periods)], rows, numeric_from=1,
                 total=len(ids), caption=caption)


def timeline_section(page: PageData, result: Any, figs: dict[str, Any]) -> str:
    """The plan as a timeline: charts and tables by period."""
    timed = result.over_time
    tpl = timed.template
    data = page.data
    periods = data["periods"]
    word = esc(data["period"])
    names = {"goods": {str(g): str(n) for g, n in tpl.goods["name"].items()},
             "processes": {str(p): str(n) for p, n in tpl.processes["name"].items()}}
    out = ['<section id="timeline"><h2>The plan as a timeline</h2>',
           f"<p>Each {word} of the plan: what the processes run at, what the stocks are "
           f"and what is invested in them, and what each good is worth to the plan in "
           f"each {word}, in {esc(result.objective_unit)} (discounted as the objective "
           "is, so that a price now and one later compare directly).</p>"]
    for name, caption in (("timeline_levels", "The processes with the largest levels."),
                          ("timeline_stocks", "The largest stocks, each held by a process."),
                          ("timeline_prices", "The goods worth most to the plan."),
                          ("timeline_return", "price(t) / price(t+1) - 1 of the numeraire: "
                                              "the rate at which the optimal plan values "
                                              "it now against one period later.")):
        if name in figs:
            out.append(chart(name, esc(caption)))
    for key, head, kind, caption in (
            ("levels", "Process", "processes", f"Levels, {word} by {word}"),
            ("shadow_prices", "Good", "goods", f"Shadow prices, {word} by {word}")):
        section = data.get(key)
        note = left_out(section)
        if note:
            out.append(note)
        elif section:
            ids = (list(section) if key == "levels"
                   else [g for g in section if any(v for v in section[g]
                                                   if isinstance(v, (int, float)))])
            out.append(_by_period(page, key, ids, names[kind], head, periods, caption))
    stocks = data.get("stocks")
    note = left_out(stocks)
    if note:
        out.append(note)
    elif stocks:
        rows = []
        for p, by in stocks.items():
            for g in by:
                for what, label in (("stock", "stock"), ("investment", "investment"),
                                    ("shadow_value", "worth of a unit")):
                    rows.append([esc(names["processes"].get(p, p)),
                                 esc(names["goods"].get(g, g)), esc(label),
                                 *(page.num(["stocks", p, g, what, k])
                                   for k in range(len(periods)))])
        out.append(table(["Held by", "Stock of", "", *(esc(f"{t}") for t in periods)],
                         rows, numeric_from=3, total=len(rows),
                         caption=f"Stocks at the start of each {word}, the investment "
                                 f"made in each {word}, and what one more unit of the "
                                 f"stock is worth then"))
    rates = data.get("investment_return") or []
    if rates:
        rows = [[esc(f"{a} to {b}"), page.num(["investment_return", k], digits=4)]
                for k, (a, b) in enumerate(zip(periods[:-1], periods[1:]))]
        numeraire = data.get("numeraire") or ""
        out.append(table([f"{word.capitalize()}s", "Rate of return"], rows,
                         numeric_from=1, caption=esc(
                             f"The plan's rate of return on investment, in "
                             f"{names['goods'].get(numeraire, numeraire)} (0.25 is 25%)")))
    out.append("</section>")
    return "".join(out)
