"""A plan over time expanded into one ordinary plan, and the map back to (id, period).

`expand` turns a `Timeline` into a `Plan` the whole engine already reads (compile,
solve, certificate, analyses): each good and process once per period, and for each
stock a process holds, per period, a column for the stock and one for investment in it.
Everything is written in the plan's own terms (goods, processes, flows), so the
program is exactly the one the issue states:

- ``g[t]``, ``p[t]``: good ``g`` and process ``p`` in period ``t``, with that period's
  supply, demand, capacity and minimum level;
- ``stock:p:g[t]``, a good: the stock of ``g`` that ``p`` holds at the start of ``t``.
  Its supply is the initial stock in the first period; ``hold:p:g[t]`` (a process,
  its level the stock ``K(p, g, t)``) uses one unit of it and gives back
  ``1 - depreciation`` units of ``stock:p:g[t+1]``, so its row reads
  ``K(t+1) <= (1 - depreciation) K(t) + invest(t)``;
- ``capacity:p:g[t]``, a good: ``hold`` makes one unit per unit of stock, and ``p[t]``
  uses ``per_level`` per unit of level: ``level(p, t) * per_level <= K(p, g, t)``;
- ``invest:p:g[t]``, in every period: uses one unit of ``g[t]`` (a use like any other
  of ``g`` in ``t``) and makes one unit of ``stock:p:g[t+lag]`` where the plan has that
  period (without a terminal condition, investment in the last period joins no stock:
  it is still a use, as the issue writes it, which counts where using a good is worth
  something, a negative weight on what is left of it);
- ``carry:g[t]``: uses one unit of ``g[t]`` and makes ``1 - loss`` of ``g[t+1]``;
- for ``maximize_sets``, ``sets[t]`` (a process and a good): the sets of period ``t``,
  each using ``count`` of ``basket:g[t]``, a good that repeats every flow of ``g[t]``
  (so its row reads ``net output of g in t >= count x sets(t)``, supply not counted, as
  in a one-period plan, and the price of ``g[t]`` keeps its meaning: one more unit
  supplied); the objective weighs ``sets[t]`` by the period's discount.

Ids are never split to find their way back: `HorizonMap` holds, for every good,
process and policy of the expanded plan, its kind, the position of its template id
and its period, built with the ids themselves (PyPSA#1084 is what splitting names
costs). The arrays are built per block with numpy; nothing loops per process, good or
flow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.model.rules import Rule, Term
from kantorovich.model.statements import Objective, Policy
from kantorovich.model.tabular import unique_dtype, unstacked
from kantorovich.model.timeline import Timeline

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["GOOD_KINDS", "HorizonMap", "PROCESS_KINDS", "expand", "horizon_of",
           "warnings_over_time"]

GOOD_KINDS = ("good", "stock", "capacity", "basket", "sets")
"""What each good of an expanded plan is: a good of the plan in a period, a stock's
balance, its capacity, an assortment row's copy of a good, or a period's sets."""
PROCESS_KINDS = ("process", "hold", "invest", "carry", "sets")
"""What each process of an expanded plan is: a process of the plan in a period, a stock
held, an investment, an inventory carried, or a period's sets."""


@dataclass(frozen=True, eq=False)
class HorizonMap:
    """Where each row of an expanded plan comes from.

    ``goods`` and ``processes`` have one row per good and process of the expanded plan,
    in its order: ``kind`` (`GOOD_KINDS`, `PROCESS_KINDS`), ``item`` (the position of
    its id in the template's goods or processes, or of its stock in ``stocks``; -1 for
    a period's sets) and ``period``. ``policies`` has one row per expanded policy:
    ``item`` (its position in the template's policies) and ``period``.
    """

    timeline: Timeline
    goods: pd.DataFrame
    processes: pd.DataFrame
    policies: pd.DataFrame

    @property
    def horizon(self) -> int:
        return self.timeline.horizon

    @property
    def periods(self) -> np.ndarray:
        return self.timeline.periods

    @property
    def template(self) -> Plan:
        return self.timeline.template

    @property
    def stocks(self) -> pd.DataFrame:
        return self.timeline.stocks

    def positions(self, table: str, kind: str) -> np.ndarray:
        """Positions in the expanded plan's ``table`` (goods or processes) of ``kind``."""
        frame = getattr(self, table)
        return np.flatnonzero((frame["kind"] == kind).to_numpy())

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def horizon_of(plan: Plan) -> HorizonMap | None:
    """The map of a plan expanded from a plan over time; None for any other plan."""
    found = plan.extra.get("horizon")
    return found if isinstance(found, HorizonMap) else None


