"""The report's charts as plotly figures, drawn from the page's JSON data alone.

Every figure is a function of the summary (`kantorovich.report.summary`, the object of
``kantorovich solve --json``) and the charts' data (`kantorovich.report.charts`), both
embedded in the page, so a chart cannot show a number the data does not hold. `figures`
returns them by name; the names are those of the static files ``kantorovich report
--format png|svg`` writes (``flows``, ``baseline``, ``prices``, ``policies``,
``sensitivity``; ``relaxation`` for an infeasible plan). A chart with nothing to draw
(no baseline, no rules) is left out.

Every chart is laid out to be printed: axes titled with their units, the title and
the legend on bands of their own, rows and panels as tall as their wrapped labels, bar
labels inside the plot area, Sankey labels short of the next column of nodes, from
the static files' 1,000 pixels down to a printed page's width
(``tests/test_chart_layout.py`` measures it in Chromium).
"""

from __future__ import annotations

import functools
import math
import textwrap
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from kantorovich.numbers import fmt, quantity
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


#: Pixels: the title's band at the top, and the legend's band below it (when there is
#: one), so that neither runs into the other or into the plot.
_TITLE_BAND, _LEGEND_BAND = 56, 30
#: Pixels under the last plot area: its tick labels and its axis title.
_BOTTOM = 64
#: Pixels a line of a wrapped tick label takes.
_LINE = 17


@functools.cache
def _template() -> go.layout.Template:
    """The house template, ``simple_white``, validated once (as a figure would hold it)."""
    return go.layout.Template(pio.templates["simple_white"])


def _layout(fig: go.Figure, title: str, height: int, *, top: int | None = None,
            bottom: int = _BOTTOM) -> go.Figure:
    """The house style: the title pinned to the top left, the legend (if any) on a band
    of its own under it, and every axis making room for its labels (``automargin``), so
    that nothing is cut when the chart is printed or exported."""
    legend = any(getattr(trace, "showlegend", None) is not False and
                 getattr(trace, "name", None) for trace in fig.data)
    if top is None:
        top = _TITLE_BAND + (_LEGEND_BAND if legend else 0)
    # the template validated once (`_template`), then set as plotly sets its default
    # one, its JSON not validated again: that was a third of a report's charts' time
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = _template()
    finally:
        layout._validate = True
    fig.update_layout(
        height=height,
        title={"text": title, "x": 0.0, "xref": "container", "xanchor": "left",
               "y": 1.0, "yref": "container", "yanchor": "top",
               "pad": {"t": 14, "l": 8}},
        font={"family": _FONT, "size": 13, "color": "#1d2733"},
        margin={"l": 20, "r": 40, "t": top, "b": bottom, "autoexpand": True},
        legend={"orientation": "h", "yanchor": "top", "yref": "container",
                "y": 1 - (_TITLE_BAND - 8) / height, "xanchor": "left", "x": 0.0,
                "xref": "container", "itemsizing": "constant"},
        hoverlabel={"font": {"family": _FONT}})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _lines(label: str) -> int:
    """Lines a wrapped label takes: what its row or node needs room for."""
    return label.count("<br>") + 1


def _outside(values: list[float], room: float = 0.3) -> list[float]:
    """An axis range holding ``values`` and 0 with ``room`` to spare beyond the bars'
    ends, where their labels are written."""
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    low, high = min(0.0, min(finite)), max(0.0, max(finite))
    span = (high - low) or 1.0
    return [low - room * span if low < 0 else 0.0, high + room * span if high > 0 or
            low == 0 else 0.0]


#: Narrowest width in pixels a chart is laid out for: the page printed on A4 or
#: Letter (the page itself is up to 1,056 pixels wide, the static files 1,000).
_WIDTH = 730
#: Pixels a character of a 12 px label takes, on average.
_CHAR = 6.6


