"""Static charts for papers: each chart of the report as a PNG or SVG file.

Drawn by plotly.js itself (``Plotly.toImage``) in the system's headless Chromium
(`kantorovich.report.chromium`), so a static chart is the very figure the HTML page
draws, and nothing is downloaded. The files go into an output directory, all or nothing
(`kantorovich.files.output_directory`): ``DIR/<chart>.<png|svg>``, one per chart of
`kantorovich.report.figures.CHARTS` that the plan has, e.g. ``figures/flows.svg``,
``figures/baseline.svg``, ``figures/prices.svg``, ``figures/policies.svg``,
``figures/sensitivity.svg`` (``relaxation`` for an infeasible plan).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kantorovich import files
from kantorovich.report.chromium import launch, require

__all__ = ["FORMATS", "WIDTH", "write_charts"]

FORMATS = ("png", "svg")
#: Width of a static chart, in CSS pixels (PNGs are drawn at twice this for print).
WIDTH = 1000
_PNG_SCALE = 2

_DRAW = """async ([figure, options]) => {
  return await Plotly.toImage({data: figure.data, layout: figure.layout}, options);
}"""


def _decoded(url: str) -> bytes:
    """The bytes of a ``data:`` URL as ``Plotly.toImage`` returns it."""
    head, _, body = url.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(body)
    return urllib.parse.unquote(body).encode("utf-8")


def render(figs: dict[str, Any], fmt: str) -> dict[str, bytes]:
    """Each figure drawn to ``fmt`` (png or svg) in headless Chromium, by name.

    Playwright's synchronous API refuses a thread with a running asyncio loop (a
    notebook, another Playwright session), so there the drawing runs in a thread of its
    own.

    Raises
    ------
    BrowserMissing
        No Chromium or no playwright (the error names the fix).
    """
    import asyncio

    require()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _render(figs, fmt)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kantorovich-charts") as pool:
        return pool.submit(_render, figs, fmt).result()


def _render(figs: dict[str, Any], fmt: str) -> dict[str, bytes]:
    import plotly.io as pio
    import plotly.offline
    from playwright.sync_api import sync_playwright

    from kantorovich.report.offline import policy_meta

    out = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())   # nothing is fetched
            # the page that draws the export has the report's offline
            # Content-Security-Policy too (report/offline.py)
            page.set_content("<!DOCTYPE html><html><head><meta charset='utf-8'>"
                             + policy_meta() + "</head><body></body></html>")
            page.add_script_tag(content=plotly.offline.get_plotlyjs())
            for name, fig in figs.items():
                figure = json.loads(pio.to_json(fig, validate=False))
                height = int(figure.get("layout", {}).get("height") or 500)
                options = {"format": fmt, "width": WIDTH, "height": height,
                           "scale": _PNG_SCALE if fmt == "png" else 1}
                out[name] = _decoded(page.evaluate(_DRAW, [figure, options]))
        finally:
            browser.close()
    return out


def write_charts(figs: dict[str, Any], directory: str | Path, fmt: str, *,
                 inputs: Sequence[str | Path] = ()) -> list[Path]:
    """Draw ``figs`` and write them as ``directory/<name>.<fmt>``, all or nothing; return
    the paths written. The directory is checked first (`files.check_output_dir`)."""
    if fmt not in FORMATS:
        raise files.OutputError(f"unknown chart format '{fmt}'", hint="use png or svg")
    target = files.check_output_dir(directory, inputs=inputs)
    images = render(figs, fmt)
    with files.output_directory(target, inputs=inputs) as staging:
        for name, data in images.items():
            (staging / f"{name}.{fmt}").write_bytes(data)
    return [target / f"{name}.{fmt}" for name in images]
