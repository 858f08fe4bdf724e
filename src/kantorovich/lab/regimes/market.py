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
lags). Prices carry over from period to period.

Stability is not assumed. Tatonnement converges where goods are gross substitutes and
adjustment is slow enough; with complements or a fast adjustment it may cycle or
diverge (Scarf, H. (1960) "Some examples of global instability of the competitive
equilibrium", International Economic Review 1(3): 157-172). Each period says which:
``converged`` (excess demands within ``tolerance`` of scale), ``cycling`` (not, but
bounded) or ``diverging`` (excess demand growing, or prices running off). The market
knows no political rules: where the world has them, its outcome may break them
(measure ``rules_broken``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime

__all__ = ["MarketRegime", "tatonnement"]


class MarketSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    adjustment: float = Field(0.1, gt=0, le=1000)
    lag: float = Field(0.5, gt=0, le=1)
    softness: float = Field(0.01, gt=0, le=10)
    tolerance: float = Field(1e-3, gt=0, lt=1)
    max_rounds: int = Field(300, ge=1, le=100_000)
    profit_share: float = Field(0.5, ge=0, le=1)


def tatonnement(world, capacity: np.ndarray, unit_yield: np.ndarray, prices: np.ndarray,
                start: np.ndarray, settings: MarketSettings
                ) -> tuple[np.ndarray, np.ndarray, int, str]:
    """Levels and prices after tatonnement, the rounds taken and how it ended
    (``converged``, ``cycling`` or ``diverging``)."""
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
    history = []
    status = "cycling"
    p0 = np.maximum(p, 1e-300)
    for rounds in range(1, s.max_rounds + 1):
        margin = net @ p
        value = gross @ p
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            z = np.clip(-margin / (s.softness * np.where(value > 0, value, 1.0)), -700, 700)
            want = cap / (1.0 + np.exp(z))
        x = x + s.lag * (want - x)
        excess = inputs @ x + world.demand.clip(0, None) - np.where(free, 0, supply) \
            - outputs @ x
        if baskets:
            income = float(p[~free] @ supply[~free])
            excess = excess + counts * income / max(float(p @ counts), 1e-300)
        gap = np.abs(excess[moving]) / scale[moving]
        worst = float(gap.max()) if gap.size else 0.0
        history.append(worst)
        moved = float(np.max(np.abs(want - x) / np.where(cap > 0, cap, 1.0))) if len(x) else 0.0
        if worst <= s.tolerance and moved <= s.tolerance:
            status = "converged"
            break
        step = np.clip(s.adjustment * excess / scale, -50, 50)
        p[moving] = p[moving] * np.exp(step[moving])
        if not np.all(np.isfinite(p)) or np.any(p[moving] > 1e12 * np.maximum(
                p0[moving], 1.0)):
            status = "diverging"
            break
    if status == "cycling" and len(history) >= 8:
        quarter = len(history) // 4
        early = np.mean(history[quarter:2 * quarter])
        late = np.mean(history[-quarter:])
        if late > 2.0 * early and late > s.tolerance:
            status = "diverging"
    return x, p, rounds, status


class MarketRegime(Regime):
    """Profit-seeking units at tatonnement prices; see the module docstring."""

    type = "market"
    Settings = MarketSettings

    def __init__(self, name, settings, world) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name, settings, world)
        plan = world.plan
        weights = plan.objective.weights.reindex(plan.goods.index).fillna(0.0)
        start = float(weights.abs().max()) or 1.0
        self.prices = np.full(len(plan.goods), start)
        self.levels = np.zeros(len(plan.processes))
        A = (world.inputs + world.outputs).T.tocsr()
        per_unit = sp.csr_matrix((np.ones(len(world.process_unit)),
                                  (world.process_unit, np.arange(len(world.process_unit)))),
                                 (world.n_units, len(world.process_unit)))
        self._touched = int(((per_unit @ (abs(A) > 0)) > 0).sum())

    def rules(self) -> UnitRules:
        return UnitRules(share=self.settings.profit_share)

    def plan(self, view: CentreView) -> Planned:
        x, p, rounds, status = tatonnement(self.world, view.reported_capacity,
                                           view.unit_yield, self.prices, self.levels,
                                           self.settings)
        self.prices = p
        self.levels = x
        measures = {k: float(status == k) for k in ("converged", "cycling", "diverging")}
        return Planned(np.clip(x, 0, None), rounds=rounds,
                       messages=2 * self._touched * rounds, measures=measures)
