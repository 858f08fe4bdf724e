"""Every chart laid out fit for a paper, measured in a real headless Chromium.

Each chart the project draws (the report's, its static SVG files, the laboratory's
``charts.html``, the sweep's frontier, the economy's valuations and value bases) is
drawn in Debian's chromium and measured by `chart_layout`: no two text boxes overlap,
no text crosses the edge of a plot area or leaves the figure, every axis drawn has a
title. The report is drawn for the bundled example and for a plan of seven units with
long names (the "What each unit receives" panels once overlapped there); the pages
must stay quiet under the offline page policy while they are measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest
from chart_layout import layout_problems, svg_problems
from conftest import DATA, EXAMPLES
from typer.testing import CliRunner

import browser as browsers
import kantorovich as k
from kantorovich.cli import app
from kantorovich.economy.cli import economy_app
from kantorovich.report.offline import offline_html

browser = browsers.browser            # one headless Chromium for this module
open_page = browsers.open_page
RUNNER = CliRunner()
LENINGRAD = EXAMPLES / "leningrad.yaml"
UNITS = 7
#: A unit's long name, as a ministry would write it.
MILL = "Mill No. {} of the Northern Grain Combine named after Comrade Kirov"


def many_units_plan(path: Path, units: int = UNITS) -> Path:
    """A plan of ``units`` mills with long names sharing wheat and labour, with a plan in
    force that splits the wheat equally and a binding rule: every chart has something
    to draw, and the units' chart two panels (tonnes and worker-hours) of ``units``
    bar pairs each."""
    lines = ["name: Grain trust of the northern districts", "period: week", "goods:",
             "  wheat: {unit: t, name: Wheat from the state reserve}",
             "  labour: {unit: worker-hour, name: Labour of the milling brigades}",
             "  flour: {unit: t, name: Flour of the first grade}", "units:"]
    lines += [f"  mill-{i}: {{name: '{MILL.format(i + 1)}'}}" for i in range(units)]
    lines.append("processes:")
    for i in range(units):
        lines += [f"  milling-{i}:", f"    name: Milling at Mill No. {i + 1}",
                  f"    unit: mill-{i}", f"    inputs: {{wheat: 1, labour: {2 + 0.3 * i}}}",
                  f"    outputs: {{flour: {0.68 + 0.01 * i}}}", f"    capacity: {900 + 50 * i}"]
    lines += ["supply: {wheat: 4000, labour: 12000}",
              "objective: {maximize: {flour: 1}, unit: t}", "policies:", "  mill-4-share:",
              "    name: Mill No. 4 mills at least its guaranteed share of the wheat",
              "    rule: input(wheat, mill-3) >= 300", "baseline:", "  levels:"]
    lines += [f"    milling-{i}: {4000 / units}" for i in range(units)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def measured(page: Any, selector: str) -> dict[str, Any]:
    """The chart's layout measured; fails naming every defect found."""
    found = layout_problems(page, selector)
    assert found["problems"] == [], f"{selector}: " + "\n".join(found["problems"])
    assert found["texts"] > 0, f"{selector}: no text measured"
    return found


def _charts_drawn(page: Any) -> list[str]:
    """Wait for every chart of a report page; their names."""
    names = page.eval_on_selector_all(".plot", "els => els.map(e => e.dataset.chart)")
    page.wait_for_function(
        "n => document.querySelectorAll('.plot[data-drawn=true]').length === n",
        arg=len(names), timeout=30_000)
    return list(names)


