"""Every page the project writes, opened in a real Chromium with hostile names in it.

A name is text from a plan, a table or an experiment, that is from anybody. Written as
plotly's HTML subset (``<a href>``, ``<span style="fill:url(...)">``), as a script, as a
hover template field or as TeX, it must be drawn as written: no page may fetch, link out
or run anything because of it, on opening or on hover (`browser.check_safe_page`). Each
command runs for real: ``report`` (HTML and SVG), ``sweep`` (the frontier pages) and
``economy plan`` (valuations.html); every page carries the one offline policy
(`kantorovich.report.offline.POLICY`).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import browser as browsers
import yaml
from browser import hostile
from conftest import DATA, EXAMPLES, ROOT
from typer.testing import CliRunner

from kantorovich.cli import app
from kantorovich.report.offline import POLICY, offline_html, policy_meta
from kantorovich.report.plotly_text import plotly_text

browser = browsers.browser            # one headless Chromium for this module
RUNNER = CliRunner()
TABLE = DATA / "io" / "miller_blair_2009_table_2_3"


def run(*args: object) -> Any:
    ran = RUNNER.invoke(app, [str(a) for a in args])
    assert ran.exception is None or isinstance(ran.exception, SystemExit), ran.exception
    return ran


def hostile_leningrad(folder: Path) -> Path:
    """The Leningrad plan with a hostile name for every good, unit, process, region and
    rule, and hostile plan name, period and units of measure (ids are kept)."""
    data = yaml.safe_load((EXAMPLES / "leningrad.yaml").read_text())
    data["name"] = hostile("plan")
    data["period"] = hostile("period")
    for kind in ("goods", "units", "processes"):
        for ident, entry in data[kind].items():
            entry["name"] = hostile(f"{kind}-{ident}")
            if kind == "goods":
                entry["unit"] = hostile(f"measure-{ident}")
            if entry.get("region"):
                entry["region"] = hostile("region-" + entry["region"].split()[-1])
    data["objective"]["unit"] = hostile("objective-unit")
    policies = {}
    for ident, rule in data["policies"].items():
        text = rule["rule"] if isinstance(rule, dict) else rule
        text = text.replace("'District 3'", repr(hostile("region-3")))
        policies[ident] = {"name": hostile(f"rule-{ident}"), "rule": text}
    data["policies"] = policies
    plan = folder / "hostile.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    return plan


# -- the shared pieces -----------------------------------------------------------------
def test_plotly_text_escapes_the_subset_and_templates() -> None:
    name = '<a href="https://x.test">a</a> %{x} $x$ &amp;'
    assert plotly_text(name) == ('&lt;a href="https://x.test"&gt;a&lt;/a&gt; &#37;{x} '
                                 "&#36;x&#36; &amp;amp;")
    assert plotly_text(None) == "" and plotly_text(3) == "3"


def test_one_policy_heads_every_page(browser: Any, tmp_path: Path) -> None:
    """`offline_html` puts the policy before any script, and plotly's logo (a link out)
    stays off whatever the caller's config says."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name=plotly_text(hostile("trace")),
                               mode="markers"))
    fig.update_layout(title=plotly_text(hostile("title")), showlegend=True)
    page = offline_html(fig, title=hostile("page"), div_id="chart",
                        config={"displaylogo": True, "showSendToCloud": True})
    assert page.index(policy_meta()) < page.index("<script")
    assert page == offline_html(fig, title=hostile("page"), div_id="chart",
                                config={"displaylogo": True, "showSendToCloud": True})
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    seen = browsers.check_safe_page(browser, path)
    assert seen.shows(hostile("trace")) and seen.shows(hostile("title"))
    assert seen.opened.page.title() == hostile("page")


# -- report: the page and the static charts ---------------------------------------------
def test_report_page_with_hostile_names(browser: Any, tmp_path: Path) -> None:
    plan = hostile_leningrad(tmp_path)
    out = tmp_path / "report.html"
    ran = run("report", plan, "-o", out)
    assert ran.exit_code == 0, ran.output
    assert POLICY in out.read_text(encoding="utf-8")
    seen = browsers.check_safe_page(browser, out, plots=5)
    assert len(seen.hovers) > 20
    for name in ("plan", "goods-wheat", "processes-baking-3", "units-mill-5",
                 "rule-equal-steel", "measure-bread", "objective-unit"):
        assert seen.shows(hostile(name)), name
    # on hover too: the Sankey's flows name goods and units
    assert any("measure-wheat" in h and "<a href" in h for h in seen.hovers)


