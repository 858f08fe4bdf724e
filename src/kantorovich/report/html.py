"""One self-contained HTML page for a result: what an official reads, and the numbers.

The page opens offline: plotly.js is embedded once, inline, and nothing is fetched (no
CDN, no web font, no image). It carries three JSON documents in ``<script
type="application/json">`` elements:

``kantorovich-data``
    The object ``kantorovich solve PLAN --json`` prints (`kantorovich.report.summary`).
``kantorovich-charts``
    What the charts draw beyond it (`kantorovich.report.charts`).
``kantorovich-figures``
    The plotly figures, by chart name (`kantorovich.report.figures`).

Every number in a table or a headline card is read from ``kantorovich-data`` and marked
with its place there: ``<span class="n" data-path='["levels", "mill-3-milling"]'>1,600
</span>``, so a reader (or a test) can trace each one to the JSON. Sentences come from
`kantorovich.explain` (the same as ``kantorovich explain``). Everything the plan's author
wrote is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.numbers import count
from kantorovich.report.charts import chart_data
from kantorovich.report.figures import figures
from kantorovich.report.offline import plot_config, policy_meta
from kantorovich.report.page_diagnosis import diagnosis_section
from kantorovich.report.page_parts import PageData, chart, esc, json_script
from kantorovich.report.page_sections import (baseline_section, cards, certificate_section,
                                              goods_section, policies_section,
                                              sensitivity_section, sentences)
from kantorovich.report.summary import summary
from kantorovich.results.horizon import span
from kantorovich.results.result import PlanResult

__all__ = ["ReportParts", "report_page", "report_parts", "write_report"]


_CSS = """
:root { --ink: #1d2733; --muted: #5b6876; --rule: #d9dee4; --blue: #1f5fa8;
        --ok: #2e7d32; --bad: #b3261e; --paper: #ffffff; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--band); color: var(--ink);
       font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
             Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; background: var(--paper);
       min-height: 100vh; }
header { border-bottom: 3px solid var(--ink); padding-bottom: 14px; margin-bottom: 20px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
          color: var(--muted); }
h1 { font-size: 30px; margin: 4px 0 6px; line-height: 1.2; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 10px; border-top: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 18px 0 4px; }
.meta, .note, figcaption, caption { color: var(--muted); font-size: 13px; }
.lead { font-size: 19px; line-height: 1.45; margin: 8px 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
         gap: 12px; margin: 10px 0 8px; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--blue); padding: 10px 14px;
        background: var(--paper); }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em;
               color: var(--muted); }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 12.5px; color: var(--muted); }
ul { padding-left: 22px; margin: 4px 0 10px; } li { margin: 3px 0; }
.table { overflow-x: auto; margin: 10px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
caption { text-align: left; padding: 4px 0; caption-side: top; }
th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--ink);
     padding: 6px 8px; vertical-align: bottom; }
td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
       font-size: 12.5px; color: #37434f; white-space: normal; }
.chart { margin: 14px 0 8px; } .plot { width: 100%; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.verdict { font-weight: 600; }
.banner { padding: 12px 16px; border-left: 5px solid var(--bad); background: #fbeceb;
          font-size: 17px; margin: 10px 0; }
.banner.warn { border-color: #b26a00; background: #fff4e0; }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 10px;
         color: var(--muted); font-size: 12.5px; }
@media print { body { background: white; } main { padding: 0; }
               .chart, table { break-inside: avoid; } }
"""

_DRAW = """
(function () {
  var figures = JSON.parse(document.getElementById("kantorovich-figures").textContent);
  var config = CONFIG;
  Object.keys(figures).forEach(function (name) {
    var element = document.getElementById("chart-" + name);
    if (!element) { return; }
    Plotly.newPlot(element, figures[name].data, figures[name].layout, config).then(
      function () { element.setAttribute("data-drawn", "true"); });
  });
})();
"""
_DRAW = _DRAW.replace("CONFIG", json.dumps(plot_config({
    "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"scale": 2}})))


def _figures_json(figs: dict[str, Any]) -> str:
    import plotly.io as pio

    return "{" + ",".join(f"{json.dumps(name)}: {pio.to_json(fig, validate=False)}"
                          for name, fig in figs.items()) + "}"


def _unvalued(page: PageData, charts: dict[str, Any]) -> str:
    """The caption's word on goods the Sankey cannot draw: flows worth nothing."""
    flows = charts.get("flows") or {}
    if flows.get("scale") != "value" or not flows.get("unvalued_count"):
        return ""
    names = [page.name("goods", g) for g in flows["unvalued"]]
    more = flows["unvalued_count"] - len(names)
    listed = ", ".join(names) + (f" and {more:,} more" if more > 0 else "")
    return (f" Widths are worth to the plan, so goods it values at nothing (not scarce and "
            f"not in the objective) are not drawn: {esc(listed)}; their amounts are in the "
            "tables.")


def report_page(result: PlanResult, analyses: Analyses | None = None, *,
                source: str | None = None) -> str:
    """The report of ``result`` as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    result : PlanResult
        Any result: a plan without an optimum gets its diagnosis (the conflict and the
        smallest relaxation, or what grows without limit).
    analyses : Analyses, optional
        Those the command ran (by default they are run here, under the result's budget).
    source : str, optional
        The plan file's name, shown in the page's header.

    Returns
    -------
    str
        The page, a few megabytes (most of it plotly.js).
    """
    import plotly.offline

    parts = report_parts(result, analyses, source=source)
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # the report's offline Content-Security-Policy (report/offline.py): nothing may
        # be fetched, the page is whole as it is
        policy_meta(),
        f"<title>{esc(parts.title)}</title><style>{_CSS}</style>",
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body><main>",
        *parts.body, "</main>", *parts.scripts, f"<script>{_DRAW}</script></body></html>\n"])


