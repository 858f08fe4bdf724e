"""Every HTML page the project writes opens offline and fetches nothing: one policy.

A page of ours is whole as written: plotly.js is inlined once, the figures' data are in
the page, and nothing is ever loaded from anywhere (no CDN, no web font, no image, no
link followed for us). `POLICY` says so to the browser, as a Content-Security-Policy in
the page's head, so that even text that slipped past `kantorovich.report.plotly_text`
could not make the page fetch. Every page goes through here: the report
(`kantorovich.report.html`), the sweep's frontiers (`kantorovich.sweep.charts`), the
economy's valuations (`kantorovich.economy.chart`) and the laboratory's charts; a page
that is one plotly figure is `offline_html`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["CONFIG", "POLICY", "offline_html", "plot_config", "policy_meta"]

#: Nothing from outside: inline scripts and styles only, images and fonts as data.
POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
          "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'")

#: Plotly's options that would put a link out on the page (its logo, "send to the
#: cloud") or read text as TeX, all off, whatever a caller asks.
CONFIG: dict[str, Any] = {"displaylogo": False, "showSendToCloud": False,
                          "typesetMath": False}

_STYLE = ("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
          "color:#1d2733;margin:1em auto;max-width:80em;padding:0 1em}")


def policy_meta() -> str:
    """The `POLICY` as the ``<meta>`` element that must come first in a page's head,
    before any script or style."""
    return f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'


def plot_config(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Plotly's ``config`` with `CONFIG` on top (no logo, no link out)."""
    return {**(config or {}), **CONFIG}


def offline_html(figure: Any, *, title: str, div_id: str, before: str = "",
                 after: str = "", style: str = _STYLE,
                 config: Mapping[str, Any] | None = None) -> str:
    """A whole page around one plotly ``figure`` that opens offline and fetches nothing.

    The head holds `policy_meta` first, then ``title`` (plain text: escaped here) and
    ``style``; the body ``before`` (HTML, already escaped by the caller), the figure
    with plotly.js inlined once, and ``after``. The same figure and arguments give the
    same bytes (``div_id`` names the chart's element, so no random id is drawn).

    Text from plans inside the figure must already have gone through
    `kantorovich.report.plotly_text.plotly_text`.

    >>> import plotly.graph_objects as go
    >>> page = offline_html(go.Figure(), title="a <b>", div_id="chart")
    >>> page.index(POLICY) < page.index("<script"), "<title>a &lt;b&gt;</title>" in page
    (True, True)
    """
    chart = figure.to_html(full_html=False, include_plotlyjs=True, div_id=div_id,
                           config=plot_config(config))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            + policy_meta()
            + '<meta name="viewport" content="width=device-width, initial-scale=1">'
            + f"<title>{html.escape(str(title))}</title><style>{style}</style></head>"
            + f"<body>{before}{chart}{after}</body></html>\n")