def _suffixed(ids: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """``id[t]`` for every period (period-major), as object strings."""
    ids = np.asarray(ids, dtype=object)
    return np.concatenate([ids + f"[{t}]" for t in periods]) if len(periods) else \
        np.zeros(0, dtype=object)


def _per_period(before: str, periods: np.ndarray, last: int, after: str = "") -> np.ndarray:
    """``before + t + after`` for the period ``t`` of each row: made once per period
    0..last and taken by indexing (one string per period, not per row)."""
    return np.asarray([f"{before}{t}{after}" for t in range(last + 2)], dtype=object)[
        np.asarray(periods, dtype=np.int64)]


def _carried(word: str, periods: np.ndarray, last: int) -> np.ndarray:
    return np.asarray([f" carried from {word} {t} to {t + 1}" for t in range(last + 2)],
                      dtype=object)[np.asarray(periods, dtype=np.int64)]


def _named(names: np.ndarray, word: str, periods: np.ndarray, end: int | None = None
           ) -> np.ndarray:
    """Names with their period; the period after the last (``end``: the stocks a
    terminal condition asks for) as what is left at the end of the last."""
    names = np.asarray(names, dtype=object)
    if not len(periods):
        return np.zeros(0, dtype=object)

    def label(t: int) -> str:
        return f" (left at the end of {word} {end})" if end is not None and t == end + 1 \
            else f" ({word} {t})"
    return np.concatenate([names + label(int(t)) for t in periods])


class _Block:
    """The map of a table being built, block by block: kind, item and period."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []
        self.size = 0

    def add(self, kind: str, item: np.ndarray, period: np.ndarray) -> int:
        """Append rows; returns the position of the first."""
        start = self.size
        n = len(item)
        self.parts.append({"kind": np.full(n, kind, dtype=object),
                           "item": np.asarray(item, dtype=np.int64),
                           "period": np.asarray(period, dtype=np.int64)})
        self.size += n
        return start

    def column(self, name: str) -> np.ndarray:
        pieces = [part[name] for part in self.parts]
        return np.concatenate(pieces) if pieces else np.zeros(0)

    def mapped(self, kinds: tuple[str, ...]) -> pd.DataFrame:
        return pd.DataFrame({
            "kind": pd.Categorical(self.column("kind"), categories=list(kinds)),
            "item": self.column("item").astype(np.int64),
            "period": self.column("period").astype(np.int64)})


def expand(timeline: Timeline) -> Plan:
    """The ordinary plan of ``timeline``: see the module docstring for its rows and
    columns. Raises `PlanError` when an id the expansion makes is taken by the plan's
    own (``stock:p:g`` as a good's id, say)."""
    tpl = timeline.template
    periods = timeline.periods
    last = timeline.horizon + 1              # the largest period an id may name
    n_per = len(periods)
    at = periods - 1                        # rows of the (T, n) arrays
    goods, procs, word = tpl.goods, tpl.processes, tpl.period
    n, m = len(goods), len(procs)
    gids = goods.index.to_numpy(object)
    pids = procs.index.to_numpy(object)
    stocks = timeline.stocks
    ns = len(stocks)
    s_proc = (procs.index.get_indexer(pd.Index(stocks["process"])) if ns
              else np.zeros(0, np.int64))
    s_good = (goods.index.get_indexer(pd.Index(stocks["good"])) if ns
              else np.zeros(0, np.int64))
    s_label = (stocks["process"].to_numpy(object) + ":" + stocks["good"].to_numpy(object)
               ) if ns else np.zeros(0, dtype=object)
    per_level = stocks["per_level"].to_numpy(float)
    depreciation = stocks["depreciation"].to_numpy(float)
    lag = stocks["lag"].to_numpy(np.int64)
    last_stock = timeline.horizon + (1 if timeline.terminal else 0)
    stock_periods = np.arange(timeline.first, last_stock + 1)
    tile = np.tile

    # -- goods ---------------------------------------------------------------------------
    g = _Block()
    g_ids, g_names, g_units, g_supply, g_demand = [], [], [], [], []

    def good_rows(kind: str, item: np.ndarray, period: np.ndarray, ids: np.ndarray,
                  names: np.ndarray, units: np.ndarray, supply: np.ndarray,
                  demand: np.ndarray) -> int:
        g_ids.append(ids)
        g_names.append(names)
        g_units.append(units)
        g_supply.append(np.asarray(supply, dtype=float))
        g_demand.append(np.asarray(demand, dtype=float))
        return g.add(kind, item, period)

    unit_of_good = goods["unit"].to_numpy(object)
    name_of_good = goods["name"].to_numpy(object)
    good_start = good_rows("good", tile(np.arange(n), n_per), np.repeat(periods, n),
                           _suffixed(gids, periods), _named(name_of_good, word, periods),
                           tile(unit_of_good, n_per),
                           timeline.supply[at].ravel(), timeline.demand[at].ravel())
    # stock balances: period first..T (and T+1 with a terminal condition)
    n_sp = len(stock_periods)
    s_names = (np.asarray(["stock of "] * ns, dtype=object) + name_of_good[s_good]
               + " held by " + procs["name"].to_numpy(object)[s_proc]) if ns else \
        np.zeros(0, dtype=object)
    supply = np.zeros((n_sp, ns))
    demand = np.zeros((n_sp, ns))
    if ns:
        supply[0] = stocks["initial"].to_numpy(float)
        if timeline.arrivals is not None:
            supply += timeline.arrivals[stock_periods - 1]
        if timeline.terminal:
            demand[-1] = timeline.ending_level()
    stock_start = good_rows("stock", tile(np.arange(ns), n_sp),
                            np.repeat(stock_periods, ns),
                            _suffixed("stock:" + s_label, stock_periods) if ns else
                            np.zeros(0, dtype=object),
                            _named(s_names, word, stock_periods,
                                   end=timeline.horizon if timeline.terminal else None),
                            tile(unit_of_good[s_good], n_sp), supply.ravel(),
                            demand.ravel())
    c_names = (name_of_good[s_good] + " in use at "
               + procs["name"].to_numpy(object)[s_proc]) if ns else np.zeros(0, object)
    cap_start = good_rows("capacity", tile(np.arange(ns), n_per), np.repeat(periods, ns),
                          _suffixed("capacity:" + s_label, periods) if ns else
                          np.zeros(0, dtype=object),
                          _named(c_names, word, periods), tile(unit_of_good[s_good], n_per),
                          np.zeros(ns * n_per), np.zeros(ns * n_per))
    sets = tpl.objective.sense == "maximize_sets"
    counts = timeline.weights[at]                       # (periods, weighted goods)
    w_good = goods.index.get_indexer(tpl.objective.weights.index)
    basket_row = np.full((n_per, n), -1, dtype=np.int64)
    if sets:
        k_per, k_w = np.nonzero(counts > 0)
        items = w_good[k_w]
        b_start = good_rows("basket", items, periods[k_per],
                            np.asarray(["basket:"] * len(items), dtype=object)
                            + gids[items] + _per_period("[", periods[k_per], last, "]"),
                            np.asarray(["assortment of "] * len(items), dtype=object)
                            + name_of_good[items]
                            + _per_period(f" ({word} ", periods[k_per], last, ")"),
                            unit_of_good[items], np.zeros(len(items)), np.zeros(len(items)))
        basket_row[k_per, items] = b_start + np.arange(len(items))
        sets_good = good_rows("sets", np.full(n_per, -1), periods,
                              np.asarray([f"sets[{t}]" for t in periods], dtype=object),
                              np.asarray([f"sets ({word} {t})" for t in periods],
                                         dtype=object),
                              np.full(n_per, tpl.objective.unit or "sets", dtype=object),
                              np.zeros(n_per), np.zeros(n_per))
    good_ids = np.concatenate(g_ids)
    goods_x = pd.DataFrame({"name": np.concatenate(g_names),
                            "unit": np.concatenate(g_units),
                            "supply": np.concatenate(g_supply),
                            "demand": np.concatenate(g_demand)},
                           index=pd.Index(good_ids, name="good", dtype=object))

    def good_pos(block_start: int, item: np.ndarray, k: np.ndarray, width: int) -> np.ndarray:
        """Position of an expanded good from its block, item and period index."""
        return block_start + k * width + item

    # -- processes -----------------------------------------------------------------------
    p = _Block()
    p_ids, p_names, p_units, p_min, p_cap, p_lu = [], [], [], [], [], []

    def process_rows(kind: str, item: np.ndarray, period: np.ndarray, ids: np.ndarray,
                     names: np.ndarray, units: np.ndarray, low: np.ndarray,
                     high: np.ndarray, level_unit: np.ndarray) -> int:
        p_ids.append(ids)
        p_names.append(names)
        p_units.append(units)
        p_min.append(np.asarray(low, dtype=float))
        p_cap.append(np.asarray(high, dtype=float))
        p_lu.append(level_unit)
        return p.add(kind, item, period)

    unit_of_proc = procs["unit"].to_numpy(object)
    process_rows("process", tile(np.arange(m), n_per), np.repeat(periods, m),
                 _suffixed(pids, periods), _named(procs["name"].to_numpy(object), word,
                                                  periods),
                 tile(unit_of_proc, n_per), timeline.min_level[at].ravel(),
                 timeline.capacity[at].ravel(),
                 tile(procs["level_unit"].to_numpy(object), n_per))
    hold_names = (np.asarray(["stock of "] * ns, dtype=object) + name_of_good[s_good]
                  + " held by " + procs["name"].to_numpy(object)[s_proc]) if ns else \
        np.zeros(0, dtype=object)
    hold_start = process_rows("hold", tile(np.arange(ns), n_per), np.repeat(periods, ns),
                              _suffixed("hold:" + s_label, periods) if ns else
                              np.zeros(0, dtype=object),
                              _named(hold_names, word, periods),
                              tile(unit_of_proc[s_proc], n_per), np.zeros(ns * n_per),
                              np.full(ns * n_per, np.inf),
                              tile(unit_of_good[s_good], n_per))
    # investments: in every period planned, as the issue states it (a use of the good in
    # t); one whose stock period t + lag lies beyond the plan makes nothing
    k_inv, s_inv = np.nonzero(np.ones((n_per, ns), dtype=bool)) if ns else \
        (np.zeros(0, np.int64), np.zeros(0, np.int64))
    t_inv = periods[k_inv]
    inv_names = (np.asarray(["investment in "] * len(s_inv), dtype=object)
                 + name_of_good[s_good[s_inv]] + " for "
                 + procs["name"].to_numpy(object)[s_proc[s_inv]]
                 + _per_period(f" ({word} ", t_inv, last, ")"))
    inv_start = process_rows("invest", s_inv, t_inv,
                             np.asarray(["invest:"] * len(s_inv), dtype=object)
                             + s_label[s_inv] + _per_period("[", t_inv, last, "]"),
                             inv_names, unit_of_proc[s_proc[s_inv]],
                             np.zeros(len(s_inv)), np.full(len(s_inv), np.inf),
                             unit_of_good[s_good[s_inv]])
    loss = timeline.loss
    stored = goods.index.get_indexer(loss.index)
    k_car = np.repeat(np.arange(n_per - 1), len(stored))
    g_car = tile(stored, max(n_per - 1, 0))
    t_car = periods[k_car]
    car_start = process_rows(
        "carry", g_car, t_car,
        np.asarray(["carry:"] * len(g_car), dtype=object) + gids[g_car]
        + _per_period("[", t_car, last, "]"),
        name_of_good[g_car] + _carried(word, t_car, last),
        np.full(len(g_car), None, dtype=object), np.zeros(len(g_car)),
        np.full(len(g_car), np.inf), unit_of_good[g_car])
    # what arrives from store in the first period planned (a re-plan): carried out of
    # the period before, at the level realised
    arriving = timeline.arriving if timeline.arriving is not None else pd.Series(
        dtype=float)
    g_arr = goods.index.get_indexer(arriving.index)
    amount = arriving.to_numpy(float)
    t_arr = np.full(len(g_arr), timeline.first - 1)
    arr_start = process_rows(
        "carry", g_arr, t_arr,
        np.asarray(["carry:"] * len(g_arr), dtype=object) + gids[g_arr]
        + _per_period("[", t_arr, last, "]"),
        name_of_good[g_arr] + _carried(word, t_arr, last),
        np.full(len(g_arr), None, dtype=object), amount, amount, unit_of_good[g_arr])
    if sets:
        sets_start = process_rows("sets", np.full(n_per, -1), periods,
                                  np.asarray([f"sets[{t}]" for t in periods], dtype=object),
                                  np.asarray([f"sets ({word} {t})" for t in periods],
                                             dtype=object),
                                  np.full(n_per, None, dtype=object), np.zeros(n_per),
                                  np.full(n_per, np.inf),
                                  np.full(n_per, "set", dtype=object))
    proc_ids = np.concatenate(p_ids)
    units_col = np.concatenate(p_units)
    procs_x = pd.DataFrame({"name": np.concatenate(p_names),
                            "unit": units_col.astype(object),
                            "min_level": np.concatenate(p_min),
                            "capacity": np.concatenate(p_cap),
                            "level_unit": np.concatenate(p_lu)},
                           index=pd.Index(proc_ids, name="process", dtype=object))
    procs_x["unit"] = procs_x["unit"].where(procs_x["unit"].notna(), None)

    # -- flows ---------------------------------------------------------------------------
    pcode, gcode = tpl.flow_positions
    f_in = tpl.flows["input"].to_numpy(float)
    f_out = tpl.flows["output"].to_numpy(float)
    nf = len(pcode)
    ks = np.repeat(np.arange(n_per), nf)
    fp = [tile(pcode, n_per) + ks * m]
    fg = [good_start + tile(gcode, n_per) + ks * n]
    fi = [tile(f_in, n_per)]
    fo = [tile(f_out, n_per)]
    if ns:
        kk = np.repeat(np.arange(n_per), ns)
        ss = tile(np.arange(ns), n_per)
        # p[t] uses per_level of capacity:p:g[t]
        fp.append(kk * m + s_proc[ss])
        fg.append(good_pos(cap_start, ss, kk, ns))
        fi.append(per_level[ss])
        fo.append(np.zeros(len(ss)))
        hold = hold_start + kk * ns + ss
        # hold:p:g[t] uses stock:p:g[t], makes capacity:p:g[t] ...
        fp += [hold, hold]
        fg += [good_pos(stock_start, ss, kk, ns), good_pos(cap_start, ss, kk, ns)]
        fi += [np.ones(len(ss)), np.zeros(len(ss))]
        fo += [np.zeros(len(ss)), np.ones(len(ss))]
        # ... and 1 - depreciation of stock:p:g[t+1] (kept where that period is planned)
        nxt = (kk + 1 < n_sp) & (depreciation[ss] < 1)
        fp.append(hold[nxt])
        fg.append(good_pos(stock_start, ss[nxt], kk[nxt] + 1, ns))
        fi.append(np.zeros(int(nxt.sum())))
        fo.append(1.0 - depreciation[ss[nxt]])
        # invest:p:g[t] uses g[t], makes stock:p:g[t+lag] where the plan has that period
        inv = inv_start + np.arange(len(s_inv))
        joins = k_inv + lag[s_inv] < n_sp
        fp += [inv, inv[joins]]
        fg += [good_start + k_inv * n + s_good[s_inv],
               good_pos(stock_start, s_inv[joins], k_inv[joins] + lag[s_inv[joins]], ns)]
        fi += [np.ones(len(inv)), np.zeros(int(joins.sum()))]
        fo += [np.zeros(len(inv)), np.ones(int(joins.sum()))]
    if len(g_car):
        car = car_start + np.arange(len(g_car))
        fp += [car, car]
        fg += [good_start + k_car * n + g_car, good_start + (k_car + 1) * n + g_car]
        fi += [np.ones(len(car)), np.zeros(len(car))]
        fo += [np.zeros(len(car)), 1.0 - loss.to_numpy(float)[np.tile(
            np.arange(len(stored)), max(n_per - 1, 0))]]
    if len(g_arr):
        fp.append(arr_start + np.arange(len(g_arr)))
        fg.append(good_start + g_arr)
        fi.append(np.zeros(len(g_arr)))
        fo.append(np.ones(len(g_arr)))
    proc_code = np.concatenate(fp)
    good_code = np.concatenate(fg)
    inputs = np.concatenate(fi)
    outputs = np.concatenate(fo)
    if sets:
        # every flow of g[t] again in basket:g[t], where g counts in period t's sets
        in_goods = (good_code >= good_start) & (good_code < good_start + n * n_per)
        local = good_code[in_goods] - good_start
        row = basket_row[local // n, local % n]
        again = row >= 0
        proc_code = np.concatenate([proc_code, proc_code[in_goods][again]])
        good_code = np.concatenate([good_code, row[again]])
        inputs = np.concatenate([inputs, inputs[in_goods][again]])
        outputs = np.concatenate([outputs, outputs[in_goods][again]])
        k_per, k_w = np.nonzero(counts > 0)
        set_proc = sets_start + k_per
        uses = basket_row[k_per, w_good[k_w]]
        proc_code = np.concatenate([proc_code, set_proc, sets_start + np.arange(n_per)])
        good_code = np.concatenate([good_code, uses, sets_good + np.arange(n_per)])
        inputs = np.concatenate([inputs, counts[k_per, k_w], np.zeros(n_per)])
        outputs = np.concatenate([outputs, np.zeros(len(k_per)), np.ones(n_per)])
    _refuse_taken_ids(goods_x.index, procs_x.index, tpl)
    keep = (inputs != 0) | (outputs != 0)
    order = np.argsort(proc_code[keep], kind="stable")
    flows = unstacked({
        "process": pd.Categorical.from_codes(proc_code[keep][order].astype(np.int32),
                                             dtype=unique_dtype(procs_x.index)),
        "good": pd.Categorical.from_codes(good_code[keep][order].astype(np.int32),
                                          dtype=unique_dtype(goods_x.index)),
        "input": inputs[keep][order], "output": outputs[keep][order]}, int(keep.sum()))

    # -- objective, policies, baseline ----------------------------------------------------
    factor = timeline.factor(periods)
    if sets:
        objective = Objective("maximize", pd.Series(
            factor, index=pd.Index([f"sets[{t}]" for t in periods], dtype=object,
                                   name="good"), name="weight"),
            tpl.objective.unit or "sets")
    else:
        k_per, k_w = np.nonzero(counts != 0)
        ids = good_ids[good_start + k_per * n + w_good[k_w]]
        objective = Objective(tpl.objective.sense, pd.Series(
            counts[k_per, k_w] * factor[k_per], index=pd.Index(ids, dtype=object,
                                                               name="good"),
            name="weight"), tpl.objective.unit)
    policies, policy_map = _policies(tpl, periods, word)
    baseline = None
    if timeline.baseline is not None:
        baseline = pd.Series(timeline.baseline[at].ravel(), index=pd.Index(
            proc_ids[:m * n_per], name="process", dtype=object), name="level")
    mapping = HorizonMap(timeline, g.mapped(GOOD_KINDS), p.mapped(PROCESS_KINDS),
                         policy_map)
    # the template with its tables over the periods: the expansion needs no Plan class
    # of its own (model.plan reads plans over time through it, so it must not import it)
    return replace(tpl, goods=goods_x, processes=procs_x, flows=flows, objective=objective,
                   policies=policies, baseline=baseline,
                   extra={**tpl.extra, "horizon": mapping})


def warnings_over_time(plan: Plan) -> list[Problem]:
    """`plan_warnings` of a plan over time, in the plan's own ids: those of its one
    period, with each good's largest supply and demand over the periods, and no word
    on a good made only to be invested or stored (investment and inventories use it)."""
    from kantorovich.model.checks import plan_warnings

    mapping = horizon_of(plan)
    if mapping is None:
        return plan_warnings(plan)
    timeline = mapping.timeline
    tpl = timeline.template
    goods = tpl.goods.assign(supply=timeline.supply.max(axis=0),
                             demand=np.where(np.abs(timeline.demand).max(axis=0) > 0,
                                             timeline.demand.max(axis=0), 0.0))
    found = plan_warnings(replace(tpl, goods=goods))
    kept = set(timeline.stocks["good"]) | set(timeline.loss.index)
    quiet = {(f"goods.{g}", f"'{g}' is made but nothing uses, demands or values it")
             for g in kept}
    return [p for p in found if (p.path, p.message) not in quiet]


def _policies(tpl: Plan, periods: np.ndarray, word: str
              ) -> tuple[tuple[Policy, ...], pd.DataFrame]:
    """Each rule of the template once per period, over that period's levels and goods:
    a loop over rules and periods, not over processes."""
    policies = []
    items, when = [], []
    for t in periods:
        for i, policy in enumerate(tpl.policies):
            rule = policy.rule
            terms = tuple((Term(term.kind, f"{term.target}[{t}]", term.unit, term.region),
                           coef) for term, coef in rule.terms)
            policies.append(Policy(f"{policy.id}[{t}]",
                                   Rule(terms, rule.sense, rule.rhs, rule.text),
                                   f"{policy.label} ({word} {t})"))
            items.append(i)
            when.append(t)
    return tuple(policies), pd.DataFrame({"item": np.asarray(items, dtype=np.int64),
                                          "period": np.asarray(when, dtype=np.int64)})


def _refuse_taken_ids(goods: pd.Index, procs: pd.Index, tpl: Plan) -> None:
    """An id the expansion makes that the plan's own ids already make (a good called
    ``stock:mine:coal`` beside a stock of coal held by ``mine``) is refused by name."""
    problems = []
    for index, kind, key in ((goods, "good", "goods"), (procs, "process", "processes")):
        if index.is_unique:
            continue
        for taken in index[index.duplicated()][:20]:
            problems.append(Problem(
                f"the {kind} id '{taken}' is made twice when the plan is expanded over "
                "its periods", key, tpl.source, None,
                "ids of the form stock:P:G, capacity:P:G, invest:P:G, hold:P:G, "
                "carry:G, basket:G and sets are kept for plans over time: rename it"))
    if problems:
        raise PlanError(problems)
