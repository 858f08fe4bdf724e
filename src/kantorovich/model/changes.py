"""What-ifs on a plan: new numbers for existing ids, checked as a plan file would be.

`changed_plan` is the single place a plan's numbers change after it is made: every
``with_*`` method and the warm `Session` speak through it, so an unknown id or a number
outside a field's domain is refused the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

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

__all__ = ["changed_plan", "given_policies", "known_policies"]

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
        if f"{word}[1]" in known:       # a plan over time: a change is per period
            fallback = (f"a plan over time changes a {kind} in one period: "
                        f"'{word}[1]', '{word}[2]', ...")
            hint = fallback
        else:
            hint = did_you_mean(str(word), choices) or fallback
        problems.append(Problem(f"unknown {kind} '{word}'", f"{key}.{word}", hint=hint))
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
                 rules: Mapping[str, object] | pd.Series | None = None) -> Plan:
    """``plan`` with the numbers given changed, every problem with them reported at once.

    See `Plan.with_changes`; each argument maps ids to new values, in a mapping or a
    Series, and is applied with one vectorised assignment. ``rules`` may also map a
    policy to a whole new rule (its text): the plan is then checked as a file's is.
    """
    problems: list[Problem] = []
    constants, rewritten = _rewritten_rules(plan, rules, problems)
    given = {key: _as_numbers(values, key, problems)
             for key, values in (("supply", supply), ("demand", demand),
                                 ("capacity", capacity), ("min_level", min_level),
                                 ("weights", weights), ("rules", constants))
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
    if rewritten:
        policies = tuple(rewritten.get(p.id, p) for p in policies)
    if "rules" in given:
        rhs = dict(zip(given["rules"].index, given["rules"].to_numpy(float)))
        policies = tuple(_with_rhs(p, rhs[p.id]) if p.id in rhs else p for p in policies)
    if rewritten:                     # a new rule is checked as a plan file's would be
        return replace(plan, goods=goods, processes=procs, objective=objective,
                       policies=policies)
    with numbers_changed():           # every id and number given is checked above
        return replace(plan, goods=goods, processes=procs, objective=objective,
                       policies=policies)


def _rewritten_rules(plan: Plan, rules: Mapping[str, object] | pd.Series | None,
                     problems: list[Problem]) -> tuple[Any, dict[str, Policy]]:
    """``rules`` split into new constants (numbers, returned as given) and whole new
    rules (a rule's text, a `Rule` or a `Policy`: a coefficient may change, a share
    from 40% to 60%), each made the policy it now is, under its own id and name."""
    from kantorovich.model.statements import Policy, Rule

    if rules is None or (isinstance(rules, pd.Series)
                         and pd.api.types.is_numeric_dtype(rules.dtype)):
        return rules, {}
    if not isinstance(rules, (Mapping, pd.Series)):
        return rules, {}        # `_as_numbers` says what it should be
    items = list(rules.items())
    whole = [(str(k), v) for k, v in items if isinstance(v, (str, Rule, Policy))]
    if not whole:
        return rules, {}
    numbers = {k: v for k, v in items if not isinstance(v, (str, Rule, Policy))}
    known = pd.Index([p.id for p in plan.policies], dtype=object)
    at = _positions(pd.Index([k for k, _ in whole], dtype=object), known, "policy",
                    "rules", problems)
    rewritten: dict[str, Policy] = {}
    for (pid, value), i in zip(whole, at, strict=True):
        if i < 0:
            continue                 # an unknown policy: said above
        rule: Any = value.rule if isinstance(value, Policy) else value   # text is parsed
        try:
            rewritten[pid] = Policy(pid, rule, plan.policies[int(i)].name)
        except PlanError as exc:
            problems.extend(replace(problem, path=f"rules.{pid}") for problem in exc.problems)
    return numbers, rewritten


def _with_rhs(policy: Policy, rhs: float) -> Policy:
    """The policy with its rule's constant moved to ``rhs``, its text saying so."""
    rule = replace(policy.rule, rhs=float(rhs))
    return replace(policy, rule=replace(rule, text=rule_text(rule)))


def given_policies(value: object) -> tuple[Policy, ...]:
    """Policies in any form `Plan.from_frames` takes (id to rule text, to ``{"rule":
    ..., "name": ...}`` or to a `Policy`, which takes the id it is given under), or an
    iterable of `Policy`; every problem located at ``policies.<id>`` and reported at
    once (`PlanError`)."""
    from kantorovich.model.statements import Policy, Rule

    problems: list[Problem] = []
    found: list[Policy] = []
    if isinstance(value, Mapping):
        for pid, given in value.items():
            path = f"policies.{pid}"
            name = ""
            if isinstance(given, Mapping):
                extra = sorted(set(map(str, given)) - {"rule", "name"})
                if extra:
                    problems.append(Problem(f"unknown key '{extra[0]}'", f"{path}.{extra[0]}",
                                            hint="a policy has a rule and a name"))
                    continue
                name = given.get("name") or ""
                given = given.get("rule")
            elif isinstance(given, Policy):
                name, given = given.name, given.rule
            if not isinstance(given, (str, Rule)) or not isinstance(name, str):
                problems.append(Problem(
                    f"expected a rule's text, got {type(given).__name__}", f"{path}.rule",
                    hint="e.g. \"input(wheat, mill-3) >= 1000\""))
                continue
            try:
                found.append(Policy(str(pid), cast(Any, given), name))   # text is parsed
            except PlanError as exc:
                problems.extend(exc.problems)
    elif isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        for i, policy in enumerate(value):
            if isinstance(policy, Policy):
                found.append(policy)
            else:
                problems.append(Problem(f"expected a Policy, got {type(policy).__name__}",
                                        f"policies[{i}]", hint="give Policy(id, rule) or "
                                        "a mapping of policy id to rule text"))
    else:
        problems.append(Problem(f"expected a mapping of policy id to rule, got "
                                f"{type(value).__name__}", "policies"))
    ids = pd.Index([p.id for p in found], dtype=object)
    for pid in ids[ids.duplicated()].unique()[:_MAX_LISTED]:
        problems.append(Problem(f"policy '{pid}' is given twice", f"policies.{pid}",
                                hint="give each policy one id"))
    if problems:
        raise PlanError(problems)
    return tuple(found)
