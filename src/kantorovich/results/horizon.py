"""A result of a plan over time, read back by (id, period).

The engine solves the expanded plan (`kantorovich.model.expansion`) like any other;
this module maps its levels and prices back onto the plan's own ids through the
expansion's `HorizonMap` (never by reading ids apart):

- ``processes`` and ``goods`` gain a ``period`` column (a good's ``shadow_price`` is its
  price in that period, in the objective's units, discounted as the objective is);
- ``stocks``: ``process, good, period, stock, investment, shadow_value``, the stock
  ``K(p, g, t)``, the investment made in ``t`` and the worth to the plan of one more unit
  of the stock at the start of ``t`` (the price of its balance row);
- ``inventories``: ``good, period, carried, arriving, loss``;
- for ``maximize_sets``, ``sets``: ``period, sets``;
- `investment_return`: for ``t = 1..T-1``, ``price(numeraire, t) / price(numeraire,
  t + 1) - 1``, the rate at which the optimal plan values the numeraire now against one
  period later (None where the later price is 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kantorovich.errors import PlanError, Problem
from kantorovich.model.checks import did_you_mean
from kantorovich.model.expansion import HorizonMap, horizon_of
from kantorovich.numbers import a
from kantorovich.serialise import clean

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan
    from kantorovich.results.result import PlanResult

__all__ = ["OverTime", "check_numeraire", "over_time", "timed_tables"]


def check_numeraire(plan: Plan, good: str) -> str:
    """``good`` when ``plan`` is a plan over time that has it; else a `PlanError` naming
    the option (an unknown good, with the closest one, or a plan without a horizon)."""
    mapping = horizon_of(plan)
    if mapping is None:
        raise PlanError([Problem("--numeraire applies to plans over time", "--numeraire",
                                 plan.source, None,
                                 "give the plan a horizon, or leave the option out")])
    goods = mapping.template.goods.index
    if good not in goods:
        raise PlanError([Problem(f"unknown good '{good}'", "--numeraire", plan.source, None,
                                 did_you_mean(good, goods)
                                 or "the numeraire is one of the plan's goods")])
    return good


def over_time(result: PlanResult) -> OverTime | None:
    """The result's tables by period, for a plan over time; None for any other plan."""
    mapping = horizon_of(result.plan)
    return None if mapping is None else OverTime(result, mapping)


