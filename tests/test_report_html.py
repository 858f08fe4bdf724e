"""``kantorovich report``: pages opened in a real headless Chromium, static charts.

Each report is opened by ``file://`` in Debian's chromium (Playwright through its
``executable_path``, see ``tests/browser.py``): any request other than the file itself is
refused and fails the test, as does any console error or uncaught exception; every chart
must have drawn; and every number the page shows (each carries its place in the embedded
JSON) must equal the embedded JSON and ``kantorovich solve PLAN --json`` run on its own.
A screenshot of each page is saved in the test's folder.

The command is registered here as the command line registers it (``_guarded`` turns a
`KantorovichError` into exit code 2), so these tests hold before and after the wiring.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import browser as browsers
from conftest import DATA, EXAMPLES, ROOT
from typer.testing import CliRunner

from kantorovich.cli import _Command, _guarded
from kantorovich.cli import app as main_app
from kantorovich.report.command import report_command

LENINGRAD = EXAMPLES / "leningrad.yaml"
INFEASIBLE = DATA / "infeasible-policy.yaml"
UNBOUNDED = DATA / "unbounded.yaml"

browser = browsers.browser            # one headless Chromium for this module
open_page = browsers.open_page
app = typer.Typer(add_completion=False)


@app.callback()
def _root() -> None:
    """The report command alone, wired as ``kantorovich.cli`` wires it."""


app.command("report", cls=_Command)(_guarded(report_command))
RUNNER = CliRunner()


def report(*args: str) -> Any:
    return RUNNER.invoke(app, ["report", *args])


def solve_json(plan: Path) -> dict[str, Any]:
    """``kantorovich solve PLAN --json``, run on its own."""
    ran = RUNNER.invoke(main_app, ["solve", str(plan), "--json"])
    assert ran.exit_code in (0, 1), ran.output
    return json.loads(ran.stdout)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """The three reports, written once: (path, exit code) by name."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for name, plan in (("leningrad", LENINGRAD), ("infeasible", INFEASIBLE),
                       ("unbounded", UNBOUNDED)):
        path = folder / f"{name}.html"
        ran = report(str(plan), "-o", str(path))
        assert ran.stdout == f"wrote {path}\n", ran.output
        out[name] = (path, ran.exit_code)
    return out


# -- reading a page --------------------------------------------------------------------
_SHOWN = """() => Array.from(document.querySelectorAll("[data-path]")).map(el => ({
  path: JSON.parse(el.getAttribute("data-path")), text: el.textContent,
  digits: el.getAttribute("data-digits")}))"""


def _embedded(page: Any, element: str) -> Any:
    return json.loads(page.evaluate(
        f"() => document.getElementById({json.dumps(element)}).textContent"))


def _at(data: Any, path: list[Any]) -> Any:
    for key in path:
        data = data[key]
    return data


def _read(text: str) -> float | None:
    """A number as the page writes it back to a float (None: not examined)."""
    text = text.strip()
    if text == "not examined":
        return None
    words = {"unlimited": math.inf, "-unlimited": -math.inf}
    return words[text] if text in words else float(text.replace(",", ""))


def _json_float(value: Any) -> float | None:
    if value is None:
        return None
    return {"inf": math.inf, "-inf": -math.inf}.get(value, value) if isinstance(
        value, str) else float(value)


def _shown_as(shown: float, value: float, digits: str | None) -> bool:
    """Whether ``shown`` is ``value`` written as the page writes it: six significant
    digits (`kantorovich.numbers.fmt`), ``digits`` decimals, or ``.1e``."""
    if math.isinf(value) or math.isinf(shown):
        return shown == value
    if digits == "e":
        return math.isclose(shown, value, rel_tol=0.051, abs_tol=1e-300)
    if digits is not None:
        return abs(shown - value) <= 0.5 * 10 ** -int(digits) + 1e-12
    return abs(shown - value) <= 1e-5 * abs(value) + (0.5 if abs(value) >= 1e5 else 1e-12)


