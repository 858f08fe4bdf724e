"""A diagnosis in words: why a plan has no optimum, as a planner reads it.

`kantorovich.results.diagnosis` finds the numbers (the conflicting statements, the least
relaxation, the processes that grow without limit), each a record keyed by plan ids with
its names and units; this module says them: one sentence per record, the message, the
summary printed by ``kantorovich solve`` and ``explain``, and the JSON document of
``kantorovich solve --json`` (the records with their sentences).

Examples
--------
>>> import kantorovich as k
>>> plan = k.Plan.from_dict({
...     "name": "Too little wheat",
...     "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
...     "processes": {"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.5}}},
...     "supply": {"wheat": 100}, "demand": {"flour": 60},
...     "objective": {"maximize": {"flour": 1}},
... })
>>> d = k.solve(plan).diagnosis()
>>> relaxation_text(d.relaxation[0])
'demand for flour -10 t (from 60 to 50 t)'
>>> print(summary(d))  # doctest: +NORMALIZE_WHITESPACE
The plan 'Too little wheat' cannot be met: no levels satisfy all its statements.
<BLANKLINE>
These statements conflict (drop any one and this conflict goes):
  - supply of wheat of only 100 t (the balance of wheat: supply 100 t, demand 0 t)
  - demand for flour of at least 60 t (the balance of flour: supply 0 t, demand 60 t)
<BLANKLINE>
The smallest change that makes it feasible (each change weighted by 1/(1 + the size
of the statement it changes)):
  - demand for flour -10 t (from 60 to 50 t)
<BLANKLINE>
Checked: the plan with this change is feasible, with objective 50 t.
"""

from __future__ import annotations

from typing import Any

from kantorovich.lp.status import Status
from kantorovich.numbers import fmt, plural, quantity
from kantorovich.results.diagnosis import Diagnosis

__all__ = ["conflict_text", "diagnosis_dict", "flow_text", "message", "relaxation_text",
           "runaway_text", "summary"]

#: The summary lists at most this many items per section (the lists themselves are whole).
_MAX_LISTED = 25
#: Keys a relaxation record carries for its sentence only (the JSON record has the text).
_RELAXATION_WORDS = ("name", "rule", "sense")


def message(diagnosis: Diagnosis) -> str:
    """The diagnosis in one or two sentences: the status, and for an unbounded plan
    whose processes grow together, how fast the objective improves."""
    d, name = diagnosis, diagnosis.plan
    if d.kind == "optimal":
        return f"The plan '{name}' has an optimum; there is nothing to diagnose."
    if d.kind == "infeasible":
        return f"The plan '{name}' cannot be met: no levels satisfy all its statements."
    if d.kind == "unbounded":
        text = (f"The plan '{name}' has no optimum: its objective ({d.objective_unit}) "
                "can be improved without limit.")
        if len(d.unbounded) > 1:
            text += (f" The processes below grow together; the objective improves by "
                     f"{_amount(d.lead_rate, d.objective_unit)} per unit of level of "
                     f"'{d.lead}'.")
        return text
    reason = {Status.TIME_LIMIT: "the time limit was reached",
              Status.ITERATION_LIMIT: "the iteration limit was reached",
              }.get(d.status, "the solver reported an error")
    return (f"The plan '{name}' was not solved to the end: {reason}. Nothing is known "
            "yet about a conflict; allow more time or iterations and solve again.")


# -- one sentence per record --------------------------------------------------------------
def conflict_text(c: dict[str, Any]) -> str:
    """One conflicting statement, e.g. ``capacity of Milling (mill): 1,000``."""
    kind, ident = c["kind"], c["id"]
    if kind in ("demand", "supply", "balance"):
        label, name, unit = _label(c["name"], ident), c["name"], c["unit"]
        supply, demand = _amount(c["supply"], unit), _amount(c["demand"], unit)
        balance = f"the balance of {name}: supply {supply}, demand {demand}"
        if kind == "demand":
            return f"demand for {label} of at least {demand} ({balance})"
        if kind == "supply":
            return f"supply of {label} of only {supply} ({balance})"
        return (f"the balance of {label}: supply {supply}, demand {demand}, so no more "
                "can be used than is made")
    if kind == "policy":
        text = f"{_policy(c)}: {c['rule']}"
        if c["sense"] == "==" and c["side"] in ("lower", "upper"):
            text += f" (its {'>=' if c['side'] == 'lower' else '<='} side)"
        return text
    if kind == "assortment":
        return f"the assortment: each set needs net output of {_label(c['name'], ident)}"
    if kind == "nonnegative":
        return (f"level of {_label(c['name'], ident)} at least 0 (a process cannot run "
                "backwards)")
    if kind == "min_level":
        return f"minimum level of {_label(c['name'], ident)}: at least {fmt(c['min_level'])}"
    if kind == "capacity":
        return f"capacity of {_label(c['name'], ident)}: {fmt(c['capacity'])}"
    return f"{kind} '{ident}'"