@dataclass(eq=False)
class OverTime:
    """A solved plan over time, by (id, period). Built from a result with an optimum."""

    result: PlanResult
    map: HorizonMap

    @property
    def horizon(self) -> int:
        return self.map.horizon

    @property
    def periods(self) -> np.ndarray:
        return self.map.periods

    @property
    def template(self) -> Plan:
        return self.map.template

    def _rows(self, table: str, kind: str) -> tuple[np.ndarray, pd.DataFrame]:
        at = self.map.positions(table, kind)
        return at, getattr(self.map, table).iloc[at]

    # -- tables --------------------------------------------------------------------------
    def _by_period(self, table: str, kind: str, label: str) -> pd.DataFrame:
        """The result's ``table`` rows of the template's ``kind``, keyed by ``label`` (the
        template's id) and ``period``."""
        at, where = self._rows(table, kind)
        frame: pd.DataFrame = getattr(self.result, table).iloc[at].reset_index(drop=True)
        frame.insert(0, "period", where["period"].to_numpy())
        frame.insert(0, label, getattr(self.template, table).index.to_numpy(object)[
            where["item"].to_numpy()])
        return frame

    @cached_property
    def processes(self) -> pd.DataFrame:
        """Per process and period: the result's ``processes`` columns."""
        return self._by_period("processes", "process", "process")

    @cached_property
    def goods(self) -> pd.DataFrame:
        """Per good and period: the result's ``goods`` columns."""
        return self._by_period("goods", "good", "good")

    @cached_property
    def stocks(self) -> pd.DataFrame:
        """``process, good, period, stock, investment, shadow_value`` per stock and
        period planned."""
        m = self.map
        stocks = m.stocks
        ns, periods = len(stocks), self.periods
        first = int(periods[0]) if len(periods) else 1
        levels = self.result.levels.to_numpy(float)
        hold, hold_at = self._rows("processes", "hold")
        stock = np.zeros((len(periods), ns))
        stock[hold_at["period"].to_numpy() - first, hold_at["item"].to_numpy()] = levels[hold]
        inv, inv_at = self._rows("processes", "invest")
        investment = np.zeros((len(periods), ns))
        investment[inv_at["period"].to_numpy() - first, inv_at["item"].to_numpy()] = \
            levels[inv]
        rows, row_at = self._rows("goods", "stock")
        keep = row_at["period"].to_numpy() <= self.horizon
        value = np.zeros((len(periods), ns))
        prices = self.result.shadow_prices.to_numpy(float)
        value[row_at["period"].to_numpy()[keep] - first, row_at["item"].to_numpy()[keep]] = \
            prices[rows[keep]]
        return pd.DataFrame({
            "process": np.tile(stocks["process"].to_numpy(object), len(periods)),
            "good": np.tile(stocks["good"].to_numpy(object), len(periods)),
            "period": np.repeat(periods, ns),
            "stock": stock.ravel(), "investment": investment.ravel(),
            "shadow_value": value.ravel()})

    @cached_property
    def rentals(self) -> pd.DataFrame:
        """Per stock and period, what one more unit of it earns in that period alone
        (the price of its capacity row): ``process, good, period, rental, binding``."""
        stocks = self.map.stocks
        rows, row_at = self._rows("goods", "capacity")
        prices = self.result.shadow_prices.to_numpy(float)
        surplus = self.result.goods["surplus"].to_numpy(float)
        items = row_at["item"].to_numpy()
        return pd.DataFrame({
            "process": stocks["process"].to_numpy(object)[items],
            "good": stocks["good"].to_numpy(object)[items],
            "period": row_at["period"].to_numpy(), "rental": prices[rows],
            "binding": np.abs(surplus[rows]) <= 1e-9 * (1 + np.abs(
                stocks["per_level"].to_numpy(float)[items]))})

    @cached_property
    def inventories(self) -> pd.DataFrame:
        """``good, period, carried, arriving, loss``: what is carried out of each period
        into the next, and what arrives from the one before, per storable good."""
        loss = self.map.timeline.loss
        periods = self.periods
        n = len(loss)
        goods = self.template.goods.index
        first = int(periods[0]) if len(periods) else 1
        levels = self.result.levels.to_numpy(float)
        car, car_at = self._rows("processes", "carry")
        stored = goods.get_indexer(loss.index)
        slot = pd.Series(np.arange(n), index=stored)
        carried = np.zeros((len(periods), n))
        items = slot.reindex(car_at["item"].to_numpy()).to_numpy(np.int64)
        when = car_at["period"].to_numpy()
        planned = when >= first
        carried[when[planned] - first, items[planned]] = levels[car[planned]]
        rate = loss.to_numpy(float)
        arriving = np.zeros_like(carried)
        arriving[1:] = carried[:-1] * (1.0 - rate)
        if len(periods):        # a re-plan: what arrives from the period before it
            arriving[0, items[~planned]] = levels[car[~planned]]
        return pd.DataFrame({"good": np.tile(loss.index.to_numpy(object), len(periods)),
                             "period": np.repeat(periods, n), "carried": carried.ravel(),
                             "arriving": arriving.ravel(),
                             "loss": np.tile(rate, len(periods))})

    @cached_property
    def sets(self) -> pd.DataFrame | None:
        """For ``maximize_sets``: ``period, sets``, the complete sets of each period."""
        if self.template.objective.sense != "maximize_sets":
            return None
        at, where = self._rows("processes", "sets")
        return pd.DataFrame({"period": where["period"].to_numpy(),
                             "sets": self.result.levels.to_numpy(float)[at]})

    @cached_property
    def policies(self) -> pd.DataFrame | None:
        """Per rule and period: the result's ``policies`` columns."""
        if not self.result.plan.policies:
            return None
        frame = self.result.policy_prices.reset_index(drop=True)
        pm = self.map.policies
        frame.insert(0, "period", pm["period"].to_numpy())
        frame.insert(0, "policy", np.asarray([p.id for p in self.template.policies],
                                             dtype=object)[pm["item"].to_numpy()])
        return frame

    def prices(self) -> pd.DataFrame:
        """Each good's shadow price (rows) in each period (columns)."""
        goods = self.goods
        return goods.pivot(index="good", columns="period", values="shadow_price").reindex(
            self.template.goods.index)

    def worth(self) -> pd.DataFrame:
        """What one more unit of each good (rows) made in each period (columns) is worth
        to the plan: its shadow price plus what the objective counts it as (its weight,
        discounted, or the price of its place in that period's sets). The shadow price
        alone leaves that out, as for every plan (supply is not output)."""
        prices = self.result.shadow_prices.to_numpy(float)
        goods = self.template.goods.index
        periods = self.periods
        first = int(periods[0]) if len(periods) else 1
        at, where = self._rows("goods", "good")
        worth = np.zeros((len(goods), len(periods)))
        worth[where["item"].to_numpy(), where["period"].to_numpy() - first] = prices[at]
        basket, b_at = self._rows("goods", "basket")
        np.add.at(worth, (b_at["item"].to_numpy(), b_at["period"].to_numpy() - first),
                  prices[basket])
        if self.template.objective.sense != "maximize_sets":
            timeline = self.map.timeline
            weights = timeline.weights[periods - 1] * timeline.factor(periods)[:, None]
            w_at = goods.get_indexer(self.template.objective.weights.index)
            worth[w_at] += weights.T
        return pd.DataFrame(worth + 0.0, index=goods, columns=pd.Index(periods,
                                                                        name="period"))

    def levels(self) -> pd.DataFrame:
        """Each process's level (rows) in each period (columns)."""
        procs = self.processes
        return procs.pivot(index="process", columns="period", values="level").reindex(
            self.template.processes.index)

    # -- the plan's rate of return ----------------------------------------------------------
    def numeraire(self, good: str | None = None) -> str | None:
        """The good returns are measured in: ``good`` when given (a `PlanError` for one
        the plan does not have), else the plan's first primary resource."""
        if good is None:
            return self.map.timeline.numeraire
        return check_numeraire(self.result.plan, good)

    def investment_return(self, numeraire: str | None = None) -> list[float | None]:
        """For each period but the last, ``price(numeraire, t) / price(numeraire, t+1)
        - 1``: None where the later price is 0, or when the plan has no numeraire."""
        good = self.numeraire(numeraire)
        periods = self.periods
        if good is None:
            return [None] * max(len(periods) - 1, 0)
        goods = self.goods
        price = goods.loc[goods["good"] == good, "shadow_price"].to_numpy(float)
        price = clean(price) if len(price) else price
        out: list[float | None] = []
        for now, later in zip(price[:-1], price[1:]):
            out.append(None if later == 0 else float(now / later - 1.0))
        return out

    # -- the output directory -------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``solve -o DIR`` writes for a plan over time (see the module
        docstring); ``flows`` and ``by_unit`` keep the plan's goods and processes, by
        period."""
        out = {"processes": self.processes, "goods": self.goods, "stocks": self.stocks,
               "inventories": self.inventories}
        if self.sets is not None:
            out["sets"] = self.sets
        if self.policies is not None:
            out["policies"] = self.policies
        return out


def timed_tables(result: PlanResult, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` (as `PlanResult.tables` and `Analyses.tables` give them) with the
    plan-over-time tables in place of the expanded plan's, and every other table's ids
    of goods, processes and rules read back into (id, ``period``). A table that already
    has a ``period`` column is left as it is."""
    found = over_time(result)
    if found is None or not result.status.has_solution:
        return tables
    out = dict(tables)
    for name, frame in found.tables().items():
        if name in out or name in ("stocks", "inventories", "sets"):
            out[name] = frame
    for name, frame in list(out.items()):
        if "period" not in frame.columns:
            out[name] = _with_periods(frame, result.plan, found.map)
    return out


