"""The JSON summary's sections for a plan over time, by id and period.

`kantorovich.report.summary` calls `over_time_sections` for a plan with ``horizon``: the
per-process and per-good sections then hold one number per period, in period order
(``"levels": {"make-coal": [4.0, 10.0]}``), and the summary gains ``horizon``,
``periods``, ``numeraire``, ``investment_return`` (T-1 numbers, ``null`` where the
numeraire's later price is 0), ``stocks`` (``{process: {good: {"stock": [...],
"investment": [...], "shadow_value": [...]}}}``), ``inventories`` (``{good: {"carried":
[...], "arriving": [...]}}``) and, for ``maximize_sets``, ``sets`` (one number per
period). A section of more than `INLINE_ROWS` (id, period) rows names its table, as
every large section of the summary does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kantorovich.report.inline import INLINE_ROWS, in_table
from kantorovich.results.horizon import OverTime
from kantorovich.serialise import clean, plain

__all__ = ["over_time_sections"]


def _per_period(ids: np.ndarray, values: np.ndarray, periods: int) -> dict[str, Any]:
    """``{id: [value per period]}`` of period-major ``values`` (noise judged against the
    whole section)."""
    matrix = clean(np.asarray(values, dtype=float)).reshape(periods, len(ids)).T
    return {str(i): plain(row.tolist()) for i, row in zip(ids, matrix)}


def over_time_sections(out: dict[str, Any], timed: OverTime,
                       numeraire: str | None = None) -> None:
    """Put the sections of a plan over time into ``out`` (see the module docstring)."""
    periods = timed.periods
    n_per = len(periods)
    out["periods"] = [int(t) for t in periods]
    good = timed.numeraire(numeraire)
    out["numeraire"] = good
    out["investment_return"] = plain(timed.investment_return(numeraire))
    procs, goods = timed.processes, timed.goods
    tpl = timed.template

    def section(key: str, frame: pd.DataFrame, ids: pd.Index, column: str,
                table: str) -> None:
        if len(frame) > INLINE_ROWS:
            out[key] = in_table(out, key, table, len(frame), column)
        else:
            out[key] = _per_period(ids.to_numpy(object), frame[column].to_numpy(float),
                                   n_per)

    section("levels", procs, tpl.processes.index, "level", "processes")
    section("reduced_costs", procs, tpl.processes.index, "reduced_cost", "processes")
    section("shadow_prices", goods, tpl.goods.index, "shadow_price", "goods")
    section("net_output", goods, tpl.goods.index, "net_output", "goods")
    units = tpl.goods["unit"]
    unit = timed.result.objective_unit
    out["price_units"] = ({str(g): (f"{unit} per {u}" if u else unit)
                           for g, u in units.items()} if len(units) <= INLINE_ROWS
                          else in_table(out, "price_units", "goods", len(goods),
                                         "price_unit"))
    policies = timed.policies
    if policies is not None:
        section("policy_prices", policies, pd.Index([p.id for p in tpl.policies]),
                "price", "policies")
    stocks = timed.stocks
    if len(stocks) > INLINE_ROWS:
        out["stocks"] = in_table(out, "stocks", "stocks", len(stocks))
    else:
        out["stocks"] = _stock_section(stocks, n_per)
    stored = timed.inventories
    if len(stored) > INLINE_ROWS:
        out["inventories"] = in_table(out, "inventories", "inventories", len(stored))
    else:
        ids = timed.map.timeline.loss.index.to_numpy(object)
        carried = _per_period(ids, stored["carried"].to_numpy(float), n_per)
        arriving = _per_period(ids, stored["arriving"].to_numpy(float), n_per)
        out["inventories"] = {g: {"carried": carried[g], "arriving": arriving[g]}
                              for g in carried}
    if timed.sets is not None:
        out["sets"] = plain(clean(timed.sets["sets"].to_numpy(float)).tolist())


def _stock_section(stocks: pd.DataFrame, periods: int) -> dict[str, Any]:
    n = len(stocks) // max(periods, 1)
    first = stocks.iloc[:n]
    columns = {c: clean(stocks[c].to_numpy(float)).reshape(periods, n).T
               for c in ("stock", "investment", "shadow_value")}
    out: dict[str, Any] = {}
    for k, (process, good) in enumerate(zip(first["process"], first["good"])):
        out.setdefault(str(process), {})[str(good)] = {
            c: plain(columns[c][k].tolist()) for c in columns}
    return out