def check_numbers(page: Any, solved: dict[str, Any], *, whole: bool = True) -> int:
    """Every number shown equals the embedded JSON, and the JSON ``solve --json``
    printed on its own (``whole``: with the same sections); returns how many were
    checked."""
    data = _embedded(page, "kantorovich-data")
    if whole:
        assert set(data) == set(solved)
    shown = page.evaluate(_SHOWN)
    for cell in shown:
        value = _json_float(_at(data, cell["path"]))
        printed = _read(cell["text"])
        if value is None:
            assert printed is None, cell
            continue
        assert printed is not None and _shown_as(printed, value, cell["digits"]), (cell, value)
        alone = _json_float(_at(solved, cell["path"]))
        assert alone is not None, cell
        assert alone == value or math.isclose(alone, value, rel_tol=1e-7, abs_tol=1e-9), (
            cell, value, alone)
    return len(shown)


def drawn(opened: Any) -> int:
    """Wait until every chart on the page has drawn; returns how many there are."""
    page = opened.page
    charts = page.locator(".plot").count()
    page.wait_for_function(
        "n => document.querySelectorAll('.plot[data-drawn=true]').length === n", arg=charts,
        timeout=20_000)
    for name in page.eval_on_selector_all(".plot", "els => els.map(e => e.dataset.chart)"):
        assert page.locator(f"#chart-{name} .main-svg").count() >= 1, name
    return charts


# -- the pages -------------------------------------------------------------------------
def test_leningrad_report_opens_offline_draws_and_shows_the_json(
        browser: Any, pages: dict[str, tuple[Path, int]], tmp_path: Path) -> None:
    path, code = pages["leningrad"]
    assert code == 0
    assert path.stat().st_size > 4_000_000           # plotly.js inline, once
    text = path.read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot") == 1 and "cdn.plot.ly/plotly" not in text
    opened = open_page(browser, path)
    assert drawn(opened) == 5
    page = opened.page
    charts = _embedded(page, "kantorovich-charts")
    assert page.locator("#chart-flows .sankey-node").count() == len(charts["flows"]["nodes"])
    assert page.locator("#chart-baseline .bars .point").count() == \
        2 * len(charts["baseline_inputs"])
    solved = solve_json(LENINGRAD)
    assert check_numbers(page, solved) > 100
    # the scene's numbers, as the README tells them
    lead = page.locator(".lead").inner_text()
    assert lead.startswith("The optimal plan reaches 6,670,667 loaves a week: 14,000 loaves "
                           "(0.21%) more than the plan in force (6,656,667 loaves).")
    body = page.locator("main").inner_text()
    assert "Move 400 t of Wheat a week from Mill No. 3 to Mill No. 5" in body
    for heading in ("The plan in sentences", "Flows of the optimal plan",
                    "The plan in force against the optimum",
                    "What things are worth: shadow prices of goods",
                    "The rules: their prices and what they cost",
                    "Sensitivity: how far the prices hold", "Certificate of optimality"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    assert "Verified" in page.locator("#certificate .verdict").inner_text()
    page.screenshot(path=tmp_path / "leningrad.png", full_page=True)
    assert (tmp_path / "leningrad.png").stat().st_size > 100_000
    opened.quiet()


def test_infeasible_report_shows_the_conflict_and_the_smallest_relaxation(
        browser: Any, pages: dict[str, tuple[Path, int]], tmp_path: Path) -> None:
    path, code = pages["infeasible"]
    assert code == 1
    opened = open_page(browser, path)
    assert drawn(opened) == 1      # the relaxation
    page = opened.page
    solved = solve_json(INFEASIBLE)
    assert check_numbers(page, solved) == 4
    body = page.locator("main").inner_text()
    diagnosis = solved["diagnosis"]
    assert diagnosis["message"] in body
    for item in diagnosis["conflict"] + diagnosis["relaxation"]:
        assert item["text"] in body
    assert "Checked: the plan with this change is feasible, with objective 2,863 t." in body
    page.screenshot(path=tmp_path / "infeasible.png", full_page=True)
    opened.quiet()


def test_unbounded_report_shows_what_grows_without_limit(
        browser: Any, pages: dict[str, tuple[Path, int]]) -> None:
    path, code = pages["unbounded"]
    assert code == 1
    opened = open_page(browser, path)
    assert drawn(opened) == 0
    page = opened.page
    solved = solve_json(UNBOUNDED)
    assert check_numbers(page, solved) == 2
    body = page.locator("main").inner_text()
    assert solved["diagnosis"]["unbounded"][0]["text"] in body
    opened.quiet()


@pytest.mark.parametrize("plan", [
    DATA / "textbook" / "winston-diet.yaml",                 # minimise, no baseline or rules
    DATA / "textbook" / "kantorovich-1939-machining.yaml",   # complete sets
    DATA / "load" / "sets-baseline.yaml",                    # a plan in force that breaks rules
    DATA / "wyndor.mps",                                     # an LP with no names of its own
], ids=lambda p: p.name)
def test_every_kind_of_plan_opens_quiet_with_its_numbers(browser: Any, tmp_path: Path,
                                                         plan: Path) -> None:
    out = tmp_path / "report.html"
    ran = report(str(plan), "-o", str(out))
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, out)
    assert drawn(opened) >= 3           # flows, prices, sensitivity at least
    assert check_numbers(opened.page, solve_json(plan)) > 30
    opened.quiet()


