"""The plan ray's valuations against labour values, as one self-contained chart.

A scatter per sector (labour value across, shadow price up, both on log axes) with the
diagonal where they agree: by the non-substitution theorem every point lies on it when
labour is the only scarce resource, so what lies off it is the effect of the other
binding resources, which the paragraph beside the chart names. The page embeds
plotly.js once and loads nothing from outside, so it opens offline.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

__all__ = ["valuation_figure", "valuation_page"]


def valuation_figure(ray: Any) -> Any:
    """A plotly figure of the ray's shadow prices against labour values per sector."""
    import plotly.graph_objects as go

    frame = ray.valuations
    value = frame["labour_value"].to_numpy(float)
    price = frame["shadow_price"].to_numpy(float)
    shown = np.isfinite(value) & np.isfinite(price) & (value > 0) & (price > 0)
    names = (frame["code"].astype(str) + " " + frame["name"].astype(str)).to_numpy()
    unit = "labour" if ray.numeraire == "labour" else "basket-equal units"
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=value[shown], y=price[shown], mode="markers", name="sector",
        text=names[shown], marker={"size": 7, "opacity": 0.75},
        hovertemplate="%{text}<br>labour value %{x:.4g}<br>shadow price %{y:.4g}"
                      "<extra></extra>"))
    if shown.any():
        low = float(min(value[shown].min(), price[shown].min()))
        high = float(max(value[shown].max(), price[shown].max()))
        figure.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines",
                                    name="price = labour value",
                                    line={"dash": "dash", "color": "grey"}))
    figure.update_layout(
        title="Shadow prices against labour values, per sector",
        xaxis={"title": "labour value (v = l + vA)", "type": "log"},
        yaxis={"title": f"shadow price ({unit})", "type": "log"},
        template="plotly_white", height=560, legend={"orientation": "h"})
    return figure


def valuation_page(ray: Any) -> str:
    """A whole HTML page: the chart, the paragraph on where and why the valuations
    differ, and the headline numbers; plotly.js is embedded, nothing is fetched."""
    figure = valuation_figure(ray)
    chart = figure.to_html(full_html=False, include_plotlyjs=True,
                           config={"displaylogo": False, "responsive": True})
    state = "certified optimum" if ray.verified else ray.result.status.value
    binding = ", ".join(ray.binding) or "none"
    title = html.escape(str(ray.result.plan.name))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
        "padding:0 1em;color:#222}p{line-height:1.5}</style></head><body>"
        f"<h1>{title}</h1>"
        f"<p><strong>{ray.sets:.6g}</strong> complete final-demand baskets ({state}); "
        f"binding resources: {html.escape(binding)}.</p>"
        f"{chart}<p>{html.escape(ray.paragraph())}</p></body></html>\n")