@dataclass
class ReportParts:
    """What a report page is made of, for a page that holds it among other things (the
    planning table, `kantorovich.serve`): its title, the sections of its body (HTML),
    its three JSON script elements, the summary and figures they hold, and the report's
    style sheet."""

    title: str
    body: list[str]
    scripts: list[str]
    data: dict[str, Any]
    figures: dict[str, Any]
    style: str = _CSS


def report_parts(result: PlanResult, analyses: Analyses | None = None, *,
                 source: str | None = None) -> ReportParts:
    """The parts of `report_page` (same arguments): the page is these, around plotly.js."""
    from kantorovich import __version__

    plan = result.plan
    found = analyse(result) if analyses is None else analyses
    data = summary(result, analyses=found)
    charts = chart_data(result)
    timed = result.over_time          # a plan over time: the page is its timeline
    if timed is not None:
        from kantorovich.report.page_time import (timeline_cards, timeline_figures,
                                                  timeline_section)

        tpl = timed.template
        figs = timeline_figures(data, {
            "goods": {str(g): str(n) for g, n in tpl.goods["name"].items()},
            "processes": {str(p): str(n) for p, n in tpl.processes["name"].items()}})
    else:
        figs = figures(data, charts)
    page = PageData(data, charts)
    status = result.status.value
    meta = [esc(span(plan)), f"status: {esc(status)}"]
    if source:
        meta.insert(0, f"from <code>{esc(source)}</code>")
    size = data["size"]
    meta.append(", ".join(count(size[key], noun) for key, noun in (
        ("processes", "process"), ("goods", "good"), ("policies", "rule"))))
    body = [f'<header><div class="kicker">Optimal planning report</div><h1>{esc(plan.name)}'
            f'</h1><p class="meta">{" · ".join(meta)}</p></header>']
    if result.status.has_solution:
        headline, told = sentences(result, found)
        if not result.is_optimal:
            body.append('<div class="banner warn">The solver\'s answer did not pass the '
                        "independent certificate, or the solve stopped at a limit: it is "
                        "shown, but it is NOT a verified optimum.</div>")
        extra = timeline_cards(page) if timed is not None else ()
        body.append(f'<section id="headline"><p class="lead">{headline}</p>'
                    f"{cards(page, result, extra)}</section>")
        body.append(f'<section id="explanation"><h2>The plan in sentences</h2>{told}'
                    "</section>")
        if timed is not None:
            body.append(timeline_section(page, result, figs))
            body.append(baseline_section(page, result, False))
            body.append(sensitivity_section(page, result, False))
            body.append(certificate_section(page))
        if timed is None and "flows" in figs:
            body.append('<section id="flows"><h2>Flows of the optimal plan</h2><p>Supplies '
                        "(left) go to the goods, goods into the processes that use them, and "
                        "processes make goods, until each good's net output (right). Hover over "
                        "a flow for its amount.</p>"
                        + chart("flows", "Supplies, goods, processes and net outputs of the "
                                          "optimal plan." + _unvalued(page, charts))
                        + "</section>")
        if timed is None:
            body.append(baseline_section(page, result, "baseline" in figs))
            body.append(goods_section(page, result, "prices" in figs))
            body.append(policies_section(page, result, "policies" in figs))
            body.append(sensitivity_section(page, result, "sensitivity" in figs))
            body.append(certificate_section(page))
        if found.skipped:
            body.append('<p class="note">Not examined within the time allowed: '
                        + esc(", ".join(found.skipped)) + ".</p>")
    else:
        body.append(diagnosis_section(page, "relaxation" in figs))
    body.append(f'<footer>Made by kantorovich {esc(__version__)}. The numbers on this page '
                "are those of <code>kantorovich solve PLAN --json</code>, embedded in it "
                '(the script element <code>kantorovich-data</code>); prices are improvements '
                "of the objective per unit, in objective units.</footer>")
    title = f"{plan.name}: optimal planning report"
    return ReportParts(title, body, [
        json_script("kantorovich-data", json.dumps(data, allow_nan=False)),
        json_script("kantorovich-charts", json.dumps(charts, allow_nan=False)),
        json_script("kantorovich-figures", _figures_json(figs))], data, figs)


def write_report(result: PlanResult, path: str | Path, analyses: Analyses | None = None, *,
                 source: str | None = None, inputs: Sequence[str | Path] = ()) -> Path:
    """Write the report page of ``result`` to ``path``, all or nothing; return the path.

    The page is written beside ``path`` and renamed over it when whole
    (`kantorovich.files.write_file_atomic`): only a plain file is replaced, never a link,
    a directory or one of ``inputs`` (the files the report was made from).
    """
    from kantorovich.files import write_file_atomic

    return write_file_atomic(path, report_page(result, analyses, source=source),
                             what="report", inputs=inputs)