# -- the measure itself finds what it must --------------------------------------------
def test_the_measure_finds_overlaps_cut_text_and_untitled_axes(browser: Any,
                                                               tmp_path: Path) -> None:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2], text=["a label far too long to fit",
                                                         "2"],
                           textposition="outside", cliponaxis=False))
    fig.update_layout(width=500, height=300, margin={"t": 20, "b": 40, "l": 40, "r": 10},
                      annotations=[{"text": "one", "x": 0.5, "y": 0.5, "xref": "paper",
                                    "yref": "paper", "showarrow": False},
                                   {"text": "two", "x": 0.5, "y": 0.5, "xref": "paper",
                                    "yref": "paper", "showarrow": False},
                                   {"text": "far out on the right of the figure", "x": 1.2,
                                    "y": 0.2, "xref": "paper", "yref": "paper",
                                    "showarrow": False}],
                      yaxis={"range": [0, 2.05]}, xaxis={"title": {"text": "letter"}})
    page_file = tmp_path / "bad.html"
    page_file.write_text(offline_html(fig, title="bad", div_id="bad"), encoding="utf-8")
    opened = open_page(browser, page_file, wait_for="#bad .main-svg")
    found = layout_problems(opened.page, "#bad")
    problems = "\n".join(found["problems"])
    assert 'texts "one" and "two" overlap' in problems
    assert '"far out on the right of the figure" leaves the figure' in problems
    assert '"2" crosses the edge of plot area xy' in problems
    assert "yaxis has no title" in problems and "xaxis has no title" not in problems
    assert found["areas"] == 1 and found["axes"] == 2
    opened.quiet()


# -- the report page -------------------------------------------------------------------
_DRAWN = {"leningrad": ["flows", "baseline", "prices", "policies", "sensitivity"],
          "seven units": ["flows", "baseline", "prices", "policies", "sensitivity"],
          "one range": ["flows", "prices", "sensitivity"], "infeasible": ["relaxation"],
          # goods flowing in circles, prices in several units, names of real sectors
          "generated economy": ["flows", "prices", "sensitivity"]}


#: The page's widths measured: a wide screen, and about a printed A4 or Letter page.
WIDE, PRINTED = 1280, 800


@pytest.mark.parametrize(("which", "width"), [(w, WIDE) for w in _DRAWN] + [
    ("leningrad", PRINTED), ("seven units", PRINTED), ("generated economy", PRINTED)],
    ids=lambda value: str(value))
def test_every_report_chart_is_laid_out_without_overlap(browser: Any, tmp_path: Path,
                                                        which: str, width: int) -> None:
    plan = {"leningrad": LENINGRAD, "infeasible": DATA / "infeasible-policy.yaml",
            "one range": tmp_path / "one.yaml",
            "seven units": many_units_plan(tmp_path / "units.yaml")}.get(which)
    if which == "generated economy":
        made = RUNNER.invoke(economy_app, ["generate", "--like",
                                           str(DATA / "io" / "bea_us_summary_2017"),
                                           "-n", "300", "-o", str(tmp_path / "economy")])
        assert made.exit_code == 0, made.output
        plan = tmp_path / "economy" / "plan.yaml"
    (tmp_path / "one.yaml").write_text(       # one price, so one range: a single panel
        "name: One mill\nperiod: day\ngoods:\n  wheat: {unit: t}\n  flour: {unit: t}\n"
        "processes:\n  mill:\n    inputs: {wheat: 1}\n    outputs: {flour: 0.7}\n"
        "supply: {wheat: 10}\nobjective: {maximize: {flour: 1}}\n", encoding="utf-8")
    out = tmp_path / "report.html"
    ran = RUNNER.invoke(app, ["report", str(plan), "-o", str(out)])
    assert ran.exit_code == (1 if which == "infeasible" else 0), ran.output
    opened = open_page(browser, out, width=width)
    page = opened.page
    names = _charts_drawn(page)
    assert names == _DRAWN[which]
    for name in names:
        found = measured(page, f"#chart-{name}")
        if name != "flows":     # (the ranges' vertical axes are not drawn)
            least = found["areas"] + (name != "sensitivity")
            assert found["areas"] >= 1 and found["axes"] >= least, (name, found)
    if which == "seven units":
        # the units' chart: a panel per measure, every unit in each, labels whole
        found = measured(page, "#chart-baseline")
        assert found["areas"] == 2
        ticks = page.eval_on_selector_all("#chart-baseline .yaxislayer-above text",
                                          "els => els.map(e => e.textContent)")
        for i in range(UNITS):    # (lines of a wrapped label join without a space)
            mill = MILL.format(i + 1).replace(" ", "")
            assert sum(t.replace(" ", "").startswith(mill + ":") for t in ticks) == 2, (
                i, ticks)
        titles = page.eval_on_selector_all("#chart-baseline .g-xtitle, #chart-baseline "
                                           ".g-x2title", "els => els.map(e => e.textContent)")
        assert sorted(titles) == ["t a week", "worker-hour a week"]
    if which == "leningrad":
        # the Sankey's long labels are wrapped short of the next column of nodes
        label = page.eval_on_selector_all(
            "#chart-flows .node-label", "els => els.map(e => e.textContent)")
        assert any(t.replace(" ", "").startswith("Flourbyrail") for t in label)
        ranges = page.eval_on_selector_all(
            "#chart-sensitivity .g-xtitle, #chart-sensitivity [class^='g-x'][class$='title']",
            "els => els.map(e => e.textContent)")
        assert "Supply of Wheat (t)" in ranges
        assert "Rule: District 3 bakes at least 2 million loaves a week (loaf)" in ranges
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    opened.quiet()


