"""What-ifs on a plan: new numbers for existing ids, checked as a plan file would be.

`changed_plan` is the single place a plan's numbers change after it is made: every
``with_*`` method and the warm `Session` speak through it, so an unknown id or a number
outside a field's domain is refused the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.model.checks import did_you_mean, numbers_changed
from kantorovich.model.rules import rule_text
from kantorovich.model.schema import LARGEST
from kantorovich.model.tables import codes_in

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan
    from kantorovich.model.statements import Policy

__all__ = ["changed_plan", "known_policies"]

_MAX_LISTED = 20

# field -> (what its ids are, the infinities it may not take). The domain is what the
# engine can hold, as `Plan` itself checks it: a plan read from MPS has negative bounds,
# and a what-if may move a supply below 0 (a net obligation) to see what that costs.
_DOMAIN = {
    "supply": ("good", (-np.inf,)),
    "demand": ("good", (np.inf, -np.inf)),
    "capacity": ("process", (-np.inf,)),
    "min_level": ("process", (np.inf,)),
    "weights": ("good", (np.inf, -np.inf)),
    "rules": ("policy", (np.inf, -np.inf)),
}


def _as_numbers(values: Mapping[str, float] | pd.Series, key: str,
                problems: list[Problem]) -> pd.Series:
    """``values`` as floats indexed by id; what is not a number is a problem."""
    if isinstance(values, pd.Series):
        given = values
    elif isinstance(values, Mapping):
        given = pd.Series(list(values.values()), index=pd.Index(list(values), dtype=object),
                          dtype=object)
    else:
        problems.append(Problem(f"expected a mapping of id -> number, got "
                                f"{type(values).__name__}", key))
        return pd.Series([], dtype=float)
    kind = pd.api.types.infer_dtype(given, skipna=False)
    if kind in {"integer", "floating", "mixed-integer-float", "decimal", "empty"}:
        numbers = pd.to_numeric(given).astype(float)
    else:
        numeric = np.array([isinstance(v, (int, float, np.number))
                            and not isinstance(v, (bool, np.bool_)) for v in given])
        for i in np.flatnonzero(~numeric)[:_MAX_LISTED]:
            problems.append(Problem(f"expected a number, got {given.iat[i]!r}",
                                    f"{key}.{given.index[i]}"))
        numbers = pd.to_numeric(given[numeric]).astype(float)  # the rest are reported
    for i in np.flatnonzero(numbers.index.duplicated())[:_MAX_LISTED]:
        problems.append(Problem(f"'{numbers.index[i]}' is given twice", key,
                                hint="give each id one value"))
    return numbers


def _positions(ids: pd.Index, known: pd.Index, kind: str, key: str,
               problems: list[Problem]) -> np.ndarray:
    """Where each id sits in ``known``; each unknown one is a problem with a hint."""
    at = codes_in(ids, known)
    choices: Iterable[str] = known.astype(str) if len(known) <= 50_000 else []
    for word in ids[at < 0][:_MAX_LISTED]:
        fallback = (f"the plan has no {kind} by that id" if kind != "policy" else
                    "its policies are " + (", ".join(map(str, known[:10])) or "none"))
        problems.append(Problem(f"unknown {kind} '{word}'", f"{key}.{word}",
                                hint=did_you_mean(str(word), choices) or fallback))
    return at


def _out_of_domain(numbers: pd.Series, key: str, problems: list[Problem]) -> None:
    values = numbers.to_numpy(float)
    bad = np.isnan(values) | np.isin(values, _DOMAIN[key][1])
    if key == "rules":
        bad |= np.abs(values) >= LARGEST
    for i in np.flatnonzero(bad)[:_MAX_LISTED]:
        what = key.replace("_", " ").removesuffix("s")
        allowed = {"supply": "a number or inf", "capacity": "a number or inf",
                   "min_level": "a number or -inf"}.get(key, "a finite number")
        problems.append(Problem(f"{float(values[i])!r} is not a valid {what}",
                                f"{key}.{numbers.index[i]}", hint=f"give {allowed}"))


def known_policies(plan: Plan, ids: Iterable[str], key: str) -> np.ndarray:
    """Positions of ``ids`` among the plan's policies; an unknown id is a `PlanError`."""
    problems: list[Problem] = []
    known = pd.Index([p.id for p in plan.policies], dtype=object)
    at = _positions(pd.Index(list(ids), dtype=object), known, "policy", key, problems)
    if problems:
        raise PlanError(problems)
    return at


