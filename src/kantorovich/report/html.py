"""One self-contained HTML page for a result: what an official reads, and the numbers.

The page opens offline: plotly.js is embedded once, inline, and nothing is fetched (no
CDN, no web font, no image). It carries three JSON documents in ``<script
type="application/json">`` elements:

``kantorovich-data``
    The object ``kantorovich solve PLAN --json`` prints (`kantorovich.report.summary`).
``kantorovich-charts``
    What the charts draw beyond it (`kantorovich.report.charts`).
``kantorovich-figures``
    The plotly figures, by chart name (`kantorovich.report.figures`).

Every number in a table or a headline card is read from ``kantorovich-data`` and marked
with its place there: ``<span class="n" data-path='["levels", "mill-3-milling"]'>1,600
</span>``, so a reader (or a test) can trace each one to the JSON. Sentences come from
`kantorovich.explain` (the same as ``kantorovich explain``). Everything the plan's author
wrote is escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.explain.story import explain
from kantorovich.numbers import count, fmt
from kantorovich.report.charts import chart_data
from kantorovich.report.figures import figures
from kantorovich.report.summary import summary
from kantorovich.results.result import PlanResult

__all__ = ["MOST_ROWS", "report_page"]

#: Rows a table of the page shows; the rest are counted (all are in ``-o DIR``'s tables).
MOST_ROWS = 100

Path = Sequence[str | int]


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _json_script(element_id: str, text: str) -> str:
    """JSON text inside a script element: ``<``, ``>`` and ``&`` as JSON escapes, so no
    string in it can close the element or open a comment."""
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


class _Page:
    """The page's numbers, read from the summary by path and written with their path."""

    def __init__(self, data: dict[str, Any], charts: dict[str, Any]) -> None:
        self.data = data
        self.labels = charts["labels"]

    def get(self, path: Path) -> Any:
        value: Any = self.data
        for key in path:
            value = value[key]
        return value

    def has(self, path: Path) -> bool:
        try:
            self.get(path)
        except (KeyError, IndexError, TypeError):
            return False
        return True

    def num(self, path: Path, unit: str = "", *, digits: int | str | None = None) -> str:
        """The number at ``path``, marked with its path: as the tables write it
        (`kantorovich.numbers.fmt`), with ``digits`` decimals, or in scientific notation
        (``digits="e"``, for residuals); ``data-digits`` says which."""
        value = self.get(path)
        if value is None:
            text = "not examined"
        elif isinstance(value, str):
            text = {"inf": "unlimited", "-inf": "-unlimited"}.get(value, value)
        elif digits == "e":
            text = f"{float(value):.1e}"
        elif digits is not None:
            text = f"{float(value):,.{digits}f}"
        else:
            text = fmt(float(value))
        mark = _e(json.dumps(list(path)))
        tail = f" {_e(unit)}" if unit else ""
        precision = f' data-digits="{digits}"' if digits is not None else ""
        return f'<span class="n" data-path="{mark}"{precision}>{_e(text)}</span>{tail}'

    def name(self, kind: str, ident: str) -> str:
        return self.labels.get(kind, {}).get(ident, ident)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric_from: int,
           total: int | None = None, caption: str = "", note: str = "") -> str:
    """An HTML table; cells are HTML already (escaped text or `_Page.num`); columns from
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


def _left_out(section: Any) -> str | None:
    """The note for a section the summary leaves to a table (see `report.summary`)."""
    if isinstance(section, dict) and "table" in section and "rows" in section:
        return (f'<p class="note">{section["rows"]:,} rows: too many for this page; see the '
                f'<code>{_e(section["table"])}</code> table of <code>kantorovich solve PLAN '
                "-o DIR</code>.</p>")
    return None


def _chart(name: str, caption: str) -> str:
    return (f'<figure class="chart"><div id="chart-{name}" class="plot" data-chart="{name}">'
            f'</div><figcaption>{caption}</figcaption></figure>')


# -- sections of an optimal plan ---------------------------------------------------------
def _cards(page: _Page, result: PlanResult) -> str:
    unit = result.objective_unit
    cards = [("Optimal plan" if result.is_optimal else "Solver's plan (not verified)",
              page.num(["objective"], unit) if page.get(["objective"]) is not None
              else _e(fmt(result.objective, unit)), f"a {_e(result.plan.period)}")]
    if page.has(["baseline", "objective"]):
        base = page.get(["baseline"])
        cards.append(("Plan in force", page.num(["baseline", "objective"], unit),
                      "the baseline levels" if base["feasible"]
                      else "breaks the plan's own rules"))
        gain = base["gain"]
        pct = ""
        if isinstance(gain, (int, float)) and isinstance(base["objective"], (int, float)) \
                and base["objective"]:
            pct = f"{gain / abs(base['objective']) * 100:,.2f}% over the plan in force"
        cards.append(("Gain", page.num(["baseline", "gain"], unit), _e(pct)))
    cert = page.get(["certificate"])
    mark = ('<span class="ok">verified</span>' if cert["verified"]
            else '<span class="bad">NOT verified</span>')
    cards.append(("Certificate", mark, "optimality checked independently"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{label}</div><div class="value">{value}</div>'
        f'<div class="sub">{sub}</div></div>' for label, value, sub in cards) + "</div>"


def _sentences(result: PlanResult, found: Analyses) -> tuple[str, str]:
    """The headline and the explanation's sections, as HTML."""
    story = explain(result, found)
    parts = []
    for title, lines in story.sections.items():
        if lines:
            parts.append(f"<h3>{_e(title)}</h3><ul>"
                         + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>")
    return _e(story.headline), "".join(parts)


def _baseline_section(page: _Page, result: PlanResult, has_chart: bool) -> str:
    plan = result.plan
    if not page.has(["baseline"]):
        if plan.baseline is None:
            return ""
        return ('<section id="baseline"><h2>The plan in force against the optimum</h2>'
                '<p class="note">Not compared within the time allowed.</p></section>')
    out = ['<section id="baseline"><h2>The plan in force against the optimum</h2>',
           "<p>What each production unit receives in the plan in force and in the optimal "
           "plan: the inputs that move between units are the moves listed below.</p>"]
    if has_chart:
        out.append(_chart("baseline", "Inputs per production unit, plan in force (grey) "
                                      "against the optimal plan (blue)."))
    changes = page.get(["baseline", "changes"])
    note = _left_out(changes)
    if note:
        out.append(note)
    else:
        units = plan.processes["unit"]
        rows = []
        for i, row in enumerate(changes):
            pid = row["process"]
            unit = units.get(pid)
            rows.append([_e(page.name("processes", pid)),
                         _e(page.name("units", unit) if isinstance(unit, str) else ""),
                         page.num(["baseline", "changes", i, "baseline"]),
                         page.num(["baseline", "changes", i, "optimal"]),
                         page.num(["baseline", "changes", i, "change"]),
                         page.num(["baseline", "changes", i, "change_pct"], digits=1)
                         if row["change_pct"] is not None else "new"])
        out.append(_table(["Process", "Production unit", "Plan in force (level)",
                           "Optimal (level)", "Change", "Change (%)"], rows, numeric_from=2,
                          total=len(changes), caption="Levels of every process"))
    moves = page.get(["moves"]) if page.has(["moves"]) else []
    note = _left_out(moves)
    if note:
        out.append(note)
    elif moves:
        unit = result.objective_unit
        rows = [[_e(page.name("goods", m["good"])), _e(page.name("units", m["sender"])),
                 _e(page.name("units", m["receiver"])),
                 page.num(["moves", i, "amount"], m["unit"]),
                 (f'{m["share_of_sender"] * 100:,.1f}%'
                  if isinstance(m["share_of_sender"], (int, float)) else ""),
                 page.num(["moves", i, "gain"], unit) if m["gain"] is not None
                 else _e(m["gain_note"] or "not measured")]
                for i, m in enumerate(moves)]
        out.append(_table(["Good", "From", "To", "Amount", "Share of sender",
                           f"Gain ({_e(unit)} a {_e(plan.period)})"], rows, numeric_from=3,
                          total=len(moves), caption="Moves from the plan in force"))
    out.append("</section>")
    return "".join(out)


def _goods_section(page: _Page, result: PlanResult, has_chart: bool) -> str:
    unit = result.objective_unit
    out = ['<section id="prices"><h2>What things are worth: shadow prices of goods</h2>',
           f"<p>The shadow price of a good is what one more unit of it, made available to the "
           f"plan, would add to the objective, in {_e(unit)}. A good that is not scarce is "
           "worth 0.</p>"]
    if has_chart:
        out.append(_chart("prices", "Shadow price of each good with a price, per unit of "
                                    "the good."))
    prices = page.get(["shadow_prices"])
    note = _left_out(prices)
    if note:
        out.append(note + "</section>")
        return "".join(out)
    sens = page.get(["sensitivity", "goods"]) if page.has(["sensitivity", "goods"]) else {}
    ranged = isinstance(sens, dict) and "table" not in sens
    given = result.plan.goods   # supply and demand as the plan gives them, when not ranged
    units = page.labels["good_units"]
    order = list(prices)
    if len(order) > MOST_ROWS:   # the page shows the goods worth most
        order.sort(key=lambda g: -abs(prices[g]) if isinstance(prices[g], (int, float))
                   else 0.0)
    rows = []
    for good in order:
        row = [_e(page.name("goods", good)), _e(units.get(good, ""))]
        if ranged and good in sens:
            row += [page.num(["sensitivity", "goods", good, "supply"]),
                    page.num(["sensitivity", "goods", good, "demand"])]
        else:
            row += [_e(fmt(given.at[good, key])) if good in given.index else ""
                    for key in ("supply", "demand")]
        row += [page.num(["net_output", good]), page.num(["shadow_prices", good]),
                _e(page.get(["price_units", good]))]
        rows.append(row)
    headers = ["Good", "Unit", "Supply", "Demand", "Net output", "Shadow price",
               "Price unit"]
    out.append(_table(headers, rows, numeric_from=2, total=len(prices),
                      caption=f"Goods a {_e(result.plan.period)}"
                              + (", those worth most first" if len(order) > MOST_ROWS else "")))
    out.append(_processes_table(page, result))
    out.append("</section>")
    return "".join(out)


def _processes_table(page: _Page, result: PlanResult) -> str:
    levels = page.get(["levels"])
    note = _left_out(levels)
    if note:
        return note
    units = result.plan.processes["unit"]
    rows = [[_e(page.name("processes", pid)),
             _e(page.name("units", units.get(pid)) if isinstance(units.get(pid), str) else ""),
             page.num(["levels", pid]), page.num(["reduced_costs", pid])]
            for pid in levels]
    return _table(["Process", "Production unit", "Level", "Reduced cost"], rows,
                  numeric_from=2, total=len(levels),
                  caption=f"Processes (reduced cost: {_e(result.objective_unit)} per unit "
                          "of level; positive where capacity holds the process back, "
                          "negative for one not worth running)")


def _policies_section(page: _Page, result: PlanResult, has_chart: bool) -> str:
    plan = result.plan
    if not plan.policies:
        return ""
    unit = result.objective_unit
    out = ['<section id="policies"><h2>The rules: their prices and what they cost</h2>',
           f"<p>A rule's price is what the objective would gain per unit the rule is "
           f"loosened; its cost is what dropping it altogether would gain, found by solving "
           f"the plan again without it ({_e(unit)} a {_e(plan.period)}).</p>"]
    if has_chart:
        out.append(_chart("policies", "Price (per unit loosened) and cost (of keeping the "
                                      "rule) of each rule."))
    prices = page.get(["policy_prices"])
    note = _left_out(prices)
    if note:
        out.append(note + "</section>")
        return "".join(out)
    costs = page.get(["policy_costs"]) if page.has(["policy_costs"]) else None
    costs = None if _left_out(costs) else costs
    rules = {p.id: p for p in plan.policies}
    rows = []
    for pid in prices:
        policy = rules.get(pid)
        rule_unit = plan.rule_unit(policy.rule) if policy is not None else ""
        row = [_e(page.name("policies", pid)),
               f"<code>{_e(policy.rule.text if policy is not None else '')}</code>"]
        if costs and pid in costs:
            row.append("yes" if costs[pid]["binding"] else "no")
        else:
            row.append("")
        per = f"{unit} per {rule_unit}" if rule_unit else ""
        row.append(page.num(["policy_prices", pid], per))
        if costs and pid in costs:
            c = costs[pid]
            row.append(page.num(["policy_costs", pid, "cost"], unit)
                       if c["cost"] not in (None, "inf", "-inf")
                       else _e(f"without it: {c['status_without']}"))
        else:
            row.append("not examined")
        rows.append(row)
    out.append(_table(["Rule", "Statement", "Binds", "Price", "Cost of keeping it"], rows,
                      numeric_from=3, total=len(prices)))
    out.append("</section>")
    return "".join(out)


def _sensitivity_section(page: _Page, result: PlanResult, has_chart: bool) -> str:
    if not page.has(["sensitivity"]):
        return ('<section id="sensitivity"><h2>Sensitivity</h2><p class="note">Not examined '
                "within the time allowed.</p></section>")
    out = ['<section id="sensitivity"><h2>Sensitivity: how far the prices hold</h2>',
           "<p>Each price stays as it is while the amount it belongs to stays within its "
           "range; beyond it the plan changes its shape and the prices change.</p>"]
    if has_chart:
        out.append(_chart("sensitivity", "Ranges within which each price holds; the "
                                         "diamond marks the plan's value."))
    goods = page.get(["sensitivity", "goods"])
    note = _left_out(goods)
    units = page.labels["good_units"]
    if note:
        out.append(note)
    else:
        rows = [[_e(page.name("goods", g)), _e(units.get(g, ""))]
                + [page.num(["sensitivity", "goods", g, key]) for key in (
                    "supply_low", "supply", "supply_high", "demand_low", "demand",
                    "demand_high")] for g in goods]
        out.append(_table(["Good", "Unit", "Supply from", "Supply", "Supply to",
                           "Demand from", "Demand", "Demand to"], rows, numeric_from=2,
                          total=len(goods), caption="Supplies and demands"))
    policies = page.get(["sensitivity", "policies"])
    if _left_out(policies):
        out.append(_left_out(policies) or "")
    elif policies:
        rows = [[_e(page.name("policies", p))]
                + [page.num(["sensitivity", "policies", p, key]) for key in (
                    "rhs_low", "rhs", "rhs_high")] for p in policies]
        out.append(_table(["Rule", "Right side from", "Right side", "Right side to"], rows,
                          numeric_from=1, total=len(policies),
                          caption="Rules' right-hand sides"))
    weights = page.get(["sensitivity", "weights"])
    if _left_out(weights):
        out.append(_left_out(weights) or "")
    elif weights:
        rows = [[_e(page.name("goods", g))]
                + [page.num(["sensitivity", "weights", g, key]) for key in (
                    "weight_low", "weight", "weight_high")] for g in weights]
        out.append(_table(["Good", "Weight from", "Weight", "Weight to"], rows,
                          numeric_from=1, total=len(weights),
                          caption=f"Objective weights ({_e(result.objective_unit)} per "
                                  "unit), within which the optimal levels stay"))
    out.append("</section>")
    return "".join(out)


def _certificate_section(page: _Page) -> str:
    cert = page.get(["certificate"])
    verdict = ('<p class="verdict ok">Verified: the solver\'s answer passed every check of '
               "optimality, recomputed independently from its vectors.</p>"
               if cert["verified"] else
               '<p class="verdict bad">NOT verified: the solver\'s answer failed the '
               "independent check of optimality; treat the numbers with care.</p>")
    rows = [[_e(label), page.num(["certificate", key], digits=digits)]
            for label, key, digits in (
        ("Primal infeasibility (rules, balances and bounds)", "primal_infeasibility", "e"),
        ("Dual infeasibility (signs of the prices)", "dual_infeasibility", "e"),
        ("Complementary slackness (price x slack)", "complementary_slackness", "e"),
        ("Duality gap", "duality_gap", "e"), ("Tolerance", "tolerance", "e"),
        ("Primal objective", "primal_objective", None),
        ("Dual objective", "dual_objective", None))]
    failures = cert.get("failures") or []
    tail = ("<p>Failed checks: " + _e(", ".join(map(str, failures))) + "</p>"
            if failures else "")
    method = page.get(["method"])
    how = (f"<p class=\"note\">Solved by {_e(method)}: {_e(page.get(['method_reason']))}.</p>"
           if method else "")
    return ('<section id="certificate"><h2>Certificate of optimality</h2>' + verdict
            + _table(["Check", "Residual"], rows, numeric_from=1,
                     note="Each residual is measured against its own row's scale; all must "
                          "be within the tolerance for the plan to be called optimal.")
            + tail + how + "</section>")


# -- a plan without an optimum -----------------------------------------------------------
def _diagnosis_section(page: _Page, has_chart: bool) -> str:
    d = page.get(["diagnosis"])
    out = [f'<section id="diagnosis"><div class="banner bad">{_e(d["message"])}</div>']
    if d["kind"] == "infeasible":
        conflict = d["conflict"]
        if conflict:
            head = ("These statements conflict: drop any one and this conflict goes."
                    if d["irreducible"] else "These statements conflict.")
            out.append(f"<h2>The conflict</h2><p>{head}</p><ul>"
                       + "".join(f"<li>{_e(c['text'])}</li>" for c in conflict) + "</ul>")
        else:
            out.append("<h2>The conflict</h2><p>No conflicting set of statements could be "
                       "isolated.</p>")
        relax = d["relaxation"]
        out.append("<h2>The smallest change that makes the plan feasible</h2>")
        if relax:
            out.append("<p>Each change is weighted by 1/(1 + the size of the statement it "
                       "changes), so the smallest is the least given up in proportion.</p>")
            if has_chart:
                out.append(_chart("relaxation", "Each statement as written (grey) and as "
                                                "relaxed (green)."))
            rows = [[_e(r["text"]), page.num(["diagnosis", "relaxation", i, "from"]),
                     page.num(["diagnosis", "relaxation", i, "to"]),
                     page.num(["diagnosis", "relaxation", i, "amount"]), _e(r.get("unit") or "")]
                    for i, r in enumerate(relax)]
            out.append(_table(["Change", "As written", "Relaxed to", "By", "Unit"], rows,
                              numeric_from=1, total=len(relax)))
            if d["verified"]:
                tail = "Checked: the plan with this change is feasible"
                if d["relaxed_objective"] is not None:
                    tail += (", with objective "
                             + page.num(["diagnosis", "relaxed_objective"], d["objective_unit"]))
                out.append(f'<p class="verdict ok">{tail}.</p>')
            elif d["verified"] is False:
                out.append('<p class="verdict bad">The plan with this change was solved '
                           "again and is still not feasible: treat it as a guide only.</p>")
        else:
            out.append("<p>No relaxation of supplies, demands, rules, capacities or minimum "
                       "levels was found" + (" in the time allowed" if "relaxation" in
                                             d["unexamined"] else "") + ".</p>")
    elif d["kind"] == "unbounded":
        runaway = d["unbounded"]
        out.append("<h2>What grows without limit</h2>")
        if runaway:
            out.append("<ul>" + "".join(f"<li>{_e(u['text'])}</li>" for u in runaway)
                       + "</ul>")
            rows = [[_e(u["name"] or u["process"]),
                     page.num(["diagnosis", "unbounded", i, "direction"]),
                     page.num(["diagnosis", "unbounded", i, "improvement"], d["objective_unit"])]
                    for i, u in enumerate(runaway)]
            out.append(_table(["Process", "Level per unit of the lead", "Objective gained "
                               "per unit of level"], rows, numeric_from=1, total=len(runaway)))
            out.append("<p>Give one of these processes a capacity, or make it use a good "
                       "that is scarce.</p>")
        else:
            out.append("<p>The processes that grow without limit could not be "
                       "identified.</p>")
    out.append("</section>")
    return "".join(out)


# -- the page ------------------------------------------------------------------------------
_CSS = """
:root { --ink: #1d2733; --muted: #5b6876; --rule: #d9dee4; --blue: #1f5fa8;
        --ok: #2e7d32; --bad: #b3261e; --paper: #ffffff; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--band); color: var(--ink);
       font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
             Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; background: var(--paper);
       min-height: 100vh; }
header { border-bottom: 3px solid var(--ink); padding-bottom: 14px; margin-bottom: 20px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
          color: var(--muted); }
h1 { font-size: 30px; margin: 4px 0 6px; line-height: 1.2; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 10px; border-top: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 18px 0 4px; }
.meta, .note, figcaption, caption { color: var(--muted); font-size: 13px; }
.lead { font-size: 19px; line-height: 1.45; margin: 8px 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
         gap: 12px; margin: 10px 0 8px; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--blue); padding: 10px 14px;
        background: var(--paper); }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em;
               color: var(--muted); }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 12.5px; color: var(--muted); }
ul { padding-left: 22px; margin: 4px 0 10px; } li { margin: 3px 0; }
.table { overflow-x: auto; margin: 10px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
caption { text-align: left; padding: 4px 0; caption-side: top; }
th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--ink);
     padding: 6px 8px; vertical-align: bottom; }
td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
       font-size: 12.5px; color: #37434f; white-space: normal; }
.chart { margin: 14px 0 8px; } .plot { width: 100%; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.verdict { font-weight: 600; }
.banner { padding: 12px 16px; border-left: 5px solid var(--bad); background: #fbeceb;
          font-size: 17px; margin: 10px 0; }
.banner.warn { border-color: #b26a00; background: #fff4e0; }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 10px;
         color: var(--muted); font-size: 12.5px; }
@media print { body { background: white; } main { padding: 0; }
               .chart, table { break-inside: avoid; } }
"""

_DRAW = """
(function () {
  var figures = JSON.parse(document.getElementById("kantorovich-figures").textContent);
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["select2d", "lasso2d"],
                toImageButtonOptions: {scale: 2}};
  Object.keys(figures).forEach(function (name) {
    var element = document.getElementById("chart-" + name);
    if (!element) { return; }
    Plotly.newPlot(element, figures[name].data, figures[name].layout, config).then(
      function () { element.setAttribute("data-drawn", "true"); });
  });
})();
"""


def _figures_json(figs: dict[str, Any]) -> str:
    import plotly.io as pio

    return "{" + ",".join(f"{json.dumps(name)}: {pio.to_json(fig, validate=False)}"
                          for name, fig in figs.items()) + "}"


def report_page(result: PlanResult, analyses: Analyses | None = None, *,
                source: str | None = None) -> str:
    """The report of ``result`` as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    result : PlanResult
        Any result: a plan without an optimum gets its diagnosis (the conflict and the
        smallest relaxation, or what grows without limit).
    analyses : Analyses, optional
        Those the command ran (by default they are run here, under the result's budget).
    source : str, optional
        The plan file's name, shown in the page's header.

    Returns
    -------
    str
        The page, a few megabytes (most of it plotly.js).
    """
    import plotly.offline

    from kantorovich import __version__

    plan = result.plan
    found = analyse(result) if analyses is None else analyses
    data = summary(result, analyses=found)
    charts = chart_data(result)
    figs = figures(data, charts)
    page = _Page(data, charts)
    status = result.status.value
    meta = [f"a {_e(plan.period)}", f"status: {_e(status)}"]
    if source:
        meta.insert(0, f"from <code>{_e(source)}</code>")
    size = data["size"]
    meta.append(", ".join(count(size[key], noun) for key, noun in (
        ("processes", "process"), ("goods", "good"), ("policies", "rule"))))
    body = [f'<header><div class="kicker">Optimal planning report</div><h1>{_e(plan.name)}'
            f'</h1><p class="meta">{" · ".join(meta)}</p></header>']
    if result.status.has_solution:
        headline, sentences = _sentences(result, found)
        if not result.is_optimal:
            body.append('<div class="banner warn">The solver\'s answer did not pass the '
                        "independent certificate, or the solve stopped at a limit: it is "
                        "shown, but it is NOT a verified optimum.</div>")
        body.append(f'<section id="headline"><p class="lead">{headline}</p>'
                    f"{_cards(page, result)}</section>")
        body.append(f'<section id="explanation"><h2>The plan in sentences</h2>{sentences}'
                    "</section>")
        if "flows" in figs:
            body.append('<section id="flows"><h2>Flows of the optimal plan</h2><p>Supplies '
                        "(left) go to the goods, goods into the processes that use them, and "
                        "processes make goods, until each good's net output (right). Hover over "
                        "a flow for its amount.</p>"
                        + _chart("flows", "Supplies, goods, processes and net outputs of the "
                                          "optimal plan.") + "</section>")
        body.append(_baseline_section(page, result, "baseline" in figs))
        body.append(_goods_section(page, result, "prices" in figs))
        body.append(_policies_section(page, result, "policies" in figs))
        body.append(_sensitivity_section(page, result, "sensitivity" in figs))
        body.append(_certificate_section(page))
        if found.skipped:
            body.append('<p class="note">Not examined within the time allowed: '
                        + _e(", ".join(found.skipped)) + ".</p>")
    else:
        body.append(_diagnosis_section(page, "relaxation" in figs))
    body.append(f'<footer>Made by kantorovich {_e(__version__)}. The numbers on this page '
                "are those of <code>kantorovich solve PLAN --json</code>, embedded in it "
                '(the script element <code>kantorovich-data</code>); prices are improvements '
                "of the objective per unit, in objective units.</footer>")
    title = f"{plan.name}: optimal planning report"
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be fetched: the page is whole as it is
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style>",
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body><main>",
        *body, "</main>",
        _json_script("kantorovich-data", json.dumps(data, allow_nan=False)),
        _json_script("kantorovich-charts", json.dumps(charts, allow_nan=False)),
        _json_script("kantorovich-figures", _figures_json(figs)),
        f"<script>{_DRAW}</script></body></html>\n"])