# -- static exports --------------------------------------------------------------------
@pytest.mark.parametrize("which", ["leningrad", "seven units"])
def test_static_svg_charts_keep_every_text_inside_their_view_box(browser: Any,
                                                                 tmp_path: Path,
                                                                 which: str) -> None:
    plan = LENINGRAD if which == "leningrad" else many_units_plan(tmp_path / "units.yaml")
    folder = tmp_path / "figures"
    ran = RUNNER.invoke(app, ["report", str(plan), "--format", "svg", "-o", str(folder)])
    assert ran.exit_code == 0, ran.output
    names = ["flows", "baseline", "prices", "policies", "sensitivity"]
    for name in names:
        found = svg_problems(browser, folder / f"{name}.svg")
        assert found["problems"] == [], f"{name}.svg: " + "\n".join(found["problems"])
        assert found["view_box"][0] == 1000 and found["texts"] > 5, (name, found)
    if which == "seven units":
        text = (folder / "baseline.svg").read_text(encoding="utf-8")
        assert "What each unit receives" in text and "worker-hour a week" in text


# -- the laboratory --------------------------------------------------------------------
def test_lab_charts_label_every_axis_show_intervals_and_say_when_lines_coincide(
        browser: Any, tmp_path: Path) -> None:
    from kantorovich.lab.charts import write_results
    from kantorovich.lab.run import make_experiment, run_experiment

    experiment = make_experiment({
        "world": str(LENINGRAD), "periods": 3, "seeds": [1, 2, 3],
        # the same regime twice: its lines coincide in every panel
        "regimes": {"central": {}, "central-again": {"type": "central"},
                    "ratchet": {"type": "quota"}},
        "behaviour": {"reliability": True, "innovation": 0.1}})
    out = write_results(run_experiment(experiment), tmp_path / "out")
    opened = open_page(browser, out / "charts.html", wait_for=".scatterlayer .trace")
    page = opened.page
    found = measured(page, "#lab-charts")
    assert found["areas"] == 7 and found["axes"] == 14          # 5 measures, 2 differences
    legends = page.eval_on_selector_all("text[class^='legend'][class$='text']",
                                        "els => els.map(e => e.textContent)")
    said = [t.replace(" ", "") for t in legends].count("central-again(thesameascentral)")
    assert said == 5, legends        # in each panel of a measure over time
    # the coinciding line is drawn thinner over the wider one: both stay visible
    widths = page.evaluate("""() => {
        const gd = document.getElementById("lab-charts");
        const w = {};
        for (const t of gd.data) { if (t.mode === "lines+markers") {
            w[t.legendgroup] = [t.line.width, t.marker.size, t.marker.symbol]; } }
        return w; }""")
    assert widths["central"][0] > widths["central-again"][0]
    assert widths["central"][1] > widths["central-again"][1]
    assert widths["central"][2] != widths["central-again"][2]
    # intervals: a band over seeds per line (where seeds differ), error bars on differences
    assert page.evaluate("""() => document.getElementById("lab-charts").data
        .filter((t) => t.fill === "toself").length""") > 0
    assert page.locator(".errorbar").count() >= 4
    periods = page.eval_on_selector_all(".xtick text", "els => els.map(e => e.textContent)")
    assert "1.5" not in periods and {"1", "2", "3"} <= set(periods)
    assert page.title() == "experiment: leningrad, regimes compared"
    opened.quiet()


