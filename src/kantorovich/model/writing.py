"""Plans written back out: the YAML a plan file holds, large tables as CSV beside it.

What is written loads back to an equal plan (`Plan.equals`): every id, name, unit,
amount and bound, the objective, each policy's rule (its text where that still reads as
the rule, else the rule's normal form) and the baseline. Numbers are written in the
shortest form that reads back as the same double.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from kantorovich.errors import PlanError, Problem
from kantorovich.files import write_file_atomic
from kantorovich.model.rules import RuleSyntaxError, parse_rule, rule_text

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["TABLES_FROM", "plan_document", "plan_to_yaml", "save_plan"]

TABLES_FROM = 1_000
"""Plans with more processes than this are saved with their tables as CSV files."""

_TABLE_NAMES = ("goods", "units", "processes", "flows")


def _number(value: float) -> float | int:
    """An integral amount as an int (``100``, not ``100.0``); anything else unchanged."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _amounts(series: pd.Series) -> dict[str, float | int]:
    return {str(k): _number(v) for k, v in series.items()}


def _rule(policy: Any) -> str:
    """The policy's own text when it still reads as its rule; else its normal form."""
    rule = policy.rule
    try:
        again = parse_rule(rule.text)
    except RuleSyntaxError:
        return rule_text(rule)
    same = (again.terms, again.sense, again.rhs) == (rule.terms, rule.sense, rule.rhs)
    return rule.text if same else rule_text(rule)


def _inline_goods(plan: Plan) -> dict[str, dict[str, Any]]:
    goods = plan.goods
    entries: dict[str, dict[str, Any]] = {}
    for good, name, unit in zip(goods.index, goods["name"], goods["unit"]):
        entry: dict[str, Any] = {}
        if unit:
            entry["unit"] = str(unit)
        if name != good and isinstance(name, str):
            entry["name"] = name
        entries[str(good)] = entry
    return entries


def _inline_units(plan: Plan) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for unit, name, region in zip(plan.units.index, plan.units["name"], plan.units["region"]):
        entry: dict[str, Any] = {}
        if isinstance(name, str) and name != unit:
            entry["name"] = name
        if isinstance(region, str):
            entry["region"] = region
        entries[str(unit)] = entry
    return entries


def _inline_processes(plan: Plan) -> dict[str, dict[str, Any]]:
    procs, flows = plan.processes, plan.flows
    sides: dict[str, dict[str, dict[str, Any]]] = {"inputs": {}, "outputs": {}}
    for side, col in (("inputs", "input"), ("outputs", "output")):
        used = flows[flows[col].to_numpy() != 0]
        for process, rows in used.groupby("process", sort=False):
            sides[side][process] = dict(zip(rows["good"].astype(str),
                                            map(_number, rows[col])))
    entries: dict[str, dict[str, Any]] = {}
    capacities = procs["capacity"].to_numpy(float)
    min_levels = procs["min_level"].to_numpy(float)
    for k, (process, row) in enumerate(zip(procs.index, procs.itertuples(index=False))):
        entry: dict[str, Any] = {}
        if isinstance(row.unit, str):
            entry["unit"] = row.unit
        if isinstance(row.name, str) and row.name != process:
            entry["name"] = row.name
        if getattr(row, "level_unit", ""):
            entry["level_unit"] = row.level_unit
        for side in ("inputs", "outputs"):
            if process in sides[side]:
                entry[side] = sides[side][process]
        capacity, min_level = float(capacities[k]), float(min_levels[k])
        if not math.isinf(capacity) or capacity < 0:
            entry["capacity"] = _number(capacity)
        if min_level != 0:
            entry["min_level"] = _number(min_level)
        entries[str(process)] = entry
    return entries


