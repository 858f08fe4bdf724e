"""``quota``: material balances with a ratchet (Soviet practice).

Each period a unit submits a draft (its reported capacity); its target is the draft or
the ratcheted target of the last period, whichever is higher ("planning from the
achieved level"): ``standing' = target + ratchet * max(output - target, 0)``, the share
of over-fulfilment added to next period's target (Weitzman, M. L. (1980) "The
ratchet principle and performance incentives", Bell Journal of Economics 11(1):
302-308; Berliner, J. (1957) Factory and Manager in the USSR). Inputs are allocated by
norms: the flows per unit of level times the target, and where a good is short every
user's target is cut in proportion (a material balance, no optimisation). A unit is paid
``bonus`` (a share of its wage fund, in units of its initial capacity) for meeting its
target and ``over_bonus`` per unit of output beyond it. Targets are kept in output
units (tons, not levels), so a better yield makes a level target smaller.

>>> from kantorovich.lab.regimes.quota import QuotaRules
>>> import numpy as np
>>> rules = QuotaRules(ratchet=0.5)
>>> float(rules.next_tau(np.array(1.0), np.array(1.4), np.array(1.0)))
1.2
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime

__all__ = ["QuotaRegime", "QuotaRules", "SovietBonus"]


@dataclass(frozen=True)
class SovietBonus(UnitRules):
    """A bonus for meeting the target and a smaller one per unit beyond it."""

    meet: float = 1.0
    over_bonus: float = 0.3

    def bonus_for(self, target: np.ndarray, y: np.ndarray) -> np.ndarray:
        met = y >= target - 1e-9
        return self.meet * met + self.over_bonus * np.maximum(y - target, 0.0)

    def bonus(self, target, r, y, g):  # type: ignore[override]
        return self.bonus_for(target, y)


@dataclass(frozen=True)
class QuotaRules(SovietBonus):
    """The quota's rules: the higher of the draft and the ratcheted target."""

    ratchet: float = 0.5
    standing: bool = True

    def target(self, r, tau, g):  # type: ignore[override]
        return np.maximum(r * g, tau)

    def next_tau(self, target, y, tau):  # type: ignore[override]
        return target + self.ratchet * np.maximum(y - target, 0.0)


class QuotaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ratchet: float = Field(0.5, ge=0, le=1)
    bonus: float = Field(1.0, ge=0, allow_inf_nan=False)
    over_bonus: float = Field(0.3, ge=0, allow_inf_nan=False)


class QuotaRegime(Regime):
    """Material balances with ratcheted targets; see the module docstring."""

    type = "quota"
    Settings = QuotaSettings

    def __init__(self, name, settings, world) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name, settings, world)
        self.standing: np.ndarray | None = None     # per process, in output units
        self._yield = np.ones(len(world.plan.processes))

    def rules(self) -> UnitRules:
        s = self.settings
        return QuotaRules(meet=s.bonus, over_bonus=s.over_bonus, ratchet=s.ratchet)

    def plan(self, view: CentreView) -> Planned:
        g = view.unit_yield[view.process_unit]
        self._yield = g
        reported = np.where(np.isfinite(view.reported_capacity), view.reported_capacity,
                            0.0 if view.last_levels is None else view.last_levels)
        wanted = reported if self.standing is None else np.maximum(
            reported, self.standing / g)
        supply = np.where(np.isinf(self.world.supply), 1e300, self.world.supply)
        targets = self.world.ration(wanted, supply, view.unit_yield)
        n = len(targets)
        return Planned(targets, rounds=1, messages=2 * n)

    def observe(self, targets: np.ndarray, levels: np.ndarray) -> None:
        over = np.maximum(levels - targets, 0.0)
        self.standing = (targets + self.settings.ratchet * over) * self._yield
