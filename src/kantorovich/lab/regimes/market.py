"""``market``: Nove's market socialism, by tatonnement.

Units maximise profit at prices; their workers share the profit (``profit_share``). Final
goods (those the objective values) sell at their objective weight, the consumers'
valuation; every other good's price moves with its excess demand, ``p <- p * exp(
adjustment * z / scale)``, ``z`` = what units want to use (and the demands) minus what
is supplied and made, ``scale`` the good's whole traffic at capacity (Walras's
tatonnement; Arrow, K. J. and Hurwicz, L. (1958) "On the stability of the competitive
equilibrium, I", Econometrica 26(4): 522-552; Nove, A. (1983) The Economics of Feasible
Socialism). A unit's wanted level is a logit response to its profit margin (capacity
times ``1 / (1 + exp(-margin / (softness * value)))``: bounded rationality that keeps
supply continuous), and it moves only ``lag`` of the way there each round (adjustment
lags). The logit is computed in a form that cannot overflow (``scipy.special.expit``)
and a wanted level under 1e-9 of capacity counts as none, so a world of many techniques,
most of them unprofitable, runs (12 units x 100 techniques once failed here, a level of
1e-36 becoming a coefficient of 3.6e27). Prices carry over from period to period.

Stability is not assumed. Tatonnement converges where goods are gross substitutes and
adjustment is slow enough; with complements or a fast adjustment it may cycle or
diverge (Scarf, H. (1960) "Some examples of global instability of the competitive
equilibrium", International Economic Review 1(3): 157-172). Each period says which,
exactly one of four measures being 1: ``converged`` (excess demands and moves within
``tolerance`` of scale); ``cycling``, a state seen before: the prices (on a log scale)
and the levels (as shares of capacity), rounded to a hundredth of ``tolerance``, come
back to a cell they left, with excess demand no smaller than then (at the tolerance
itself a damped oscillation was seen to cross a cell's edge and back); ``diverging``
(prices running off, beyond 1e12 times the fixed final prices, or excess demand
growing: its mean over the last quarter of the rounds more than twice that over the
second; the next period starts afresh from the first prices); and ``unconverged``,
``max_rounds`` spent with none of these. The market knows no political rules: where
the world has them, its outcome may break them (measure ``rules_broken``). Numbers
sent: prices down and wanted quantities up, for every good each unit touches, each
round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime

if TYPE_CHECKING:
    from kantorovich.lab.world import World

__all__ = ["MarketRegime", "Tatonnement", "tatonnement"]

#: a wanted level below this share of capacity is none
_NEGLIGIBLE = 1e-9
#: a state (for cycles) is the prices and levels to this share of ``tolerance``: at
#: the tolerance itself a damped oscillation crosses cells' edges back and forth
_STATE = 0.01
#: how a period's tatonnement may end (each period exactly one is 1)
ENDINGS = ("converged", "cycling", "diverging", "unconverged")


class MarketSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    adjustment: float = Field(0.1, gt=0, le=1000)
    lag: float = Field(0.5, gt=0, le=1)
    softness: float = Field(0.01, gt=0, le=10)
    tolerance: float = Field(1e-3, gt=0, lt=1)
    max_rounds: int = Field(300, ge=1, le=100_000)
    profit_share: float = Field(0.5, ge=0, le=1)


@dataclass
class Tatonnement:
    """How one period's tatonnement ended: the levels and prices reached, the rounds
    taken and ``status`` (``converged``, ``cycling``, ``diverging`` or
    ``unconverged``); for ``cycling``, ``cycle`` = (the round the state was first seen,
    the rounds until it came back)."""

    levels: np.ndarray
    prices: np.ndarray
    rounds: int
    status: str
    cycle: tuple[int, int] | None = None


def _logit(margin: np.ndarray, value: np.ndarray, softness: float) -> np.ndarray:
    """The share of capacity a unit wants at this margin: ``1 / (1 + exp(-margin /
    (softness * value)))``, computed without overflow (``scipy.special.expit``), and 0
    below `_NEGLIGIBLE` (a level of 1e-36 is none, not a number to divide by)."""
    from scipy.special import expit

    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.nan_to_num(margin / (softness * np.where(value > 0, value, 1.0)),
                          nan=0.0, posinf=800.0, neginf=-800.0)
    share = expit(z)
    return np.where(share < _NEGLIGIBLE, 0.0, share)


def tatonnement(world, capacity: np.ndarray, unit_yield: np.ndarray, prices: np.ndarray,
                start: np.ndarray, settings: MarketSettings,
                trace: list[tuple[np.ndarray, np.ndarray]] | None = None) -> Tatonnement:
    """Levels and prices after tatonnement (see the module docstring); ``trace``, if
    given, receives each round's (prices, levels) after the round's moves."""
    s = settings
    plan = world.plan
    inputs = world.inputs
    outputs = world.outputs @ sp.diags(world.process_yields(unit_yield))
    net = (outputs - inputs).T.tocsr()           # processes x goods
    gross = (outputs + inputs).T.tocsr()
    weights = plan.objective.weights.reindex(plan.goods.index).fillna(0.0).to_numpy(float)
    supply = world.supply
    free = np.isinf(supply)
    baskets = plan.objective.sense == "maximize_sets"
    if baskets:    # consumers buy the basket with the value of what is supplied
        counts = weights
        primary = np.flatnonzero(~free & (supply > 0))
        fixed = np.zeros(len(weights), bool)
        if len(primary):
            fixed[primary[np.argmax(supply[primary] * (counts[primary] == 0))]] = True
        weights = np.where(fixed, 1.0, 0.0)
    else:
        fixed = (weights > 0) if plan.objective.is_maximize else np.zeros(len(weights), bool)
    moving = ~fixed & ~free
    cap = np.where(np.isfinite(capacity), capacity, 0.0)
    traffic = (inputs @ cap + outputs @ cap + np.where(free, 0, supply)
               + world.demand.clip(0, None))
    scale = np.where(traffic > 0, traffic, 1.0)
    p = prices.copy()
    p[fixed] = weights[fixed]
    p[free] = 0.0
    x = start.copy()
    history: list[float] = []
    seen: dict[bytes, tuple[int, float]] = {}
    fine = _STATE * s.tolerance          # a state: prices and levels to a 100th of it
    grid = np.log1p(fine)
    per = np.where(cap > 0, cap, 1.0)
    status, cycle = "unconverged", None
    # prices run off when they leave 1e12 times the scale of the fixed prices (or of
    # the first ones, where none is fixed)
    reference = float(np.max(np.abs(p[fixed]), initial=0.0)) or float(
        np.max(np.abs(prices[moving]), initial=1.0))
    ceiling = 1e12 * max(reference, 1e-300)
    rounds = 0
    for rounds in range(1, s.max_rounds + 1):
        margin = net @ p
        value = gross @ p
        want = cap * _logit(margin, value, s.softness)
        x = x + s.lag * (want - x)
        x = np.where(x < _NEGLIGIBLE * per, 0.0, x)
        excess = inputs @ x + world.demand.clip(0, None) - np.where(free, 0, supply) \
            - outputs @ x
        if baskets:
            income = float(p[~free] @ supply[~free])
            excess = excess + counts * income / max(float(p @ counts), 1e-300)
        gap = np.abs(excess[moving]) / scale[moving]
        worst = float(gap.max()) if gap.size else 0.0
        history.append(worst)
        moved = float(np.max(np.abs(want - x) / per)) if len(x) else 0.0
        if worst <= s.tolerance and moved <= s.tolerance:
            status = "converged"
            if trace is not None:
                trace.append((p.copy(), x.copy()))
            break
        step = np.clip(s.adjustment * excess / scale, -50, 50)
        p[moving] = p[moving] * np.exp(step[moving])
        if trace is not None:
            trace.append((p.copy(), x.copy()))
        if not np.all(np.isfinite(p)) or np.any(p[moving] > ceiling):
            status = "diverging"
            break
        # a cycle: the same state (prices on a log scale and levels, each to the
        # tolerance) seen again after leaving it, with excess demand no smaller (a
        # damped oscillation that crosses a rounding edge is not one)
        with np.errstate(divide="ignore"):
            key = np.concatenate([np.round(np.log(np.where(p[moving] > 0, p[moving],
                                                           1e-300)) / grid),
                                  np.round(x / (fine * per))]).tobytes()
        before = seen.get(key)
        if before is not None and rounds - before[0] >= 2 and worst >= 0.9 * before[1]:
            status, cycle = "cycling", (before[0], rounds - before[0])
            break
        seen[key] = (rounds, worst)
    if status == "unconverged" and len(history) >= 8:
        quarter = len(history) // 4
        early = np.mean(history[quarter:2 * quarter])
        late = np.mean(history[-quarter:])
        if late > 2.0 * early and late > s.tolerance:
            status = "diverging"
    return Tatonnement(x, p, rounds, status, cycle)


class MarketRegime(Regime[MarketSettings]):
    """Profit-seeking units at tatonnement prices; see the module docstring."""

    type = "market"
    Settings = MarketSettings

    def __init__(self, name: str, settings: MarketSettings, world: World) -> None:
        super().__init__(name, settings, world)
        plan = world.plan
        weights = plan.objective.weights.reindex(plan.goods.index).fillna(0.0)
        start = float(weights.abs().max()) or 1.0
        self.prices = np.full(len(plan.goods), start)
        self._first = self.prices.copy()
        self.levels = np.zeros(len(plan.processes))
        A = (world.inputs + world.outputs).T.tocsr()
        per_unit = sp.csr_matrix((np.ones(len(world.process_unit)),
                                  (world.process_unit, np.arange(len(world.process_unit)))),
                                 (world.n_units, len(world.process_unit)))
        self._touched = int(((per_unit @ (abs(A) > 0)) > 0).sum())

    def rules(self) -> UnitRules:
        return UnitRules(share=self.settings.profit_share)

    def plan(self, view: CentreView) -> Planned:
        done = tatonnement(self.world, view.reported_capacity, view.unit_yield,
                           self.prices, self.levels, self.settings)
        if done.status == "diverging":      # prices that ran off mean nothing: afresh
            self.prices, self.levels = self._first.copy(), np.zeros_like(self.levels)
        else:
            self.prices, self.levels = done.prices, done.levels
        measures = {k: float(done.status == k) for k in ENDINGS}
        return Planned(np.clip(done.levels, 0, None), rounds=done.rounds,
                       messages=2 * self._touched * done.rounds, measures=measures)
