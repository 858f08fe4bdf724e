"""The report's charts as plotly figures, drawn from the page's JSON data alone.

Every figure is a function of the summary (`kantorovich.report.summary`, the object of
``kantorovich solve --json``) and the charts' data (`kantorovich.report.charts`), both
embedded in the page, so a chart cannot show a number the data does not hold. `figures`
returns them by name; the names are those of the static files ``kantorovich report
--format png|svg`` writes (``flows``, ``baseline``, ``prices``, ``policies``,
``sensitivity``; ``relaxation`` for an infeasible plan). A chart with nothing to draw
(no baseline, no rules) is left out.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from kantorovich.numbers import fmt
from kantorovich.report.plotly_text import plotly_text

__all__ = ["CHARTS", "figures"]

#: Every chart a report may have, in page order.
CHARTS = ("flows", "baseline", "prices", "policies", "sensitivity", "relaxation")

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_BLUE, _GREY, _RED, _GREEN = "#1f5fa8", "#9aa5b1", "#b3261e", "#2e7d32"
_KIND_COLOUR = {"supply": "#6b7b8c", "good": "#1f5fa8", "process": "#c77d0a",
                "output": "#2e7d32"}
_MOST_ROWS = 12


_safe = plotly_text   # plan text for a chart: never a tag, a link or a template field


def _wrapped(text: Any, width: int = 34) -> str:
    return "<br>".join(_safe(line) for line in textwrap.wrap(str(text), width) or [""])


def _number(value: Any) -> float:
    """A JSON number back as a float: ``"inf"``/``"-inf"`` as infinities, None as NaN."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        return {"inf": math.inf, "-inf": -math.inf}.get(value, math.nan)
    return float(value)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        # the template object, not its name: plotly copies and validates a named one on
        # every figure (a third of a report's charts' time; the served page's too)
        template=pio.templates["simple_white"], height=height, title={"text": title, "x": 0.0,
                                                       "xanchor": "left"},
        font={"family": _FONT, "size": 13, "color": "#1d2733"},
        margin={"l": 20, "r": 30, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right",
                "x": 1.0},
        hoverlabel={"font": {"family": _FONT}})
    return fig