def _with_periods(frame: pd.DataFrame, plan: Plan, mapping: HorizonMap) -> pd.DataFrame:
    """Columns of expanded ids (``process``, ``good``, ``policy``, ``id``) read back into
    the plan's ids, with a ``period`` column after the first; ids of the expansion's own
    rows (a stock's balance, an investment) are kept as they are."""
    tpl = mapping.template
    columns = [c for c in ("policy", "process", "good", "id") if c in frame.columns]
    if not columns:
        return frame
    frame = frame.copy()
    period = np.full(len(frame), -1, dtype=np.int64)
    for col in columns:
        kinds = ["policy"] if col == "policy" else ["process"] if col == "process" else \
            ["good"] if col == "good" else None
        ids = frame[col].astype(object).to_numpy()
        kind_col = frame["kind"].astype(object).to_numpy() if col == "id" and \
            "kind" in frame.columns else None
        mapped = ids.copy()
        for kind in (kinds or ["good", "policy", "process"]):
            if kind == "policy":
                index = pd.Index([p.id for p in plan.policies], dtype=object)
                items = mapping.policies["item"].to_numpy()
                when = mapping.policies["period"].to_numpy()
                own = np.ones(len(items), dtype=bool)
                names = np.asarray([p.id for p in tpl.policies], dtype=object)
            else:
                table = "goods" if kind == "good" else "processes"
                index = getattr(plan, table).index
                m = getattr(mapping, table)
                items = m["item"].to_numpy()
                when = m["period"].to_numpy()
                own = (m["kind"] == kind).to_numpy()
                names = getattr(tpl, table).index.to_numpy(object)
            at = index.get_indexer(pd.Index(ids, dtype=object))
            hit = at >= 0
            if kind_col is not None:
                hit &= kind_col == kind
            period[hit] = when[at[hit]]
            ours = hit.copy()
            ours[hit] = own[at[hit]]
            mapped[ours] = names[np.maximum(items[at[ours]], 0)]
        frame[col] = mapped
    position = list(frame.columns).index(columns[0]) + 1
    frame.insert(position, "period", pd.Series(pd.arrays.IntegerArray(period, period < 0),
                                               index=frame.index))
    return frame


