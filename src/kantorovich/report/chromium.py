"""The system's headless Chromium, driven by Playwright: how static charts are drawn.

Plotly's own static export (kaleido) downloads a browser of its own, which a machine
without network access cannot do. The report's charts are plotly.js figures, so they are
drawn to PNG or SVG by plotly.js itself (``Plotly.toImage``) inside the Chromium the
system has (Debian's ``chromium`` package), which Playwright drives through its
``executable_path``; no browser is ever downloaded, and every request a page makes is
refused (the page needs none).

`launch` is shared by the static export and the browser tests (``tests/browser.py``).
A browser that does not answer within `LAUNCH_SECONDS` (30 s; the environment variable
``KANTOROVICH_CHROMIUM_TIMEOUT`` sets another) is given up, killed, and reported as
exit code 2 naming its path: a wrong ``KANTOROVICH_CHROMIUM`` must not hang a command.
"""

from __future__ import annotations

import math
import os
import shutil
from typing import Any

from kantorovich.errors import KantorovichError

__all__ = ["ARGS", "LAUNCH_SECONDS", "BrowserMissing", "chromium_path", "launch",
           "launch_seconds"]

#: Headless, no sandbox (containers), and nothing that would reach the network on its own.
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")

#: Seconds a browser has to start and answer Playwright before it is given up.
LAUNCH_SECONDS = 30.0
_TIMEOUT_VARIABLE = "KANTOROVICH_CHROMIUM_TIMEOUT"

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


def launch_seconds() -> float:
    """How long `launch` waits for the browser: ``$KANTOROVICH_CHROMIUM_TIMEOUT``
    seconds, else `LAUNCH_SECONDS`.

    Raises
    ------
    BrowserMissing
        When the variable is not a positive number of seconds.
    """
    given = os.environ.get(_TIMEOUT_VARIABLE)
    if not given:
        return LAUNCH_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise BrowserMissing(f"{_TIMEOUT_VARIABLE}={given!r} is not a number of seconds",
                             hint="give a number between 0 and 3600, e.g. 30, or unset it")
    return seconds


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a running ``sync_playwright()``; Playwright
    gives it a fresh, temporary profile, removed when it closes.

    A browser that has not answered after `launch_seconds` is killed and reported.

    Raises
    ------
    BrowserMissing
        When there is no Chromium, or it does not start, or does not answer in time.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    path = chromium_path()
    if path is None:
        raise BrowserMissing("cannot draw static charts: no Chromium was found", hint=_FIX)
    seconds = launch_seconds()
    named = os.environ.get("KANTOROVICH_CHROMIUM")
    try:
        return playwright.chromium.launch(executable_path=path, headless=True,
                                          args=list(ARGS), timeout=seconds * 1000)
    except PlaywrightTimeout:
        hint = (f"KANTOROVICH_CHROMIUM names '{named}': name Debian's chromium (e.g. "
                "/usr/bin/chromium), or unset it" if named else _FIX)
        raise BrowserMissing(f"cannot draw static charts: the browser at {path} did not "
                             f"answer within {seconds:g} s (it was stopped)",
                             hint=hint + f"; on a slow machine, raise {_TIMEOUT_VARIABLE} "
                                         "(seconds)") from None
    except Exception as exc:  # Playwright's own error type: the browser did not start
        raise BrowserMissing(f"cannot draw static charts: Chromium at {path} did not "
                             f"start ({str(exc).splitlines()[0]})", hint=_FIX) from None


def require() -> None:
    """Raise `BrowserMissing` now, before any work, when no browser can be launched
    (or ``$KANTOROVICH_CHROMIUM_TIMEOUT`` is not a number of seconds)."""
    why = missing()
    if why is not None:
        raise BrowserMissing(f"cannot draw static charts: {why}", hint=_FIX)
    launch_seconds()
