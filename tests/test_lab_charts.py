"""The laboratory's charts, drawn offline by a real headless Chromium, names escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import browser as browsers
from browser import hostile
from kantorovich.lab.charts import CHARTED, write_results
from kantorovich.lab.run import make_experiment, run_experiment

ROOT = Path(__file__).resolve().parents[1]
browser = browsers.browser
open_page = browsers.open_page


def test_the_charts_draw_every_regime_with_intervals_and_differences(
        browser: Any, tmp_path: Path) -> None:
    experiment = make_experiment({
        "world": str(ROOT / "examples" / "leningrad.yaml"), "periods": 3, "seeds": [1, 2, 3],
        "regimes": {"central": {}, "ratchet": {"type": "quota"}, "market": {}},
        "behaviour": {"reliability": True, "innovation": 0.1}})
    out = write_results(run_experiment(experiment), tmp_path / "out")
    opened = open_page(browser, out / "charts.html", wait_for=".scatterlayer .trace")
    opened.quiet()                                   # no network, no errors
    page = opened.page
    titles = page.locator(".gtitle, .annotation-text").all_text_contents()
    assert any("Efficiency" in t for t in titles)
    assert any("Information volume" in t for t in titles)
    assert any("Efficiency: difference from central" in t for t in titles)
    assert any("Shortage: difference from central" in t for t in titles)
    # every chart's y axis says what it measures
    axis_titles = page.evaluate("""() => [...document.querySelectorAll(
        'g[class^="g-y"][class$="title"]')].map((g) => g.textContent)""")
    for _, _, label in CHARTED:
        assert label in axis_titles
    assert any(t.startswith("regime − central") for t in axis_titles)
    # the differences carry error bars (intervals over paired seeds)
    assert page.locator(".errorbar").count() > 0


def test_hostile_names_stay_text_and_nothing_leaves_the_page(
        browser: Any, tmp_path: Path) -> None:
    leningrad = str(ROOT / "examples" / "leningrad.yaml")
    experiment = make_experiment({
        "name": hostile("experiment"),
        "world": {hostile("world-a"): leningrad, "b": leningrad}, "periods": 2,
        "seeds": [1, 2],
        "regimes": {hostile("regime"): {"type": "central"}, "q": {"type": "quota"}},
        "behaviour": {"reliability": True}})
    out = write_results(run_experiment(experiment), tmp_path / "out")
    seen = browsers.check_safe_page(browser, out / "charts.html", most_hovers=60)
    assert seen.shows(hostile("world-a"))
    assert seen.shows(hostile("regime"))
    assert seen.opened.page.title().startswith(hostile("experiment"))
