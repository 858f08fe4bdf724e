"""The laboratory's outputs: tidy Parquet tables, ``summary.json`` and comparison charts.

``-o DIR`` (through `kantorovich.files.output_directory`: all or nothing, never over a
user's file) holds ``measures.parquet`` (regime, seed, period, measure, value),
``units.parquet`` (one row per regime, seed, period and unit), ``summary.json`` (the
``--json`` object) and ``charts.html``: efficiency, shortage, misreporting, innovation
and information volume per regime over time (means over seeds with their 95% interval),
and each regime's paired difference from the baseline, each panel with its own
legend (which says when two regimes' lines coincide); one self-contained page with
plotly.js embedded once, under the report's offline policy
(`kantorovich.report.offline`), every name escaped for plotly. Writing is deterministic:
the same results give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CHARTED", "charts_html", "write_results"]

#: measure, title, y-axis label
CHARTED = (("efficiency", "Efficiency", "objective reached / ex-post optimum"),
           ("shortage", "Shortage (Kornai)", "share of final demand not delivered"),
           ("misreport", "Misreporting", "reported / true capacity"),
           ("innovation", "Innovation", "mean yield growth per period"),
           ("messages", "Information volume", "numbers sent per period"))
#: the paired differences charted: measure, title
DIFFERENCES = (("efficiency", "Efficiency"), ("shortage", "Shortage"))
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "triangle-down",
            "star", "x", "pentagon", "hexagon"]


def _band(mean: pd.Series, low: pd.Series, high: pd.Series) -> tuple[list, list]:
    """x and y of a closed band between ``low`` and ``high`` (for a filled trace)."""
    x = list(mean.index) + list(mean.index[::-1])
    return x, list(high.to_numpy()) + list(low.to_numpy()[::-1])


def _per_period(measures: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds per (world, regime, measure, period), with a 95% interval."""
    from kantorovich.lab.measures import NONNEGATIVE, SHARES, interval

    rows = []
    for key, part in measures.groupby(["world", "regime", "measure", "period"], sort=False):
        entry = interval(part["value"].to_numpy(float), share=key[2] in SHARES)
        if key[2] in NONNEGATIVE and entry["low"] is not None:
            entry["low"] = max(0.0, entry["low"])
        rows.append((*key, entry["mean"], entry["low"], entry["high"]))
    return pd.DataFrame(rows, columns=["world", "regime", "measure", "period", "mean",
                                       "low", "high"])


def _coinciding(series: dict[str, pd.Series]) -> dict[str, str]:
    """Each regime whose line is drawn exactly over an earlier one's, with that one:
    the legend says so, since one line hides the other."""
    import numpy as np

    same: dict[str, str] = {}
    kept: list[tuple[str, pd.Series]] = []
    for regime, mean in series.items():
        for other, earlier in kept:
            if earlier.index.equals(mean.index) and np.allclose(
                    earlier.to_numpy(float), mean.to_numpy(float), rtol=1e-9, atol=1e-12,
                    equal_nan=True):
                same[regime] = other
                break
        else:
            kept.append((regime, mean))
    return same


def _legend_text(text: str, width: int = 26) -> str:
    """A legend entry (or a title, a tick label) wrapped over lines of ``width``
    characters, escaped for plotly."""
    import textwrap

    from kantorovich.report.plotly_text import plotly_text

    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width) or [""])