def held_in_force(plan: Plan, levels: pd.Series) -> pd.Series:
    """A baseline's levels (``levels``, by the expanded plan's processes) with each
    stock held as it stands when nothing is invested: its initial amount and what
    arrives, worn down by its depreciation from period to period. A baseline names the
    plan's own processes; left at 0, every stock would be empty, and every process that
    holds one would break its capacity. Not investing and carrying nothing are 0."""
    mapping = horizon_of(plan)
    if mapping is None:
        return levels
    holds = mapping.positions("processes", "hold")
    stock_rows = mapping.positions("goods", "stock")
    if not holds.size or not stock_rows.size:
        return levels
    rows = mapping.goods.iloc[stock_rows]
    stocks = mapping.stocks
    last = int(rows["period"].max())
    inflow = np.zeros((last + 1, len(stocks)))
    inflow[rows["period"].to_numpy(), rows["item"].to_numpy()] = \
        plan.goods["supply"].to_numpy(float)[stock_rows]
    keep = 1.0 - stocks["depreciation"].to_numpy(float)
    held = np.zeros_like(inflow)
    for t in range(1, last + 1):            # a few periods: vectorised over the stocks
        held[t] = keep * held[t - 1] + inflow[t]
    at = mapping.processes.iloc[holds]
    out = levels.copy()
    out.iloc[holds] = held[at["period"].to_numpy(), at["item"].to_numpy()]
    return out


def span(plan: Plan) -> str:
    """What an objective-valued number of ``plan`` is counted over, said after its
    unit: "a year" for a plan of one period; "over 3 years" for a plan over time of
    two periods or more, whose objective, gains and costs are the whole horizon's."""
    mapping = horizon_of(plan)
    if mapping is None or mapping.horizon < 2:
        return a(plan.period)
    return f"over {mapping.horizon} {plan.period}s"
