"""What a plan over time says beyond one period, as arrays: `Timeline`.

A plan with ``horizon: T`` is read in two parts: a one-period *template* (an ordinary
`Plan`: goods, processes, flows, rules, the objective's sense) and the numbers that
change with the period or link one period to the next, held here by position in the
template's tables. `kantorovich.model.horizon` reads them from a plan file and expands
template and timeline into one ordinary plan (`expand`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["STOCK_COLUMNS", "Timeline"]

STOCK_COLUMNS = ("process", "good", "per_level", "depreciation", "initial", "lag")
"""A timeline's stocks table: one row per stock a process holds (ids as text)."""


@dataclass(frozen=True, eq=False)
class Timeline:
    """The numbers of a plan over time, by period and by position in ``template``.

    Arrays of amounts are ``(horizon, n)``: row ``t - 1`` holds period ``t``. A plan
    re-planned after period ``t`` keeps the same arrays with ``first = t + 1``, its
    stocks' ``initial`` the stocks realised then and ``arrivals`` what is still on its
    way into a stock (an investment with a lag of more than one period).

    Parameters
    ----------
    horizon : int
        The last period, T.
    template : Plan
        One period of the plan, with the ids the plan file uses.
    supply, demand : ndarray
        ``(T, goods)``.
    capacity, min_level : ndarray
        ``(T, processes)``.
    weights : ndarray
        ``(T, len(template.objective.weights))``: each period's weight (or count, for
        ``maximize_sets``) of each good of the objective.
    baseline : ndarray or None
        ``(T, processes)``: the plan in force, per period.
    stocks : DataFrame
        `STOCK_COLUMNS`: who holds what, per unit of level, its depreciation per
        period, its stock in the first period and the periods an investment takes to
        join it.
    loss : Series
        Loss per period of each storable good (by id); goods not listed are not stored.
    discount : float
        Each period's objective is weighted ``(1 + discount) ** -(t - 1)``.
    terminal : bool
        Every stock must end period T at least at its ``terminal_level``.
    numeraire : str or None
        The good the plan's rate of return is measured in.
    first : int
        The first period planned (1, or the one after a re-plan).
    arrivals : ndarray or None
        ``(T + 1, stocks)``: amounts joining each stock at the start of each period
        from investments made before ``first``.
    arriving : Series or None
        What arrives from store in period ``first`` (by good id), carried out of the
        period before it: an output of that period's carrying, as if planned.
    terminal_level : ndarray or None
        What each stock must end at when ``terminal``; by default its ``initial``.
    """

    horizon: int
    template: Plan
    supply: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    min_level: np.ndarray
    weights: np.ndarray
    baseline: np.ndarray | None
    stocks: pd.DataFrame
    loss: pd.Series
    discount: float = 0.0
    terminal: bool = False
    numeraire: str | None = None
    first: int = 1
    arrivals: np.ndarray | None = None
    terminal_level: np.ndarray | None = field(default=None)
    arriving: pd.Series | None = None

    @property
    def periods(self) -> np.ndarray:
        """The periods planned, ``first..T``."""
        return np.arange(self.first, self.horizon + 1)

    def factor(self, periods: np.ndarray) -> np.ndarray:
        """Each period's weight in the objective, ``(1 + discount) ** -(t - 1)``."""
        return (1.0 + self.discount) ** -(np.asarray(periods, dtype=float) - 1.0)

    def ending_level(self) -> np.ndarray:
        """What each stock must end period T at, when the plan has a terminal
        condition."""
        if self.terminal_level is not None:
            return self.terminal_level
        return self.stocks["initial"].to_numpy(float)

    def from_period(self, first: int, initial: np.ndarray, arriving: pd.Series,
                    arrivals: np.ndarray) -> Timeline:
        """The timeline of periods ``first..T`` starting from realised stocks
        (``initial``), with ``arriving`` from store in ``first`` and ``arrivals`` still
        to join the stocks."""
        stocks = self.stocks.assign(initial=np.asarray(initial, dtype=float))
        return replace(self, first=first, stocks=stocks, arriving=arriving,
                       arrivals=arrivals, terminal_level=self.ending_level())
