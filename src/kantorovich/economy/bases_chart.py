"""The ranking of value bases as one self-contained chart page.

A horizontal bar per basis (R² of log price against log content), best at the top, the
labour basis in its own colour so it can be found among a hundred inputs; the page embeds
plotly.js (`kantorovich.report.offline`) and draws every name as written
(`kantorovich.report.plotly_text`).
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["bases_figure", "bases_page"]


def bases_figure(bases: Any) -> Any:
    """A plotly bar chart of R² per basis, ranked, labour marked."""
    import plotly.graph_objects as go

    from kantorovich.report.plotly_text import plotly_text

    frame = bases.table.iloc[::-1]           # plotly draws the first bar at the bottom
    labels = [plotly_text(f"{rank}. {code} {name}") for rank, code, name in
              zip(frame["rank"], frame["code"], frame["name"], strict=True)]
    colours = ["#c0392b" if is_labour else "#5b7db1" for is_labour in frame["labour"]]
    figure = go.Figure(go.Bar(
        x=frame["r2"].fillna(0.0), y=labels, orientation="h", marker={"color": colours},
        customdata=frame[["correlation", "mad", "sectors"]].to_numpy(float),
        hovertemplate="%{y}<br>R² %{x:.4f}<br>correlation %{customdata[0]:.4f}"
                      "<br>MAD %{customdata[1]:.4f}<br>%{customdata[2]} sectors"
                      "<extra></extra>"))
    figure.update_layout(
        title="How well each basis's content predicts prices (R² of logs; labour in red)",
        xaxis={"title": "R² of log price against log content", "range": [0, 1]},
        yaxis={"automargin": True, "title": "basis of value (rank, code, name)"},
        template="plotly_white",
        height=max(400, 18 * len(frame) + 120), showlegend=False)
    return figure


def bases_page(bases: Any, title: str) -> str:
    """A whole HTML page: the chart and where the labour basis ranks."""
    from kantorovich.report.offline import offline_html

    labour = bases.table[bases.table["labour"]].iloc[0]
    word = "value added" if bases.labour_source == "va" else "labour"
    return offline_html(
        bases_figure(bases), title=title, div_id="bases", config={"responsive": True},
        before=f"<h1>{html.escape(title)}</h1><p>The {html.escape(word)} basis ranks "
               f"<strong>{int(labour['rank'])}</strong> of {len(bases.table)} "
               f"(R² {labour['r2']:.4f}, MAD {labour['mad']:.4f}); ranked by "
               f"{html.escape(bases.ranking_rule)}.</p>")
