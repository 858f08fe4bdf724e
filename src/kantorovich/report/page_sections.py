"""The sections of the report page for a plan with a solution: the headline cards, the
sentences, the plan in force against the optimum, goods and prices, the rules, the
sensitivity ranges and the certificate. Every number is written by `PageData.num`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kantorovich.explain.analyses import Analyses
from kantorovich.explain.story import explain
from kantorovich.explain.baseline import WITH_ABOVE
from kantorovich.numbers import cell, fmt, quantity
from kantorovich.report.page_parts import MOST_ROWS, PageData, chart, esc, left_out, table
from kantorovich.results.horizon import span
from kantorovich.results.result import PlanResult

__all__ = ["baseline_section", "cards", "certificate_section", "goods_section",
           "policies_section", "sensitivity_section", "sentences"]


def cards(page: PageData, result: PlanResult,
          extra: Sequence[tuple[str, str, str]] = ()) -> str:
    """The headline's cards; ``extra`` (label, value, note) come after the objective."""
    unit = result.objective_unit
    cards = [("Optimal plan" if result.is_optimal else "Solver's plan (not verified)",
              page.num(["objective"], unit) if page.get(["objective"]) is not None
              else esc(quantity(result.objective, unit)),
              esc(span(result.plan))), *extra]
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
        cards.append(("Gain", page.num(["baseline", "gain"], unit), esc(pct)))
    cert = page.get(["certificate"])
    mark = ('<span class="ok">verified</span>' if cert["verified"]
            else '<span class="bad">NOT verified</span>')
    cards.append(("Certificate", mark, "optimality checked independently"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{label}</div><div class="value">{value}</div>'
        f'<div class="sub">{sub}</div></div>' for label, value, sub in cards) + "</div>"


def sentences(result: PlanResult, found: Analyses) -> tuple[str, str]:
    """The headline and the explanation's sections, as HTML."""
    story = explain(result, found)
    parts = []
    for title, lines in story.sections.items():
        if lines:
            parts.append(f"<h3>{esc(title)}</h3><ul>"
                         + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>")
    return esc(story.headline), "".join(parts)


def baseline_section(page: PageData, result: PlanResult, has_chart: bool) -> str:
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
        out.append(chart("baseline", "Inputs per production unit, plan in force (grey) "
                                      "against the optimal plan (blue)."))
    changes = page.get(["baseline", "changes"])
    note = left_out(changes)
    if note:
        out.append(note)
    else:
        units = plan.processes["unit"]
        rows = []
        for i, row in enumerate(changes):
            pid = row["process"]
            unit = units.get(pid)
            rows.append([esc(page.name("processes", pid)),
                         esc(page.name("units", unit) if isinstance(unit, str) else ""),
                         page.num(["baseline", "changes", i, "baseline"]),
                         page.num(["baseline", "changes", i, "optimal"]),
                         page.num(["baseline", "changes", i, "change"]),
                         page.num(["baseline", "changes", i, "change_pct"], digits=1)
                         if row["change_pct"] is not None else "new"])
        out.append(table(["Process", "Production unit", "Plan in force (level)",
                           "Optimal (level)", "Change", "Change (%)"], rows, numeric_from=2,
                          total=len(changes), caption="Levels of every process"))
    moves = page.get(["moves"]) if page.has(["moves"]) else []
    note = left_out(moves)
    if note:
        out.append(note)
    elif moves:
        unit = result.objective_unit
        rows = [[esc(page.name("goods", m["good"])), esc(page.name("units", m["sender"])),
                 esc(page.name("units", m["receiver"])),
                 page.num(["moves", i, "amount"], m["unit"]),
                 (f'{m["share_of_sender"] * 100:,.1f}%'
                  if isinstance(m["share_of_sender"], (int, float)) else ""),
                 esc("with the move above (one step)") if m.get("gain_note") == WITH_ABOVE
                 else page.num(["moves", i, "gain"], unit) if m["gain"] is not None
                 else esc(m["gain_note"] or "not measured")]
                for i, m in enumerate(moves)]
        out.append(table(["Good", "From", "To", "Amount", "Share of sender",
                           f"Gain ({esc(unit)} {esc(span(plan))})"], rows, numeric_from=3,
                          total=len(moves), caption="Moves from the plan in force"))
    out.append("</section>")
    return "".join(out)


def goods_section(page: PageData, result: PlanResult, has_chart: bool) -> str:
    unit = result.objective_unit
    out = ['<section id="prices"><h2>What things are worth: shadow prices of goods</h2>',
           f"<p>The shadow price of a good is what one more unit of it, made available to the "
           f"plan, would add to the objective, in {esc(unit)}. A good that is not scarce is "
           "worth 0.</p>"]
    if has_chart:
        out.append(chart("prices", "Shadow price of each good with a price, per unit of "
                                    "the good."))
    prices = page.get(["shadow_prices"])
    note = left_out(prices)
    if note:
        if has_chart:
            out.insert(-1, "<p>The chart shows the goods with the largest prices.</p>")
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
        row = [esc(page.name("goods", good)), esc(units.get(good, ""))]
        if ranged and good in sens:
            row += [page.num(["sensitivity", "goods", good, "supply"]),
                    page.num(["sensitivity", "goods", good, "demand"])]
        else:
            row += [esc(fmt(cell(given.at[good, key]))) if good in given.index else ""
                    for key in ("supply", "demand")]
        row += [page.num(["net_output", good]), page.num(["shadow_prices", good]),
                esc(page.get(["price_units", good]))]
        rows.append(row)
    headers = ["Good", "Unit", "Supply", "Demand", "Net output", "Shadow price",
               "Price unit"]
    out.append(table(headers, rows, numeric_from=2, total=len(prices),
                      caption=f"Goods a {esc(result.plan.period)}"
                              + (", those worth most first" if len(order) > MOST_ROWS else "")))
    out.append(processes_table(page, result))
    out.append("</section>")
    return "".join(out)


def processes_table(page: PageData, result: PlanResult) -> str:
    levels = page.get(["levels"])
    note = left_out(levels)
    if note:
        return note
    units = result.plan.processes["unit"]
    rows = [[esc(page.name("processes", pid)),
             esc(page.name("units", unit) if isinstance(unit := units.get(pid), str) else ""),
             page.num(["levels", pid]), page.num(["reduced_costs", pid])]
            for pid in levels]
    return table(["Process", "Production unit", "Level", "Reduced cost"], rows,
                  numeric_from=2, total=len(levels),
                  caption=f"Processes (reduced cost: {esc(result.objective_unit)} per unit "
                          "of level; positive where capacity holds the process back, "
                          "negative for one not worth running)")


def policies_section(page: PageData, result: PlanResult, has_chart: bool) -> str:
    plan = result.plan
    if not plan.policies:
        return ""
    unit = result.objective_unit
    out = ['<section id="policies"><h2>The rules: their prices and what they cost</h2>',
           f"<p>A rule's price is what the objective would gain per unit the rule is "
           f"loosened; its cost is what dropping it altogether would gain, found by solving "
           f"the plan again without it ({esc(unit)} {esc(span(plan))}).</p>"]
    if has_chart:
        out.append(chart("policies", "Price (per unit loosened) and cost (of keeping the "
                                      "rule) of each rule."))
    prices = page.get(["policy_prices"])
    note = left_out(prices)
    if note:
        out.append(note + "</section>")
        return "".join(out)
    costs = page.get(["policy_costs"]) if page.has(["policy_costs"]) else None
    costs = None if left_out(costs) else costs
    rules = {p.id: p for p in plan.policies}
    rows = []
    for pid in prices:
        policy = rules.get(pid)
        rule_unit = plan.rule_unit(policy.rule) if policy is not None else ""
        row = [esc(page.name("policies", pid)),
               f"<code>{esc(policy.rule.text if policy is not None else '')}</code>"]
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
                       else esc(f"without it: {c['status_without']}"))
        else:
            row.append("not examined")
        rows.append(row)
    out.append(table(["Rule", "Statement", "Binds", "Price", "Cost of keeping it"], rows,
                      numeric_from=3, total=len(prices)))
    out.append("</section>")
    return "".join(out)


def sensitivity_section(page: PageData, result: PlanResult, has_chart: bool) -> str:
    if not page.has(["sensitivity"]):
        return ('<section id="sensitivity"><h2>Sensitivity</h2><p class="note">Not examined '
                "within the time allowed.</p></section>")
    out = ['<section id="sensitivity"><h2>Sensitivity: how far the prices hold</h2>',
           "<p>Each price stays as it is while the amount it belongs to stays within its "
           "range; beyond it the optimal plan changes its shape, and the prices may change. "
           "A range marked <em>degenerate</em> ends at its own value: there the price "
           "holds on one side only.</p>"]
    if has_chart:
        out.append(chart("sensitivity", "Ranges within which each price holds; the "
                                         "diamond marks the plan's value."))
    goods = page.get(["sensitivity", "goods"])
    note = left_out(goods)
    units = page.labels["good_units"]
    if note:
        out.append(note)
    else:
        rows = [[esc(page.name("goods", g))
                 + (" <em>(degenerate)</em>" if goods[g].get("degenerate") else ""),
                 esc(units.get(g, ""))]
                + [page.num(["sensitivity", "goods", g, key]) for key in (
                    "supply_low", "supply", "supply_high", "demand_low", "demand",
                    "demand_high")] for g in goods]
        out.append(table(["Good", "Unit", "Supply from", "Supply", "Supply to",
                           "Demand from", "Demand", "Demand to"], rows, numeric_from=2,
                          total=len(goods), caption="Supplies and demands"))
    out.append(_range_table(page, "policies", "policies", "Rule",
                            ("rhs_low", "rhs", "rhs_high"), "Right side",
                            "Rules' right-hand sides"))
    out.append(_range_table(page, "weights", "goods", "Good",
                            ("weight_low", "weight", "weight_high"), "Weight",
                            f"Objective weights ({esc(result.objective_unit)} per unit), "
                            "within which the optimal levels stay"))
    out.append("</section>")
    return "".join(out)


def _range_table(page: PageData, section: str, names: str, head: str,
                 keys: tuple[str, str, str], what: str, caption: str) -> str:
    """One table of ranges (``low``, value, ``high`` per id) of the sensitivity section,
    or the note saying it was left out; empty when the plan has none."""
    ids = page.get(["sensitivity", section])
    note = left_out(ids)
    if note:
        return note
    if not ids:
        return ""
    rows = [[esc(page.name(names, i))
             + (" <em>(degenerate)</em>" if ids[i].get("degenerate") else "")]
            + [page.num(["sensitivity", section, i, key]) for key in keys] for i in ids]
    return table([head, f"{what} from", what, f"{what} to"], rows, numeric_from=1,
                 total=len(ids), caption=caption)


def certificate_section(page: PageData) -> str:
    cert = page.get(["certificate"])
    verdict = ('<p class="verdict ok">Verified: the solver\'s answer passed every check of '
               "optimality, recomputed independently from its vectors.</p>"
               if cert["verified"] else
               '<p class="verdict bad">NOT verified: the solver\'s answer failed the '
               "independent check of optimality; treat the numbers with care.</p>")
    rows = [[esc(label), page.num(["certificate", key], digits=digits)]
            for label, key, digits in (
        ("Primal infeasibility (rules, balances and bounds)", "primal_infeasibility", "e"),
        ("Dual infeasibility (signs of the prices)", "dual_infeasibility", "e"),
        ("Complementary slackness (price x slack)", "complementary_slackness", "e"),
        ("Duality gap", "duality_gap", "e"), ("Tolerance", "tolerance", "e"),
        ("Primal objective", "primal_objective", None),
        ("Dual objective", "dual_objective", None))]
    failures = cert.get("failures") or []
    tail = ("<p>Failed checks: " + esc(", ".join(map(str, failures))) + "</p>"
            if failures else "")
    method = page.get(["method"])
    how = (f"<p class=\"note\">Solved by {esc(method)}: {esc(page.get(['method_reason']))}.</p>"
           if method else "")
    return ('<section id="certificate"><h2>Certificate of optimality</h2>' + verdict
            + table(["Check", "Residual"], rows, numeric_from=1,
                     note="Each residual is measured against its own row's scale; all must "
                          "be within the tolerance for the plan to be called optimal.")
            + tail + how + "</section>")


