"""Semantic checks: every id a plan mentions must exist; hints name the closest one.

Checks run over whole columns (``isin``), so a plan with 10^6 flows is checked as fast as
one with ten; at most a few problems of each kind are listed, with a count of the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from kantorovich.errors import Problem
from kantorovich.model.plan import Plan, codes_in

__all__ = ["check_plan"]

_MAX_LISTED = 20


def _hint(word: object, choices: pd.Index) -> str | None:
    from kantorovich.model.load import did_you_mean

    if len(choices) > 50_000:
        return None
    return did_you_mean(str(word), choices.astype(str))


def check_plan(plan: Plan, *, file: str | None = None,
               locate: Callable[[tuple[Any, ...]], int | None] = lambda loc: None,
               flows: pd.DataFrame | None = None) -> list[Problem]:
    """Every reference problem in ``plan``: unknown goods, units, processes, regions.

    ``flows`` limits the flow check to those rows (the loader checks CSV flows itself,
    where it still knows their line numbers)."""
    problems: list[Problem] = []
    goods, units, procs = plan.goods.index, plan.units.index, plan.processes.index

    def unknown(kind: str, word: object, path: tuple[Any, ...], choices: pd.Index,
                where: str | None = None, line: int | None = None) -> None:
        problems.append(Problem(f"unknown {kind} '{word}'", ".".join(map(str, path)),
                                where or file, line if line is not None else locate(path),
                                _hint(word, choices) or (
                                    f"declare it under '{kind}s'" if kind != "region"
                                    else "regions are given on units")))

    if len(procs) == 0:
        problems.append(Problem("the plan has no processes", "processes", file,
                                locate(("processes",)),
                                "add at least one process turning inputs into outputs"))
    if len(goods) == 0:
        problems.append(Problem("the plan has no goods", "goods", file, locate(("goods",)),
                                "declare goods with their units, e.g. wheat: {unit: t}"))

    flows = plan.flows if flows is None else flows
    for col, kind, choices in (("good", "good", goods), ("process", "process", procs)):
        bad = codes_in(flows[col], choices) < 0
        for i in np.flatnonzero(bad)[:_MAX_LISTED]:
            p, g = flows["process"].iat[i], flows["good"].iat[i]
            side = "inputs" if flows["input"].iat[i] else "outputs"
            unknown(kind, flows[col].iat[i], ("processes", p, side, g), choices)
        if bad.sum() > _MAX_LISTED:
            problems.append(Problem(f"... and {bad.sum() - _MAX_LISTED} more unknown {kind}s "
                                    "in flows", "processes", file))

    has_unit = plan.processes["unit"].notna().to_numpy()
    bad_unit = has_unit & (codes_in(plan.processes["unit"], units) < 0)
    for i in np.flatnonzero(bad_unit)[:_MAX_LISTED]:
        unknown("unit", plan.processes["unit"].iat[i], ("processes", procs[i], "unit"), units)

    weights = plan.objective.weights.index
    for g in weights[codes_in(weights, goods) < 0][:_MAX_LISTED]:
        unknown("good", g, ("objective", plan.objective.sense, g), goods)
    if plan.baseline is not None:
        named = plan.baseline.index
        for p in named[codes_in(named, procs) < 0][:_MAX_LISTED]:
            unknown("process", p, ("baseline", "levels", p), procs)

    regions = pd.Index(plan.units["region"].dropna().unique()) if len(units) else pd.Index([])
    from kantorovich.model.schema import LARGEST

    for policy in plan.policies:
        path = ("policies", policy.id, "rule")
        numbers = [c for _, c in policy.rule.terms] + [policy.rule.rhs]
        if not all(np.isfinite(numbers)) or max(abs(x) for x in numbers) >= LARGEST:
            problems.append(Problem(
                f"rule '{policy.rule.text}' has a number that is infinite or too large",
                ".".join(path), file, locate(path),
                f"numbers in rules must be finite and below {LARGEST:g}"))
        for term, _ in policy.rule.terms:
            if term.kind == "level":
                if term.target not in procs:
                    unknown("process", term.target, path, procs)
                continue
            if term.target not in goods:
                unknown("good", term.target, path, goods)
            if term.unit is not None and term.unit not in units:
                unknown("unit", term.unit, path, units)
            if term.region is not None and term.region not in regions:
                unknown("region", term.region, path, regions)
    return problems