def charts_html(measures: pd.DataFrame, title: str, summary: dict[str, Any] | None = None
                ) -> str:
    """One offline page: per world, a chart per measure of `CHARTED` (regimes as lines
    over periods, the 95% interval over seeds as a band), then the paired differences
    from the baseline (`summary`'s ``differences``: a point and interval per regime and
    measure). Each panel has its own legend. A regime keeps its colour, dash and marker
    everywhere; lines drawn earlier are wider and their markers larger, so a line drawn
    over another leaves it visible, and the panel's legend names the regimes whose lines
    coincide. Every text from the experiment is escaped for plotly."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from kantorovich.report.offline import offline_html
    from kantorovich.report.plotly_text import plotly_text

    if "world" not in measures.columns:
        measures = measures.assign(world="world")
    worlds = list(dict.fromkeys(measures["world"]))
    several = len(worlds) > 1
    regimes = list(dict.fromkeys(measures["regime"]))
    per_world_diff = {w: ((summary or {}).get("worlds", {}).get(w, {}) or {}).get(
        "differences") or {} for w in worlds}
    has_diff = any(per_world_diff.values())
    per = len(CHARTED) + (len(DIFFERENCES) if has_diff else 0)
    baseline = (summary or {}).get("baseline") or (regimes[0] if regimes else "")
    titles = []
    for w in worlds:
        head = f"{w}: " if several else ""
        titles += [_legend_text(f"{head}{t}", 100) for _, t, _ in CHARTED]
        if has_diff:
            titles += [_legend_text(f"{head}{t}: difference from {baseline} "
                                    "(paired by seed, 95% interval)", 100)
                       for _, t in DIFFERENCES]
    # the baseline's own name on the differences' axis, when it is short enough
    versus = baseline if len(baseline) <= 20 else "the baseline"
    rows = per * len(worlds)
    panel, gap, top, bottom = 250, 110, 110, 70   # pixels
    height = top + bottom + rows * panel + (rows - 1) * gap
    fig = make_subplots(rows=rows, cols=1, subplot_titles=titles,
                        vertical_spacing=gap / (rows * panel + (rows - 1) * gap))
    stats = _per_period(measures)
    periods = sorted(stats["period"].unique().tolist())

    def legend(row: int) -> str:
        """The legend of panel ``row``: beside the panel, at its top."""
        name = "legend" if row == 1 else f"legend{row}"
        domain = fig.get_subplot(row, 1).yaxis.domain
        fig.update_layout({name: {"x": 1.01, "xanchor": "left", "y": domain[1],
                                  "yanchor": "top", "yref": "paper", "tracegroupgap": 2,
                                  "font": {"size": 11}}})
        return name

    def styled(i: int) -> dict[str, Any]:
        """A regime's line and marker: earlier regimes wider and larger, drawn below."""
        return {"line": {"color": _PALETTE[i % len(_PALETTE)],
                         "dash": _DASHES[i % len(_DASHES)],
                         "width": max(1.5, 4.0 - 0.8 * i)},
                "marker": {"size": max(5, 13 - 2 * i), "symbol": _SYMBOLS[i % len(_SYMBOLS)],
                           "color": _PALETTE[i % len(_PALETTE)]}}

    for w, world in enumerate(worlds):
        here = stats[stats["world"] == world]
        for k, (measure, _, axis) in enumerate(CHARTED):
            row = w * per + k + 1
            parts = {}
            for regime in regimes:
                part = here[(here["regime"] == regime) & (here["measure"] == measure)]
                part = part.set_index("period")
                if not part.empty and not part["mean"].isna().all():
                    parts[regime] = part
            same = _coinciding({r: p["mean"] for r, p in parts.items()})
            box = legend(row) if parts else "legend"
            for regime, part in parts.items():
                i = regimes.index(regime)
                colour = _PALETTE[i % len(_PALETTE)]
                name = plotly_text(regime)
                label = _legend_text(regime + (f" (the same as {same[regime]})"
                                               if regime in same else ""))
                if part["low"].notna().all() and (part["high"] > part["low"]).any():
                    bx, by = _band(part["mean"], part["low"], part["high"])
                    fig.add_trace(go.Scatter(x=bx, y=by, fill="toself", mode="lines",
                                             line={"width": 0}, opacity=0.1,
                                             fillcolor=colour, hoverinfo="skip",
                                             showlegend=False, legendgroup=name),
                                  row=row, col=1)
                fig.add_trace(go.Scatter(
                    x=list(part.index), y=part["mean"].tolist(), mode="lines+markers",
                    name=label, legendgroup=name, legend=box, **styled(i),
                    customdata=part[["low", "high"]].to_numpy().tolist(),
                    hovertemplate=(f"{name}<br>period %{{x}}<br>%{{y:.4g}} "
                                   "[%{customdata[0]:.4g}, %{customdata[1]:.4g}]"
                                   "<extra></extra>")), row=row, col=1)
            fig.update_xaxes(title_text="period", row=row, col=1,
                             **({"tickmode": "array", "tickvals": periods}
                                if len(periods) <= 24 else {}))
            fig.update_yaxes(title_text=axis, row=row, col=1)
        if has_diff:
            diff = per_world_diff[world]
            others = [r for r in regimes if diff.get(r)]
            for d, (measure, _) in enumerate(DIFFERENCES):
                row = w * per + len(CHARTED) + d + 1
                box = legend(row)
                for regime in others:
                    entry = diff[regime].get(measure) or {}
                    if entry.get("mean") is None:
                        continue
                    mean = entry["mean"]
                    name = plotly_text(regime)
                    i = regimes.index(regime)
                    fig.add_trace(go.Scatter(
                        x=[_legend_text(regime, 20)], y=[mean], mode="markers",
                        name=_legend_text(regime),
                        legendgroup=name, legend=box,
                        marker={"color": _PALETTE[i % len(_PALETTE)], "size": 10,
                                "symbol": _SYMBOLS[i % len(_SYMBOLS)]},
                        error_y={"type": "data", "visible": True,
                                 "array": [(entry["high"] if entry["high"] is not None
                                            else mean) - mean],
                                 "arrayminus": [mean - (entry["low"] if entry["low"]
                                                        is not None else mean)]},
                        hovertemplate=(f"{name}<br>%{{y:+.4g}} [{entry['low']:+.4g}, "
                                       f"{entry['high']:+.4g}]<extra></extra>"
                                       if entry["low"] is not None else None)),
                        row=row, col=1)
                fig.update_xaxes(title_text="regime", row=row, col=1)
                fig.update_yaxes(title_text=f"regime − {plotly_text(versus)}",
                                 row=row, col=1, zeroline=True, zerolinewidth=2)
    fig.update_layout(title={"text": plotly_text(title), "y": 1.0, "yanchor": "top",
                             "pad": {"t": 20}},
                      height=height, template="plotly_white",
                      margin={"l": 90, "r": 230, "t": top, "b": bottom})
    return offline_html(fig, title=title, div_id="lab-charts")


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


def _title(summary: dict[str, Any]) -> str:
    """The page's title: the experiment's name, and its world's name when it has one
    world (a name, never the path of its file)."""
    name = str(summary["name"])
    worlds = [str(w) for w in summary.get("worlds") or {}]
    if len(worlds) == 1 and worlds[0] != name:
        return f"{name}: {worlds[0]}, regimes compared"
    return f"{name}: regimes compared"


def write_results(results: Any, directory: str | Path, *,
                  inputs: Sequence[str | Path] = ()) -> Path:
    """Write ``results`` (`kantorovich.lab.run.Results`) into ``directory``."""
    from kantorovich import files

    summary = {**results.summary,
               "tables": {"measures": "measures.parquet", "units": "units.parquet",
                          "charts": "charts.html"}}
    text = json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    html = charts_html(results.measures, _title(results.summary), results.summary)
    with files.output_directory(directory, inputs=inputs) as staging:
        _parquet(results.measures, staging / "measures.parquet")
        _parquet(results.units, staging / "units.parquet")
        (staging / "summary.json").write_text(text, encoding="utf-8")
        (staging / "charts.html").write_text(html, encoding="utf-8")
    return Path(directory)