def relaxation_text(r: dict[str, Any]) -> str:
    """One change of the least relaxation, with its bound before and after."""
    kind, old, new, unit = r["kind"], r["from"], r["to"], r["unit"]
    label = _label(r["name"], r["id"])
    if kind in ("supply", "demand"):
        what = "supply of" if kind == "supply" else "demand for"
        amount = _signed(r["amount"])
        counted = plural(unit, 1.0 if amount in ("+1", "-1", "1") else 2.0) if unit else ""
        return (f"{what} {label} {amount} {counted} (from {fmt(old)} to "
                f"{_amount(new, unit)})").replace("  ", " ")
    if kind == "policy":
        where = ""
        if r["sense"] == "==":
            where = " on its >= side" if r["side"] == "lower" else " on its <= side"
        return (f"{_policy(r)} relaxed by {_amount(abs(r['amount']), unit)} (rhs "
                f"{fmt(old)} -> {_amount(new, unit)}{where}): {r['rule']}")
    what = "capacity" if kind == "capacity" else "minimum level"
    return f"{what} of {label} {_signed(r['amount'])} ({fmt(old)} -> {fmt(new)})"


def flow_text(flow: dict[str, Any]) -> str:
    """A good a runaway process makes or uses per unit of level, e.g. ``Bread (bread) 3
    loaf``."""
    return f"{_label(flow['name'], flow['good'])} {_amount(flow['amount'], flow['unit'])}"


def runaway_text(u: dict[str, Any], diagnosis: Diagnosis) -> str:
    """One process that grows without limit: with which others, what it gains, what it
    uses and makes per unit of level."""
    ident, name, gain = u["process"], u["name"], u["improvement"]
    unit, lead = diagnosis.objective_unit, diagnosis.lead
    others = [v["process"] for v in diagnosis.unbounded if v["process"] != ident]
    quoted = f"process '{ident}' ({name})" if name != ident else f"process '{ident}'"
    text = f"{quoted} can grow without limit"
    if others:
        text += f", together with {', '.join(others)}"
        if ident != lead:
            text += f" ({fmt(u['direction'])} units of level per unit of '{lead}')"
    if gain > 0:
        text += f": each unit of level improves the objective by {_amount(gain, unit)}"
    elif gain < 0:
        text += (f": each unit of level costs {_amount(-gain, unit)} of the objective, "
                 "more than repaid by the processes growing with it")
    else:
        text += ": it improves the objective through the processes growing with it"
    if u["uses"]:
        text += (" and uses only " + ", ".join(flow_text(f) for f in u["uses"]) +
                 " per unit of level, none of it scarce")
    else:
        text += " and uses nothing that is scarce"
    if u["makes"]:
        text += ("; it makes " + ", ".join(flow_text(f) for f in u["makes"]) +
                 " per unit of level")
    return text


# -- the whole diagnosis ------------------------------------------------------------------
def summary(diagnosis: Diagnosis) -> str:
    """Plain-language text for a planner: what conflicts, what would fix it, or what
    grows without limit."""
    d = diagnosis
    lines = [message(d)]
    if d.kind == "infeasible":
        lines += ["", *_infeasible_lines(d)]
    elif d.kind == "unbounded":
        if d.unbounded:
            lines += ["", *_bullets([runaway_text(u, d) for u in d.unbounded]), "",
                      "Give one of these processes a capacity, or make it use a good "
                      "that is scarce."]
        else:
            lines += ["", "The processes that grow without limit could not be "
                      "identified."]
    return "\n".join(lines)