def test_lab_charts_of_two_worlds_with_long_names_stay_apart(browser: Any,
                                                              tmp_path: Path) -> None:
    from kantorovich.lab.charts import write_results
    from kantorovich.lab.run import make_experiment, run_experiment

    long_regime = "central planning that learns from the reports of the units"
    experiment = make_experiment({
        "name": "The planning regimes of the northern districts compared at length",
        "world": {"Leningrad district mills and bakeries": str(LENINGRAD),
                  "b": str(LENINGRAD)},
        "periods": 2, "seeds": [1, 2], "behaviour": {"reliability": True},
        "regimes": {long_regime: {"type": "central"}, "q": {"type": "quota"}}})
    out = write_results(run_experiment(experiment), tmp_path / "out")
    opened = open_page(browser, out / "charts.html", wait_for=".scatterlayer .trace")
    found = measured(opened.page, "#lab-charts")
    assert found["areas"] == 14
    opened.quiet()


# -- the sweep's frontier --------------------------------------------------------------
def test_the_frontier_is_laid_out_with_titled_axes(browser: Any, tmp_path: Path) -> None:
    from kantorovich.sweep.charts import frontier_html
    from kantorovich.sweep.point import solve_point

    plan = k.load_plan(LENINGRAD)
    key = "policies.district-3-bread"
    points = pd.DataFrame([{key: level, **solve_point(plan, **{key: level})}
                           for level in (1e6, 1.5e6, 2e6, 2.25e6, 2.5e6)])
    path = tmp_path / "frontier.html"
    path.write_text(frontier_html(points, key, plan), encoding="utf-8")
    opened = open_page(browser, path, wait_for="#frontier .main-svg")
    found = measured(opened.page, "#frontier")
    assert found["areas"] == 3 and found["axes"] == 4    # the level's axis drawn once
    titles = opened.page.eval_on_selector_all("[class^='g-y'][class$='title']",
                                              "els => els.map(e => e.textContent)")
    assert titles == ["objective (loaf)", "loaf per loaf of the level",
                      "loaf gained by dropping it"]
    assert "no optimum at 1 level(s): 2,500,000" in opened.page.locator(
        ".gtitle").text_content()
    opened.quiet()


# -- the economy's charts --------------------------------------------------------------
def _ticks(page: Any, axis: str) -> list[float]:
    return [float(t) for t in page.eval_on_selector_all(
        f"#valuations .{axis}tick text", "els => els.map(e => e.textContent)")]


def test_valuations_label_log_ticks_in_full_and_bases_title_their_axes(
        browser: Any, tmp_path: Path) -> None:
    table = DATA / "io" / "bea_us_summary_2017"
    ran = RUNNER.invoke(economy_app, ["plan", str(table), "-o", str(tmp_path / "plan")])
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, tmp_path / "plan" / "valuations.html",
                       wait_for="#valuations .main-svg")
    page = opened.page
    measured(page, "#valuations")
    for axis in ("x", "y"):
        ticks = _ticks(page, axis)
        # a minor tick of 0.2 reads 0.2, never 2: the labels rise along the axis
        assert len(ticks) >= 3 and ticks == sorted(set(ticks)), (axis, ticks)
    assert 0.2 in _ticks(page, "x")
    opened.quiet()
    ran = RUNNER.invoke(economy_app, ["bases", str(table), "-o", str(tmp_path / "bases")])
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, tmp_path / "bases" / "bases.html",
                       wait_for="#bases .main-svg")
    found = measured(opened.page, "#bases")
    assert found["axes"] == 2
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["chart"] == "valuations.html"
    opened.quiet()
