"""Re-planning a plan over time after some periods, from what was actually realised.

``replan(result, after=t, realised={...})`` plans periods ``t+1..T`` of the plan whose
optimum ``result`` is: each stock starts period ``t+1`` at what was realised (by default
what the plan had it at: ``(1 - depreciation) K(t)`` plus the investment arriving
then), what was carried out of period ``t`` arrives as a supply of ``t+1``, and
investments made by ``t`` that join a stock later (a lag of more than one period) still
arrive. ``realised`` overrides any of these with what happened instead: a stock
destroyed, a harvest stored that turned out smaller::

    realised = {"stocks": {"make-coal": {"iron": 3.5}},    # at the start of t+1
                "inventories": {"corn": 12.0}}              # arriving in t+1

The new program keeps the ids of the periods it plans (``p[t]``, ``stock:p:g[t]``), so
the previous optimum's basis is handed to the solver by id: the re-plan starts warm.
The answer is certified like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.budget import Budget
from kantorovich.lp.methods import Start
from kantorovich.model.checks import did_you_mean
from kantorovich.model.expansion import expand, horizon_of
from kantorovich.lp.program import LinearProgram
from kantorovich.model.plan import Plan
from kantorovich.model.schema import LARGEST
from kantorovich.results.crash import balanced

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["replan", "replanned_plan"]


def _problem(message: str, path: str, hint: str | None = None) -> PlanError:
    return PlanError([Problem(message, path, None, None, hint)])


def replanned_plan(result: PlanResult, after: int,
                   realised: Mapping[str, Any] | None = None) -> Plan:
    """The plan of periods ``after+1..T`` (see the module docstring). Raises
    `PlanError` for a result that is not an optimum of a plan over time, a period
    outside it, or a realised amount of an unknown stock or good."""
    mapping = horizon_of(result.plan)
    if mapping is None:
        raise _problem("only a plan over time can be re-planned", "result",
                       "give the plan a horizon")
    if not result.status.has_solution:
        raise _problem(f"the plan has no optimum to re-plan from ({result.status.value})",
                       "result")
    timeline = mapping.timeline
    periods = mapping.periods
    if isinstance(after, bool) or not isinstance(after, (int, np.integer)) or not (
            periods[0] <= after < periods[-1]):
        raise _problem(f"after must be a period from {periods[0]} to {periods[-1] - 1}, "
                       f"got {after!r}", "after",
                       "re-planning after period t plans periods t+1 to the horizon")
    after = int(after)
    if realised is not None and not isinstance(realised, Mapping):
        raise _problem(f"realised is a mapping, got {type(realised).__name__}", "realised",
                       'realised={"stocks": {process: {good: amount}}, '
                       '"inventories": {good: amount}}')
    realised = dict(realised or {})
    for key in realised:
        if key not in ("stocks", "inventories"):
            raise _problem(f"unknown key '{key}' in realised", f"realised.{key}",
                           did_you_mean(str(key), ["stocks", "inventories"])
                           or "realised takes stocks and inventories")
    stocks = timeline.stocks
    ns = len(stocks)
    levels = result.levels.to_numpy(float)
    goods_x = result.goods
    made = (goods_x["supply"].to_numpy(float) + goods_x["made"].to_numpy(float))
    # each stock at the start of after + 1, as planned
    rows = mapping.positions("goods", "stock")
    where = mapping.goods.iloc[rows]
    at_next = where["period"].to_numpy() == after + 1
    initial = np.zeros(ns)
    initial[where["item"].to_numpy()[at_next]] = made[rows[at_next]]
    # investments made by `after` that join their stock later, and those still arriving
    arrivals = np.zeros((timeline.horizon + 1, ns))
    if timeline.arrivals is not None:
        arrivals[after + 1:] = timeline.arrivals[after + 1:]
    inv = mapping.positions("processes", "invest")
    inv_at = mapping.processes.iloc[inv]
    item = inv_at["item"].to_numpy()
    joins = inv_at["period"].to_numpy() + stocks["lag"].to_numpy()[item]
    late = ((inv_at["period"].to_numpy() <= after) & (joins > after + 1)
            & (joins <= len(arrivals)))       # none joins a stock beyond the plan
    np.add.at(arrivals, (joins[late] - 1, item[late]), levels[inv[late]])
    # what was carried out of `after` arrives in after + 1
    goods = timeline.template.goods.index
    loss = timeline.loss
    car = mapping.positions("processes", "carry")
    car_at = mapping.processes.iloc[car]
    out_of = car_at["period"].to_numpy() == after
    arriving = pd.Series(levels[car[out_of]] * (1.0 - loss.reindex(
        goods[car_at["item"].to_numpy()[out_of]]).to_numpy(float)),
        index=goods[car_at["item"].to_numpy()[out_of]])
    carried = realised.get("inventories")
    if carried is not None and not isinstance(carried, Mapping):
        raise _problem("realised inventories are {good: amount}", "realised.inventories")
    for good, amount in dict(carried or {}).items():
        if good not in loss.index:
            raise _problem(f"'{good}' is not a storable good of the plan",
                           f"realised.inventories.{good}",
                           did_you_mean(str(good), loss.index) or
                           "only goods with storable carry inventories")
        arriving[good] = _amount(amount, f"realised.inventories.{good}")
    given = realised.get("stocks")
    given = {} if given is None else given
    if not isinstance(given, Mapping):
        raise _problem("realised stocks are {process: {good: amount}}", "realised.stocks")
    held = pd.Series(np.arange(ns), index=pd.MultiIndex.from_arrays(
        [stocks["process"], stocks["good"]]))
    for process, by_good in given.items():
        if not isinstance(by_good, Mapping):
            raise _problem("realised stocks are {process: {good: amount}}",
                           f"realised.stocks.{process}")
        for good, amount in by_good.items():
            if (process, good) not in held.index:
                raise _problem(f"'{process}' holds no stock of '{good}'",
                               f"realised.stocks.{process}.{good}",
                               "realised stocks name a stock the plan has")
            initial[held[(process, good)]] = _amount(
                amount, f"realised.stocks.{process}.{good}")
    arriving = arriving.groupby(level=0).sum() if len(arriving) else arriving
    return expand(timeline.from_period(after + 1, initial, arriving, arrivals))


def _amount(value: object, path: str) -> float:
    """A realised amount: a real number (Python's or NumPy's, never a boolean), finite,
    0 or more, and below a plan's own largest number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)) or not np.isfinite(value) \
            or value < 0 or value >= LARGEST:
        raise _problem(f"a realised amount must be a finite number from 0 to below "
                       f"{LARGEST:g}, got {value!r}", path)
    return float(value)


