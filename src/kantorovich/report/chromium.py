"""The system's headless Chromium, driven by Playwright: how static charts are drawn.

Plotly's own static export (kaleido) downloads a browser of its own, which a machine
without network access cannot do. The report's charts are plotly.js figures, so they are
drawn to PNG or SVG by plotly.js itself (``Plotly.toImage``) inside the Chromium the
system has (Debian's ``chromium`` package), which Playwright drives through its
``executable_path``; no browser is ever downloaded, and every request a page makes is
refused (the page needs none).

`launch` is shared by the static export and the browser tests (``tests/browser.py``).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from kantorovich.errors import KantorovichError

__all__ = ["ARGS", "BrowserMissing", "chromium_path", "launch"]

#: Headless, no sandbox (containers), and nothing that would reach the network on its own.
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")

_FIX = ("install Debian's chromium (apt-get install chromium) and the Python package "
        "playwright (pip install playwright; no browser download is needed); the HTML "
        "report needs neither")


class BrowserMissing(KantorovichError):
    """No headless Chromium to draw static charts with: exit code 2, naming the fix."""

    code = "no-browser"
    exit_code = 2


def chromium_path() -> str | None:
    """The system's Chromium: ``$KANTOROVICH_CHROMIUM``, else ``chromium`` (or
    ``chromium-browser``) on the PATH, else ``/usr/bin/chromium``; None if none is."""
    named = os.environ.get("KANTOROVICH_CHROMIUM")
    if named:
        return named if os.path.isfile(named) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.isfile("/usr/bin/chromium") else None


def missing() -> str | None:
    """Why no browser can be launched (None when one can): a sentence naming what lacks."""
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed"
    if chromium_path() is None:
        return "no Chromium was found (looked for chromium on the PATH and /usr/bin/chromium)"
    return None


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a running ``sync_playwright()``; Playwright
    gives it a fresh, temporary profile, removed when it closes.

    Raises
    ------
    BrowserMissing
        When there is no Chromium, or it does not start.
    """
    path = chromium_path()
    if path is None:
        raise BrowserMissing("cannot draw static charts: no Chromium was found", hint=_FIX)
    try:
        return playwright.chromium.launch(executable_path=path, headless=True,
                                          args=list(ARGS))
    except Exception as exc:  # Playwright's own error type: the browser did not start
        raise BrowserMissing(f"cannot draw static charts: Chromium at {path} did not "
                             f"start ({str(exc).splitlines()[0]})", hint=_FIX) from None


def require() -> None:
    """Raise `BrowserMissing` now, before any work, when no browser can be launched."""
    why = missing()
    if why is not None:
        raise BrowserMissing(f"cannot draw static charts: {why}", hint=_FIX)
