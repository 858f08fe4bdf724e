"""A real headless Chromium for tests: Debian's ``chromium`` driven by Playwright.

``browser`` is a module-scoped fixture (import it into a test module: ``from browser
import browser``); `open_page` opens a file in a fresh page that refuses and records
every request other than the file itself, and records console errors and page errors,
so a test can assert that a page is whole and quiet.

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

__all__ = ["OpenedPage", "browser", "open_page"]


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"headless Chromium is needed under CI: {why}")
    pytest.skip(f"no headless Chromium: {why} (install Debian's chromium and playwright)")


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

    def quiet(self) -> None:
        """Fail on any outside request, console error or uncaught exception."""
        assert not self.requests, f"the page asked for outside resources: {self.requests}"
        assert not self.errors, f"the page reported errors: {self.errors}"


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
    page.on("console", lambda msg: opened.errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: opened.errors.append(f"page error: {exc}"))
    page.goto(url, wait_until="load")
    if wait_for:
        page.wait_for_selector(wait_for, state="attached", timeout=15_000)
    return opened