def test_analyses_not_run_in_time_are_said(browser: Any, tmp_path: Path) -> None:
    import kantorovich as k
    from kantorovich.explain.analyses import analyse
    from kantorovich.report.html import report_page

    result = k.solve(k.load_plan(LENINGRAD))
    found = analyse(result, seconds=0.0)
    assert found.skipped == ["sensitivity", "policy costs", "moves", "price intervals"]
    out = tmp_path / "skipped.html"
    out.write_text(report_page(result, found), encoding="utf-8")
    opened = open_page(browser, out)
    assert drawn(opened) == 2           # flows and prices need no analysis
    page = opened.page
    assert check_numbers(page, solve_json(LENINGRAD), whole=False) > 20
    body = page.locator("main").inner_text()
    assert "Not examined within the time allowed: sensitivity, policy costs, moves, " \
           "price intervals." in body
    assert "Not compared within the time allowed." in body
    assert page.locator("#sensitivity .note").inner_text() == \
        "Not examined within the time allowed."
    opened.quiet()


def test_plan_text_stays_text(browser: Any, tmp_path: Path) -> None:
    """Names that look like markup are shown as written: they neither end the embedded
    JSON nor become elements or links on the page or in a chart."""
    plan = tmp_path / "hostile.yaml"
    plan.write_text(
        'name: "</script><script>alert(1)</script>"\nperiod: week\n'
        'goods:\n  wheat: {unit: t, name: "<b>Wheat</b> & <a href=\'http://x.test\'>co</a>"}\n'
        "  flour: {unit: t}\nprocesses:\n  mill:\n    inputs: {wheat: 1}\n"
        "    outputs: {flour: 0.7}\nsupply: {wheat: 10}\n"
        "objective: {maximize: {flour: 1}}\n")
    out = tmp_path / "hostile.html"
    assert report(str(plan), "-o", str(out)).exit_code == 0
    opened = open_page(browser, out)
    dialogs: list[str] = []
    opened.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    drawn(opened)
    page = opened.page
    assert page.locator("h1").inner_text() == "</script><script>alert(1)</script>"
    assert page.locator("main a, main b, .plot a").count() == 0
    assert "<b>Wheat</b> & <a href='http://x.test'>co</a>" in page.locator("main").inner_text()
    assert not dialogs
    opened.quiet()


# -- static charts ---------------------------------------------------------------------
def _need_browser() -> None:
    from kantorovich.report.chromium import missing

    why = missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"headless Chromium is needed under CI: {why}")
        pytest.skip(f"no headless Chromium: {why}")


