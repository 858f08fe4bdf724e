"""Reading a plan over time: ``horizon: T``, per-period amounts, stocks, inventories.

A plan file with ``horizon: T`` is read in two parts. Everything a one-period plan says
(goods, units, processes, flows, rules, the objective's goods) is read by the ordinary
loader, as a *template*, with each per-period amount replaced by a placeholder; what
changes with the period or links periods (lists of T numbers, tables with a ``period``
column, ``stocks``, ``storable``, ``terminal``, ``objective.discount``) is read here into a
`Timeline`, each problem located where it is written (file, line, key path, hint). The
timeline is then expanded into one ordinary plan (`kantorovich.model.expansion`).

The format (names are a contract):

- ``horizon: T`` (an integer >= 1): periods 1..T of the plan's ``period``;
- any ``supply``, ``demand``, ``capacity``, ``min_level`` amount, a baseline level, and
  the weights of ``maximize``/``minimize`` and counts of ``maximize_sets`` may be one
  number (every period) or a list of T numbers; a table may add a ``period`` column;
- ``processes.P.stocks: {G: {per_level, depreciation, initial, lag}}`` (or a top-level
  ``stocks: stocks.csv`` with columns ``process, good, per_level, depreciation,
  initial`` and optionally ``lag``, default 1): fixed capital held by the process;
- ``goods.G.storable: {loss: 0.02}``: the good may be carried to the next period;
- ``objective.discount`` (default 0) and ``terminal: {stocks: initial}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from kantorovich.errors import PlanError, Problem
from kantorovich.model.checks import did_you_mean
from kantorovich.model.regions import place_id
from kantorovich.model.schema import LARGEST, SENSES
from kantorovich.model.tabular import (Table, check_table, frame_table, is_table_path,
                                       read_table_file, shown)
from kantorovich.model.timeline import STOCK_COLUMNS, Timeline

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["MAX_HORIZON", "PlanOverTime", "over_time", "plan_over_time", "read_timeline"]

MAX_HORIZON = 10_000
"""The most periods a plan may have: each is a copy of the whole plan."""

_LISTED = 20
_HORIZON_HINT = "add 'horizon: T' (the number of periods) at the top of the plan"

Locator = Callable[[tuple[Any, ...]], int | None]


def over_time(data: Mapping[str, Any]) -> bool:
    """Whether a plan mapping says anything about time (a horizon, stocks, inventories,
    a discount or a terminal condition): such a plan is read here."""
    if not isinstance(data, Mapping):
        return False
    if any(key in data for key in ("horizon", "terminal", "stocks")):
        return True
    objective = data.get("objective")
    if isinstance(objective, Mapping) and "discount" in objective:
        return True
    return bool(_inline("goods", "storable", data) or _inline("processes", "stocks", data))


def _inline(section: str, key: str, data: Mapping[str, Any]) -> list[str]:
    """Ids under ``section`` whose mapping has ``key``."""
    given = data.get(section)
    if not isinstance(given, Mapping):
        return []
    return [str(k) for k, v in given.items() if isinstance(v, Mapping) and key in v]


class _Reader:
    """Problems located in the plan file, and the number of periods."""

    def __init__(self, file: str | None, locate: Locator, horizon: int = 1) -> None:
        self.file = file
        self.locate = locate
        self.horizon = horizon
        self.problems: list[Problem] = []

    def problem(self, message: str, path: tuple[Any, ...], hint: str | None = None) -> None:
        self.problems.append(Problem(message, ".".join(map(str, path)), self.file,
                                     self.locate(path), hint))

    def number(self, value: object, path: tuple[Any, ...], what: str, *, low: float | None,
               low_open: bool = False, high: float | None = None, high_open: bool = False,
               infinite: bool = False) -> float | None:
        """One number checked: a real number (never a boolean), finite unless
        ``infinite``, within ``[low, high]`` (open ends as asked)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(f"{what} must be a number, got {shown(value)}", path,
                         "write a plain number such as 12.5")
            return None
        x = float(value)
        if math.isnan(x):
            self.problem(f"{what}: NaN is not a number a plan can use", path,
                         "write a plain number such as 12.5")
            return None
        if math.isinf(x) and not (infinite and x > 0):
            self.problem(f"{what} must be finite, got {shown(value)}", path,
                         f"numbers here are finite and below {LARGEST:g}")
            return None
        if not math.isinf(x) and abs(x) >= LARGEST:
            self.problem(f"{what} is too large ({shown(value)})", path,
                         f"numbers here must be below {LARGEST:g}; rescale the unit")
            return None
        below = low is not None and (x <= low if low_open else x < low)
        above = high is not None and (x >= high if high_open else x > high)
        if below or above:
            bounds = _bounds(low, low_open, high, high_open)
            self.problem(f"{what} must be {bounds} (got {shown(value)})", path,
                         _RANGE_HINTS.get(what.split()[0], None) or (
                             "amounts, capacities and counts here cannot be negative"
                             if low == 0 else None))
            return None
        return x

    def per_period(self, value: list[Any], path: tuple[Any, ...], what: str,
                   **limits: Any) -> np.ndarray | None:
        """A list of one number per period, each checked as `number`; None (with a
        problem) when its length is not the horizon or a number is wrong."""
        if len(value) != self.horizon:
            self.problem(f"{what} has {len(value)} number{'s' if len(value) != 1 else ''}"
                         f", but the plan has "
                         f"{self.horizon} period{'s' if self.horizon != 1 else ''}", path,
                         f"give one number for every period, or a list of "
                         f"{self.horizon} (one per period, in order)")
            return None
        found = [self.number(v, (*path, i), f"{what} in period {i + 1}", **limits)
                 for i, v in enumerate(value)]
        if any(x is None for x in found):
            return None
        return np.asarray(found, dtype=float)


