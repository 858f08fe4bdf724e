"""The JSON summary of a result, one object keyed by the plan's own ids.

Its ``sensitivity`` carries the sensitivity report's two tables, ``variable_cells`` and
``constraints`` (columns in `kantorovich.results.sensitivity_report`). Infinities are
``"inf"``/``"-inf"``; ``null`` means not examined or unknown.

The summary stays small at any size. A per-process or per-good section (``levels``,
``reduced_costs``, ``shadow_prices``, ``price_units``, ``net_output``, ``policy_prices``,
``assortment_prices``, ``by_unit``, and the analyses' ``price_ranges``, ``sensitivity``,
``moves``, ``policy_costs`` and ``baseline.changes``) of more than `INLINE_ROWS` rows is
left out and replaced by a note naming the table that holds it (a table ``kantorovich
solve PLAN -o DIR`` writes: `PlanResult.tables`, `Analyses.tables`), the column where it
is one column there, and its number of rows::

    "levels": {"table": "processes", "column": "level", "rows": 250000}

and the top-level ``in_tables`` lists the dotted paths of the sections so replaced
(``["levels", "sensitivity.goods", ...]``). A summary with nothing left out has no
``in_tables`` and is exactly what it was before this limit existed.

A result of more than `kantorovich.results.result.LARGE_FLOWS` flows writes fewer rows
(`PlanResult.left_out`): its top-level ``left_out`` says, by table, what was not written
and why, e.g. ``{"flows": "2,000,000 rows of processes at level 0 (...)", "by_unit":
"every process is its own unit ..."}``; ``by_unit`` then names the ``flows`` table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.explain.diagnosis_text import diagnosis_dict
from kantorovich.model.expansion import horizon_of
from kantorovich.report.inline import INLINE_ROWS, in_table
from kantorovich.serialise import (clean, frame_cleaned, frame_records, number, plain,
                                   rows_cleaned, series_dict)
from kantorovich.results.lazy_tables import table_rows
from kantorovich.results.result import PlanResult

__all__ = ["INLINE_ROWS", "summary"]


def _mapping(out: dict[str, Any], key: str, series: pd.Series, table: str,
             column: str) -> None:
    """``out[key]``: ``{id: value}`` of ``series``, or the note when it is too long."""
    out[key] = (in_table(out, key, table, len(series), column) if len(series) > INLINE_ROWS
                else series_dict(series))


def _json_floats(values: np.ndarray) -> np.ndarray:
    """Floats as `number` writes them, over a whole column: noise around zero (judged on
    an absolute scale of 1) is 0, infinities ``"inf"``/``"-inf"``, NaN None."""
    x = clean(values, 1.0)
    out = x.astype(object)
    if not np.isfinite(x).all():
        out[np.isposinf(x)] = "inf"
        out[np.isneginf(x)] = "-inf"
        out[np.isnan(x)] = None
    return out


def _by_unit(result: PlanResult) -> dict[str, dict[str, dict[str, Any]]]:
    """``{unit: {good: {"input": ..., "output": ...}}}`` of the goods each unit uses or
    makes, in the by_unit table's order: built by one groupby, not row by row."""
    frame = frame_cleaned(result.by_unit())
    frame = frame[(frame["input"] != 0) | (frame["output"] != 0)]
    cells = pd.DataFrame({"input": _json_floats(frame["input"].to_numpy(float)),
                          "output": _json_floats(frame["output"].to_numpy(float))},
                         index=frame.index.get_level_values("good").astype(str))
    units = frame.index.get_level_values("unit").astype(str)
    return {str(unit): {str(good): {"input": row["input"], "output": row["output"]}
                        for good, row in group.to_dict(orient="index").items()}
            for unit, group in cells.groupby(units, sort=False)}