def _infeasible_lines(d: Diagnosis) -> list[str]:
    if d.conflict:
        head = ("These statements conflict (drop any one and this conflict goes):"
                if d.irreducible else "These statements conflict:")
        lines = [head, *_bullets(_conflict_lines(d.conflict))]
    else:
        lines = ["No conflicting set of statements could be isolated."]
    if d.relaxation:
        lines += ["", "The smallest change that makes it feasible (each change "
                  "weighted by 1/(1 + the size of the statement it changes)):",
                  *_bullets([relaxation_text(r) for r in d.relaxation])]
        if d.verified:
            tail = "Checked: the plan with this change is feasible"
            if d.relaxed_objective is not None:
                tail += f", with objective {_amount(d.relaxed_objective, d.objective_unit)}"
            lines += ["", tail + "."]
            if "relaxed_objective" in d.unexamined:
                lines += ["The best objective of the changed plan was not computed "
                          "in the time allowed."]
        elif d.verified is False:
            lines += ["", "Warning: the plan with this change was re-solved and is "
                      "still not feasible; treat the change as a guide only."]
    elif "relaxation" in d.unexamined:
        lines += ["", "The smallest change that makes it feasible was not found in "
                  "the time allowed."]
    else:
        lines += ["", "No relaxation of supplies, demands, policies, capacities "
                  "or minimum levels was found."]
    return lines


def diagnosis_dict(diagnosis: Diagnosis) -> dict[str, Any]:
    """The JSON document of ``kantorovich solve --json``: the diagnosis's numbers
    (`Diagnosis.to_dict`), its message, and each record with its sentence as ``text``."""
    d, data = diagnosis, diagnosis.to_dict()

    def runaway(u: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        flows = {key: [{**f, "text": flow_text(r)} for f, r in zip(u[key], raw[key])]
                 for key in ("makes", "uses")}
        return {**u, **flows, "text": runaway_text(raw, d)}

    return {
        "status": data["status"], "kind": data["kind"], "plan": data["plan"],
        "message": message(d),
        "conflict": [{**c, "text": conflict_text(raw)}
                     for c, raw in zip(data["conflict"], d.conflict)],
        "irreducible": data["irreducible"], "conflict_source": data["conflict_source"],
        "relaxation": [{**{k: v for k, v in r.items() if k not in _RELAXATION_WORDS},
                        "text": relaxation_text(raw)}
                       for r, raw in zip(data["relaxation"], d.relaxation)],
        "verified": data["verified"], "relaxed_objective": data["relaxed_objective"],
        "weighted_relaxation": data["weighted_relaxation"],
        "objective_unit": data["objective_unit"],
        "unbounded": [runaway(u, raw) for u, raw in zip(data["unbounded"], d.unbounded)],
        "unexamined": data["unexamined"],
    }


# -- small helpers ------------------------------------------------------------------------
def _label(name: str, ident: str) -> str:
    return f"{name} ({ident})" if name and name != ident else ident


def _policy(record: dict[str, Any]) -> str:
    """A policy by its name and id, e.g. ``policy 'Mill No. 3 keeps its quota' (mill-3)``."""
    name, ident = record["name"], record["id"]
    return f"policy '{name}' ({ident})" if name and name != ident else f"policy '{ident}'"


def _amount(x: float | None, unit: str) -> str:
    return quantity(x, unit)


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "-") + fmt(abs(x))


def _conflict_lines(conflict: list[dict[str, Any]]) -> list[str]:
    """One line per statement; processes that merely cannot run backwards share one."""
    texts = [conflict_text(c) for c in conflict if c["kind"] != "nonnegative"]
    still = [c["id"] for c in conflict if c["kind"] == "nonnegative"]
    if still:
        shown = ", ".join(still[:_MAX_LISTED])
        more = f" and {len(still) - _MAX_LISTED} more" if len(still) > _MAX_LISTED else ""
        texts.append(f"processes that cannot run backwards (level at least 0): {shown}{more}")
    return texts


def _bullets(texts: list[str]) -> list[str]:
    shown = [f"  - {t}" for t in texts[:_MAX_LISTED]]
    if len(texts) > _MAX_LISTED:
        shown.append(f"  ... and {len(texts) - _MAX_LISTED} more (see to_dict())")
    return shown
