"""The report of a plan over time, opened in headless Chromium: the plan as a timeline,
every chart drawn, every number the page shows equal to ``solve --json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import browser as browsers
from conftest import DATA
from test_horizon import TOOLS
from test_report_html import check_numbers, drawn, report, solve_json

from kantorovich.economy.tns import read_tns

browser = browsers.browser
open_page = browsers.open_page


def test_tools_report_is_a_timeline(browser: Any, tmp_path: Path) -> None:
    plan = tmp_path / "tools.yaml"
    plan.write_text(TOOLS)
    path = tmp_path / "tools.html"
    ran = report(str(plan), "-o", str(path))
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, path)
    assert drawn(opened) == 4
    page = opened.page
    assert check_numbers(page, solve_json(plan)) > 20
    assert page.get_by_role("heading", name="The plan as a timeline").count() == 1
    body = page.locator("main").inner_text()
    assert "In year 1, invest 4 sets of tools in bake's stock" in body
    # the rate of return card and table: 100% from year 1 to 2
    cell = page.locator('[data-path=\'["investment_return", 0]\']').first
    assert cell.inner_text() == "1.0000"
    opened.quiet()


def test_a_cockshott_plan_report(browser: Any, tmp_path: Path) -> None:
    plan = read_tns(DATA / "tns").write_plan(tmp_path / "tns")
    path = tmp_path / "tns.html"
    ran = report(str(plan), "-o", str(path))
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, path)
    assert drawn(opened) >= 3
    assert check_numbers(opened.page, solve_json(plan)) > 50
    opened.quiet()


def test_timeline_labels_are_drawn_as_written(browser: Any, tmp_path: Path) -> None:
    """A process named with quotes, a tag, an ampersand and a per cent sign is drawn in
    the timeline's legend as written: not escaped twice (``&quot;``), not read as markup."""
    name = 'Hand "bake" & <b>co</b> 50%'
    plan = tmp_path / "named.yaml"
    plan.write_text(TOOLS.replace("  hand-bake:\n", "  hand-bake:\n    name: '"
                                  + name.replace("'", "''") + "'\n"))
    path = tmp_path / "named.html"
    ran = report(str(plan), "-o", str(path))
    assert ran.exit_code == 0, ran.output
    opened = open_page(browser, path)
    assert drawn(opened) == 4
    legends = opened.page.locator(".legendtext").all_text_contents()
    assert name in legends, legends
    assert not any("&quot;" in text or "&amp;" in text for text in legends), legends
    assert opened.page.locator(".legendtext b").count() == 0
    opened.quiet()