def summary(result: PlanResult, *, analyses: Analyses | bool = True,
            numeraire: str | None = None) -> dict[str, Any]:
    """Everything a script needs from a solve; ``analyses`` (run here when True, or
    given) adds baseline, moves, policy costs and sensitivity ranges.

    Parameters
    ----------
    result : PlanResult
    analyses : Analyses or bool, default True
        The analyses to report, True to run them here, False for none.
    numeraire : str, optional
        For a plan over time, the good its ``investment_return`` is measured in (by
        default the plan's first primary resource).

    Returns
    -------
    dict
        Plain JSON, keyed by the plan's own ids; sections longer than `INLINE_ROWS`
        rows are notes naming their table (see the module docstring).
    """
    plan = result.plan
    out: dict[str, Any] = {
        "plan": plan.name, "period": plan.period, "status": result.status.value,
        # an unverified answer keeps its number: the status and the certificate's
        # failures say it is not proven optimal
        "objective": number(result.objective) if result.status.has_solution else None,
        "objective_unit": result.objective_unit, "sense": plan.objective.sense,
        "solve_seconds": number(result.seconds),
        "method": result.method, "method_reason": result.method_reason,
        "size": {"processes": len(plan.processes), "goods": len(plan.goods),
                 "policies": len(plan.policies), "rows": result.lp.shape[0],
                 "columns": result.lp.shape[1], "nonzeros": int(result.lp.matrix.nnz)},
    }
    timed = horizon_of(plan)
    if timed is not None:
        out["horizon"] = timed.horizon
        out["sense"] = timed.template.objective.sense
    if not result.status.has_solution:
        if timed is not None:
            out["investment_return"] = None
        out["diagnosis"] = diagnosis_dict(result.diagnosis())
        return out
    _mapping(out, "levels", result.levels, "processes", "level")
    _mapping(out, "shadow_prices", result.shadow_prices, "goods", "shadow_price")
    _mapping(out, "price_units", result.goods["price_unit"], "goods", "price_unit")
    _mapping(out, "policy_prices", result.policy_prices["price"], "policies", "price")
    _mapping(out, "reduced_costs", result.reduced_costs, "processes", "reduced_cost")
    _mapping(out, "net_output", result.net_output, "goods", "net_output")
    left_out = result.left_out
    if "by_unit" in left_out:
        # the flows table holds the same rows, each process its own unit
        out["by_unit"] = in_table(out, "by_unit", "flows", result.written_flow_rows)
    else:
        pairs = result.by_unit_rows
        out["by_unit"] = (in_table(out, "by_unit", "by_unit", pairs)
                          if pairs > INLINE_ROWS else _by_unit(result))
    if left_out:
        out["left_out"] = dict(left_out)
    if plan.objective.sense == "maximize_sets":
        _mapping(out, "assortment_prices", result.assortment_prices, "goods",
                 "assortment_price")
    over_time = result.over_time
    if over_time is not None:
        from kantorovich.report.summary_time import over_time_sections

        over_time_sections(out, over_time, numeraire)
    # the certificate's residuals as it reports them everywhere (not judged against a
    # scale again: a residual of 1e-12 is a residual, and 0 is already 0)
    out["certificate"] = {key: number(value, 0.0) if isinstance(value, float) else
                          plain(value) for key, value in result.certificate.to_dict().items()}
    out["degenerate"] = result.is_degenerate
    if analyses is False:
        return _in_tables_last(out)
    found = analyse(result) if analyses is True else analyses
    out["analyses"] = found.to_dict()
    _analyses(out, found)
    return _in_tables_last(out)


def _in_tables_last(out: dict[str, Any]) -> dict[str, Any]:
    """``out`` with ``in_tables``, when there is one, as its last key."""
    if "in_tables" in out:
        out["in_tables"] = out.pop("in_tables")
    return out


def _records_by_id(frame: pd.DataFrame) -> dict[str, Any]:
    """``{id: {column: value}}`` of a frame indexed by id, floats judged per column."""
    return {str(k): plain(r) for k, r in frame_cleaned(frame).to_dict(orient="index").items()}


def _analyses(out: dict[str, Any], found: Analyses) -> None:
    """The analyses' sections of the summary, each left to its table when too long."""
    ranges = found.price_ranges
    if ranges is not None:
        out["price_ranges"] = {}
        for section, kind in (("goods", "good"), ("policies", "policy")):
            of_kind = (ranges["kind"] == kind).to_numpy(bool)
            count = int(np.count_nonzero(of_kind))
            if count > INLINE_ROWS:      # counted: a copy of a row a good is gigabytes
                out["price_ranges"][section] = in_table(
                    out, f"price_ranges.{section}", "price_ranges", count)
                continue
            rows = rows_cleaned(ranges, of_kind)
            out["price_ranges"][section] = {
                str(i): {"low": number(r["low"]), "high": number(r["high"]),
                         "unique": bool(r["unique"]), "checked": bool(r["checked"])}
                for i, r in rows.to_dict(orient="index").items()}
    sens = found.sensitivity
    if sens is not None:
        out["sensitivity"] = {
            section: (in_table(out, f"sensitivity.{section}", f"sensitivity_{section}",
                                table_rows(sens, section))
                      if table_rows(sens, section) > INLINE_ROWS
                      else _records_by_id(sens[section]))
            for section in ("goods", "policies", "weights")}
        if found.report:
            # counted, not made, where long (`Tables`): only the short ones are inlined
            report = found.report
            cells = table_rows(report, "variable_cells")
            out["sensitivity"]["variable_cells"] = (
                in_table(out, "sensitivity.variable_cells", "sensitivity_variable_cells",
                          cells) if cells > INLINE_ROWS
                else _records_by_id(report["variable_cells"]))
            constraint_rows = table_rows(report, "constraints")
            out["sensitivity"]["constraints"] = (
                in_table(out, "sensitivity.constraints", "sensitivity_constraints",
                          constraint_rows) if constraint_rows > INLINE_ROWS
                else frame_records(report["constraints"]))
    comparison = found.baseline
    if comparison is not None:
        changes = comparison.processes
        if len(changes) > INLINE_ROWS:
            out["baseline"] = {**replace(comparison, processes=changes.iloc[:0]).to_dict(),
                               "changes": in_table(out, "baseline.changes", "baseline",
                                                    len(changes))}
        else:
            out["baseline"] = comparison.to_dict()
        moves = comparison.moves
        out["moves"] = (in_table(out, "moves", "moves", len(moves))
                        if len(moves) > INLINE_ROWS else frame_records(moves))
    costs = found.policy_costs
    if costs is not None:
        out["policy_costs"] = (in_table(out, "policy_costs", "policy_costs", len(costs))
                               if len(costs) > INLINE_ROWS else _records_by_id(costs))
