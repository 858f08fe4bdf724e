"""The laboratory's charts, drawn offline by a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import browser as browsers
from kantorovich.lab.charts import CHARTED, write_results
from kantorovich.lab.run import make_experiment, run_experiment

ROOT = Path(__file__).resolve().parents[1]
browser = browsers.browser
open_page = browsers.open_page


def test_the_charts_draw_every_regime_offline(browser: Any, tmp_path: Path) -> None:
    experiment = make_experiment({
        "world": str(ROOT / "examples" / "leningrad.yaml"), "periods": 3, "seeds": [1, 2],
        "regimes": {"central": {}, "ratchet": {"type": "quota"}, "market": {}},
        "behaviour": {"reliability": True, "innovation": 0.1}})
    out = write_results(run_experiment(experiment), tmp_path / "out")
    opened = open_page(browser, out / "charts.html", wait_for=".scatterlayer .trace")
    opened.quiet()                                   # no network, no errors
    traces = opened.page.locator(".scatterlayer .trace").count()
    assert traces == 3 * len(CHARTED)
    titles = opened.page.locator(".gtitle, .annotation-text").all_text_contents()
    assert any("Efficiency" in t for t in titles)
    assert any("Information volume" in t for t in titles)