def test_svg_and_png_charts_are_real_images(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    _need_browser()
    svg = tmp_path / "figures"
    ran = report(str(LENINGRAD), "--format", "svg", "-o", str(svg))
    assert ran.exit_code == 0, ran.output
    names = ["flows", "baseline", "prices", "policies", "sensitivity"]
    assert ran.stdout.splitlines() == [f"wrote {svg / n}.svg" for n in names]
    for name in names:
        root = ET.parse(svg / f"{name}.svg").getroot()
        assert root.tag.endswith("svg") and root.get("width") == "1000", name
    assert "Mill No. 5: Wheat" in (svg / "baseline.svg").read_text()
    prices = (svg / "prices.svg").read_text()
    assert "1,920" in prices and "loaf per t" in prices
    png = tmp_path / "png"
    ran = report(str(INFEASIBLE), "--format", "png", "-o", str(png))
    assert ran.exit_code == 1, ran.output
    data = (png / "relaxation.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 2000 and height > 300       # drawn at twice the CSS size, for print
    assert sorted(p.name for p in png.iterdir()) == [".kantorovich-output.json",
                                                     "relaxation.png"]


# -- refusing what must not be written (no browser needed) -------------------------------
def test_refuses_targets_and_keeps_the_users_files(tmp_path: Path) -> None:
    kept = tmp_path / "kept.html"
    kept.write_text("mine")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngoods: {wheat: {unit: t}}\nprocesses: {}\n"
                   "objective: {maximize: {flower: 1}}\n")
    ran = report(str(bad), "-o", str(kept))
    assert ran.exit_code == 2 and "flower" in ran.output
    assert kept.read_text() == "mine"
    ran = report(str(LENINGRAD), "-o", str(tmp_path))
    assert ran.exit_code == 2 and "is a directory" in ran.output
    link = tmp_path / "link.html"
    link.symlink_to(kept)
    ran = report(str(LENINGRAD), "-o", str(link))
    assert ran.exit_code == 2 and "symbolic link" in ran.output
    assert kept.read_text() == "mine"
    ran = report(str(LENINGRAD), "--format", "svg", "-o", str(tmp_path / "chart.svg"))
    assert ran.exit_code == 2 and "folder" in ran.output
    assert not (tmp_path / "chart.svg").exists()
    ran = report(str(LENINGRAD), "-o", str(LENINGRAD))
    assert ran.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "kept.html", "link.html"]
    ran = report(str(LENINGRAD), "-o", str(kept))     # a plain file of the user's: replaced
    assert ran.exit_code == 0 and kept.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "kept.html", "link.html"]


def test_no_browser_for_static_charts_is_bad_input_naming_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANTOROVICH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    ran = report(str(LENINGRAD), "--format", "png", "-o", str(tmp_path / "figures"))
    assert ran.exit_code == 2
    assert "no Chromium was found" in ran.output and "apt-get install chromium" in ran.output
    assert not (tmp_path / "figures").exists()


@pytest.mark.process
def test_the_command_module_is_light() -> None:
    """The command line imports ``report.command`` at start-up: typer and stdlib only."""
    code = ("import sys, kantorovich.report.command; heavy = [m for m in ('pandas', 'numpy', "
            "'plotly', 'playwright', 'highspy') if m in sys.modules]; print(heavy)")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert ran.stdout.strip() == "[]"


# -- the charts' data ----------------------------------------------------------------------
def test_a_large_plan_draws_its_largest_processes_and_loses_no_flow() -> None:
    """60 mills of different yields share the wheat: the Sankey draws the 15 largest one
    by one and the rest as one node, and the links still carry every flow's worth."""
    import numpy as np
    import pandas as pd

    import kantorovich as k
    from kantorovich.report.charts import MOST_NODES, chart_data

    n = 60
    mills = [f"mill-{i}" for i in range(n)]
    plan = k.Plan.from_frames(
        name="Sixty mills",
        goods=pd.DataFrame({"id": ["wheat", "flour"], "unit": ["t", "t"]}),
        processes=pd.DataFrame({"id": mills, "capacity": np.linspace(10, 100, n)}),
        flows=pd.DataFrame({"process": mills * 2, "good": ["wheat"] * n + ["flour"] * n,
                            "input": [1.0] * n + [0.0] * n,
                            "output": [0.0] * n + list(np.linspace(0.6, 0.75, n))}),
        supply={"wheat": 2000}, objective={"maximize": {"flour": 1}})
    result = k.solve(plan)
    flows = chart_data(result)["flows"]
    processes = [node for node in flows["nodes"] if node["kind"] == "process"]
    assert len(processes) == MOST_NODES
    assert [node["label"] for node in processes].count("(other processes)") == 1
    worth = result.shadow_prices["wheat"]
    into_processes = sum(link["value"] for link in flows["links"]
                         if link["target"].startswith("process:"))
    used = result.flows.query("good == 'wheat'")["input"].sum()
    assert math.isclose(into_processes, used * worth, rel_tol=1e-12)
    ends = {node["id"]: node for node in flows["nodes"]}
    assert ends["good:wheat"]["label"] == "wheat (supply)"
    assert ends["good:flour"] == {"id": "good:flour", "label": "flour (net output)",
                                  "kind": "output"}
    made = sum(link["amount"] for link in flows["links"] if link["target"] == "good:flour")
    assert math.isclose(made, result.net_output["flour"], rel_tol=1e-12)