def _flows(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    flows = data.get("flows")
    if not flows or not flows["links"]:
        return None
    nodes = flows["nodes"]
    index = {node["id"]: i for i, node in enumerate(nodes)}
    links = flows["links"]
    unit = summary.get("objective_unit", "")

    def hover(link: dict[str, Any]) -> str:
        amount = fmt(link["amount"], _safe(link["unit"]))
        if flows["scale"] == "value":   # (no str.format: a unit may hold braces)
            return f"{amount}, worth {fmt(link['value'])} {_safe(unit)}"
        return amount

    good_names = data["labels"]["goods"]
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.0f",
        node={"label": [_safe(n["label"]) for n in nodes], "pad": 14, "thickness": 16,
              "color": [_KIND_COLOUR[n["kind"]] for n in nodes],
              "line": {"width": 0}, "hovertemplate": "%{label}<extra></extra>"},
        link={"source": [index[lk["source"]] for lk in links],
              "target": [index[lk["target"]] for lk in links],
              "value": [lk["value"] for lk in links],
              "color": "rgba(31, 95, 168, 0.18)",
              "customdata": [f"{_safe(good_names.get(lk['good'], lk['good']))}: {hover(lk)}"
                             for lk in links],
              "hovertemplate": "%{customdata}<extra></extra>"}))
    width = (f"each good at its worth to the plan, in {_safe(unit)}"
             if flows["scale"] == "value" else "amounts in each good's own unit")
    return _layout(fig, f"Flows of the optimal plan a {_safe(summary['period'])} "
                        f"<span style='font-size:12px'>(width: {width})</span>",
                   max(420, 26 * len(nodes) // 2))


def _baseline(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    rows = data.get("baseline_inputs") or []
    if not rows:
        return None
    measures = list(dict.fromkeys(r["measure"] for r in rows))
    titles = ([f"in {_safe(m)}" if m else "in their own units" for m in measures]
              if len(measures) > 1 else None)
    fig = make_subplots(rows=len(measures), cols=1, vertical_spacing=0.12,
                        subplot_titles=titles,
                        row_heights=[sum(r["measure"] == m for r in rows) for m in measures])
    for row, measure in enumerate(measures, start=1):
        mine = [r for r in rows if r["measure"] == measure][::-1]
        labels = [_wrapped(f"{r['unit_name']}: {r['good_name']}", 40) for r in mine]
        for key, name, colour in (("optimal", "Optimal plan", _BLUE),
                                  ("baseline", "Plan in force", _GREY)):
            values = [r[key] for r in mine]
            fig.add_trace(go.Bar(
                y=labels, x=values, orientation="h", name=name, marker_color=colour,
                text=[fmt(v) for v in values], textposition="outside", cliponaxis=False,
                showlegend=row == 1, legendgroup=key,
                hovertemplate=f"%{{y}}<br>{name}: %{{x:,.6~g}} {_safe(measure)}<extra></extra>"),
                row=row, col=1)
        top = max(max(r["baseline"], r["optimal"]) for r in mine)
        fig.update_xaxes(title_text=f"{_safe(measure)} a {_safe(summary['period'])}",
                         range=[0, 1.15 * top if top > 0 else 1], row=row, col=1)
    fig.update_layout(barmode="group", bargap=0.25, legend_traceorder="reversed")
    return _layout(fig, f"What each unit receives: the plan in force against the optimum "
                        f"(a {_safe(summary['period'])})", 140 + 44 * len(rows))


def _prices(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    prices = summary.get("shadow_prices")
    names = data["labels"]["goods"]
    units = summary.get("price_units", {})
    if isinstance(prices, dict) and "table" in prices and data.get("top_prices"):
        top = data["top_prices"]     # the summary left them to a table: the largest
        prices = {g: p["price"] for g, p in top.items()}
        names = {g: p["name"] for g, p in top.items()}
        units = {g: p["unit"] for g, p in top.items()}
    if not isinstance(prices, dict) or "table" in prices or not prices:
        return None
    shown = [(g, _number(p)) for g, p in prices.items() if _number(p) != 0]
    if not shown:
        shown = [(g, _number(p)) for g, p in prices.items()]
    shown = sorted(shown, key=lambda gp: gp[1])[-_MOST_ROWS * 2:]
    alike = len({units.get(g, "") for g, _ in shown}) == 1
    fig = go.Figure(go.Bar(
        y=[_wrapped(names.get(g, g), 40) for g, _ in shown], x=[p for _, p in shown],
        orientation="h", marker_color=_BLUE, cliponaxis=False,
        text=[fmt(p) if alike else f"{fmt(p)} {_safe(units.get(g, ''))}" for g, p in shown],
        customdata=[f"{fmt(p)} {_safe(units.get(g, ''))}" for g, p in shown],
        textposition="outside", hovertemplate="%{y}: %{customdata}<extra></extra>"))
    values = [p for _, p in shown]
    axis = (_safe(units.get(shown[0][0], "")) if alike else
            f"{_safe(summary.get('objective_unit', ''))} per unit of the good")
    fig.update_xaxes(title_text=axis,
                     range=[min(0.0, 1.35 * min(values)), max(0.0, 1.35 * max(values)) or 1])
    return _layout(fig, "Shadow prices: what one more unit of each good is worth",
                   140 + 46 * len(shown))


def _policies(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    costs = summary.get("policy_costs")
    if not isinstance(costs, dict) or "table" in costs or not costs:
        return None
    items = list(costs.items())[:_MOST_ROWS * 2][::-1]
    labels = [_wrapped(c["name"] or pid) for pid, c in items]
    unit = _safe(summary.get("objective_unit", ""))
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[f"Price: {unit} per unit the rule is loosened",
                                        f"Cost: {unit} a {_safe(summary['period'])} "
                                        "gained by dropping it"])
    prices = [_number(c["price"]) for _, c in items]
    fig.add_trace(go.Bar(y=labels, x=prices, orientation="h", marker_color=_BLUE,
                         text=[fmt(p) for p in prices], textposition="auto",
                         cliponaxis=False, showlegend=False,
                         hovertemplate="%{y}<br>price %{text}<extra></extra>"), row=1, col=1)
    cost = [_number(c["cost"]) for _, c in items]
    fig.add_trace(go.Bar(y=labels, x=[v if math.isfinite(v) else None for v in cost],
                         orientation="h", marker_color=_RED, cliponaxis=False,
                         text=[fmt(v) if math.isfinite(v) else "not measured"
                               for v in cost],
                         textposition="outside", showlegend=False,
                         hovertemplate="%{y}<br>cost %{text}<extra></extra>"), row=1, col=2)
    return _layout(fig, "What the rules cost", 160 + 56 * len(items))


def _range_items(summary: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The ranges worth drawing: the supply (or demand) of each good with a price, and the
    right-hand side of each rule with one, within which the price holds."""
    sens = summary.get("sensitivity") or {}
    names = data["labels"]["goods"]
    units = data["labels"]["good_units"]
    items = []
    goods = sens.get("goods")
    if isinstance(goods, dict) and "table" not in goods:
        for good, row in goods.items():
            if _number(row["shadow_price"]) == 0:
                continue
            side = "demand" if _number(row["demand"]) > 0 else "supply"
            items.append({"label": f"{side.capitalize()} of {names.get(good, good)}",
                          "unit": units.get(good, ""), "value": _number(row[side]),
                          "low": _number(row[f"{side}_low"]),
                          "high": _number(row[f"{side}_high"])})
    policies = sens.get("policies")
    names = data["labels"]["policies"]
    if isinstance(policies, dict) and "table" not in policies:
        for pid, row in policies.items():
            if _number(row["price"]) == 0:
                continue
            items.append({"label": f"Rule: {names.get(pid, pid)}", "unit": "",
                          "value": _number(row["rhs"]), "low": _number(row["rhs_low"]),
                          "high": _number(row["rhs_high"])})
    return [i for i in items if not math.isnan(i["low"]) and not math.isnan(i["high"])
            ][:_MOST_ROWS]


def _sensitivity(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    items = _range_items(summary, data)
    if not items:
        return None
    fig = make_subplots(rows=len(items), cols=1, vertical_spacing=0.5 / len(items),
                        subplot_titles=[_wrapped(i["label"] + (f" ({i['unit']})"
                                                               if i["unit"] else ""), 90)
                                        for i in items])
    for row, item in enumerate(items, start=1):
        value, low, high = item["value"], item["low"], item["high"]
        span = max(high - value if math.isfinite(high) else 0.0,
                   value - low if math.isfinite(low) else 0.0, abs(value) * 0.5, 1.0)
        left = low if math.isfinite(low) else value - 1.5 * span
        right = high if math.isfinite(high) else value + 1.5 * span
        fig.add_trace(go.Scatter(
            x=[left, right], y=[0, 0], mode="lines", line={"color": _BLUE, "width": 10},
            showlegend=False, hoverinfo="skip"), row=row, col=1)
        ends = [(left, "no limit" if not math.isfinite(low) else fmt(low), "middle left"),
                (right, "no limit" if not math.isfinite(high) else fmt(high), "middle right")]
        fig.add_trace(go.Scatter(
            x=[e[0] for e in ends], y=[0, 0], mode="text", text=[e[1] for e in ends],
            textposition=[e[2] for e in ends], showlegend=False, hoverinfo="skip"),
            row=row, col=1)
        fig.add_trace(go.Scatter(
            x=[value], y=[0], mode="markers+text", text=[f"now {fmt(value)}"],
            textposition="top center", marker={"color": _RED, "size": 14, "symbol": "diamond"},
            showlegend=False, hovertemplate=f"now {fmt(value)}<extra></extra>"),
            row=row, col=1)
        pad = 0.25 * (right - left or 1.0)
        fig.update_xaxes(range=[left - pad, right + pad], row=row, col=1, showgrid=False)
        fig.update_yaxes(visible=False, range=[-1, 1.6], row=row, col=1)
    return _layout(fig, "Sensitivity: how far each amount can move before its price "
                        "changes", 110 + 96 * len(items))


def _relaxation(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    diagnosis = summary.get("diagnosis") or {}
    rows = diagnosis.get("relaxation") or []
    if not rows:
        return None
    names = {**data["labels"]["goods"], **data["labels"]["processes"],
             **data["labels"]["policies"]}
    labels = [_wrapped(f"{r['kind']}: {names.get(r['id'], r['id'])}", 40) for r in rows]
    fig = go.Figure()
    for key, name, colour in (("to", "Smallest change that makes it feasible", _GREEN),
                              ("from", "As written", _GREY)):
        values = [_number(r[key]) for r in rows]
        fig.add_trace(go.Bar(y=labels, x=values, name=name, orientation="h",
                             marker_color=colour, cliponaxis=False,
                             text=[f"{fmt(v)} {_safe(r.get('unit') or '')}"
                                   for v, r in zip(values, rows)], textposition="outside"))
    fig.update_layout(barmode="group", legend_traceorder="reversed")
    return _layout(fig, "The smallest relaxation", 180 + 70 * len(rows))


_BUILDERS = {"flows": _flows, "baseline": _baseline, "prices": _prices,
             "policies": _policies, "sensitivity": _sensitivity, "relaxation": _relaxation}


def figures(summary: dict[str, Any], data: dict[str, Any]) -> dict[str, go.Figure]:
    """The report's charts by name (`CHARTS` order), each drawn from ``summary`` (the
    JSON summary) and ``data`` (`kantorovich.report.charts.chart_data`) only; those with
    nothing to draw are left out.

    >>> import kantorovich as k
    >>> from kantorovich.report.charts import chart_data
    >>> from kantorovich.report.summary import summary
    >>> result = k.solve(k.load_plan("examples/leningrad.yaml"))
    >>> list(figures(summary(result), chart_data(result)))
    ['flows', 'baseline', 'prices', 'policies', 'sensitivity']
    """
    out = {}
    for name in CHARTS:
        fig = _BUILDERS[name](summary, data)
        if fig is not None:
            out[name] = fig
    return out