_RANGE_HINTS = {
    "depreciation": "depreciation is the share of a stock lost each period, from 0 to 1",
    "loss": "loss is the share of a stored good lost each period: at least 0, below 1",
    "per_level": "per_level is the stock each unit of the process's level needs",
    "discount": "the objective weighs period t by (1 + discount)^-(t-1)",
}


def _bounds(low: float | None, low_open: bool, high: float | None, high_open: bool) -> str:
    if high is None:
        return f"{'above' if low_open else 'at least'} {low:g}"
    if low is None:
        return f"{'below' if high_open else 'at most'} {high:g}"
    return (f"{'above' if low_open else 'at least'} {low:g} and "
            f"{'below' if high_open else 'at most'} {high:g}")


# what each per-period amount may be: limits for `_Reader.number`
_AMOUNT: dict[str, Any] = {"low": 0.0, "infinite": True}
_FINITE_AMOUNT: dict[str, Any] = {"low": 0.0}
_SIGNED: dict[str, Any] = {"low": None}
_LIMITS: dict[str, dict[str, Any]] = {"supply": _AMOUNT, "demand": _SIGNED, "capacity": _AMOUNT,
           "min_level": _FINITE_AMOUNT, "maximize": _SIGNED, "minimize": _SIGNED,
           "maximize_sets": _FINITE_AMOUNT, "levels": _FINITE_AMOUNT}


