"""The JSON summary of a result, one object keyed by the plan's own ids.

Its ``sensitivity`` carries the sensitivity report's two tables, ``variable_cells`` and
``constraints`` (columns in `kantorovich.results.sensitivity_report`). Infinities are
``"inf"``/``"-inf"``; ``null`` means not examined or unknown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.explain.diagnosis_text import diagnosis_dict
from kantorovich.serialise import frame_cleaned, frame_records, number, plain, series_dict
from kantorovich.results.result import PlanResult

__all__ = ["summary"]

def summary(result: PlanResult, *, analyses: Analyses | bool = True) -> dict[str, Any]:
    """Everything a script needs from a solve; ``analyses`` (run here when True, or
    given) adds baseline, moves, policy costs and sensitivity ranges."""
    plan = result.plan
    out: dict[str, Any] = {
        "plan": plan.name, "period": plan.period, "status": result.status.value,
        "objective": number(result.objective) if result.is_optimal else None,
        "objective_unit": result.objective_unit, "sense": plan.objective.sense,
        "solve_seconds": number(result.seconds),
        "size": {"processes": len(plan.processes), "goods": len(plan.goods),
                 "policies": len(plan.policies), "rows": result.lp.shape[0],
                 "columns": result.lp.shape[1], "nonzeros": int(result.lp.matrix.nnz)},
    }
    if not result.status.has_solution:
        out["diagnosis"] = diagnosis_dict(result.diagnosis())
        return out
    out["levels"] = series_dict(result.levels)
    out["shadow_prices"] = series_dict(result.shadow_prices)
    out["price_units"] = series_dict(result.goods["price_unit"])
    out["policy_prices"] = series_dict(result.policy_prices["price"])
    out["reduced_costs"] = series_dict(result.reduced_costs)
    out["net_output"] = series_dict(result.net_output)
    by_unit = frame_cleaned(result.by_unit())
    by_unit = by_unit[(by_unit["input"] != 0) | (by_unit["output"] != 0)]
    out["by_unit"] = {}
    for (good, unit), row in by_unit.iterrows():
        out["by_unit"].setdefault(str(unit), {})[str(good)] = {
            "input": number(row["input"]), "output": number(row["output"])}
    if plan.objective.sense == "maximize_sets":
        out["assortment_prices"] = series_dict(result.assortment_prices)
    out["certificate"] = plain(result.certificate.to_dict())
    out["degenerate"] = result.is_degenerate
    if analyses is False:
        return out
    found = analyse(result) if analyses is True else analyses
    out["analyses"] = found.to_dict()
    ranges = found.price_ranges
    if ranges is not None:
        ranges = frame_cleaned(ranges)
        out["price_ranges"] = {
            section: {str(i): {"low": number(r["low"]), "high": number(r["high"]),
                               "unique": bool(r["unique"]), "checked": bool(r["checked"])}
                      for i, r in ranges[ranges["kind"] == kind].iterrows()}
            for section, kind in (("goods", "good"), ("policies", "policy"))}
    sens = found.sensitivity
    if sens is not None:
        out["sensitivity"] = {
            section: {str(k): plain(r) for k, r in
                      frame_cleaned(sens[section]).to_dict(orient="index").items()}
            for section in ("goods", "policies", "weights")}
        if found.report:
            cells = found.report["variable_cells"]
            out["sensitivity"]["variable_cells"] = {
                str(k): plain(r)
                for k, r in frame_cleaned(cells).to_dict(orient="index").items()}
            out["sensitivity"]["constraints"] = frame_records(found.report["constraints"])
    comparison = found.baseline
    if comparison is not None:
        out["baseline"] = comparison.to_dict()
        out["moves"] = frame_records(comparison.moves)
    if found.policy_costs is not None:
        out["policy_costs"] = {str(p): plain(r) for p, r in
                               frame_cleaned(found.policy_costs).to_dict(orient="index").items()}
    return out
