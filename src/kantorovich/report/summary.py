"""The JSON summary of a result: one object, keyed by the plan's own ids."""

from __future__ import annotations

from typing import Any

from kantorovich.explain.baseline import compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.serialise import frame_records, number, plain, series_dict
from kantorovich.results.result import PlanResult

__all__ = ["summary"]


def summary(result: PlanResult, *, analyses: bool = True) -> dict[str, Any]:
    """Everything a script needs from a solve; ``analyses`` adds baseline, moves, policy
    costs and sensitivity ranges (each needs further solves)."""
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
    if not result.is_optimal:
        out["diagnosis"] = plain(result.diagnosis().to_dict())
        return out
    out["levels"] = series_dict(result.levels)
    out["shadow_prices"] = series_dict(result.shadow_prices)
    out["price_units"] = series_dict(result.goods["price_unit"])
    out["policy_prices"] = series_dict(result.policy_prices["price"])
    out["reduced_costs"] = series_dict(result.reduced_costs)
    out["net_output"] = series_dict(result.net_output)
    by_unit = result.by_unit()
    by_unit = by_unit[(by_unit["input"] != 0) | (by_unit["output"] != 0)]
    out["by_unit"] = {}
    for (good, unit), row in by_unit.iterrows():
        out["by_unit"].setdefault(str(unit), {})[str(good)] = {
            "input": number(row["input"]), "output": number(row["output"])}
    if plan.objective.sense == "maximize_sets":
        out["assortment_prices"] = series_dict(result.assortment_prices)
    out["certificate"] = plain(result.certificate.to_dict())
    out["degenerate"] = result.is_degenerate
    if not analyses:
        return out
    from kantorovich.results.sensitivity import price_ranges

    ranges = price_ranges(result)
    out["price_ranges"] = {
        section: {str(i): {"low": number(r["low"]), "high": number(r["high"]),
                           "unique": bool(r["unique"]), "checked": bool(r["checked"])}
                  for i, r in ranges[ranges["kind"] == kind].iterrows()}
        for section, kind in (("goods", "good"), ("policies", "policy"))}
    sens = result.sensitivity()
    out["sensitivity"] = {
        "goods": {str(g): plain(r) for g, r in sens["goods"].to_dict(orient="index").items()},
        "policies": {str(p): plain(r)
                     for p, r in sens["policies"].to_dict(orient="index").items()},
        "weights": {str(g): plain(r)
                    for g, r in sens["weights"].to_dict(orient="index").items()},
    }
    comparison = compare_to_baseline(result)
    if comparison is not None:
        out["baseline"] = comparison.to_dict()
        out["moves"] = frame_records(comparison.moves)
    if plan.policies:
        costs = policy_costs(result)
        out["policy_costs"] = {str(p): plain(r) for p, r in
                               costs.to_dict(orient="index").items()}
    return out
