"""Measuring a drawn chart's layout in Chromium: what a reader would see as a defect.

`layout_problems` reads a plotly chart as the browser drew it (the text elements' boxes
from ``getBoundingClientRect``, each subplot's plot area from the axes plotly laid out,
the Sankey's node rectangles) and names every defect a printed page would show:

- two texts whose boxes overlap (a title on an axis title, a bar label on a tick label);
- a text that crosses the edge of a plot area (half in, half out: a bar label running
  over the axis, a legend over the bars) or leaves the figure (cut when printed);
- a Sankey label lying over a node;
- an axis drawn without a title.

`svg_problems` does the same for a static SVG file (``kantorovich report --format svg``)
opened on its own: every text inside the SVG's view box, no two overlapping.

Boxes may touch: overlaps under `SLACK` pixels each way are not counted, since a font's
box includes room above and below its letters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["SLACK", "layout_problems", "svg_problems"]

#: Pixels by which two boxes may overlap (each way) before it counts.
SLACK = 1.5

_MEASURE = r"""([root, slack]) => {
  const problems = [];
  const shown = (el, stop) => {
    for (let e = el; e && e !== stop.parentNode; e = e.parentNode) {
      if (!(e instanceof Element)) { break; }
      const style = getComputedStyle(e);
      if (style.display === "none" || style.visibility === "hidden"
          || parseFloat(style.opacity) === 0) { return false; }
    }
    return true;
  };
  const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  const inside = (a, b) => a.left >= b.left - slack && a.right <= b.right + slack
    && a.top >= b.top - slack && a.bottom <= b.bottom + slack;
  const name = (t) => JSON.stringify(t.text.length > 60 ? t.text.slice(0, 57) + "..."
                                     : t.text);
  const svgs = root.tagName.toLowerCase() === "svg" ? [root]
    : [...root.querySelectorAll("svg.main-svg")];
  if (!svgs.length) { return {problems: ["no svg drawn"], texts: 0, axes: 0, areas: 0}; }
  const frame = box(svgs[0].getBoundingClientRect());
  const texts = [];
  for (const svg of svgs) {
    for (const el of svg.querySelectorAll("text")) {
      const text = el.textContent.trim();
      if (!text || el.closest(".hoverlayer") || !shown(el, svg)) { continue; }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) { continue; }
      texts.push({text, box: box(r), cls: el.getAttribute("class") || ""});
    }
  }
  for (const t of texts) {
    if (!inside(t.box, frame)) {
      problems.push("text " + name(t) + " leaves the figure");
    }
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(texts[i].box, texts[j].box)) {
        problems.push("texts " + name(texts[i]) + " and " + name(texts[j]) + " overlap");
      }
    }
  }
  const gd = root._fullLayout ? root : null;
  let axes = 0, areas = 0;
  if (gd) {
    const layout = gd._fullLayout;
    for (const id of Object.keys(layout._plots || {})) {
      const plot = layout._plots[id];
      const xa = plot.xaxis, ya = plot.yaxis;
      const area = {left: frame.left + xa._offset, right: frame.left + xa._offset + xa._length,
                    top: frame.top + ya._offset, bottom: frame.top + ya._offset + ya._length};
      areas += 1;
      for (const t of texts) {
        if (overlap(t.box, area) && !inside(t.box, area)) {
          problems.push("text " + name(t) + " crosses the edge of plot area " + id);
        }
      }
    }
    for (const key of Object.keys(layout)) {
      // an axis drawn: visible, with its tick labels (a shared axis shows them once)
      if (!/^[xy]axis\d*$/.test(key) || !layout[key].visible
          || !layout[key].showticklabels) { continue; }
      axes += 1;
      // plotly keeps a placeholder title in its layout: read the one it drew
      const drawn = root.querySelector(".g-" + layout[key]._id + "title");
      if (!drawn || !drawn.textContent.trim()) {
        problems.push(key + " has no title");
      }
    }
  }
  const nodes = [...root.querySelectorAll(".sankey-node rect.node-rect")]
    .map((r) => box(r.getBoundingClientRect())).filter((r) => r.right > r.left);
  for (const t of texts.filter((t) => t.cls.includes("node-label"))) {
    if (nodes.some((n) => overlap(t.box, n))) {
      problems.push("Sankey label " + name(t) + " lies over a node");
    }
  }
  return {problems, texts: texts.length, axes, areas};
}"""


def layout_problems(page: Any, selector: str) -> dict[str, Any]:
    """The layout defects of the plotly chart drawn in ``selector`` (its graph div) on
    ``page``: ``{"problems": [...], "texts": n, "axes": n, "areas": n}``, the counts
    saying how much was measured."""
    handle = page.query_selector(selector)
    assert handle is not None, f"no chart at {selector}"
    return dict(page.evaluate(_MEASURE, [handle, SLACK]))


def svg_problems(browser: Any, path: Path) -> dict[str, Any]:
    """The layout defects of a static SVG chart, opened on its own in Chromium: texts
    outside its view box or over one another."""
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url == path.resolve().as_uri() else route.abort())
        page.goto(path.resolve().as_uri())
        root = page.query_selector("svg")
        assert root is not None, f"{path.name} holds no svg"
        view = page.evaluate("(svg) => svg.viewBox.baseVal ? [svg.viewBox.baseVal.width, "
                             "svg.viewBox.baseVal.height] : null", root)
        found = dict(page.evaluate(_MEASURE, [root, SLACK]))
        found["view_box"] = view
        return found
    finally:
        page.close()