def _sankey_shape(sources: list[int], targets: list[int], count: int
                 ) -> tuple[list[int], int]:
    """How a Sankey's labels must be set: the characters each node's label may take on
    a line (the room between two columns of nodes, so that no label runs over the next
    column's nodes) and the most nodes one column holds. Columns are the longest paths
    from the sources. Plotly writes the last column's labels on their left, so the
    last two columns share the room between them; a plan whose goods flow round in
    circles has no such columns and is given four, all sharing. (At most a few dozen
    nodes are ever drawn.)"""
    depth = [0] * count
    cyclic = True
    for _ in range(count + 1):
        changed = False
        for s, t in zip(sources, targets):
            if depth[t] < depth[s] + 1:
                depth[t], changed = depth[s] + 1, True
        if not changed:
            cyclic = False
            break
    if cyclic:
        columns, most = 4, count // 2 + 2
    else:
        columns = max(depth, default=0) + 1
        most = max(depth.count(d) for d in set(depth)) if depth else 0
    gap = (_WIDTH - 60) / max(columns - 1, 1) - 16 - 14
    whole, shared = max(10, int(gap / _CHAR)), max(10, int(gap / _CHAR / 2))
    if cyclic:
        return [shared] * count, most
    return [shared if d >= columns - 2 else whole for d in depth], most