def _assigned(table: pd.DataFrame, col: str, at: np.ndarray, values: np.ndarray
              ) -> pd.DataFrame:
    column = table[col].to_numpy(dtype=float, copy=True)
    column[at] = values
    return table.assign(**{col: column})


def changed_plan(plan: Plan, *, supply: Mapping[str, float] | pd.Series | None = None,
                 demand: Mapping[str, float] | pd.Series | None = None,
                 capacity: Mapping[str, float] | pd.Series | None = None,
                 min_level: Mapping[str, float] | pd.Series | None = None,
                 weights: Mapping[str, float] | pd.Series | None = None,
                 rules: Mapping[str, float] | pd.Series | None = None) -> Plan:
    """``plan`` with the numbers given changed, every problem with them reported at once.

    See `Plan.with_changes`; each argument maps ids to new values, in a mapping or a
    Series, and is applied with one vectorised assignment.
    """
    problems: list[Problem] = []
    given = {key: _as_numbers(values, key, problems)
             for key, values in (("supply", supply), ("demand", demand),
                                 ("capacity", capacity), ("min_level", min_level),
                                 ("weights", weights), ("rules", rules))
             if values is not None}
    tables = {"good": plan.goods.index, "process": plan.processes.index,
              "policy": pd.Index([p.id for p in plan.policies], dtype=object)}
    at = {}
    for key, numbers in given.items():
        _out_of_domain(numbers, key, problems)
        kind = _DOMAIN[key][0]
        at[key] = _positions(numbers.index, tables[kind], kind, key, problems)
    if problems:
        raise PlanError(problems)

    goods, procs = plan.goods, plan.processes
    for key in ("supply", "demand"):
        if key in given:
            goods = _assigned(goods, key, at[key], given[key].to_numpy(float))
    for key in ("capacity", "min_level"):
        if key in given:
            procs = _assigned(procs, key, at[key], given[key].to_numpy(float))
    if "capacity" in given or "min_level" in given:
        over = procs["min_level"].to_numpy(float) > procs["capacity"].to_numpy(float)
        for i in np.flatnonzero(over)[:_MAX_LISTED]:
            problems.append(Problem(
                f"min_level {procs['min_level'].iat[i]:g} is above capacity "
                f"{procs['capacity'].iat[i]:g}", f"capacity.{procs.index[i]}",
                hint="lower min_level or raise capacity"))
        if problems:
            raise PlanError(problems)

    objective = plan.objective
    if "weights" in given:
        new, old = given["weights"], objective.weights
        inside = new.index.isin(old.index)
        weights_now = old.astype(float)
        weights_now.loc[new.index[inside]] = new[inside].to_numpy()
        if not inside.all():
            weights_now = pd.concat([weights_now, new[~inside]])
        objective = replace(objective, weights=weights_now.rename("weight").rename_axis("good"))

    policies = plan.policies
    if "rules" in given:
        rhs = dict(zip(given["rules"].index, given["rules"].to_numpy(float)))
        policies = tuple(_with_rhs(p, rhs[p.id]) if p.id in rhs else p for p in policies)
    with numbers_changed():           # every id and number given is checked above
        return replace(plan, goods=goods, processes=procs, objective=objective,
                       policies=policies)


def _with_rhs(policy: Policy, rhs: float) -> Policy:
    """The policy with its rule's constant moved to ``rhs``, its text saying so."""
    rule = replace(policy.rule, rhs=float(rhs))
    return replace(policy, rule=replace(rule, text=rule_text(rule)))
