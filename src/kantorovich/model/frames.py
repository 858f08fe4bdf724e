"""Plans from DataFrames: the tables a plan file may name, handed over in Python.

`frame_fields` sorts its arguments into what a plan file would hold as mappings
(objective, policies, baseline, small YAML-style sections) and what it would name as
tables, then reads them on the loader's own path (`model.load.plan_fields`), so a
frame is checked, column by column, exactly as a CSV table is; `Plan.from_frames` makes
the plan of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.model.load import PlanFields, TableSource, plan_fields
from kantorovich.model.statements import Objective, Policy
from kantorovich.model.rules import rule_text

__all__ = ["frame_fields"]


def _objective(value: Mapping[str, Any] | Objective) -> object:
    if isinstance(value, Objective):
        given: dict[str, Any] = {value.sense: value.weights.astype(float).to_dict()}
        if value.unit:
            given["unit"] = value.unit
        return given
    return dict(value) if isinstance(value, Mapping) else value


def _policies(value: Mapping[str, Any] | None) -> object:
    if value is None or not isinstance(value, Mapping):
        return value
    return {pid: ({"rule": rule_text(p.rule), "name": p.name} if p.name
                  else rule_text(p.rule)) if isinstance(p, Policy) else p
            for pid, p in value.items()}


def frame_fields(*, goods: Any, processes: Any, objective: Any, flows: Any = None,
                 supply: Any = None, demand: Any = None, units: Any = None,
                 policies: Mapping[str, Any] | None = None,
                 baseline: pd.Series | Mapping[str, float] | None = None,
                 name: str = "plan", period: str = "period",
                 description: str | None = None) -> PlanFields:
    """The checked fields of a `Plan` from frames and mappings; see `Plan.from_frames`."""
    data: dict[str, Any] = {"name": name, "period": period,
                            "objective": _objective(objective)}
    if description is not None:
        data["description"] = description
    tables: dict[str, TableSource] = {}
    refused: list[Problem] = []
    for key, value in (("goods", goods), ("units", units), ("processes", processes),
                       ("flows", flows), ("supply", supply), ("demand", demand)):
        if value is None:
            continue
        if isinstance(value, (pd.DataFrame, pd.Series)):
            tables[key] = value
        elif isinstance(value, Mapping) and key != "flows":
            data[key] = dict(value)
        else:
            refused.append(Problem(
                f"expected a DataFrame{' or a mapping' if key != 'flows' else ''}, got "
                f"{type(value).__name__}", key,
                hint="frames have the columns of the CSV tables (see the README)"))
    if refused:
        raise PlanError(refused)
    if policies is not None:
        data["policies"] = _policies(policies)
    if baseline is not None:
        levels = baseline.to_dict() if isinstance(baseline, pd.Series) else baseline
        data["baseline"] = {"levels": dict(levels) if isinstance(levels, Mapping)
                            else levels}
    return plan_fields(data, tables)