def _by_id(old: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """Position in ``old`` of each row of ``new`` (kind and id alike); -1 where none."""
    key = pd.MultiIndex.from_arrays([old["kind"].to_numpy(object), old["id"].to_numpy(object)])
    return key.get_indexer(pd.MultiIndex.from_arrays(
        [new["kind"].to_numpy(object), new["id"].to_numpy(object)]))


def _warm_basis(result: PlanResult, lp: LinearProgram) -> tuple[np.ndarray, np.ndarray] | None:
    """The previous optimum's basis on the new program, by id: rows and columns it
    does not have start as slacks and at their lower bound, and the count of basic
    variables is made right by the rows of the first period planned."""
    sol = result.solution
    if not sol.has_basis:
        return None
    cols = _by_id(result.lp.cols, lp.cols)
    rows = _by_id(result.lp.rows, lp.rows)
    col_basis = np.where(cols >= 0, sol.col_basis[np.maximum(cols, 0)], "lower").astype(
        object)
    row_basis = np.where(rows >= 0, sol.row_basis[np.maximum(rows, 0)], "basic").astype(
        object)
    return balanced(lp, col_basis, row_basis)


def replan(result: PlanResult, after: int, realised: Mapping[str, Any] | None = None, *,
           time_limit: float | None = None, budget: Budget | None = None,
           verbose: bool = False) -> PlanResult:
    """Plan periods ``after+1..T`` from what was realised (see the module docstring),
    warm from ``result``'s optimum; a certified `PlanResult` of the new plan over time.

    Parameters
    ----------
    result : PlanResult
        The optimum of a plan over time (or of an earlier re-plan).
    after : int
        The last period already done.
    realised : mapping, optional
        ``{"stocks": {process: {good: amount}}, "inventories": {good: amount}}``: what
        each stock is at the start of ``after + 1``, and what arrives then from store.
    time_limit, budget, verbose
        As for `kantorovich.solve`.

    Raises
    ------
    PlanError
        See `replanned_plan`.
    """
    from kantorovich.results.chain import solve_program
    from kantorovich.results.result import answer

    plan = replanned_plan(result, after, realised)
    budget = Budget.of(budget if budget is not None else time_limit)
    lp = compile_plan(plan)
    basis = _warm_basis(result, lp)
    start = (Start(col_basis=basis[0], row_basis=basis[1], source="the previous optimum")
             if basis is not None else None)
    solved = solve_program(lp, method="simplex", budget=budget, verbose=verbose,
                           start=start)
    options = {"time_limit": time_limit, "budget": budget, "verbose": verbose,
               "method": "simplex"}
    return answer(plan, lp, replace(solved, reason=f"re-planned after period {after}, "
                                    + solved.reason), options)