class _Overrides:
    """Per-period amounts taken out of the template, by what they set: ``(key, id) ->
    array of T``, with the path each was written at."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], np.ndarray] = {}
        self.paths: dict[tuple[str, str], tuple[Any, ...]] = {}

    def set(self, key: str, ident: str, values: np.ndarray | None,
            path: tuple[Any, ...]) -> None:
        if values is not None:
            self.values[(key, ident)] = values
            self.paths[(key, ident)] = path

    def of(self, key: str) -> list[tuple[str, np.ndarray, tuple[Any, ...]]]:
        return [(i, v, self.paths[(k, i)]) for (k, i), v in self.values.items() if k == key]


def _horizon(data: Mapping[str, Any], reader: _Reader) -> int | None:
    """The horizon, checked; None (with a problem) when it is missing or wrong."""
    if "horizon" not in data:
        for key in ("terminal", "stocks"):
            if key in data:
                reader.problem(f"'{key}' belongs to a plan over time, which needs a "
                               "horizon", (key,), _HORIZON_HINT)
        objective = data.get("objective")
        if isinstance(objective, Mapping) and "discount" in objective:
            reader.problem("'discount' belongs to a plan over time, which needs a horizon",
                           ("objective", "discount"), _HORIZON_HINT)
        for gid in _inline("goods", "storable", data):
            reader.problem("'storable' belongs to a plan over time, which needs a horizon",
                           ("goods", gid, "storable"), _HORIZON_HINT)
        for pid in _inline("processes", "stocks", data):
            reader.problem("'stocks' belongs to a plan over time, which needs a horizon",
                           ("processes", pid, "stocks"), _HORIZON_HINT)
        return None
    value = data["horizon"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()):
        reader.problem(f"horizon must be a whole number of periods, got {shown(value)}",
                       ("horizon",), "e.g. horizon: 5 plans periods 1 to 5")
        return None
    if not 1 <= value <= MAX_HORIZON:
        reader.problem(f"horizon must be from 1 to {MAX_HORIZON:,} periods, got "
                       f"{shown(value)}", ("horizon",), "e.g. horizon: 5 plans periods 1 to 5")
        return None
    return int(value)


def _lists_out(data: dict[str, Any], reader: _Reader, overrides: _Overrides) -> None:
    """Take every per-period list out of ``data`` (which becomes the template), checked,
    into ``overrides``; the template keeps a placeholder number where one is needed."""
    for key in ("supply", "demand"):
        given = data.get(key)
        if not isinstance(given, Mapping):
            continue
        kept: dict[str, Any] = {}
        for good, value in given.items():
            if isinstance(value, list):
                overrides.set(key, str(good), reader.per_period(
                    value, (key, good), key, **_LIMITS[key]), (key, good))
            elif isinstance(value, Mapping):
                places = {}
                for place, amount in value.items():
                    if isinstance(amount, list):
                        overrides.set(key, place_id(str(good), str(place)), reader.per_period(
                            amount, (key, good, place), key, **_LIMITS[key]),
                            (key, good, place))
                    else:
                        places[place] = amount
                if places or not value:
                    kept[good] = places
            else:
                kept[good] = value
        data[key] = kept
    processes = data.get("processes")
    if isinstance(processes, Mapping):
        data["processes"] = {pid: _process_out(pid, spec, reader, overrides)
                             for pid, spec in processes.items()}
    objective = data.get("objective")
    if isinstance(objective, Mapping):
        objective = dict(objective)
        for sense in SENSES:
            weights = objective.get(sense)
            if not isinstance(weights, Mapping):
                continue
            kept = {}
            for good, value in weights.items():
                if not isinstance(value, list):
                    kept[good] = value
                    continue
                path = ("objective", sense, good)
                found = reader.per_period(value, path, "count" if sense == "maximize_sets"
                                          else "weight", **_LIMITS[sense])
                overrides.set(sense, str(good), found, path)
                if sense == "maximize_sets" and found is not None and not (found > 0).any():
                    reader.problem("a good counted 0 in every period is in no set", path,
                                   "leave it out of maximize_sets")
                kept[good] = (float(found.max()) if sense == "maximize_sets"
                              and found is not None and found.max() > 0 else 1.0)
            objective[sense] = kept
        data["objective"] = objective
    baseline = data.get("baseline")
    if isinstance(baseline, Mapping) and isinstance(baseline.get("levels"), Mapping):
        levels = {}
        for pid, value in baseline["levels"].items():
            if isinstance(value, list):
                written = ("baseline", "levels", pid)
                found = reader.per_period(value, written, "level", **_LIMITS["levels"])
                overrides.set("levels", str(pid), found, written)
                levels[pid] = 0.0
            else:
                levels[pid] = value
        data["baseline"] = {**baseline, "levels": levels}


def _process_out(pid: str, spec: object, reader: _Reader, overrides: _Overrides) -> object:
    if not isinstance(spec, Mapping):
        return spec
    spec = dict(spec)
    spec.pop("stocks", None)        # read by `_inline_stocks`
    for key in ("capacity", "min_level"):
        if isinstance(spec.get(key), list):
            path = ("processes", pid, key)
            overrides.set(key, str(pid), reader.per_period(spec.pop(key), path, key,
                                                           **_LIMITS[key]), path)
    return spec


# -- tables with a period column -----------------------------------------------------------
def _columns(given: object, base: Path | None) -> list[str]:
    """The column names of a table (its header only), or [] when it cannot be read (the
    ordinary loader then says why)."""
    if isinstance(given, pd.DataFrame):
        return [str(c).strip() for c in given.columns]
    if isinstance(given, pd.Series) or not isinstance(given, str) or not is_table_path(given):
        return []
    path = (base / given) if base is not None else Path(given)
    try:
        if given.lower().endswith(".parquet"):
            return [str(c).strip() for c in pq.read_schema(path).names]
        with open(path, encoding="utf-8", newline="") as handle:
            header = handle.readline()
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    sep = "\t" if given.lower().endswith(".tsv") else ","
    return [c.strip().strip('"') for c in header.rstrip("\r\n").split(sep)]


def _raw(given: object, key: str, base: Path | None, problems: list[Problem],
         read: list[str]) -> Table | None:
    if isinstance(given, str):
        read.append(str(base / given if base is not None else Path(given)))
        return read_table_file(base, given, key, problems)
    return frame_table(given, key, problems, id_column=None)


def _first_rows(table: Table, id_col: str, drop: tuple[str, ...],
                fill: dict[str, str] | None = None) -> Table:
    """Each id's first row, without the per-period columns: the template's table, its
    rows still located at their lines in the file."""
    frame = table.frame.copy(deep=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    ids = frame[id_col].astype(str).str.strip() if id_col in frame else None
    first = np.flatnonzero(~ids.duplicated().to_numpy()) if ids is not None else \
        np.arange(len(frame))
    kept = frame.iloc[first].drop(columns=[c for c in drop if c in frame.columns])
    for col, text in (fill or {}).items():
        kept[col] = text if table.text else 1.0
    return Table(kept.reset_index(drop=True), table.key, table.file, table.typed,
                 first if table.rows is None else table.rows[first])


class _PeriodTable:
    """A table with a ``period`` column, read whole; its values are placed once the
    template's ids are known."""

    def __init__(self, key: str, table: Table, id_col: str, values: tuple[str, ...],
                 signed: tuple[str, ...] = ()) -> None:
        self.key, self.table, self.id_col = key, table, id_col
        self.values, self.signed = values, signed

    def arrays(self, ids: pd.Index, reader: _Reader, defaults: dict[str, np.ndarray]
               ) -> dict[str, np.ndarray]:
        """Each value column as a ``(T, len(ids))`` array, starting from ``defaults``
        (where the table gives no row for an id and period); every problem at its row."""
        problems = reader.problems
        present = tuple(c for c in self.values if c in [str(x).strip() for x in
                                                       self.table.frame.columns])
        checked = check_table(self.table, problems, (self.id_col, "period"),
                              ("period", *present), signed=self.signed,
                              text=("name", "unit", "region", "level_unit"))
        out = {c: defaults[c].copy() for c in self.values}
        if checked is None:
            return out
        frame = checked.frame
        period = frame["period"].to_numpy(float)
        with np.errstate(invalid="ignore"):
            bad = ~((period >= 1) & (period <= reader.horizon) & (period == np.floor(period)))
        bad &= ~np.isnan(period)
        for i in np.flatnonzero(bad)[:_LISTED]:
            problems.append(checked.problem(
                f"period {period[i]:g} is not one of the plan's periods "
                f"1 to {reader.horizon}", int(i), "period",
                "periods are whole numbers from 1 to the horizon"))
        # a period written but not a number is said already (`check_table`)
        given = self.table.frame.iloc[:, [str(c).strip() for c in
                                          self.table.frame.columns].index("period")]
        blank = (given.isna() | (given.astype("string").str.strip() == "")).to_numpy(bool)
        for i in np.flatnonzero(np.isnan(period) & blank)[:_LISTED]:
            problems.append(checked.problem(
                "empty 'period'", int(i), "period",
                f"give the period of the row, from 1 to {reader.horizon}"))
        at = np.asarray(ids.get_indexer(pd.Index(frame[self.id_col].astype(object))))
        for i in np.flatnonzero(at < 0)[:_LISTED]:
            word = frame[self.id_col].iat[i]
            kind = "process" if self.id_col == "id" and self.key == "processes" else "good"
            problems.append(checked.problem(f"unknown {kind} '{word}'", int(i), self.id_col,
                                            did_you_mean(str(word), ids)))
        good = (at >= 0) & ~bad & ~np.isnan(period)
        t = np.where(good, period, 1).astype(np.int64) - 1
        pair = pd.Series(t * max(len(ids), 1) + at)
        twice = (pair.duplicated() & good).to_numpy()
        for i in np.flatnonzero(twice)[:_LISTED]:
            problems.append(checked.problem(
                f"{frame[self.id_col].iat[i]} in period {int(period[i])} is listed twice",
                int(i), "period", "give each id one row per period"))
        good &= ~twice
        for col in present:
            values = frame[col].to_numpy(float)
            has = good & ~np.isnan(values)
            out[col][t[has], at[has]] = values[has]
        return out


