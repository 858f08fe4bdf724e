"""The laboratory's outputs: tidy Parquet tables, ``summary.json`` and comparison charts.

``-o DIR`` (through `kantorovich.files.output_directory`: all or nothing, never over a
user's file) holds ``measures.parquet`` (regime, seed, period, measure, value),
``units.parquet`` (one row per regime, seed, period and unit), ``summary.json`` (the
``--json`` object) and ``charts.html``: efficiency, shortfall, misreporting, innovation
and information volume per regime over time (means over seeds), one self-contained page
with plotly.js embedded once (no network needed). Writing is deterministic: the same
results give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CHARTED", "charts_html", "write_results"]

CHARTED = (("efficiency", "Efficiency (objective reached / true optimum)"),
           ("shortfall", "Shortfall (share of targets and demands unmet)"),
           ("misreport", "Misreporting (reported / true capacity)"),
           ("innovation", "Innovation (mean yield growth per period)"),
           ("messages", "Information volume (numbers sent per period)"))


def charts_html(measures: pd.DataFrame, title: str) -> str:
    """One HTML page with a chart per measure of `CHARTED`, regimes as lines; with
    several worlds, one section of charts per world (a regime keeps its colour)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if "world" not in measures.columns:
        measures = measures.assign(world="world")
    worlds = list(dict.fromkeys(measures["world"]))
    several = len(worlds) > 1
    titles = [f"{w}: {t}" if several else t for w in worlds for _, t in CHARTED]
    rows = len(CHARTED) * len(worlds)
    fig = make_subplots(rows=rows, cols=1, subplot_titles=titles,
                        vertical_spacing=0.25 / rows)
    means = (measures.groupby(["world", "regime", "measure", "period"], sort=False)["value"]
             .mean().reset_index())
    regimes = list(dict.fromkeys(measures["regime"]))
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
               "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    shown: set[str] = set()
    for w, world in enumerate(worlds):
        here = means[means["world"] == world]
        for k, (measure, _) in enumerate(CHARTED):
            row = w * len(CHARTED) + k + 1
            for i, regime in enumerate(regimes):
                part = here[(here["regime"] == regime) & (here["measure"] == measure)]
                if part.empty:
                    continue
                fig.add_trace(go.Scatter(x=part["period"].tolist(),
                                         y=part["value"].tolist(),
                                         mode="lines+markers", name=regime,
                                         legendgroup=regime, showlegend=regime not in shown,
                                         line={"color": palette[i % len(palette)]}),
                              row=row, col=1)
                shown.add(regime)
            fig.update_xaxes(title_text="period", row=row, col=1)
    fig.update_layout(title=title, height=320 * rows, template="plotly_white")
    return fig.to_html(include_plotlyjs=True, full_html=True, div_id="lab-charts",
                       config={"displaylogo": False})


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype(str)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", write_statistics=False,
                   store_schema=False)


def write_results(results: Any, directory: str | Path, *,
                  inputs: Sequence[str | Path] = ()) -> Path:
    """Write ``results`` (`kantorovich.lab.run.Results`) into ``directory``."""
    from kantorovich import files

    summary = {**results.summary,
               "tables": {"measures": "measures.parquet", "units": "units.parquet",
                          "charts": "charts.html"}}
    text = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    html = charts_html(results.measures, f"{results.summary['name']}: regimes compared")
    with files.output_directory(directory, inputs=inputs) as staging:
        _parquet(results.measures, staging / "measures.parquet")
        _parquet(results.units, staging / "units.parquet")
        (staging / "summary.json").write_text(text, encoding="utf-8")
        (staging / "charts.html").write_text(html, encoding="utf-8")
    return Path(directory)
