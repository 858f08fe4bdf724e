"""Plan text for plotly: shown as written, never read as markup, a link or a template.

Plotly reads a small HTML subset in every piece of text it draws (titles, axis titles,
tick labels, legend names, annotations, hover text, Sankey labels): ``<a href>`` becomes
a live link, ``<span style="fill:url(https://...)">`` a request when the chart is drawn,
``<b>``, ``<br>`` and the rest change the text. It also reads ``%{...}`` in hover
templates and ``$...$`` as TeX. Names come from plans, experiments and tables, that is
from anybody, so every such string goes through `plotly_text` before plotly sees it.

Plotly splits its text on tags first and decodes entities (``&lt;``, ``&#37;``) in the
pieces after, once, so an escaped name is drawn as exactly the characters written.
"""

from __future__ import annotations

from typing import Any

__all__ = ["plotly_text"]

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                           "%": "&#37;",     # no %{x} in a hover template
                           "$": "&#36;"})    # no $...$ read as TeX


def plotly_text(text: Any) -> str:
    """``text`` as plotly draws it literally: ``&``, ``<`` and ``>`` as entities (no tag,
    no link, no style), ``%`` and ``$`` as numeric entities (no template field, no TeX).

    Use it for every piece of text from outside the code (names, ids, units, periods)
    given to plotly, whether alone or inside a title or template the code writes.

    >>> plotly_text('<a href="https://x.test">50% of $</a> & co')
    '&lt;a href="https://x.test"&gt;50&#37; of &#36;&lt;/a&gt; &amp; co'
    """
    return ("" if text is None else str(text)).translate(_ENTITIES)