def _period_tables(data: dict[str, Any], tables: dict[str, Any], base: Path | None,
                   problems: list[Problem], read: list[str]) -> dict[str, _PeriodTable]:
    """Take the tables with a ``period`` column out of ``tables`` (and the objective's
    out of ``data``): the template gets each id's first row, or nothing where it needs
    none."""
    found: dict[str, _PeriodTable] = {}
    for key in ("supply", "demand"):
        if "period" in _columns(tables.get(key), base):
            raw = _raw(tables.pop(key), key, base, problems, read)
            if raw is not None:
                found[key] = _PeriodTable(key, raw, "good", ("amount",),
                                          signed=("amount",) if key == "demand" else ())
    if "period" in _columns(tables.get("goods"), base):
        raw = _raw(tables.pop("goods"), "goods", base, problems, read)
        if raw is not None:
            found["goods"] = _PeriodTable("goods", raw, "id", ("supply", "demand"),
                                          signed=("demand",))
            tables["goods"] = _first_rows(raw, "id", ("period", "supply", "demand"))
    if "period" in _columns(tables.get("processes"), base):
        raw = _raw(tables.pop("processes"), "processes", base, problems, read)
        if raw is not None:
            found["processes"] = _PeriodTable("processes", raw, "id",
                                              ("capacity", "min_level"))
            tables["processes"] = _first_rows(raw, "id", ("period", "capacity", "min_level"))
    objective = data.get("objective")
    if isinstance(objective, Mapping):
        objective = dict(objective)
        for sense in SENSES:
            if "period" in _columns(objective.get(sense), base):
                key = f"objective.{sense}"
                column = "count" if sense == "maximize_sets" else "weight"
                raw = _raw(objective[sense], key, base, problems, read)
                if raw is None:
                    objective.pop(sense)
                    continue
                found[sense] = _PeriodTable(key, raw, "good", (column,),
                                            signed=() if column == "count" else (column,))
                objective[sense] = _first_rows(raw, "good", ("period",), {column: "1"})
        data["objective"] = objective
    return found


