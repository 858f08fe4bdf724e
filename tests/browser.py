"""A real headless Chromium for tests: Debian's ``chromium`` driven by Playwright.

``browser`` is a module-scoped fixture (import it into a test module: ``from browser
import browser``); `open_page` opens a file in a fresh page that refuses and records
every request other than the file itself, every request the page's
Content-Security-Policy stopped before it was made, and console errors and page errors,
so a test can assert that a page is whole and quiet.

`check_safe_page` is what every page the project writes must pass with hostile names
in it (`hostile` makes them): it opens the page, waits for its plotly charts, hovers
over every point, bar, node and link they draw, and fails on any request that leaves
the file (tried or blocked), any link out or event handler in the DOM, any script run
from a name (`FLAG` set), and any console error; it returns the texts the page showed,
hover labels included, so the test can check the names read as written.

Without Chromium or the playwright package the tests that use the browser are skipped,
with the reason, except under ``CI`` (the environment variable set), where they fail:
CI installs Debian's chromium (``.ci/run``), so a missing browser there is a broken
machine, not a reason to pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kantorovich.report.chromium import launch, missing

__all__ = ["FLAG", "OpenedPage", "SafePage", "browser", "check_safe_page", "hostile",
           "open_page", "require_browser"]


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"headless Chromium is needed under CI: {why}")
    pytest.skip(f"no headless Chromium: {why} (install Debian's chromium and playwright)")


def require_browser() -> None:
    """Skip (fail under CI) a test that needs Chromium where there is none."""
    why = missing()
    if why is not None:
        _unavailable(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole test module (a fresh temporary profile)."""
    why = missing()
    if why is not None:
        _unavailable(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class OpenedPage:
    """A page opened by `open_page`, with what it asked for and what it complained of."""

    page: Any
    requests: list[str] = field(default_factory=list)   # refused: not the file itself
    errors: list[str] = field(default_factory=list)     # console errors and page errors

    def blocked(self) -> list[str]:
        """Requests the page's Content-Security-Policy stopped before they were made."""
        return list(self.page.evaluate("() => window.__kantorovichBlocked || []"))

    def quiet(self) -> None:
        """Fail on any outside request (made or blocked by the page's policy), console
        error or uncaught exception."""
        assert not self.requests, f"the page asked for outside resources: {self.requests}"
        assert not self.blocked(), f"the page tried to fetch: {self.blocked()}"
        assert not self.errors, f"the page reported errors: {self.errors}"


#: Recorded before any script of the page runs: what the page's policy blocked.
_WATCH = """window.__kantorovichBlocked = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__kantorovichBlocked.push(e.violatedDirective + " " + e.blockedURI);
});"""


def open_page(browser: Any, path: Path, *, width: int = 1280, height: int = 900,
              wait_for: str | None = None) -> OpenedPage:
    """Open ``path`` by ``file://`` in a new page of its own context; every other request
    is aborted and recorded. ``wait_for`` is a selector awaited after the load."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  service_workers="block")
    page = context.new_page()
    url = path.resolve().as_uri()
    opened = OpenedPage(page)

    def route(request_route: Any) -> None:
        if request_route.request.url == url:
            request_route.continue_()
        else:
            opened.requests.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.add_init_script(_WATCH)
    page.on("console", lambda msg: opened.errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: opened.errors.append(f"page error: {exc}"))
    page.goto(url, wait_until="load")
    if wait_for:
        page.wait_for_selector(wait_for, state="attached", timeout=15_000)
    return opened


# -- hostile names ------------------------------------------------------------------------
#: The window property a script smuggled in a name would set (`hostile`).
FLAG = "__kantorovich_ran"


def hostile(what: str) -> str:
    """A name an adversary would give ``what`` (a rule, a sector, a world...): plotly's
    link and styled span that fetches, an image and a script that set `FLAG`, a hover
    template field, TeX, an entity and braces. Shown as written, it is harmless."""
    return (f'{what} <a href="https://x.test/{what}">link</a> '
            f'<span style="fill:url(https://x.test/{what}.svg)">fill</span> '
            f'<img src=x onerror="window.{FLAG}=1"><script>window.{FLAG}=1</script> '
            "%{x} 5% $x^2$ &amp; {0} <b>bold</b><br>")


@dataclass
class SafePage:
    """What `check_safe_page` saw: the opened page and every text it showed."""

    opened: OpenedPage
    text: str                                        # the page's text, charts included
    hovers: list[str] = field(default_factory=list)  # each hover label shown

    def shows(self, text: str) -> bool:
        """Whether ``text`` was shown as written (on the page or in a hover label);
        white space is ignored, since a chart may wrap a long name over lines."""
        def squeezed(value: str) -> str:
            return "".join(value.split())

        wanted = squeezed(text)
        return wanted in squeezed(self.text) or any(wanted in squeezed(h) for h in self.hovers)


#: Everything in the DOM that could fetch, link out or run: an attribute naming a URL
#: other than a fragment of the page (or data), ``url(...)`` in any attribute (but the
#: inert ``data-*``) or style sheet, an event-handler attribute, and elements that load
#: or navigate.
_OUTWARD = r"""(own) => {
  const inside = (v) => { v = v.trim().replace(/^['"]|['"]$/g, "");
    return v === "" || v.startsWith("#") || v.startsWith(own + "#") || v.startsWith("data:")
      || v.startsWith("blob:"); };
  const found = [];
  const links = ["href", "xlink:href", "src", "srcset", "action", "formaction", "poster",
                 "data", "background", "ping", "cite", "longdesc", "manifest"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["img", "iframe", "object", "embed", "link", "base", "form", "frame", "audio",
         "video", "source", "image", "use", "foreignobject"].includes(tag)) {
      found.push("element <" + tag + ">");
    }
    if (tag === "a" && (el.hasAttribute("href") || el.hasAttribute("xlink:href"))) {
      found.push("link <a " + (el.getAttribute("href") || el.getAttribute("xlink:href"))
                 + ">");
    }
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase(), value = attribute.value;
      if (name.startsWith("on")) { found.push(tag + " [" + name + "]"); }
      if (links.includes(name) && !inside(value)) {
        found.push(tag + " [" + name + "=" + value + "]");
      }
      if (name.startsWith("data-")) { continue; }   // inert: plotly keeps its text there
      for (const m of value.matchAll(/url\(\s*([^)]*)\)/gi)) {
        if (!inside(m[1])) { found.push(tag + " [" + name + "] url(" + m[1] + ")"); }
      }
    }
    if (tag === "style") {
      for (const m of el.textContent.matchAll(/url\(\s*([^)]*)\)/gi)) {
        if (!inside(m[1])) { found.push("style sheet url(" + m[1] + ")"); }
      }
    }
  }
  return found;
}"""

#: Every element a plotly chart draws that answers to the mouse: markers, bars, Sankey
#: nodes and links.
_HOVERABLE = (".js-plotly-plot .point, .js-plotly-plot .sankey-node, "
              ".js-plotly-plot .sankey-link")
_DRAWN = """(n) => { const plots = [...document.querySelectorAll(".js-plotly-plot")];
  return plots.length >= n && plots.every((p) => p._fullLayout && p.querySelector(".main-svg"));
}"""
_HOVER_TEXT = """() => [...document.querySelectorAll(".hoverlayer")]
  .map((layer) => layer.textContent).join(" ").trim()"""
_TEXT = """() => { const body = document.body.cloneNode(true);
  body.querySelectorAll("script, style").forEach((el) => el.remove());
  return document.title + " " + body.textContent; }"""


def check_safe_page(browser: Any, path: Path, *, plots: int = 1,
                    most_hovers: int = 400) -> SafePage:
    """Open ``path``, wait for its ``plots`` plotly charts to draw, hover over every
    point, bar, Sankey node and link (at most ``most_hovers``), and assert that nothing
    left the file or tried to (`OpenedPage.quiet`), that the DOM holds no link out, no
    loading element and no event handler, before and after each hover, and that no
    script ran from a name (`FLAG` unset). Returns the page's text and hover labels.
    """
    opened = open_page(browser, path)
    page = opened.page
    page.wait_for_function(_DRAWN, arg=plots, timeout=30_000)
    own = path.resolve().as_uri()
    found = page.evaluate(_OUTWARD, own)
    assert not found, f"{path.name} links out or loads: {found}"
    hovers = []
    targets = page.query_selector_all(_HOVERABLE)
    assert targets, f"{path.name}: no point, bar, node or link to hover over"
    for target in targets[:most_hovers]:
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        if not box or box["width"] * box["height"] == 0:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(60)     # plotly draws a hover label at most every 50 ms
        label = page.evaluate(_HOVER_TEXT)
        if label:
            hovers.append(label)
            found = page.evaluate(_OUTWARD, own)
            assert not found, f"{path.name} links out or loads on hover ({label}): {found}"
    assert hovers, f"{path.name}: hovering showed no label"
    assert page.evaluate(f"() => window.{FLAG} === undefined"), \
        f"{path.name}: a script from a name ran"
    opened.quiet()
    return SafePage(opened, page.evaluate(_TEXT), hovers)
