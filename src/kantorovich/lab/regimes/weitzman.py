"""``weitzman``: central planning with Weitzman's (1976) incentive scheme.

The unit's report ``t`` (its reported capacity, in output) is its plan figure; for
output ``y`` it is paid (constant ``B0`` left out)

* ``beta * t + alpha * (y - t)`` when ``y >= t`` (over-fulfilment),
* ``beta * t - gamma * (t - y)`` when ``y < t`` (under-fulfilment),

so that with ``0 < alpha < beta < gamma`` a unit that can make ``y`` earns most by
reporting ``t = y``: a higher report costs ``gamma - beta`` per unit, a lower one
``beta - alpha`` (Weitzman, M. L. (1976) "The New Soviet Incentive Model", Bell
Journal of Economics 7(1): 251-257; used in Soviet and Eastern European reforms of the
1970s). Under uncertainty the best report is the quantile ``(beta - alpha) / (gamma -
alpha)`` of output, not its mean. The centre plans with the engine on the reports as
`central` does (without learning); where it needs less than a unit reported, the idle
capacity counts as made (the unit is not punished for the centre's choice).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import BalanceSettings
from kantorovich.lab.regimes.central import CentralRegime

__all__ = ["WeitzmanRegime", "WeitzmanRules"]


@dataclass(frozen=True)
class WeitzmanRules(UnitRules):
    """Weitzman's bonus against the report ``t = r g``."""

    alpha: float = 0.1
    beta: float = 0.2
    gamma: float = 0.3

    def bonus(self, target: np.ndarray, r: np.ndarray, y: np.ndarray,
              g: np.ndarray) -> np.ndarray:
        t = r * g
        return np.where(y >= t, self.beta * t + self.alpha * (y - t),
                        self.beta * t - self.gamma * (t - y))


class WeitzmanSettings(BalanceSettings):
    alpha: float = Field(0.1, ge=0, allow_inf_nan=False)
    beta: float = Field(0.2, ge=0, allow_inf_nan=False)
    gamma: float = Field(0.3, ge=0, allow_inf_nan=False)


class WeitzmanRegime(CentralRegime[WeitzmanSettings]):
    """Central planning on reports, with Weitzman's bonus; see the module docstring."""

    type = "weitzman"
    Settings = WeitzmanSettings

    def rules(self) -> UnitRules:
        s = self.settings
        return WeitzmanRules(alpha=s.alpha, beta=s.beta, gamma=s.gamma)

    def _learns(self) -> bool:
        return False
