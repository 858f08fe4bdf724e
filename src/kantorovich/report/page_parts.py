"""The pieces every section of the report page is made of: escaped text, tables, chart
slots, and `PageData`, which writes each number from the page's JSON with its place there
(``data-path``), so that every number shown can be traced to ``kantorovich-data``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from kantorovich.numbers import fmt, plural, residual

__all__ = ["MOST_ROWS", "JsonPath", "PageData", "chart", "esc", "json_script", "left_out",
           "table"]

#: Rows a table of the page shows; the rest are counted (all are in ``-o DIR``'s tables).
MOST_ROWS = 100

JsonPath = Sequence[str | int]


def esc(text: Any) -> str:
    """Text for HTML: ``<``, ``>``, ``&`` and quotes as entities."""
    return html.escape("" if text is None else str(text), quote=True)


def json_script(element_id: str, text: str) -> str:
    """JSON text inside a script element: ``<``, ``>`` and ``&`` as JSON escapes, so no
    string in it can close the element or open a comment."""
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


class PageData:
    """The page's numbers, read from the summary by path and written with their path;
    the charts' labels (`kantorovich.report.charts`) name the ids."""

    def __init__(self, data: dict[str, Any], charts: dict[str, Any]) -> None:
        self.data = data
        self.labels = charts["labels"]

    def get(self, path: JsonPath) -> Any:
        value: Any = self.data
        for key in path:
            value = value[key]
        return value

    def has(self, path: JsonPath) -> bool:
        try:
            self.get(path)
        except (KeyError, IndexError, TypeError):
            return False
        return True

    def num(self, path: JsonPath, unit: str = "", *, digits: int | str | None = None) -> str:
        """The number at ``path``, marked with its path: as the tables write it
        (`kantorovich.numbers.fmt`), with ``digits`` decimals, or in scientific notation
        (``digits="e"``, for residuals); ``data-digits`` says which."""
        value = self.get(path)
        if value is None:
            text = "not examined"
        elif isinstance(value, str):
            text = {"inf": "unlimited", "-inf": "-unlimited"}.get(value, value)
        elif digits == "e":
            text = residual(float(value))
        elif digits is not None:
            text = f"{float(value):,.{digits}f}"
        else:
            text = fmt(float(value))
        mark = esc(json.dumps(list(path)))
        # "6,670,667 loaves", "1 loaf": the unit in the number a person reads
        tail = f" {esc(plural(unit, 1.0 if text in ('1', '-1') else 2.0))}" if unit else ""
        precision = f' data-digits="{digits}"' if digits is not None else ""
        return f'<span class="n" data-path="{mark}"{precision}>{esc(text)}</span>{tail}'

    def name(self, kind: str, ident: str) -> str:
        return self.labels.get(kind, {}).get(ident, ident)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric_from: int,
           total: int | None = None, caption: str = "", note: str = "") -> str:
    """An HTML table; cells are HTML already (escaped text or `PageData.num`); columns from
    ``numeric_from`` on are numbers, right-aligned."""
    head = "".join(f'<th class="{"r" if i >= numeric_from else ""}">{h}</th>'
                   for i, h in enumerate(headers))
    body = []
    shown = 0
    for row in rows:
        if shown == MOST_ROWS:
            break
        body.append("<tr>" + "".join(f'<td class="{"r" if i >= numeric_from else ""}">{c}</td>'
                                     for i, c in enumerate(row)) + "</tr>")
        shown += 1
    more = ""
    if total is not None and total > shown:
        more = (f'<p class="note">... and {total - shown:,} more rows (all are in the '
                "tables of <code>kantorovich solve PLAN -o DIR</code>).</p>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    tail = f'<p class="note">{note}</p>' if note else ""
    return (f'<div class="table"><table>{cap}<thead><tr>{head}</tr></thead><tbody>'
            + "".join(body) + f"</tbody></table></div>{more}{tail}")


def left_out(section: Any) -> str | None:
    """The note for a section the summary leaves to a table (see `report.summary`)."""
    if isinstance(section, dict) and "table" in section and "rows" in section:
        return (f'<p class="note">{section["rows"]:,} rows: too many for this page; see the '
                f'<code>{esc(section["table"])}</code> table of <code>kantorovich solve PLAN '
                "-o DIR</code>.</p>")
    return None


def chart(name: str, caption: str) -> str:
    return (f'<figure class="chart"><div id="chart-{name}" class="plot" data-chart="{name}">'
            f'</div><figcaption>{caption}</figcaption></figure>')


