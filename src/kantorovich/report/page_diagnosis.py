"""The report page of a plan without an optimum: the conflict and the smallest
relaxation of an infeasible plan, or what grows without limit in an unbounded one, from
the diagnosis of ``kantorovich solve --json`` (with its sentences)."""

from __future__ import annotations

from kantorovich.report.page_parts import PageData, chart, esc, table

__all__ = ["diagnosis_section"]


def diagnosis_section(page: PageData, has_chart: bool) -> str:
    d = page.get(["diagnosis"])
    out = [f'<section id="diagnosis"><div class="banner bad">{esc(d["message"])}</div>']
    if d["kind"] == "infeasible":
        conflict = d["conflict"]
        if conflict:
            head = ("These statements conflict: drop any one and this conflict goes."
                    if d["irreducible"] else "These statements conflict.")
            out.append(f"<h2>The conflict</h2><p>{head}</p><ul>"
                       + "".join(f"<li>{esc(c['text'])}</li>" for c in conflict) + "</ul>")
        else:
            out.append("<h2>The conflict</h2><p>No conflicting set of statements could be "
                       "isolated.</p>")
        relax = d["relaxation"]
        out.append("<h2>The smallest change that makes the plan feasible</h2>")
        if relax:
            out.append("<p>Each change is weighted by 1/(1 + the size of the statement it "
                       "changes), so the smallest is the least given up in proportion.</p>")
            if has_chart:
                out.append(chart("relaxation", "Each statement as written (grey) and as "
                                                "relaxed (green)."))
            rows = [[esc(r["text"]), page.num(["diagnosis", "relaxation", i, "from"]),
                     page.num(["diagnosis", "relaxation", i, "to"]),
                     page.num(["diagnosis", "relaxation", i, "amount"]), esc(r.get("unit") or "")]
                    for i, r in enumerate(relax)]
            out.append(table(["Change", "As written", "Relaxed to", "By", "Unit"], rows,
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
            out.append("<ul>" + "".join(f"<li>{esc(u['text'])}</li>" for u in runaway)
                       + "</ul>")
            rows = [[esc(u["name"] or u["process"]),
                     page.num(["diagnosis", "unbounded", i, "direction"]),
                     page.num(["diagnosis", "unbounded", i, "improvement"], d["objective_unit"])]
                    for i, u in enumerate(runaway)]
            out.append(table(["Process", "Level per unit of the lead", "Objective gained "
                               "per unit of level"], rows, numeric_from=1, total=len(runaway)))
            out.append("<p>Give one of these processes a capacity, or make it use a good "
                       "that is scarce.</p>")
        else:
            out.append("<p>The processes that grow without limit could not be "
                       "identified.</p>")
    out.append("</section>")
    return "".join(out)


