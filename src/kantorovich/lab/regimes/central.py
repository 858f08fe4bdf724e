"""``central``: the engine's optimal plan, computed on what the units report.

Each period every unit reports its whole technology (flows and capacities, with its
capacity as it chooses to report it); the centre solves the plan with the engine (a warm
`kantorovich.Session` on the world's structure at the yields observed so far) and sends
each process its optimal level as a target. With ``learning`` the centre does not
believe a report below what the unit was seen to make last period (a capacity estimate
``max(report, last output)``: feedback, and an implicit ratchet). Units are paid as under
the quota (`SovietBonus`: ``bonus`` for meeting the target, ``over_bonus`` per unit
beyond). Where the reported plan has no optimum (reports too low for the demands or the
political rules), the centre plans without its rules and demands (and, failing that,
balances its reports by norms), and says so (measure ``infeasible``). A short good is
shared by the regime's stated rationing (`BalanceSettings`: in proportion by default);
with ``replan`` the centre solves again once the shocks are known. Kantorovich (1939, 1959); Koopmans (1951).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

import numpy as np
import pandas as pd
from pydantic import Field

from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import BalanceSettings, CentreView, Planned, Regime
from kantorovich.lab.regimes.quota import SovietBonus

if TYPE_CHECKING:
    from kantorovich.lab.world import World
    from kantorovich.results.result import PlanResult
    from kantorovich.results.session import Session

__all__ = ["CentralRegime", "CentralRules"]


@dataclass(frozen=True)
class CentralRules(SovietBonus):
    """The target is the unit's report (the centre uses what it is told), floored by
    last period's output when the centre learns."""

    learning: bool = True
    standing: bool = True

    def target(self, r: np.ndarray, tau: np.ndarray, g: np.ndarray) -> np.ndarray:
        return np.maximum(r * g, tau) if self.learning else r * g

    def next_tau(self, target: np.ndarray, y: np.ndarray, tau: np.ndarray) -> np.ndarray:
        return y if self.learning else 0.0 * y


class CentralSettings(BalanceSettings):
    bonus: float = Field(1.0, ge=0, allow_inf_nan=False)
    over_bonus: float = Field(0.3, ge=0, allow_inf_nan=False)
    learning: bool = True


#: the settings of a regime that plans with the engine on reports: `CentralSettings`,
#: or a subclass's own (`weitzman`'s), which then states its own `rules`
B = TypeVar("B", bound=BalanceSettings)


class CentralRegime(Regime[B]):
    """Optimal planning on reported data; see the module docstring."""

    type = "central"
    Settings: ClassVar[builtins.type[BalanceSettings]] = CentralSettings

    def __init__(self, name: str, settings: B, world: World) -> None:
        super().__init__(name, settings, world)
        self._sessions: dict[tuple[float, ...], Session] = {}

    def rules(self: CentralRegime[CentralSettings]) -> UnitRules:
        s = self.settings
        return CentralRules(meet=s.bonus, over_bonus=s.over_bonus, learning=s.learning,
                            standing=s.learning, start=s.start if s.learning else 0.0)

    def _learns(self) -> bool:
        return bool(getattr(self.settings, "learning", False))

    def solve_reported(self, view: CentreView, capacity: np.ndarray
                       ) -> tuple[np.ndarray | None, PlanResult]:
        """The engine's optimum with these capacities (None where there is none)."""
        from kantorovich.results.session import Session

        key = tuple(np.round(view.unit_yield, 12))
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = Session(self.world.plan_at(view.unit_yield))
        private = self.world.private
        ids = self.world.plan.processes.index[private]
        result = session.solve(capacity=pd.Series(capacity[private], index=ids))
        if not result.is_optimal:
            return None, result
        return result.levels.to_numpy(float), result

    def plan(self, view: CentreView) -> Planned:
        capacity = view.reported_capacity.copy()
        if self._learns():
            seen = (view.last_levels if view.last_levels is not None else
                    self.settings.start * np.where(self.world.private,
                                                   self.world.capacity, 0.0))
            capacity = np.where(self.world.private, np.maximum(capacity, seen), capacity)
        levels, _ = self.solve_reported(view, capacity)
        n = len(capacity)
        messages = self.technology_numbers() + n
        if levels is None:     # the reports cannot meet the rules: plan without them
            from kantorovich.results.result import solve

            relaxed = self.world.plan_at(view.unit_yield, capacity).with_policies(())
            demanded = relaxed.goods.index[relaxed.goods["demand"] != 0]
            if len(demanded):
                relaxed = relaxed.with_changes(demand={str(g): 0.0 for g in demanded})
            result = solve(relaxed)
            if result.is_optimal:
                return Planned(np.clip(result.levels.to_numpy(float), 0, None), rounds=1,
                               messages=messages, measures={"infeasible": 1.0})
            supply = np.where(np.isinf(self.world.supply), 1e300, self.world.supply)
            levels = self.world.ration(np.where(np.isfinite(capacity), capacity, 0.0),
                                       supply, view.unit_yield, self.rationing()).levels
            return Planned(levels, rounds=1, messages=messages,
                           measures={"infeasible": 1.0})
        return Planned(np.clip(levels, 0, None), rounds=1, messages=messages,
                       measures={"infeasible": 0.0})

    def replan(self, view: CentreView, capacity: np.ndarray, targets: np.ndarray
               ) -> Planned:
        """The optimum again on what units can still run after the shocks."""
        levels, _ = self.solve_reported(view, capacity)
        n = len(capacity)
        if levels is None:
            supply = np.where(np.isinf(self.world.supply), 1e300, self.world.supply)
            wanted = np.minimum(targets, np.where(np.isfinite(capacity), capacity, targets))
            levels = self.world.ration(wanted, supply, view.unit_yield,
                                       self.rationing()).levels
        return Planned(np.clip(levels, 0, None), rounds=1, messages=2 * n)
