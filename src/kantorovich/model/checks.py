"""Semantic checks: every id a plan mentions must exist; hints name the closest one.

Three kinds of check, all over whole columns (``isin``, ``factorize``), so a plan with
10^6 flows is checked as fast as one with ten; at most a few problems of each kind are
listed, with a count of the rest:

- `table_problems`: the shape of the tables a `Plan` is built from (columns, numbers,
  unique ids). Guards direct construction, which has no file to point into.
- `check_plan`: references (unknown goods, units, processes, regions), with hints.
- `plan_warnings`: plans that are valid but surely not meant (``validate`` prints them).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.errors import Problem
from kantorovich.model.schema import LARGEST
from kantorovich.model.tables import PlanTables, codes_in

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["check_plan", "did_you_mean", "pairs_repeat", "plan_warnings", "positions_in",
           "table_problems"]

_MAX_LISTED = 20


def pairs_repeat(first: np.ndarray, second: np.ndarray, n_first: int,
                 n_second: int) -> bool:
    """Whether some pair (first[k], second[k]) of positions occurs twice: counted as the
    entries of a sparse pattern, linear and without hashing (built in place when the
    pairs come grouped by ``first``, as a plan's flows usually are by process).

    >>> pairs_repeat(np.array([0, 0, 1]), np.array([1, 2, 1]), 2, 3)
    False
    >>> pairs_repeat(np.array([0, 1, 0]), np.array([1, 2, 1]), 2, 3)
    True
    """
    if len(first) < 2:
        return False
    shape = (max(n_first, 1), max(n_second, 1))
    ones = np.ones(len(first), dtype=np.int8)
    if (first[1:] >= first[:-1]).all():
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(first, minlength=shape[0]), out=indptr[1:])
        # the pattern sorts its indices in place: its own copy, never the caller's codes
        pattern = sp.csr_matrix((ones, np.array(second, dtype=np.int64), indptr),
                                shape=shape)
    else:
        pattern = sp.csr_matrix((ones, (first, second)), shape=shape)
    pattern.sum_duplicates()
    return bool(pattern.nnz < len(first))


def positions_in(values: pd.Series | pd.Index, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 where absent), as `codes_in`; but a
    categorical column (ids read from a Parquet dictionary, or given so) is matched by
    its categories alone, and not at all when they are ``index`` itself: its codes are
    the positions. At 10^7 flows this is the difference between hashing every flow's id
    and hashing none.

    Examples
    --------
    >>> ids = pd.Index(["wheat", "bread"], dtype=object)
    >>> flows = pd.Series(pd.Categorical(["bread", "rye", "bread"]))
    >>> positions_in(flows, ids).tolist()
    [1, -1, 1]
    """
    dtype = getattr(values, "dtype", None)
    if not isinstance(dtype, pd.CategoricalDtype):
        return codes_in(values, index)
    # the Categorical's own codes (a read-only view): ``Series.cat.codes`` is a copy,
    # 4 bytes a flow kept by `Plan.flow_positions` beside the flows' codes
    codes = np.asarray(values.array.codes if isinstance(values, pd.Series)
                       else pd.CategoricalIndex(values).codes)
    categories = dtype.categories
    if categories is index or (len(categories) == len(index)
                               and categories.dtype == index.dtype
                               and categories.equals(index)):
        return codes
    found = np.append(index.get_indexer(categories), -1)
    return found[codes]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known id, if any is close; none among more than
    `HINT_CHOICES` ids (a pass of difflib over millions of ids takes seconds per word)."""
    if isinstance(choices, Sized) and len(choices) > HINT_CHOICES:
        return None
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


HINT_CHOICES = 50_000
"""Most ids a did-you-mean hint searches."""


def _hint(word: object, choices: pd.Index) -> str | None:
    if len(choices) > HINT_CHOICES:
        return None
    return did_you_mean(str(word), choices.astype(str))


# -- the tables' shape ----------------------------------------------------------------------
_COLUMNS = {
    "goods": (("name", "unit"), ("supply", "demand")),
    "units": (("name", "region"), ()),
    "processes": (("name", "unit"), ("min_level", "capacity")),
    "flows": (("process", "good"), ("input", "output")),
}
# What the engine can hold (an MPS file's free columns have min_level -inf): each
# column's forbidden infinities. NaN is never a number a plan can use.
_FORBIDDEN_INFINITY = {"supply": (-np.inf,), "demand": (np.inf, -np.inf),
                       "min_level": (np.inf,), "capacity": (-np.inf,),
                       "input": (np.inf, -np.inf), "output": (np.inf, -np.inf)}
_BUILD_HINT = "build plans with Plan.from_frames, Plan.from_dict or load_plan"


_numbers_changed = threading.local()


@contextmanager
def numbers_changed() -> Iterator[None]:
    """Plans made inside are a plan already checked with some numbers changed, each
    checked by the caller (`model.changes.changed_plan`: the ids it is given, the
    domain of every number, min_level against capacity), so `Plan` does not run
    `table_problems` and `check_plan` on them again: at 2,000 products that re-check is
    most of a what-if's time."""
    _numbers_changed.on = True
    try:
        yield
    finally:
        _numbers_changed.on = False


def numbers_changed_only() -> bool:
    """Whether plans are being made inside `numbers_changed`."""
    return bool(getattr(_numbers_changed, "on", False))


def table_problems(plan: Plan | PlanTables) -> list[Problem]:
    """What makes ``plan``'s tables unusable: a missing column, a number that is not one
    (NaN, negative, infinite where a bound must be finite), an id given twice.

    Cheap (a pass over each numeric column), so every `Plan` runs it when made: a table
    put together by hand fails here, by name, rather than deep inside compilation.
    """
    problems: list[Problem] = []
    file = plan.source

    def add(message: str, path: str, hint: str | None = _BUILD_HINT) -> None:
        problems.append(Problem(message, path, file, None, hint))

    for key, (text, numeric) in _COLUMNS.items():
        frame = getattr(plan, key)
        if not isinstance(frame, pd.DataFrame):
            add(f"expected a DataFrame, got {type(frame).__name__}", key)
            continue
        missing = [c for c in (*text, *numeric) if c not in frame.columns]
        if missing:
            add(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", key)
            continue
        if key != "flows" and not frame.index.is_unique:   # cached: found once per index
            twice = frame.index.duplicated()
            for i in np.flatnonzero(twice)[:_MAX_LISTED]:
                add(f"id '{frame.index[i]}' appears twice", f"{key}.{frame.index[i]}",
                    "ids must be unique")
        for col in numeric:
            values = frame[col]
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                add(f"'{col}' must hold numbers, not {values.dtype}", f"{key}.{col}")
                continue
            array = values.to_numpy(dtype=float)
            if key == "flows":      # NaN, infinite or too large: one pass over 10^7 rows
                with np.errstate(invalid="ignore"):
                    bad = ~(np.abs(array) < LARGEST)
            else:
                bad = np.isnan(array) | np.isin(array, _FORBIDDEN_INFINITY[col])
            for i in np.flatnonzero(bad)[:_MAX_LISTED]:
                where = frame.index[i] if key != "flows" else i
                add(f"'{col}' cannot be {float(array[i])!r}", f"{key}[{where}].{col}",
                    "numbers must not be NaN; only supply and capacity may be inf, "
                    "flows are finite")
    if not problems:
        procs = plan.processes
        over = (procs["min_level"].to_numpy(float) > procs["capacity"].to_numpy(float))
        for i in np.flatnonzero(over)[:_MAX_LISTED]:
            add("min_level is above capacity", f"processes.{procs.index[i]}",
                "lower min_level or raise capacity")
    weights = getattr(plan.objective, "weights", None)
    if not isinstance(weights, pd.Series) or not hasattr(plan.objective, "sense"):
        add(f"expected an Objective, got {type(plan.objective).__name__}", "objective")
    elif not pd.api.types.is_numeric_dtype(weights) \
            or not np.isfinite(weights.to_numpy(dtype=float)).all():
        add("every weight must be a finite number", "objective.weights")
    ids = [getattr(p, "id", None) for p in plan.policies]
    for policy in plan.policies:
        if not hasattr(getattr(policy, "rule", None), "terms"):
            add(f"expected a Policy, got {type(policy).__name__}", "policies")
    for pid in sorted({i for i in ids if ids.count(i) > 1}, key=str)[:_MAX_LISTED]:
        add(f"policy '{pid}' is given twice", f"policies.{pid}", "policy ids must be unique")
    if plan.baseline is not None:
        levels = plan.baseline.to_numpy(dtype=float)
        if not (np.isfinite(levels) & (levels >= 0)).all():
            add("every baseline level must be a finite number >= 0", "baseline.levels")
    return problems


# -- references -----------------------------------------------------------------------------
def check_plan(plan: Plan | PlanTables, *, file: str | None = None,
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
        bad = positions_in(flows[col], choices) < 0
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


# -- valid, but surely not meant --------------------------------------------------------------
def _listed(found: list[Problem], ids: pd.Index, message: Callable[[str], str], path: str,
            hint: str, file: str | None) -> None:
    for good in ids[:_MAX_LISTED]:
        found.append(Problem(message(str(good)), f"{path}.{good}", file, None, hint))
    if len(ids) > _MAX_LISTED:
        found.append(Problem(f"... and {len(ids) - _MAX_LISTED} more like it", path, file))


def plan_warnings(plan: Plan) -> list[Problem]:
    """What in a valid ``plan`` is surely not meant, as problems that do not stop a solve.

    - an objective good no process makes (maximising) or moves at all (minimising): the
      objective cannot change;
    - a production unit that runs no process;
    - a good some process makes that nothing uses, demands, values or rules on;
    - a good some process uses that nothing makes and no supply provides: every process
      using it stays at level 0.

    Each is found over whole columns; the `validate` command prints them and exits 0.

    Examples
    --------
    >>> import kantorovich as k
    >>> plan = k.Plan.from_dict({"name": "bakery", "goods": {"flour": {}, "bread": {}},
    ...     "processes": {"bake": {"inputs": {"flour": 1}, "outputs": {"bread": 2}}},
    ...     "objective": {"maximize": {"bread": 1}}})
    >>> [p.message for p in plan_warnings(plan)]
    ["'flour' is used by bake but nothing makes it and no supply provides it"]
    """
    found: list[Problem] = []
    file = plan.source
    goods, flows = plan.goods, plan.flows
    made = flows.loc[flows["output"].to_numpy() > 0, "good"]
    used = flows.loc[flows["input"].to_numpy() > 0, "good"]
    is_made, is_used = goods.index.isin(made), goods.index.isin(used)

    objective = plan.objective
    weighted = objective.weights.index[objective.weights.to_numpy(dtype=float) != 0]
    if objective.is_maximize:
        idle = weighted[~weighted.isin(made)]
        _listed(found, idle, lambda g: f"the objective counts '{g}', but no process makes it",
                f"objective.{objective.sense}", "add a process with it among its outputs, or "
                "check the objective's good", file)
    else:
        idle = weighted[~weighted.isin(flows["good"])]
        _listed(found, idle, lambda g: f"the objective counts '{g}', but no process uses or "
                "makes it", f"objective.{objective.sense}", "check the objective's good", file)

    idle_units = plan.units.index[~plan.units.index.isin(plan.processes["unit"].dropna())]
    _listed(found, idle_units, lambda u: f"unit '{u}' runs no process", "units",
            "give processes this unit, or remove it", file)

    ruled = pd.Index([term.target for policy in plan.policies
                      for term, _ in policy.rule.terms if term.kind != "level"], dtype=object)
    wanted = (goods["demand"].to_numpy(float) != 0) | goods.index.isin(objective.weights.index) \
        | goods.index.isin(ruled)
    _listed(found, goods.index[is_made & ~is_used & ~wanted],
            lambda g: f"'{g}' is made but nothing uses, demands or values it", "goods",
            "value it in the objective, demand it, or drop the output", file)

    available = (goods["supply"].to_numpy(float) > 0) | (goods["demand"].to_numpy(float) < 0)
    stranded = goods.index[is_used & ~is_made & ~available]
    if len(stranded):
        first_user = used.groupby(used.to_numpy()).head(1)
        users = pd.Series(flows.loc[first_user.index, "process"].to_numpy(),
                          index=first_user.to_numpy())
        _listed(found, stranded,
                lambda g: f"'{g}' is used by {users[g]} but nothing makes it and no supply "
                "provides it", "goods", "give it a supply, or a process that makes it", file)
    return found