# -- stocks and inventories ----------------------------------------------------------------
def _inline_stocks(data: Mapping[str, Any], reader: _Reader) -> list[dict[str, Any]]:
    """The stocks written under each process, checked, as rows of `STOCK_COLUMNS` (with
    the path each was written at)."""
    rows = []
    processes = data.get("processes")
    for pid, spec in (processes.items() if isinstance(processes, Mapping) else ()):
        if not isinstance(spec, Mapping) or "stocks" not in spec:
            continue
        stocks = spec["stocks"]
        if not isinstance(stocks, Mapping):
            reader.problem("stocks must map each good to {per_level, depreciation, initial}",
                           ("processes", pid, "stocks"),
                           "e.g. stocks: {iron: {per_level: 0.7, depreciation: 0.07, "
                           "initial: 7}}")
            continue
        for good, stock in stocks.items():
            path = ("processes", pid, "stocks", good)
            if not isinstance(stock, Mapping):
                reader.problem(f"the stock of '{good}' must be a mapping with per_level, "
                               "depreciation and initial", path,
                               "e.g. {per_level: 0.7, depreciation: 0.07, initial: 7}")
                continue
            row = _stock_row(stock, path, reader)
            if row is not None:
                rows.append({"process": str(pid), "good": str(good), **row, "path": path})
    return rows


def _stock_row(stock: Mapping[str, Any], path: tuple[Any, ...], reader: _Reader
               ) -> dict[str, Any] | None:
    known = ("per_level", "depreciation", "initial", "lag")
    for key in stock:
        if key not in known:
            reader.problem(f"unknown field '{key}'", (*path, key),
                           did_you_mean(str(key), known) or f"allowed: {', '.join(known)}")
    for key in ("per_level", "depreciation", "initial"):
        if key not in stock:
            reader.problem(f"'{key}' is required", path,
                           "a stock gives per_level, depreciation and initial")
    if any(key not in stock or key not in known for key in list(stock) + [
            "per_level", "depreciation", "initial"]):
        return None
    per_level = reader.number(stock["per_level"], (*path, "per_level"), "per_level",
                              low=0.0, low_open=True)
    depreciation = reader.number(stock["depreciation"], (*path, "depreciation"),
                                 "depreciation", low=0.0, high=1.0)
    initial = reader.number(stock["initial"], (*path, "initial"), "initial", low=0.0)
    lag = _lag(stock.get("lag", 1), (*path, "lag"), reader)
    if None in (per_level, depreciation, initial, lag):
        return None
    return {"per_level": per_level, "depreciation": depreciation, "initial": initial,
            "lag": lag}


def _lag(value: object, path: tuple[Any, ...], reader: _Reader) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()) or value < 0:
        reader.problem(f"lag must be a whole number of periods (0 or more), got "
                       f"{shown(value)}", path,
                       "lag is how many periods an investment takes to join the stock")
        return None
    if value > reader.horizon:
        reader.problem(f"lag {int(value)} is beyond the horizon ({reader.horizon} "
                       f"period{'s' if reader.horizon != 1 else ''})", path,
                       f"an investment must be able to join the stock within the plan: "
                       f"lag at most {reader.horizon}")
        return None
    return int(value)