def test_static_svg_charts_with_hostile_names(tmp_path: Path) -> None:
    browsers.require_browser()
    plan = hostile_leningrad(tmp_path)
    out = tmp_path / "figures"
    ran = run("report", plan, "--format", "svg", "-o", out)
    assert ran.exit_code == 0, ran.output
    svgs = sorted(out.glob("*.svg"))
    assert [p.stem for p in svgs] == ["baseline", "flows", "policies", "prices",
                                      "sensitivity"]
    shown = ""
    for svg in svgs:
        root = ET.parse(svg).getroot()
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("a", "image", "use", "foreignObject", "script"), (svg, tag)
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), (svg, name)
                assert "href" not in name or value.startswith("#"), (svg, name, value)
                for target in re.findall(r"url\(\s*([^)]*)\)", value):
                    assert target.strip("'\" ").startswith("#"), (svg, value)
        shown += "".join("".join(root.itertext()).split())
    for name in ("rule-district-3-bread", "goods-flour-d3", "period"):
        assert "".join(hostile(name).split()) in shown, name


# -- sweep: the frontier pages ----------------------------------------------------------
def test_sweep_frontier_with_hostile_names(browser: Any, tmp_path: Path) -> None:
    """Names and the swept rule's id itself (a key of ``--vary``: no ``=`` or ``:``)."""
    plan = hostile_leningrad(tmp_path)
    rule = "<b>q</b>%{x}$y$&amp;<span style>L</span>"
    data = json.loads(plan.read_text())
    data["policies"][rule] = data["policies"].pop("district-3-bread")
    plan.write_text(json.dumps(data))
    out = tmp_path / "sweep"
    ran = run("sweep", plan, "--vary", f"policies.{rule}=1e6:2.5e6:3",
              "--vary", "supply.wheat=3500:4000:2", "-o", out, "--workers", 1, "--json")
    assert ran.exit_code == 0, ran.output
    [page] = out.glob("frontier.*.html")
    assert POLICY in page.read_text(encoding="utf-8")
    seen = browsers.check_safe_page(browser, page)
    assert len(seen.hovers) >= 6
    for name in ("rule-district-3-bread", "objective-unit", "measure-bread"):
        assert seen.shows(hostile(name)), name
    assert seen.shows(f"policies.{rule}")      # in the axis title and hover, as written


# -- economy plan: valuations.html ------------------------------------------------------
def test_economy_valuations_with_hostile_sector_names(browser: Any, tmp_path: Path) -> None:
    table = tmp_path / "table"
    shutil.copytree(TABLE, table)
    with (table / "sectors.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("id", "code", "name", "region")] + [
            (i, hostile(f"code{i}"), hostile(f"sector{i}"), "") for i in range(2)])
    # wages that are not all of value added: the two sectors' points lie apart
    (table / "va.csv").write_text("id,va,compensation\n0,650,300\n1,1400,1000\n")
    out = tmp_path / "ray"
    ran = run("economy", "plan", table, "-o", out)
    assert ran.exit_code == 0, ran.output
    page = out / "valuations.html"
    assert POLICY in page.read_text(encoding="utf-8")
    seen = browsers.check_safe_page(browser, page)
    for i in range(2):
        assert any("".join(hostile(f"sector{i}").split()) in "".join(h.split())
                   for h in seen.hovers), (i, seen.hovers)


# -- a browser that never answers -------------------------------------------------------
def _command(*args: object, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m kantorovich.cli ARGS`` in a real interpreter."""
    return subprocess.run([sys.executable, "-m", "kantorovich.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env})


def test_a_browser_that_never_answers_is_given_up(tmp_path: Path) -> None:
    """``KANTOROVICH_CHROMIUM`` naming a program that starts and says nothing: the
    command gives it up after the launch timeout, kills it, and exits 2 naming it."""
    pid_file = tmp_path / "pid"
    fake = tmp_path / "silent-chromium"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    fake.chmod(0o755)
    out = tmp_path / "figures"
    started = time.monotonic()
    ran = _command("report", EXAMPLES / "leningrad.yaml", "--format", "svg", "-o", out,
                   env={"KANTOROVICH_CHROMIUM": str(fake),
                        "KANTOROVICH_CHROMIUM_TIMEOUT": "2"})
    took = time.monotonic() - started
    assert ran.returncode == 2, ran.stderr
    assert f"the browser at {fake} did not answer within 2 s" in ran.stderr
    assert "Traceback" not in ran.stderr and ran.stdout == ""
    assert took < 60, took
    assert not out.exists()
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the silent browser was left running"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie awaiting its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def test_the_launch_timeout_must_be_seconds(tmp_path: Path) -> None:
    ran = _command("report", EXAMPLES / "leningrad.yaml", "--format", "svg", "-o",
                   tmp_path / "figures", env={"KANTOROVICH_CHROMIUM_TIMEOUT": "soon"})
    assert ran.returncode == 2
    assert "KANTOROVICH_CHROMIUM_TIMEOUT='soon' is not a number of seconds" in ran.stderr
