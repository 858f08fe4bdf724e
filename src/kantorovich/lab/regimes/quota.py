"""``quota``: material balances with a ratchet (Soviet practice).

Each period a unit submits a draft (its reported capacity); its target is the draft or
the ratcheted target of the last period, whichever is higher ("planning from the
achieved level"): ``standing' = target + ratchet * max(output - target, 0)``, the share
of over-fulfilment added to next period's target (Weitzman, M. L. (1980) "The
ratchet principle and performance incentives", Bell Journal of Economics 11(1):
302-308; Berliner, J. (1957) Factory and Manager in the USSR). Inputs are allocated by
norms: the flows per unit of level times the target, and where a good is short every
user's target is cut in proportion (a material balance, no optimisation; or by a stated
priority list, `BalanceSettings`). The first period's standing target is the level
achieved before the experiment (``start`` times capacity). A unit is paid as in
Weitzman's (1980) ratchet model: ``bonus`` for the period, plus ``over_bonus`` per unit
of output beyond the target, less ``penalty`` per unit short of it (``penalty >
over_bonus``: falling short costs more than exceeding earns), all in units of the unit's
initial capacity. Over-fulfilment today raises tomorrow's target by ``ratchet`` times the
excess, so a unit that looks ahead holds back, the more the more it values the future.
Targets are kept in output units (tons, not levels), so a better yield makes a level
target smaller.

>>> from kantorovich.lab.regimes.quota import QuotaRules
>>> import numpy as np
>>> rules = QuotaRules(ratchet=0.5)
>>> float(rules.next_tau(np.array(1.0), np.array(1.4), np.array(1.0)))
1.2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import BalanceSettings, CentreView, Planned, Regime

if TYPE_CHECKING:
    from kantorovich.lab.world import World

__all__ = ["QuotaRegime", "QuotaRules", "SovietBonus"]


@dataclass(frozen=True)
class SovietBonus(UnitRules):
    """A bonus per unit of the target when the target is met, and a smaller one per
    unit beyond it: the bonus fund grows with the plan a unit accepts (the 1965 reform
    tied bonus funds to planned output; Berliner 1957 on bonuses for fulfilment and
    over-fulfilment), so a unit weighs a bigger plan's bonus against the risk of missing
    it and the targets its output will bring."""

    meet: float = 1.0
    over_bonus: float = 0.3

    def bonus_for(self, target: np.ndarray, y: np.ndarray) -> np.ndarray:
        met = y >= target - 1e-9
        return self.meet * target * met + self.over_bonus * np.maximum(y - target, 0.0)

    def bonus(self, target: np.ndarray, r: np.ndarray, y: np.ndarray,
              g: np.ndarray) -> np.ndarray:
        return self.bonus_for(target, y)


@dataclass(frozen=True)
class QuotaRules(UnitRules):
    """The quota's rules: the higher of the draft and the ratcheted target, and a
    bonus linear in the deviation from it (Weitzman 1980)."""

    meet: float = 1.0
    over_bonus: float = 0.3
    penalty: float = 0.6
    ratchet: float = 0.5
    standing: bool = True

    def bonus(self, target: np.ndarray, r: np.ndarray, y: np.ndarray,
              g: np.ndarray) -> np.ndarray:
        return (self.meet + self.over_bonus * np.maximum(y - target, 0.0)
                - self.penalty * np.maximum(target - y, 0.0))

    def target(self, r: np.ndarray, tau: np.ndarray, g: np.ndarray) -> np.ndarray:
        return np.maximum(r * g, tau)

    def next_tau(self, target: np.ndarray, y: np.ndarray, tau: np.ndarray) -> np.ndarray:
        return target + self.ratchet * np.maximum(y - target, 0.0)


class QuotaSettings(BalanceSettings):
    ratchet: float = Field(0.5, ge=0, le=1)
    bonus: float = Field(1.0, ge=0, allow_inf_nan=False)
    over_bonus: float = Field(0.3, ge=0, allow_inf_nan=False)
    penalty: float = Field(0.6, ge=0, allow_inf_nan=False)


class QuotaRegime(Regime[QuotaSettings]):
    """Material balances with ratcheted targets; see the module docstring."""

    type = "quota"
    Settings = QuotaSettings

    def __init__(self, name: str, settings: QuotaSettings, world: World) -> None:
        super().__init__(name, settings, world)
        # the achieved level before the experiment, which the centre observed
        self.standing = np.where(world.private, settings.start * world.capacity, 0.0)
        self._yield = np.ones(len(world.plan.processes))

    def rules(self) -> UnitRules:
        s = self.settings
        return QuotaRules(meet=s.bonus, over_bonus=s.over_bonus, penalty=s.penalty,
                          ratchet=s.ratchet, start=s.start)

    def _balance(self, wanted: np.ndarray, view: CentreView) -> np.ndarray:
        """Drafts balanced against the goods: every user of a short good cut in
        proportion (or by the stated priority), no optimisation."""
        supply = np.where(np.isinf(self.world.supply), 1e300, self.world.supply)
        return self.world.ration(wanted, supply, view.unit_yield, self.rationing()).levels

    def plan(self, view: CentreView) -> Planned:
        g = view.unit_yield[view.process_unit]
        self._yield = g
        reported = np.where(np.isfinite(view.reported_capacity), view.reported_capacity,
                            0.0 if view.last_levels is None else view.last_levels)
        wanted = np.maximum(reported, self.standing / g)
        targets = self._balance(wanted, view)
        n = len(targets)
        return Planned(targets, rounds=1, messages=2 * n)

    def replan(self, view: CentreView, capacity: np.ndarray, targets: np.ndarray
               ) -> Planned:
        wanted = np.minimum(targets, np.where(np.isfinite(capacity), capacity, targets))
        again = self._balance(wanted, view)
        return Planned(again, rounds=1, messages=2 * len(again))

    def observe(self, targets: np.ndarray, levels: np.ndarray) -> None:
        over = np.maximum(levels - targets, 0.0)
        self.standing = (targets + self.settings.ratchet * over) * self._yield