def _table_stocks(table: Table, reader: _Reader) -> list[dict[str, Any]]:
    """The rows of a stocks table, checked (each problem at its line)."""
    problems = reader.problems
    checked = check_table(table, problems, ("process", "good", "per_level", "depreciation",
                                            "initial"),
                          ("per_level", "depreciation", "initial", "lag"), signed=(),
                          finite=("per_level", "initial"), text=(), filled=(
                              "per_level", "depreciation", "initial"))
    if checked is None:
        return []
    frame = checked.frame
    ok = np.ones(len(frame), dtype=bool)
    per_level = frame["per_level"].to_numpy(float)
    dep = frame["depreciation"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        for i in np.flatnonzero(per_level == 0)[:_LISTED]:
            problems.append(checked.problem("per_level must be above 0 (got 0)", int(i),
                                            "per_level", _RANGE_HINTS["per_level"]))
        for i in np.flatnonzero(dep > 1)[:_LISTED]:
            problems.append(checked.problem(
                f"depreciation must be at least 0 and at most 1 (got {dep[i]:g})", int(i),
                "depreciation", _RANGE_HINTS["depreciation"]))
        ok &= (per_level > 0) & (dep >= 0) & (dep <= 1)
        ok &= frame["initial"].to_numpy(float) >= 0
    lag = frame["lag"].to_numpy(float) if "lag" in frame else np.ones(len(frame))
    lag = np.where(np.isnan(lag), 1.0, lag)
    wrong = (lag < 0) | (lag != np.floor(lag))
    for i in np.flatnonzero(wrong)[:_LISTED]:
        problems.append(checked.problem(f"lag must be a whole number of periods (0 or more), "
                                        f"got {lag[i]:g}", int(i), "lag",
                                        "write lag as a whole number: 0, 1, 2, ..."))
    beyond = ~wrong & (lag > reader.horizon)
    for i in np.flatnonzero(beyond)[:_LISTED]:
        problems.append(checked.problem(
            f"lag {int(lag[i])} is beyond the horizon ({reader.horizon} periods)", int(i),
            "lag", f"lag at most {reader.horizon}"))
    ok &= ~wrong & ~beyond
    rows = pd.DataFrame({"process": frame["process"].astype(object).to_numpy(),
                         "good": frame["good"].astype(object).to_numpy(),
                         "per_level": per_level, "depreciation": dep,
                         "initial": frame["initial"].to_numpy(float),
                         "lag": lag.astype(np.int64), "row": np.arange(len(frame))})
    return [{**{str(k): v for k, v in r.items()}, "table": checked}
            for r in rows[ok].to_dict(orient="records")]


def _stocks_frame(rows: list[dict[str, Any]], template: Plan, reader: _Reader
                  ) -> pd.DataFrame:
    """The stocks as a table of `STOCK_COLUMNS`: unknown processes and goods, and a
    stock given twice, refused where written."""
    procs, goods = template.processes.index, template.goods.index
    seen: dict[tuple[str, str], bool] = {}
    kept = []
    for row in rows:
        where = _where(row, reader)
        if any(not isinstance(row[c], str) or not row[c].strip()
               for c in ("process", "good")):
            continue                 # an empty cell: its table's check says so
        if row["process"] not in procs:
            where(f"unknown process '{row['process']}'", "process",
                  did_you_mean(row["process"], procs) or "declare it under 'processes'")
            continue
        if row["good"] not in goods:
            where(f"a stock of unknown good '{row['good']}'", "good",
                  did_you_mean(row["good"], goods) or "declare it under 'goods'")
            continue
        key = (row["process"], row["good"])
        if key in seen:
            where(f"the stock of '{row['good']}' held by '{row['process']}' is given twice",
                  "good", "give each process's stock of a good once: under the process or "
                  "in the stocks table")
            continue
        seen[key] = True
        kept.append({c: row[c] for c in STOCK_COLUMNS})
    frame = pd.DataFrame(kept, columns=list(STOCK_COLUMNS))
    return frame.astype({"process": object, "good": object, "per_level": float,
                         "depreciation": float, "initial": float, "lag": np.int64})


def _where(row: dict[str, Any], reader: _Reader) -> Callable[[str, str, str | None], None]:
    """Where a stock was written: its path under a process, or its row in the table."""
    def report(message: str, column: str, hint: str | None) -> None:
        if "table" in row:
            reader.problems.append(row["table"].problem(message, int(row["row"]), column,
                                                        hint))
        else:
            reader.problem(message, row["path"], hint)
    return report


def _storable(data: Mapping[str, Any], reader: _Reader) -> dict[str, float]:
    """Each storable good's loss per period, by id (a regional good's at each place)."""
    found = {}
    for gid in _inline("goods", "storable", data):
        value = data["goods"][gid]["storable"]
        path = ("goods", gid, "storable")
        if value is True or value is False:
            if value:
                found[gid] = 0.0
            continue
        if not isinstance(value, Mapping):
            reader.problem("storable must be a mapping such as {loss: 0.02}", path,
                           "loss is the share lost each period (default 0)")
            continue
        for key in value:
            if key != "loss":
                reader.problem(f"unknown field '{key}'", (*path, key), "allowed: loss")
        loss = reader.number(value.get("loss", 0.0), (*path, "loss"), "loss", low=0.0,
                             high=1.0, high_open=True)
        if loss is None:
            continue
        regions = data["goods"][gid].get("regions")
        for ident in ([place_id(gid, str(r)) for r in regions]
                      if isinstance(regions, list) else [gid]):
            found[ident] = loss
    return found


def _terminal(value: object, reader: _Reader) -> bool:
    if value is None:
        return False
    if not (isinstance(value, Mapping) and set(value) == {"stocks"}
            and value["stocks"] == "initial"):
        reader.problem(f"terminal must be {{stocks: initial}}, got {shown(value)}",
                       ("terminal",), "terminal: {stocks: initial} keeps every stock at "
                       "least at its initial level at the end of the last period")
        return False
    return True


# -- the plan -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanOverTime:
    """A plan over time as the loader found it (`model.load.plan_fields`), to be read
    here once `model.plan` can make its template (the loader stays below `Plan`)."""

    data: Mapping[str, Any]
    tables: Mapping[str, Any]
    source: str | None = None
    locate: Locator | None = None
    problems: list[Problem] | None = None
    spelled: Mapping[tuple[Any, ...], str] | None = None

    def plan(self, build: Callable[..., Plan]) -> Plan:
        """The expanded plan, its template made by ``build`` (as `plan_over_time`)."""
        return plan_over_time(self.data, self.tables, source=self.source,
                              locate=self.locate, problems=self.problems,
                              spelled=self.spelled, build=build)


def plan_over_time(data: Mapping[str, Any], tables: Mapping[str, Any], *,
                   source: str | None = None, locate: Locator | None = None,
                   problems: list[Problem] | None = None,
                   spelled: Mapping[tuple[Any, ...], str] | None = None,
                   build: Callable[..., Plan]) -> Plan:
    """The ordinary plan a plan over time expands to (see `read_timeline`)."""
    from kantorovich.model.expansion import expand

    return expand(read_timeline(data, tables, source=source, locate=locate,
                                problems=problems, spelled=spelled, build=build))


def read_timeline(data: Mapping[str, Any], tables: Mapping[str, Any], *,
                  source: str | None = None, locate: Locator | None = None,
                  problems: list[Problem] | None = None,
                  spelled: Mapping[tuple[Any, ...], str] | None = None,
                  build: Callable[..., Plan]) -> Timeline:
    """Read a plan over time: its template (by ``build``, the ordinary loader) and its
    `Timeline`. Raises `PlanError` with every problem of both, each located."""
    locate = locate or (lambda loc: None)
    earlier = list(problems or [])
    reader = _Reader(source, locate)
    horizon = _horizon(data, reader)
    if horizon is None:
        raise PlanError(earlier + reader.problems)
    reader.horizon = horizon
    data = dict(data)
    tables = dict(tables)
    data.pop("horizon")
    terminal = _terminal(data.pop("terminal", None), reader)
    stocks_given = data.pop("stocks", None)
    if stocks_given is None and "stocks" in tables:
        stocks_given = tables.pop("stocks")
    objective = data.get("objective")
    discount = 0.0
    if isinstance(objective, Mapping) and "discount" in objective:
        objective = dict(objective)
        found = reader.number(objective.pop("discount"), ("objective", "discount"),
                              "discount", low=-1.0, low_open=True)
        discount = 0.0 if found is None else found
        data["objective"] = objective
    stock_rows = _inline_stocks(data, reader)
    storable = _storable(data, reader)
    if isinstance(data.get("goods"), Mapping):
        data["goods"] = {g: ({k: v for k, v in s.items() if k != "storable"}
                             if isinstance(s, Mapping) else s)
                         for g, s in data["goods"].items()}
    overrides = _Overrides()
    supply_order = _supply_order(data)
    _lists_out(data, reader, overrides)
    base = Path(source).parent if source else None
    read: list[str] = []
    period_tables = _period_tables(data, tables, base, reader.problems, read)
    if stocks_given is not None:
        if isinstance(stocks_given, (str, pd.DataFrame)) and (
                not isinstance(stocks_given, str) or is_table_path(stocks_given)):
            raw = _raw(stocks_given, "stocks", base, reader.problems, read)
            if raw is not None:
                stock_rows += _table_stocks(raw, reader)
        else:
            reader.problem("stocks must be a .csv or .parquet table with columns process, "
                           "good, per_level, depreciation, initial", ("stocks",),
                           "or give each process its stocks under processes.ID.stocks")
    try:
        template = build(data, tables, source=source, locate=locate, problems=earlier,
                         spelled=spelled)
    except PlanError as exc:
        raise PlanError(_unique(exc.problems + reader.problems)) from None
    timeline = _timeline(template, horizon, reader, overrides, period_tables, stock_rows,
                         storable, supply_order, discount, terminal)
    if reader.problems:
        raise PlanError(_unique(reader.problems))
    files = tuple(dict.fromkeys([*template.files, *read]))
    if files != template.files:
        from dataclasses import replace

        timeline = replace(timeline, template=replace(template, files=files))
    return timeline


def _unique(problems: list[Problem]) -> list[Problem]:
    """Problems in order, each once (a template row and its period table may both see
    the same bad cell)."""
    return list(dict.fromkeys(problems))


def _supply_order(data: Mapping[str, Any]) -> list[str]:
    """The goods ``supply`` names, in the order written (places by their ids)."""
    given = data.get("supply")
    order = []
    for good, value in (given.items() if isinstance(given, Mapping) else ()):
        if isinstance(value, Mapping):
            order += [place_id(str(good), str(place)) for place in value]
        else:
            order.append(str(good))
    return order


def _timeline(template: Plan, horizon: int, reader: _Reader, overrides: _Overrides,
              period_tables: dict[str, _PeriodTable], stock_rows: list[dict[str, Any]],
              storable: dict[str, float], supply_order: list[str], discount: float,
              terminal: bool) -> Timeline:
    """The template's numbers repeated over the periods, with every per-period amount
    put in place; each unknown id is a located problem."""
    goods, procs = template.goods, template.processes
    T = horizon

    def tiled(values: pd.Series) -> np.ndarray:
        return np.tile(values.to_numpy(float), (T, 1))

    supply, demand = tiled(goods["supply"]), tiled(goods["demand"])
    capacity, min_level = tiled(procs["capacity"]), tiled(procs["min_level"])
    objective = template.objective
    weights = tiled(objective.weights)
    baseline = tiled(template.baseline.reindex(procs.index).fillna(0.0)) \
        if template.baseline is not None else None

    def place(key: str, target: np.ndarray, index: pd.Index, kind: str) -> None:
        for ident, values, path in overrides.of(key):
            at = index.get_indexer(pd.Index([ident]))[0]
            if at < 0:
                reader.problem(f"unknown {kind} '{ident}'", path,
                               did_you_mean(ident, index) or f"declare it under '{kind}s'")
                continue
            target[:, at] = values

    place("supply", supply, goods.index, "good")
    place("demand", demand, goods.index, "good")
    place("capacity", capacity, procs.index, "process")
    place("min_level", min_level, procs.index, "process")
    place(objective.sense, weights, objective.weights.index, "good")
    if baseline is not None:
        place("levels", baseline, procs.index, "process")
    if "goods" in period_tables:
        found = period_tables["goods"].arrays(goods.index, reader,
                                              {"supply": supply, "demand": demand})
        supply, demand = found["supply"], found["demand"]
    for key, target in (("supply", supply), ("demand", demand)):
        if key in period_tables:
            zero = np.zeros_like(target)
            given = period_tables[key].arrays(goods.index, reader, {"amount": zero})
            listed = _listed(period_tables[key], goods.index)
            target[:, listed] = given["amount"][:, listed]
    if "processes" in period_tables:
        found = period_tables["processes"].arrays(
            procs.index, reader, {"capacity": np.full_like(capacity, np.inf),
                                  "min_level": np.zeros_like(min_level)})
        capacity, min_level = found["capacity"], found["min_level"]
    if objective.sense in period_tables:
        column = "count" if objective.sense == "maximize_sets" else "weight"
        weights = period_tables[objective.sense].arrays(
            objective.weights.index, reader, {column: np.zeros_like(weights)})[column]
    if objective.sense == "maximize_sets" and len(objective.weights):
        for t in np.flatnonzero(~(weights > 0).any(axis=1))[:20]:
            reader.problem(f"in period {t + 1} every good of maximize_sets is counted 0: "
                           "a set of that period would need nothing, so their number "
                           "has no limit", ("objective", "maximize_sets"),
                           f"count at least one good in period {t + 1}")
    for t, p in zip(*np.nonzero(min_level > capacity)):
        if len(reader.problems) > 200:
            break
        reader.problem(f"min_level is above capacity in period {t + 1}",
                       ("processes", procs.index[p]), "lower min_level or raise capacity")
    if np.isinf(min_level).any():
        reader.problem("min_level cannot be infinite", ("processes",))
    stocks = _stocks_frame(stock_rows, template, reader)
    loss = pd.Series({g: v for g, v in storable.items() if g in goods.index}, dtype=float)
    numeraire = _numeraire(template, supply, supply_order + [
        str(g) for g in _table_supply_order(period_tables, goods.index)])
    return Timeline(horizon=T, template=template, supply=supply, demand=demand,
                    capacity=capacity, min_level=min_level, weights=weights,
                    baseline=baseline, stocks=stocks, loss=loss, discount=discount,
                    terminal=terminal, numeraire=numeraire)


def _listed(table: _PeriodTable, ids: pd.Index) -> np.ndarray:
    """Positions of the ids a period table lists (an id it does not list keeps what the
    goods table says)."""
    named = table.table.frame[[c for c in table.table.frame.columns
                               if str(c).strip() == table.id_col][0]]
    at = ids.get_indexer(pd.Index(named.astype(str).str.strip().unique(), dtype=object))
    return at[at >= 0]


def _table_supply_order(period_tables: dict[str, _PeriodTable], ids: pd.Index) -> list[str]:
    if "supply" not in period_tables:
        return []
    return [str(ids[i]) for i in _listed(period_tables["supply"], ids)]


def _numeraire(template: Plan, supply: np.ndarray, order: list[str]) -> str | None:
    """The plan's first primary resource: the first good ``supply`` names that no
    process makes; then any good with a supply in some period that none makes."""
    goods = template.goods.index
    flows = template.flows
    made = set(pd.Index(flows["good"].astype(object)[flows["output"].to_numpy() > 0]))
    for good in order:
        if good in goods and good not in made:
            return good
    available = np.flatnonzero((supply > 0).any(axis=0))
    for i in available.tolist():
        if goods[i] not in made:
            return str(goods[i])
    return None
