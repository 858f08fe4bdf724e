"""The efficiency–equity frontier of a rule, as a self-contained HTML page.

A rule such as "District 3 bakes at least 2 million loaves a week" buys equity (bread where
the rule says) with efficiency (loaves the plan could make elsewhere). A sweep over the
rule's level (``--vary policies.ID=...``) measures both at each level, and the frontier
draws them, one panel above the other, against the level:

1. the objective: what the plan reaches when the rule demands that much;
2. the rule's price: what one more unit of the rule's level costs, at that level (the
   slope of panel 1, read off the duals, not from the chart);
3. the rule's cost: what the rule costs altogether at that level, the objective gained by
   dropping it (re-solved exactly).

Levels without an optimum are left out of the lines and named in the title. When other
keys vary too, each combination of their values is one line (the first twelve). The page
embeds plotly.js, once, and asks nothing of the network: it opens offline
(`kantorovich.report.offline`), and plan text is drawn as written, never as markup
(`kantorovich.report.plotly_text`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from kantorovich.model.plan import Plan

__all__ = ["frontier_file_name", "frontier_file_names", "frontier_html"]

_LINES = 12
#: an id used as its own file name: plain lower-case characters, at most this many
_PLAIN_CHARS = 64
_PLAIN = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,%d}" % (_PLAIN_CHARS - 1))
#: any other id: a stem of at most this many characters, then ``~`` and this many hex digits
_STEM_CHARS, _HASH_CHARS = 40, 16
_COLOURS = ["#1f4e79", "#b03a2e", "#1e8449", "#7d3c98", "#b9770e", "#117a65", "#5d6d7e",
            "#a04000", "#2e86c1", "#cb4335", "#28b463", "#884ea0"]


def frontier_file_name(policy: str) -> str:
    """The frontier page's file name for ``policy``: unique and short for any id.

    An id that is already a plain lower-case file name (letters ``a-z``, digits, ``_``,
    ``-`` and inner dots, at most `_PLAIN_CHARS` characters) is used as it is. Any other
    id (upper case, ``/``, spaces, Cyrillic, a very long one) becomes a readable plain
    stem, cut to `_STEM_CHARS` characters, then ``~`` and a hash of the exact id: a plain
    name never holds ``~``, and two ids differing in any character (or only in case, for
    file systems that ignore case) get different hashes, so ``a/b`` and ``a_b``, or
    ``квота`` and ``норма``, never write the same file. `frontier_file_names` checks a
    sweep's names together before anything is solved.

    >>> frontier_file_name("district-3-bread")
    'frontier.district-3-bread.html'
    >>> frontier_file_name("a/b") != frontier_file_name("a_b")
    True
    >>> len(frontier_file_name("q" * 300)) <= 80
    True
    """
    if _PLAIN.fullmatch(policy) and ".." not in policy:
        return f"frontier.{policy}.html"
    stem = re.sub(r"[^a-z0-9_-]+", "_", policy.lower()).strip("_-")[:_STEM_CHARS] or "rule"
    digest = hashlib.sha256(policy.encode("utf-8", "surrogatepass")).hexdigest()
    return f"frontier.{stem}~{digest[:_HASH_CHARS]}.html"


def frontier_file_names(policies: Iterable[str]) -> dict[str, str]:
    """Each swept rule's frontier file name (see `frontier_file_name`), checked together:
    no two rules may share a file, letter case ignored.

    Raises
    ------
    SweepError
        When two names coincide (possible only by a collision of the hashes), before any
        point is solved.
    """
    from kantorovich.sweep.grid import SweepError

    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for policy in policies:
        name = frontier_file_name(policy)
        other = seen.setdefault(name.casefold(), policy)
        if other != policy:
            raise SweepError(f"the frontiers of rules '{other}' and '{policy}' would both be "
                             f"written to '{name}'",
                             hint="rename one of the two rules in the plan")
        names[policy] = name
    return names


def frontier_html(points: pd.DataFrame, key: str, plan: Plan) -> str:
    """The frontier of the rule ``key`` (``policies.ID``) over the sweep's ``points``.

    Parameters
    ----------
    points : DataFrame
        The rows of ``points.parquet``: the key columns, ``status``, ``objective``,
        ``rule_price.ID``, ``rule_cost.ID``.
    key : str
        The swept rule's key, ``policies.ID``.
    plan : Plan
        The base plan: names and units for the titles.

    Returns
    -------
    str
        A whole HTML page with plotly.js inlined.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from kantorovich.numbers import fmt
    from kantorovich.report.offline import offline_html
    from kantorovich.report.plotly_text import plotly_text as text

    policy_id = key.removeprefix("policies.")
    policy = next(p for p in plan.policies if p.id == policy_id)
    level_unit = text(plan.rule_unit(policy.rule) or "")
    unit = text(plan.objective_unit)
    others = [c for c in points.columns if _is_key(c) and c != key
              and points[c].nunique() > 1]
    optimal = points[points["status"] == "optimal"]
    missing = points.loc[points["status"] != "optimal", key]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=("What the plan reaches", "The rule's price",
                                        "The rule's cost"))
    groups = list(optimal.groupby(others, sort=True)) if others else [((), optimal)]
    for n, (values, rows) in enumerate(groups[:_LINES]):
        rows = rows.sort_values(key)
        values = values if isinstance(values, tuple) else (values,)
        label = text(", ".join(f"{c}={v:g}" for c, v in zip(others, values))
                     or policy.label)
        colour = _COLOURS[n % len(_COLOURS)]
        for row, column in ((1, "objective"), (2, f"rule_price.{policy_id}"),
                            (3, f"rule_cost.{policy_id}")):
            # a price holds between the levels where the optimal basis changes: a step
            shape = "hv" if row == 2 else "linear"
            fig.add_trace(go.Scatter(
                x=rows[key], y=rows[column], mode="lines+markers", name=label,
                legendgroup=label, showlegend=row == 1,
                line={"shape": shape, "color": colour}, marker={"color": colour},
                hovertemplate=f"{text(key)}=%{{x:,.6g}}<br>{text(column)}=%{{y:,.6g}}"
                              f"<extra>{label}</extra>"), row=row, col=1)
    title = f"Efficiency–equity frontier: {text(policy.label)}"
    if len(missing):
        title += (f"<br><sup>no optimum at {len(missing)} level(s): "
                  + ", ".join(fmt(v) for v in sorted(missing)[:8]) + "</sup>")
    # the legend under the level's axis title, the title on a band of its own
    fig.update_layout(title={"text": title, "y": 1.0, "yanchor": "top", "pad": {"t": 18}},
                      height=900,
                      template="plotly_white", hovermode="x unified",
                      legend={"orientation": "h", "y": -0.12, "yanchor": "top"},
                      margin={"t": 110, "b": 130})
    fig.update_xaxes(title_text=f"{text(key)}: the rule's level ({level_unit or 'its units'})",
                     row=3, col=1)
    for row, axis in ((1, f"objective ({unit})"),
                      (2, f"{unit} per {level_unit or 'unit'} of the level"),
                      (3, f"{unit} gained by dropping it")):
        fig.update_yaxes(title_text=axis, row=row, col=1)
    return offline_html(fig, title=f"Efficiency–equity frontier: {policy.label}",
                        div_id="frontier", config={"responsive": True})


def _is_key(column: str) -> bool:
    return column.startswith(("supply.", "demand.", "policies.", "objective.")) or (
        column.startswith("processes.") and column.endswith(".capacity"))