def _flows(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    flows = data.get("flows")
    if not flows or not flows["links"]:
        return None
    nodes = flows["nodes"]
    index = {node["id"]: i for i, node in enumerate(nodes)}
    links = flows["links"]
    unit = summary.get("objective_unit", "")

    def hover(link: dict[str, Any]) -> str:
        amount = quantity(link["amount"], _safe(link["unit"]))
        if flows["scale"] == "value":   # (no str.format: a unit may hold braces)
            return f"{amount}, worth {quantity(link['value'], _safe(unit))}"
        return amount

    good_names = data["labels"]["goods"]
    room, most = _sankey_shape([index[lk["source"]] for lk in links],
                               [index[lk["target"]] for lk in links], len(nodes))
    labels = [_wrapped(n["label"], chars) for n, chars in zip(nodes, room)]
    # nodes of a column at least a label apart, and the figure tall enough for them
    pad = _LINE * max(map(_lines, labels), default=1) + 4
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.0f", textfont={"size": 12},
        node={"label": labels, "pad": pad,
              "thickness": 16,
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
                   max(420, _TITLE_BAND + 40 + (pad + 4) * most + 160))


def _stacked(heights: list[float], gap: float, top: float, bottom: float
             ) -> tuple[int, float, list[float]]:
    """Panels of ``heights`` pixels one above the other, ``gap`` pixels apart (room for
    an axis's tick labels and title): the figure's height, plotly's vertical spacing
    and the row heights."""
    inner = sum(heights) + gap * (len(heights) - 1)
    return int(top + bottom + inner), gap / inner if len(heights) > 1 else 0.0, heights


def _baseline(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    rows = data.get("baseline_inputs") or []
    if not rows:
        return None
    period = _safe(summary["period"])
    measures = list(dict.fromkeys(r["measure"] for r in rows))
    panels = []
    for measure in measures:
        mine = [r for r in rows if r["measure"] == measure][::-1]
        labels = [_wrapped(f"{r['unit_name']}: {r['good_name']}", 44) for r in mine]
        # every bar pair gets room for its label's lines; a panel room for its y title
        per = max(44, _LINE * max(map(_lines, labels)) + 12)
        panels.append((measure, mine, labels, max(110, per * len(mine))))
    top = _TITLE_BAND + _LEGEND_BAND
    height, spacing, heights = _stacked([p[3] for p in panels], 92, top, _BOTTOM)
    fig = make_subplots(rows=len(panels), cols=1, vertical_spacing=spacing,
                        row_heights=heights)
    for row, (measure, mine, labels, _) in enumerate(panels, start=1):
        for key, name, colour in (("optimal", "Optimal plan", _BLUE),
                                  ("baseline", "Plan in force", _GREY)):
            values = [r[key] for r in mine]
            fig.add_trace(go.Bar(
                y=labels, x=values, orientation="h", name=name, marker_color=colour,
                text=[fmt(v) for v in values], textposition="outside", cliponaxis=False,
                showlegend=row == 1, legendgroup=key,
                hovertemplate=f"%{{y}}<br>{name}: %{{x:,.6~g}} {_safe(measure)}<extra></extra>"),
                row=row, col=1)
        amount = (f"{_safe(measure)} a {period}" if measure
                  else f"amount a {period}, each in its own unit")
        fig.update_xaxes(title_text=amount,
                         range=_outside([max(r["baseline"], r["optimal"]) for r in mine]
                                        + [min(r["baseline"], r["optimal"]) for r in mine]),
                         row=row, col=1)
        fig.update_yaxes(title_text="unit: input", row=row, col=1)
    fig.update_layout(barmode="group", bargap=0.25, legend_traceorder="reversed")
    return _layout(fig, f"What each unit receives: the plan in force against the optimum "
                        f"(a {period})", height, top=top)


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
    # prices in several units: each good's unit goes with its name, not after the bar,
    # where a long unit would run out of the chart
    labels = [_wrapped(names.get(g, g) if alike else
                       f"{names.get(g, g)} ({units.get(g, '')})", 40) for g, _ in shown]
    fig = go.Figure(go.Bar(
        y=labels, x=[p for _, p in shown],
        orientation="h", marker_color=_BLUE, cliponaxis=False,
        text=[fmt(p) for _, p in shown],
        customdata=[quantity(p, _safe(units.get(g, ''))) for g, p in shown],
        textposition="outside", hovertemplate="%{y}: %{customdata}<extra></extra>"))
    values = [p for _, p in shown]
    axis = (_safe(units.get(shown[0][0], "")) if alike else
            f"{_safe(summary.get('objective_unit', ''))} per unit of the good")
    fig.update_xaxes(title_text=axis, range=_outside(values, 0.35))
    fig.update_yaxes(title_text="good" if alike else "good (price unit)")
    per = max(40, _LINE * max(map(_lines, labels)) + 12)
    return _layout(fig, "Shadow prices: what one more unit of each good is worth",
                   _TITLE_BAND + _BOTTOM + max(120, per * len(shown)))


def _policies(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    costs = summary.get("policy_costs")
    if not isinstance(costs, dict) or "table" in costs or not costs:
        return None
    items = list(costs.items())[:_MOST_ROWS * 2][::-1]
    labels = [_wrapped(c["name"] or pid) for pid, c in items]
    unit = _safe(summary.get("objective_unit", ""))
    period = _safe(summary["period"])
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.08,
                        subplot_titles=["Price of each rule", "Cost of keeping each rule"])
    prices = [_number(c["price"]) for _, c in items]
    fig.add_trace(go.Bar(y=labels, x=prices, orientation="h", marker_color=_BLUE,
                         text=[fmt(p) for p in prices], textposition="outside",
                         cliponaxis=False, showlegend=False,
                         hovertemplate="%{y}<br>price %{text}<extra></extra>"), row=1, col=1)
    cost = [_number(c["cost"]) for _, c in items]
    fig.add_trace(go.Bar(y=labels, x=[v if math.isfinite(v) else None for v in cost],
                         orientation="h", marker_color=_RED, cliponaxis=False,
                         text=[fmt(v) if math.isfinite(v) else "not measured"
                               for v in cost],
                         textposition="outside", showlegend=False,
                         hovertemplate="%{y}<br>cost %{text}<extra></extra>"), row=1, col=2)
    # "not measured" is written at 0: the cost axis keeps room for it either way
    # (titles wrapped: two side by side must fit a printed page)
    fig.update_xaxes(title_text=_wrapped(f"{summary.get('objective_unit', '')} per unit "
                                         "the rule is loosened", 30),
                     range=_outside(prices, 0.45), row=1, col=1)
    fig.update_xaxes(title_text=_wrapped(f"{summary.get('objective_unit', '')} a "
                                         f"{summary['period']} gained by dropping it", 30),
                     range=_outside(cost + [0.0], 0.45), row=1, col=2)
    fig.update_yaxes(title_text="rule", row=1, col=1)
    per = max(44, _LINE * max(map(_lines, labels)) + 14)
    return _layout(fig, "What the rules cost", _TITLE_BAND + 30 + _BOTTOM
                   + max(110, per * len(items)), top=_TITLE_BAND + 30)


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
    rule_units = data["labels"].get("policy_units", {})
    if isinstance(policies, dict) and "table" not in policies:
        for pid, row in policies.items():
            if _number(row["price"]) == 0:
                continue
            items.append({"label": f"Rule: {names.get(pid, pid)}",
                          "unit": rule_units.get(pid, ""),
                          "value": _number(row["rhs"]), "low": _number(row["rhs_low"]),
                          "high": _number(row["rhs_high"])})
    return [i for i in items if not math.isnan(i["low"]) and not math.isnan(i["high"])
            ][:_MOST_ROWS]


def _sensitivity(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    items = _range_items(summary, data)
    if not items:
        return None
    titles = [_wrapped(i["label"] + (f" ({i['unit']})" if i["unit"] else ""), 110)
              for i in items]
    gap = 74 + _LINE * max(map(_lines, titles))   # tick labels and the axis title
    height, spacing, heights = _stacked([64] * len(items), gap, _TITLE_BAND, gap - 8)
    fig = make_subplots(rows=len(items), cols=1, vertical_spacing=spacing)
    for row, item in enumerate(items, start=1):
        value, low, high = item["value"], item["low"], item["high"]
        span = max(high - value if math.isfinite(high) else 0.0,
                   value - low if math.isfinite(low) else 0.0, abs(value) * 0.5, 1.0)
        left = low if math.isfinite(low) else value - 1.5 * span
        right = high if math.isfinite(high) else value + 1.5 * span
        fig.add_trace(go.Scatter(
            x=[left, right], y=[0, 0], mode="lines", line={"color": _BLUE, "width": 10},
            showlegend=False, hoverinfo="skip"), row=row, col=1)
        ends = [(left, "no limit" if not math.isfinite(low) else fmt(low), "bottom left"),
                (right, "no limit" if not math.isfinite(high) else fmt(high),
                 "bottom right")]
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
        axes = fig.get_subplot(row, 1)   # not update_xaxes(row=): it seeks every axis
        axes.xaxis.update(range=[left - pad, right + pad], showgrid=False,
                          title_text=titles[row - 1], title_standoff=6)
        axes.yaxis.update(visible=False, range=[-2, 2])
    return _layout(fig, "Sensitivity: how far each amount can move before its price "
                        "changes", height, top=_TITLE_BAND, bottom=gap - 8)


def _relaxation(summary: dict[str, Any], data: dict[str, Any]) -> go.Figure | None:
    diagnosis = summary.get("diagnosis") or {}
    rows = diagnosis.get("relaxation") or []
    if not rows:
        return None
    names = {**data["labels"]["goods"], **data["labels"]["processes"],
             **data["labels"]["policies"]}
    labels = [_wrapped(f"{r['kind']}: {names.get(r['id'], r['id'])}", 40) for r in rows]
    fig = go.Figure()
    every = []
    for key, name, colour in (("to", "Smallest change that makes it feasible", _GREEN),
                              ("from", "As written", _GREY)):
        values = [_number(r[key]) for r in rows]
        every += values
        fig.add_trace(go.Bar(y=labels, x=values, name=name, orientation="h",
                             marker_color=colour, cliponaxis=False,
                             text=[quantity(v, _safe(r.get("unit") or ""))
                                   for v, r in zip(values, rows)], textposition="outside"))
    fig.update_layout(barmode="group", legend_traceorder="reversed")
    fig.update_xaxes(title_text="amount, each in its own unit", range=_outside(every, 0.5))
    fig.update_yaxes(title_text="what changes")
    per = max(70, _LINE * max(map(_lines, labels)) + 30)
    return _layout(fig, "The smallest relaxation", _TITLE_BAND + _LEGEND_BAND + _BOTTOM
                   + per * len(rows))


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
