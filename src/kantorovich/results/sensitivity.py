"""Sensitivity: over what range each price holds, and whether it is unique.

Ranges come from the optimal basis, translated into the plan's own terms: supply, demand,
a rule's right-hand side (HiGHS's bound ranging, one call per result), and a good's
objective weight (from the same basis, by one factorisation, see `_weight_ranges`).

A degenerate optimum can have several optimal price vectors. There the price of a good
is not one number but an interval: from the slope of the optimal objective on one side
of the current supply to the slope on the other. Where the basis stays optimal while a
bound moves a little, that slope is the basis's own price; elsewhere we measure it by
re-solving with the bound moved a little, warm and within the time budget.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import SuperLU, splu

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import LpSolution
from kantorovich.lp.status import Status
from kantorovich.results.lazy_tables import Tables

if TYPE_CHECKING:
    from kantorovich.results.result import PlanResult

__all__ = ["BasisRanging", "basis_ranging", "price_ranges", "sensitivity",
           "sensitivity_tables"]

INF = np.inf
_STEP = 1e-5        # a bound moves by this, relative, to read the price on each side
_RANGING_PER_SOLVE = 1.5   # HiGHS's ranging takes at most this many times the solve


class _Transposable(Protocol):
    """A factorised basis that solves with its transpose (``trans="T"``), as SciPy's
    `SuperLU.solve` does; its stubs leave the argument out."""

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray: ...


def _transposable(lu: SuperLU) -> _Transposable:
    return cast(_Transposable, lu)


def _budget(result: PlanResult, budget: Budget | float | None) -> Budget:
    return result.budget if budget is None else Budget.of(budget)


@dataclass(frozen=True, eq=False)
class BasisRanging:
    """HiGHS's ranging of a result's optimal basis, read once and shared by `sensitivity`
    and `price_ranges`.

    Parameters
    ----------
    at : LpSolution
        The session's solution at that basis (row activities, duals and basis words).
    ranges : dict of str to array, or None
        ``cost_up``, ``cost_dn``, ``row_up``, ``row_dn`` (and the objective at each) in
        the plan's units; None without a proven optimum, or when less of the budget was
        left than ranging takes (it cannot be interrupted).
    """

    at: LpSolution
    ranges: dict[str, np.ndarray] | None


def basis_ranging(result: PlanResult, *, budget: Budget | float | None = None
                  ) -> BasisRanging:
    """Re-solve ``result``'s session at its optimum (warm: no iterations) and range the
    basis, within ``budget`` (by default the result's).

    Ranging takes, measured, up to about 1.3 times the solve at 100,000 processes and
    cannot be cut short, so it is skipped (``ranges`` None) when less is left.
    """
    budget = _budget(result, budget)
    if not result.can_start_warm:
        # no basis HiGHS can take without a factorisation that cannot be cut short (see
        # `PlanResult.can_start_warm`): a cold re-solve would only spend the budget
        return BasisRanging(result.solution, None)
    session = result.session()
    at = session.solve(budget)
    if (at.status is not Status.OPTIMAL or not at.has_basis
            or budget.remaining() < _RANGING_PER_SOLVE * result.seconds):
        return BasisRanging(at, None)
    return BasisRanging(at, session.ranging())


def _ranging(result: PlanResult, budget: Budget, ranging: BasisRanging | None
             ) -> tuple[LpSolution, dict[str, Any] | None]:
    found = basis_ranging(result, budget=budget) if ranging is None else ranging
    return found.at, found.ranges


def _row_ranges(result: PlanResult, budget: Budget, found: BasisRanging | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Interval of each row's active bound over which its price holds (NaN unknown)."""
    lp = result.lp
    m = lp.shape[0]
    at, ranging = _ranging(result, budget, found)
    if ranging is None:
        return np.full(m, np.nan), np.full(m, np.nan)
    act = at.row_activity
    basic = at.row_basis == "basic"
    # A basic row has price 0 while its bounds stay on the slack side of the activity: a
    # lower bound up to it, an upper bound down to it (an equality's, at it alone).
    low = np.where(basic, np.where(np.isfinite(lp.row_upper), act, -INF), ranging["row_dn"])
    high = np.where(basic, np.where(np.isfinite(lp.row_lower), act, INF), ranging["row_up"])
    return low, high


def _basis_cost_ranges(result: PlanResult, directions: sp.csr_matrix
                       ) -> tuple[np.ndarray, np.ndarray]:
    """For each row d of ``directions``, the interval of t over which the optimal basis
    stays optimal with the objective c + t d (NaN where the basis cannot be factorised).

    With the basis B fixed, the duals are y(t) = y + t h with B^T h = d_B, and every
    reduced cost moves linearly: q = d - A^T h for a column, h_i for a row's activity.
    Each nonbasic variable keeps its side (at lower: not improving; at upper: improving;
    free: zero) while t stays within the ratio of its reduced cost to q. One sparse LU of
    B, one transposed solve per direction and one sparse product give every ratio.
    """
    lp, sol = result.lp, result.solution
    m, n = lp.shape
    k = directions.shape[0]
    nothing = np.full(k, np.nan), np.full(k, np.nan)
    if not sol.has_basis:
        return nothing
    A = lp.matrix.tocsc()
    basic_cols = np.flatnonzero(sol.col_basis == "basic")
    basic_rows = np.flatnonzero(sol.row_basis == "basic")
    if len(basic_cols) + len(basic_rows) != m:
        return nothing
    eye = sp.identity(m, format="csc")
    try:
        lu = _transposable(splu(sp.hstack([A[:, basic_cols], -eye[:, basic_rows]],
                                          format="csc")))
    except RuntimeError:  # a singular basis (numerically): say nothing rather than guess
        return nothing
    improves = lp.improves
    y = lu.solve(np.concatenate([lp.objective[basic_cols], np.zeros(len(basic_rows))]),
                 trans="T")
    # reduced costs of columns then of row activities, and each one's optimality side:
    # +1 (at lower) needs improves * d <= 0, -1 (at upper) needs >= 0, 0 (free) needs = 0
    reduced = np.concatenate([lp.objective - A.T @ y, y])
    status = np.concatenate([sol.col_basis, sol.row_basis])
    lower = np.concatenate([lp.col_lower, lp.row_lower])
    upper = np.concatenate([lp.col_upper, lp.row_upper])
    nonbasic = (status != "basic") & (lower != upper)
    side = np.select([status == "lower", status == "upper"], [1.0, -1.0], 0.0)[nonbasic]
    a = np.minimum(improves * side * reduced[nonbasic], 0.0)   # <= 0 at the optimum
    free = side == 0.0
    low, high = np.empty(k), np.empty(k)
    D = sp.csr_matrix(directions)
    scale = 1e-9 * max(1.0, float(np.abs(D.data).max(initial=0.0)))
    chunk = max(1, (1 << 22) // max(int(nonbasic.sum()), 1))
    for start in range(0, k, chunk):     # chunks of directions bound the dense memory
        part = D[start:start + chunk]
        rhs = np.vstack([part[:, basic_cols].toarray().T,
                         np.zeros((len(basic_rows), part.shape[0]))])
        h = lu.solve(rhs, trans="T")
        q = np.vstack([part.toarray().T - A.T @ h, h])[nonbasic]
        moves = np.abs(q) > scale
        b = np.where(moves, improves * side[:, None] * q, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = -a[:, None] / b
        pinned = free[:, None] & moves          # a free variable's reduced cost stays 0
        high[start:start + chunk] = np.where((b > 0) | pinned, np.where(pinned, 0.0, ratio),
                                             INF).min(axis=0, initial=INF)
        low[start:start + chunk] = np.where((b < 0) | pinned, np.where(pinned, 0.0, ratio),
                                            -INF).max(axis=0, initial=-INF)
    return low, high


def _weight_ranges(result: PlanResult) -> pd.DataFrame:
    """Interval of each objective weight over which the optimal basis stays optimal.

    A weight w_g multiplies the good's net output, the good's row of the matrix (negated
    when minimising, where weights price inputs), so its range is the basis's range along
    that row as a direction of the objective.
    """
    plan, lp = result.plan, result.lp
    weights = plan.objective.weights
    table = pd.DataFrame({"weight": weights, "weight_low": np.nan, "weight_high": np.nan})
    if plan.objective.sense == "maximize_sets" or len(weights) == 0:
        return table
    rows = lp.row_positions("good")[plan.goods.index.get_indexer(weights.index)]
    net = lp.matrix.tocsr()[rows]
    low, high = _basis_cost_ranges(result, -net if lp.sense == "minimize" else net)
    w = weights.to_numpy(float)
    table["weight_low"] = w + low
    table["weight_high"] = w + high
    return table


def sensitivity(result: PlanResult, *, budget: Budget | float | None = None,
                ranging: BasisRanging | None = None) -> dict[str, pd.DataFrame]:
    """Ranges in plan terms, over which each price holds.

    Parameters
    ----------
    result : PlanResult
        An optimal result.
    budget : Budget or float, optional
        Time for the ranging (by default the result's budget).
    ranging : BasisRanging, optional
        A ranging already read (`basis_ranging`), so that it is read once.

    Returns
    -------
    dict of str to DataFrame
        ``goods`` (supply and demand ranges of each shadow price), ``policies``
        (right-hand-side range of each policy price), ``weights`` (objective weight
        ranges) and ``processes`` (each process's level, reduced cost, objective
        coefficient per unit of level in the compiled program, ``cost``, and its range
        ``cost_low`` to ``cost_high``), ``capacities`` (each process's capacity and its
        range ``capacity_low`` to ``capacity_high``). NaN where the budget was spent
        before the ranging could run. Each table's ``degenerate`` says where a range ends
        at its own value (`_degenerate`): the price holds only on its other side.

    Notes
    -----
    Ranges never leave the schema's domain: a supply cannot be negative, so
    ``supply_low`` (and ``supply_high``) are clipped at 0 where the basis would hold
    below it. A demand may be negative (a good the plan must offer), so its range is not
    clipped. Each call computes afresh; `kantorovich.analyse` runs it once per result.
    """
    result._need_optimum()
    return _sensitivity(result, _budget(result, budget), ranging)


def _sensitivity(result: PlanResult, budget: Budget, found: BasisRanging | None
                 ) -> dict[str, pd.DataFrame]:
    return dict(_sensitivity_tables(result, budget, found).items())


def sensitivity_tables(result: PlanResult, *, budget: Budget | float | None = None,
                       ranging: BasisRanging | None = None) -> Tables:
    """`sensitivity`'s tables, each made when read (`Tables`), not held: the same
    tables, the ranging read once now (within ``budget``) and shared by them.

    Returns
    -------
    Tables
        ``goods``, ``policies``, ``weights``, ``processes`` and ``capacities``, as
        `sensitivity` returns them; each knows its rows without being made.
    """
    result._need_optimum()
    return _sensitivity_tables(result, _budget(result, budget), ranging)


def _sensitivity_tables(result: PlanResult, budget: Budget, found: BasisRanging | None
                        ) -> Tables:
    plan = result.plan
    found = basis_ranging(result, budget=budget) if found is None else found
    n = len(plan.processes)
    part = functools.partial
    return Tables({
        "goods": (part(_goods_ranges, result, budget, found), len(plan.goods)),
        "policies": (part(_policy_ranges, result, budget, found),
                     len(result.policy_prices)),
        "weights": (part(_ranged, part(_weight_ranges, result), "weight"),
                    len(plan.objective.weights)),
        "processes": (part(_ranged, part(_cost_ranges, result, found), "cost"), n),
        "capacities": (part(_ranged, part(_capacity_ranges, result, found), "capacity"),
                       n),
    })


def _goods_ranges(result: PlanResult, budget: Budget, found: BasisRanging
                  ) -> pd.DataFrame:
    """Each good's shadow price and the supplies and demands over which it holds."""
    plan, lp = result.plan, result.lp
    low, high = _row_ranges(result, budget, found)
    g = lp.row_positions("good")
    supply = plan.goods["supply"].to_numpy(float)
    demand = plan.goods["demand"].to_numpy(float)
    free = np.isinf(supply)
    with np.errstate(invalid="ignore"):
        # copy=False: the columns as made, not copied into one block (a row a good)
        goods = pd.DataFrame({
            "shadow_price": result.shadow_prices,
            "supply": supply,
            "supply_low": np.where(free, INF, np.maximum(demand - high[g], 0.0)),
            "supply_high": np.where(free, INF, np.maximum(demand - low[g], 0.0)),
            "demand": demand, "demand_low": np.where(free, -INF, supply + low[g]),
            "demand_high": np.where(free, INF, supply + high[g]),
        }, index=plan.goods.index, copy=False)
    goods["degenerate"] = _degenerate(demand, goods["demand_low"], goods["demand_high"])
    return goods


def _policy_ranges(result: PlanResult, budget: Budget, found: BasisRanging
                   ) -> pd.DataFrame:
    """Each policy's price and the right-hand sides over which it holds."""
    low, high = _row_ranges(result, budget, found)
    p = result.lp.row_positions("policy")
    rhs = result.policy_prices["rhs"].to_numpy(float)
    return pd.DataFrame({
        "price": result.policy_prices["price"].to_numpy(),
        "rhs": rhs, "rhs_low": low[p], "rhs_high": high[p],
        "degenerate": _degenerate(rhs, low[p], high[p]),
    }, index=result.policy_prices.index)


def _ranged(make: Callable[[], pd.DataFrame], column: str) -> pd.DataFrame:
    """The table ``make`` gives, with whether each range of ``column`` is degenerate."""
    t = make()
    t["degenerate"] = _degenerate(t[column], t[f"{column}_low"], t[f"{column}_high"])
    return t


def _degenerate(value: Any, low: Any, high: Any) -> np.ndarray:
    """Whether a range ends at its own value on one side: the optimal basis changes at
    once that way (a degenerate optimum, or ties between optimal plans), so the price
    holds only on the other side, and the one beyond may or may not differ (the price's
    own interval is `price_ranges`'). Excel shows such a side as an allowable change of
    0; a column says it here rather than let a range look wider than it is."""
    v, lo, hi = (np.asarray(a, dtype=float) for a in (value, low, high))
    tol = 1e-9 * (1.0 + np.abs(np.where(np.isfinite(v), v, 0.0)))
    with np.errstate(invalid="ignore"):
        return np.asarray((np.isfinite(v) & np.isfinite(lo) & (np.abs(lo - v) <= tol))
                          | (np.isfinite(v) & np.isfinite(hi) & (np.abs(hi - v) <= tol)))


def _capacity_ranges(result: PlanResult, found: BasisRanging) -> pd.DataFrame:
    """Each process's capacity and the interval of it over which the capacity's price
    (the process's reduced cost when held at it, else 0) holds.

    A process held at its capacity (nonbasic at its upper bound) has the range of that
    bound from HiGHS's ranging, never below its minimum level. Any other process leaves
    its capacity a price of 0 for as long as the capacity stays at or above its level:
    ``[level, inf)``. (HiGHS's column ranging of a basic column is a range of its value,
    not of its bound, and of a column at its minimum the range of that minimum: neither
    is the capacity's.) NaN where the ranging did not run.
    """
    cols = result.lp.col_positions("process")
    procs = result.plan.processes
    capacity = procs["capacity"].to_numpy(float)
    level = result.levels.to_numpy(float)
    low = np.full(len(cols), np.nan)
    high = np.full(len(cols), np.nan)
    if found.ranges is not None and found.at.has_basis:
        held = (found.at.col_basis[cols] == "upper") & np.isfinite(capacity)
        floor = procs["min_level"].to_numpy(float)
        low = np.where(held, np.maximum(found.ranges["col_dn"][cols], floor),
                       np.minimum(level, capacity))
        high = np.where(held, found.ranges["col_up"][cols], INF)
    return pd.DataFrame({"capacity": capacity, "capacity_low": low, "capacity_high": high},
                        index=procs.index, copy=False)   # the columns as made


def _cost_ranges(result: PlanResult, found: BasisRanging) -> pd.DataFrame:
    """Each process's objective coefficient (per unit of level, as the compiled program
    has it: the weighted net use when minimising) and the interval over which the optimal
    basis stays optimal (NaN where the ranging did not run)."""
    cols = result.lp.col_positions("process")
    cost = result.lp.objective[cols]
    ranges = found.ranges
    low = ranges["cost_dn"][cols] if ranges is not None else np.full(len(cols), np.nan)
    high = ranges["cost_up"][cols] if ranges is not None else np.full(len(cols), np.nan)
    # copy=False: the columns as made, not copied into one block (a row a process)
    return pd.DataFrame({"level": result.levels.to_numpy(), "reduced_cost":
                         result.reduced_costs.to_numpy(), "cost": cost,
                         "cost_low": low, "cost_high": high}, index=result.plan.processes.index,
                        copy=False)


def price_ranges(result: PlanResult, *, priority: list[str] | None = None,
                 budget: Budget | float | None = None, max_rows: int | None = 500,
                 ranging: BasisRanging | None = None) -> pd.DataFrame:
    """Each good's and policy's price as an interval ``[low, high]``, with ``unique`` and
    ``checked``.

    At a nondegenerate optimum every price is unique. At a degenerate one, each side of
    a tight row's bound is settled by the basis's ranging where the basis stays optimal a
    step past the bound; the other sides are re-solved, warm, in order of ``priority``
    (ids), then binding rules, then goods with a price (the largest first), then the rest,
    at most ``max_rows`` rows and while the ``budget`` (by default the result's) lasts.
    ``checked`` is True only for rows whose every side was settled; without a basis
    (interior point without crossover) no row is. ``ranging`` is a `basis_ranging`
    already read (by default read here, when the optimum is degenerate). Each call
    computes afresh; `kantorovich.analyse` runs it once per result.
    """
    result._need_optimum()
    return _price_ranges(result, list(priority or []), _budget(result, budget), max_rows,
                         ranging)


def _price_ranges(result: PlanResult, priority: list[str], budget: Budget,
                  max_rows: int | None, found: BasisRanging | None) -> pd.DataFrame:
    lp, sol = result.lp, result.solution
    goods_rows, policy_rows = lp.row_positions("good"), lp.row_positions("policy")
    rows = np.concatenate([goods_rows, policy_rows])
    ids = lp.rows["id"].to_numpy()[rows]
    kinds = lp.rows["kind"].to_numpy()[rows]
    price = np.concatenate([result.shadow_prices.to_numpy(),
                            result.policy_prices["price"].to_numpy()])
    # a row's dual is the improvement per unit its bound rises; a good's price and a >=
    # rule's price are per unit the bound falls (more made available, rule loosened)
    senses = result.policy_prices["sense"].to_numpy()
    to_price = np.concatenate([np.full(len(goods_rows), -1.0),
                               np.where(senses == ">=", -1.0, 1.0)])
    low, high = price.copy(), price.copy()
    checked = np.full(len(rows), sol.has_basis and not result.is_degenerate)
    if sol.has_basis and result.is_degenerate:
        _settle_degenerate(result, rows, ids, kinds, price, to_price, priority, budget,
                           max_rows, low, high, checked, found)
    unique = np.isclose(low, high, rtol=1e-7, atol=1e-9) & checked
    return pd.DataFrame({"kind": kinds, "price": price, "low": low, "high": high,
                         "unique": unique, "checked": checked},
                        index=pd.Index(ids, name="id"))


def _settle_degenerate(result: PlanResult, rows: np.ndarray, ids: np.ndarray,
                       kinds: np.ndarray, price: np.ndarray, to_price: np.ndarray,
                       priority: list[str], budget: Budget, max_rows: int | None,
                       low: np.ndarray, high: np.ndarray, checked: np.ndarray,
                       found: BasisRanging | None) -> None:
    """Fill ``low``, ``high`` and ``checked`` in place for the rows of a degenerate
    optimum: loose rows and ranged sides at once, the other sides by warm re-solves."""
    lp, sol = result.lp, result.solution
    act = sol.row_activity[rows]
    lower, upper = lp.row_lower[rows], lp.row_upper[rows]
    bound = np.where(np.isfinite(lower), lower, upper)
    tight = np.isfinite(bound) & (np.abs(act - bound) <= 1e-7 * (1 + np.abs(bound)))
    checked[~tight] = True
    step = _STEP * np.maximum(1.0, np.where(np.isfinite(bound), np.abs(bound), 0.0))
    # sides (down, up) the basis settles: a nonbasic row whose ranging reaches a step away
    at, ranging = _ranging(result, budget, found)
    if ranging is not None:
        nonbasic = at.row_basis[rows] != "basic"
        ranged_price = to_price * at.row_dual[rows]
        down = tight & nonbasic & (ranging["row_dn"][rows] <= bound - step)
        up = tight & nonbasic & (ranging["row_up"][rows] >= bound + step)
    else:
        ranged_price = price
        down = up = np.zeros(len(rows), dtype=bool)
    settled = down | up
    low[settled] = np.minimum(price, ranged_price)[settled]
    high[settled] = np.maximum(price, ranged_price)[settled]
    checked[tight & down & up] = True
    todo = np.flatnonzero(tight & ~(down & up))
    todo = todo[_examination_order(result, ids[todo], kinds[todo], price[todo], priority)]
    if max_rows is not None:
        todo = todo[:max_rows]
    if not todo.size or not result.can_start_warm:
        return                      # unchecked rows stay unchecked, and are said so
    session = result.session()
    if session.what_if(budget).status is not Status.OPTIMAL:
        return
    for k in todo:
        i = rows[k]
        slopes = []
        try:
            for delta, done in ((-step[k], down[k]), (step[k], up[k])):
                if done:
                    continue
                lo = lp.row_lower[i] + delta if np.isfinite(lp.row_lower[i]) else -INF
                up_ = lp.row_upper[i] + delta if np.isfinite(lp.row_upper[i]) else INF
                session.set_row_bounds(i, lo, up_)
                moved = session.what_if(budget, values=True)
                if moved.status is Status.OPTIMAL:
                    slopes.append(to_price[k] * moved.row_dual[i])
                elif moved.status is Status.INFEASIBLE:
                    # the objective falls without limit on this side of the bound
                    slopes.append(to_price[k] * -np.sign(delta) * INF)
                else:
                    break
        finally:
            session.restore_row(i)
        if len(slopes) == int(not down[k]) + int(not up[k]):
            low[k] = min([low[k], *slopes])
            high[k] = max([high[k], *slopes])
            checked[k] = True
        if budget.expired():
            break


def _examination_order(result: PlanResult, ids: np.ndarray, kinds: np.ndarray,
                       price: np.ndarray, priority: list[str]) -> np.ndarray:
    """Order in which to re-solve rows: the ids asked for first (in their order), then
    binding rules, then goods with a nonzero price (the dearest first), then the rest."""
    asked = pd.Index(pd.unique(np.asarray(priority, dtype=object))).get_indexer(ids)
    asked = np.where(asked < 0, len(priority), asked)
    binding = pd.Series(result.policy_prices["binding"].to_numpy(bool),
                        index=result.policy_prices.index)
    is_binding = (kinds == "policy") & binding.reindex(ids, fill_value=False).to_numpy(bool)
    group = np.select([is_binding, (kinds == "good") & (price != 0)], [0, 1], 2)
    return np.lexsort((-np.abs(price), group, asked))
