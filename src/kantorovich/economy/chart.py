"""The plan ray's valuations against labour values, as one self-contained chart.

A scatter per sector (labour value across, shadow price up, both on log axes) with the
diagonal where they agree: by the non-substitution theorem every point lies on it when
labour is the only scarce resource, so what lies off it is the effect of the other
binding resources, which the paragraph beside the chart names. The page embeds
plotly.js once and loads nothing from outside, so it opens offline
(`kantorovich.report.offline`); sector names are drawn as written, never as markup
(`kantorovich.report.plotly_text`).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

__all__ = ["valuation_figure", "valuation_page"]


def valuation_figure(ray: Any) -> Any:
    """A plotly figure of the ray's shadow prices against labour values per sector."""
    import plotly.graph_objects as go

    from kantorovich.report.plotly_text import plotly_text

    frame = ray.valuations
    value = frame["labour_value"].to_numpy(float)
    price = frame["shadow_price"].to_numpy(float)
    shown = np.isfinite(value) & np.isfinite(price) & (value > 0) & (price > 0)
    names = (frame["code"].astype(str) + " " + frame["name"].astype(str)).map(plotly_text)
    names = names.to_numpy(object)
    unit = "labour" if ray.numeraire == "labour" else "basket-equal units"
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=value[shown], y=price[shown], mode="markers", name="sector",
        text=names[shown], marker={"size": 7, "opacity": 0.75},
        hovertemplate="%{text}<br>labour value %{x:.4g}<br>shadow price %{y:.4g}"
                      "<extra></extra>"))
    span = None
    if shown.any():
        low = float(min(value[shown].min(), price[shown].min()))
        high = float(max(value[shown].max(), price[shown].max()))
        # a margin round the points, so that no tick sits in the corner where the two
        # axes' labels would meet
        decades = float(np.log10(high) - np.log10(low))
        pad = max(0.08, 0.04 * decades, (1.0 - decades) / 2)   # a decade at least
        span = [float(np.log10(low) - pad), float(np.log10(high) + pad)]
        figure.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines",
                                    name="price = labour value", hoverinfo="skip",
                                    line={"dash": "dash", "color": "grey"}))
        # (no hover on the diagonal: a sector on it shows its own label)
    # every tick of a log axis labelled in full (plotly would write 0.2 as a small "2")
    log = {"type": "log", "tickformat": "~g", "dtick": "D2", "minor": {"ticks": ""},
           **({"range": span} if span else {})}
    figure.update_layout(
        title="Shadow prices against labour values, per sector",
        xaxis={"title": "labour value (v = l + vA), labour per unit of output", **log},
        yaxis={"title": f"shadow price ({unit} per unit of output)", **log},
        template="plotly_white", height=560,
        legend={"orientation": "h", "y": -0.16, "yanchor": "top"},
        margin={"b": 110})
    return figure


def valuation_page(ray: Any) -> str:
    """A whole HTML page: the chart, the paragraph on where and why the valuations
    differ, and the headline numbers; plotly.js is embedded, nothing is fetched."""
    from kantorovich.report.offline import offline_html

    state = "certified optimum" if ray.verified else ray.result.status.value
    binding = ", ".join(ray.binding) or "none"
    title = str(ray.result.plan.name)
    return offline_html(
        valuation_figure(ray), title=title, div_id="valuations", config={"responsive": True},
        style="body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
              "padding:0 1em;color:#222}p{line-height:1.5}",
        before=f"<h1>{html.escape(title)}</h1><p><strong>{ray.sets:.6g}</strong> complete "
               f"final-demand baskets ({html.escape(state)}); binding resources: "
               f"{html.escape(binding)}.</p>",
        after=f"<p>{html.escape(ray.paragraph())}</p>")