def _csv_tables(plan: Plan) -> dict[str, pd.DataFrame]:
    """The plan's tables with the columns of the CSV tables the loader reads."""
    goods, units, procs = plan.goods, plan.units, plan.processes

    def named(frame: pd.DataFrame) -> np.ndarray:
        names = frame["name"].to_numpy(object)
        return np.where(names == frame.index.to_numpy(object), "", names)

    return {
        "goods": pd.DataFrame({"id": goods.index, "unit": goods["unit"].to_numpy(object),
                               "name": named(goods), "supply": goods["supply"].to_numpy(),
                               "demand": goods["demand"].to_numpy()}),
        "units": pd.DataFrame({"id": units.index, "name": named(units),
                               "region": units["region"].fillna("").to_numpy(object)}),
        "processes": pd.DataFrame({
            "id": procs.index, "unit": procs["unit"].fillna("").to_numpy(object),
            "name": named(procs),
            "capacity": procs["capacity"].where(np.isfinite(procs["capacity"]) |
                                                (procs["capacity"] < 0)).to_numpy(),
            "min_level": procs["min_level"].to_numpy(),
            "level_unit": procs["level_unit"].to_numpy(object)}),
        "flows": plan.flows[["process", "good", "input", "output"]],
    }


def plan_document(plan: Plan, *, tables: dict[str, str] | None = None) -> dict[str, Any]:
    """The mapping a YAML plan file holds for ``plan``; ``tables`` names the CSV files
    that hold its goods, units, processes and flows instead of inline mappings."""
    problems = []
    if plan.objective.constant:
        problems.append(Problem(f"the objective's constant {plan.objective.constant:g} "
                                "has no place in a plan file", "objective",
                                hint="save the plan as MPS instead"))
    if (plan.processes["min_level"] < 0).any() or (plan.goods["supply"] < 0).any():
        problems.append(Problem("negative bounds or supplies have no place in a plan file",
                                "processes", hint="save the plan as MPS instead"))
    if problems:
        raise PlanError(problems)
    doc: dict[str, Any] = {"name": plan.name, "period": plan.period}
    if plan.extra.get("description"):
        doc["description"] = plan.extra["description"]
    if tables:
        doc.update({key: tables[key] for key in _TABLE_NAMES})
    else:
        doc["goods"] = _inline_goods(plan)
        if len(plan.units):
            doc["units"] = _inline_units(plan)
        doc["processes"] = _inline_processes(plan)
        for key in ("supply", "demand"):
            amounts = plan.goods[key]
            if (amounts != 0).any():
                doc[key] = _amounts(amounts[amounts != 0])
    objective = plan.objective
    doc["objective"] = {objective.sense: _amounts(objective.weights)}
    if objective.unit:
        doc["objective"]["unit"] = objective.unit
    if plan.policies:
        doc["policies"] = {p.id: ({"rule": _rule(p), "name": p.name} if p.name else _rule(p))
                           for p in plan.policies}
    if plan.baseline is not None:
        doc["baseline"] = {"levels": _amounts(plan.baseline)}
    return doc


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=100)


def plan_to_yaml(plan: Plan) -> str:
    """The text of a YAML plan file for ``plan``, every table inline."""
    return _dump(plan_document(plan))


def save_plan(plan: Plan, path: str | Path, *, tables: bool | None = None) -> Path:
    """Write ``plan`` to ``path`` (YAML), its tables as ``<stem>.<table>.csv`` beside it
    when ``tables`` is True, or None and the plan has more than `TABLES_FROM` processes.
    The tables are written first, so the YAML never names a table that is not there."""
    path = Path(path)
    if tables is None:
        tables = len(plan.processes) > TABLES_FROM
    names = None
    if tables:
        names = {key: f"{path.stem}.{key}.csv" for key in _TABLE_NAMES}
        doc = plan_document(plan, tables=names)
        for key, frame in _csv_tables(plan).items():
            text = io.StringIO()
            frame.to_csv(text, index=False)
            write_file_atomic(path.parent / names[key], text.getvalue(), what=f"{key} table")
    else:
        doc = plan_document(plan)
    return write_file_atomic(path, _dump(doc), what="plan file")
