"""``democratic``: final-demand priorities by citizens' vote, fed to a production regime.

Each region's citizens (``population``) vote for priorities: a weight per final good.
The plan's objective becomes the population-weighted mean of the regions' weights (one
citizen, one vote), and the ``production`` regime (``central`` by default, any type with
its ``production_settings``) plans and runs the economy to that objective; the regime's
efficiency is measured against the optimum of the voted objective. Without ``regions``
every region of the world votes the world's own objective (equal to ``production``
alone). Regions' priorities are counted as numbers sent once a period. In the spirit of
participatory planning (Albert, M. and Hahnel, R. (1991) The Political Economy of
Participatory Economics) but one-shot: the iterative rounds of councils' proposals are
not modelled here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime, known

__all__ = ["DemocraticRegime", "Vote"]


class Vote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    population: float = Field(gt=0, allow_inf_nan=False)
    priorities: dict[str, float] = Field(min_length=1)


class DemocraticSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    production: str = "central"
    production_settings: dict[str, Any] = {}
    regions: dict[str, Vote] = {}


class DemocraticRegime(Regime):
    """Voted priorities over a production regime; see the module docstring."""

    type = "democratic"
    Settings = DemocraticSettings

    def __init__(self, name, settings, world) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name, settings, world)
        kinds = known()
        kind = kinds.get(settings.production)
        where = f"regimes.{name}.production"
        if kind is None or kind is DemocraticRegime:
            from kantorovich.model.checks import did_you_mean

            raise PlanError([Problem(f"unknown production regime '{settings.production}'",
                                     where, hint=did_you_mean(settings.production,
                                                              [k for k in kinds
                                                               if k != "democratic"])
                                     or "use central, prices, quota, weitzman or market")])
        from pydantic import ValidationError

        try:
            inner_settings = kind.Settings.model_validate(settings.production_settings)
        except ValidationError as exc:
            raise PlanError([Problem(e["msg"], f"regimes.{name}.production_settings."
                                     + ".".join(map(str, e["loc"])))
                             for e in exc.errors(include_url=False)]) from None
        self._kind, self._inner_settings = kind, inner_settings
        self.inner: Regime = kind(name, inner_settings, world)
        goods = world.plan.goods.index
        problems = []
        for region, vote in settings.regions.items():
            for good in vote.priorities:
                if good not in goods:
                    problems.append(Problem(f"unknown good '{good}'",
                                            f"regimes.{name}.regions.{region}."
                                            f"priorities.{good}",
                                            hint="vote on goods of the world"))
        if problems:
            raise PlanError(problems)

    def voted_weights(self) -> dict[str, float]:
        """The population-weighted mean priorities."""
        regions = self.settings.regions
        total = sum(v.population for v in regions.values())
        goods = sorted({g for v in regions.values() for g in v.priorities})
        return {g: sum(v.population * v.priorities.get(g, 0.0) for v in regions.values())
                / total for g in goods}

    def prepare(self, world):  # type: ignore[no-untyped-def]
        if not self.settings.regions:
            return world
        voted = self.voted_weights()
        old = world.plan.objective.weights
        weights = {**{str(g): 0.0 for g in old.index}, **voted}
        prepared = world.with_weights(weights)
        self.inner = self._kind(self.name, self._inner_settings, prepared)
        self.world = prepared
        return prepared

    def rules(self) -> UnitRules:
        return self.inner.rules()

    def plan(self, view: CentreView) -> Planned:
        planned = self.inner.plan(view)
        votes = sum(len(v.priorities) for v in self.settings.regions.values())
        planned.messages += votes
        return planned

    def observe(self, targets, levels) -> None:  # type: ignore[no-untyped-def]
        self.inner.observe(targets, levels)
