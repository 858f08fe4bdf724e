"""``democratic``: final-demand priorities by citizens' vote, fed to a production regime,
or planned by councils in rounds (participatory planning).

**The vote.** Each region's citizens (``population``) state priorities: a weight per
final good. Each period every region's priorities are *drawn* around what it stated
(the means): weight x ``exp(spread * e - spread^2 / 2)``, ``e`` a standard normal from
the cell's common random numbers (``view.draw``, kind ``priority``, keyed by region
and good: the same in every regime under a seed), so ``spread: 0`` (the default)
votes exactly the stated priorities and a larger spread is a more divided or less
predictable electorate (a lognormal with the stated mean). The regions' weights are
aggregated by ``rule``, population-weighted (one citizen, one vote): ``mean``, or
``median``, good by good (the weight at which half the population states less and half
more; where exactly half states up to one weight, the midpoint between it and the next).
A good a region does not name has weight 0 there. The world the regime is measured in
values goods by the rule applied to the *stated* priorities; each period's plan follows
that period's draw, so with ``spread > 0`` the noise of the vote costs efficiency.

**Production** (``participatory: false``, the default): the ``production`` regime
(``central`` by default, any type with its ``production_settings``) plans and runs the
economy to the period's voted objective; the units are paid by its rules. With
``spread > 0`` each period's objective differs, so the production regime is made anew
each period for it (what it carries between periods, such as a market's prices or a
quota's ratchet base, starts afresh); with ``spread: 0`` one production regime runs
throughout. Regions' priorities are counted as numbers sent once a period.

**Participatory planning** (``participatory: true``; Albert, M. and Hahnel, R. (1991)
The Political Economy of Participatory Economics, Princeton University Press; Hahnel,
R. (2021) Democratic Economic Planning, Routledge): a facilitation board posts
indicative prices of every good; worker councils (the units) propose levels at those
prices, each process moving ``lag`` of the way to a logit response to its social
benefit less its social cost (the market's response: bounded rationality that keeps
proposals continuous); consumer councils (the regions) propose final demands: each
region spends its share (by population) of the value of what the proposals leave for
consumption (the supply and net output, less the plan's own demands, so that the value
of all excess demands is zero, Walras's law) on the goods it votes for, in proportion
to ``(priority / price)^(substitution - 1)`` (a CES demand, approaching the linear
valuation of the priorities as ``substitution`` grows; without ``regions`` one council
votes the world's own weights or, in an economy's world of baskets, buys whole
baskets); the plan's own demands are added as they stand. The board then moves each
price by its excess demand ``z``, ``p <- p * exp(adjustment * clip(z / scale, -1,
1))`` (``scale`` the good's traffic at capacity; the level of prices is arbitrary, so
the primary supply keeps its value), and the councils revise, until the proposals are
feasible (no good demanded beyond what is supplied and made, to ``tolerance`` of its
traffic) or ``max_rounds``. The plan is the worker councils' last proposals; prices
carry over between periods (the first period starts from prices of 1). Counted:
``rounds`` (iterations of proposals and prices: compare with the at most 7 rounds of
Pequod, the human yardstick issue 14 names), numbers sent (prices down and proposals
up, for every good each unit and region names, each round) and ``converged`` (the
proposals became feasible). Measured with honest units and the defaults: Leningrad (the
regions of `experiments/nove.yaml`) 47 rounds in the first period, then 1, efficiency
0.994; `experiments/worlds/workshops.yaml` (one council voting the world's weights) 26,
then 1, efficiency 0.967; the US 2017 table (baskets) 143, then 1, efficiency 0.993.
The first period takes far more than 7 rounds; from the last period's prices the
councils agree at once. Units are paid a profit share. Political rules are not
enforced by the councils (``rules_broken`` shows them). The CES demand, the logit
proposals and the bounded price step are modelling choices, the continuous responses
that let the rounds converge (with ``substitution: 4`` the workshops' rounds did not
converge in 2,000; with ``adjustment: 4`` Leningrad's did not in 500).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.behaviour import UnitRules
from kantorovich.lab.regimes.base import CentreView, Planned, Regime, known

if TYPE_CHECKING:
    from kantorovich.lab.world import World

__all__ = ["DemocraticRegime", "Vote", "aggregate", "participate"]


class Vote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    population: float = Field(gt=0, allow_inf_nan=False)
    priorities: dict[str, float] = Field(min_length=1)


class DemocraticSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    production: str = "central"
    production_settings: dict[str, Any] = {}
    regions: dict[str, Vote] = {}
    rule: Literal["mean", "median"] = "mean"
    spread: float = Field(0.0, ge=0, le=5)
    participatory: bool = False
    # the participatory rounds
    adjustment: float = Field(1.0, gt=0, le=1000)
    lag: float = Field(0.5, gt=0, le=1)
    softness: float = Field(0.1, gt=0, le=10)
    substitution: float = Field(2.0, ge=1, le=100)
    tolerance: float = Field(1e-3, gt=0, lt=1)
    max_rounds: int = Field(500, ge=1, le=100_000)


def aggregate(weights: np.ndarray, population: np.ndarray, rule: str) -> np.ndarray:
    """Each good's weight from the regions' (rows) by ``rule``, population-weighted:
    ``mean``, or ``median`` (see the module docstring).

    >>> import numpy as np
    >>> w = np.array([[0.0, 1.0], [4000.0, 1.0]])
    >>> aggregate(w, np.array([3.0, 1.0]), "mean").tolist()
    [1000.0, 1.0]
    >>> aggregate(w, np.array([3.0, 1.0]), "median").tolist()
    [0.0, 1.0]
    """
    weights = np.asarray(weights, dtype=float)
    population = np.asarray(population, dtype=float)
    total = population.sum()
    if rule == "mean":
        return population @ weights / total
    order = np.argsort(weights, axis=0, kind="stable")
    ranked = np.take_along_axis(weights, order, axis=0)
    share = np.cumsum(population[order], axis=0) / total
    half = 0.5 * (1 - 1e-12)
    i = (share < half).sum(axis=0)                        # first to reach a half
    cols = np.arange(weights.shape[1])
    nxt = np.minimum(i + 1, len(population) - 1)
    exactly = np.abs(share[i, cols] - 0.5) <= 1e-12
    return np.where(exactly, 0.5 * (ranked[i, cols] + ranked[nxt, cols]), ranked[i, cols])


def participate(world, capacity: np.ndarray, unit_yield: np.ndarray, prices: np.ndarray,
                start: np.ndarray, priorities: np.ndarray, population: np.ndarray,
                settings: DemocraticSettings, trace: list | None = None, *,
                baskets: bool = False) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Councils' rounds (see the module docstring): the worker councils' last levels,
    the board's prices, the rounds taken and whether the proposals became feasible.
    ``priorities`` is regions x goods (0 where a region names none); ``trace``, if
    given, receives each round's (prices, levels, consumers' demands, excess demand
    as a share of each good's traffic). With ``baskets`` the priorities are the counts
    of a basket and consumers buy whole baskets (an economy's plan ray)."""
    from kantorovich.lab.regimes.market import _NEGLIGIBLE, _logit

    s = settings
    inputs = world.inputs
    outputs = world.outputs @ sp.diags(world.process_yields(unit_yield))
    net = (outputs - inputs).T.tocsr()
    gross = (outputs + inputs).T.tocsr()
    supply = world.supply
    free = np.isinf(supply)
    primary = ~free & (supply > 0)
    fixed_demand = world.demand.clip(0, None)
    cap = np.where(np.isfinite(capacity), capacity, 0.0)
    per = np.where(cap > 0, cap, 1.0)
    traffic = inputs @ cap + outputs @ cap + np.where(free, 0, supply) + fixed_demand
    scale = np.where(traffic > 0, traffic, 1.0)
    shares = population / population.sum()
    voted = priorities > 0
    p = np.where(free, 0.0, np.where(prices > 0, prices, 1.0))
    x = start.copy()
    feasible = False
    rounds = 0
    for rounds in range(1, s.max_rounds + 1):
        # worker councils: proposals at the indicative prices
        want = cap * _logit(net @ p, gross @ p, s.softness)
        x = x + s.lag * (want - x)
        x = np.where(x < _NEGLIGIBLE * per, 0.0, x)
        # consumer councils: CES demands at the indicative prices, spending the value
        # of what the proposals leave for them (so the value of all excess demands is 0)
        available = np.where(free, 0.0, supply) + outputs @ x - inputs @ x - fixed_demand
        income = max(float(p @ available), 0.0)
        with np.errstate(divide="ignore"):
            appeal = np.where(voted, (s.substitution - 1.0) * (
                np.log(np.where(voted, priorities, 1.0))
                - np.log(np.where(p > 0, p, 1e-300))[None, :]), -np.inf)
        top = appeal.max(axis=1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        weight = np.exp(appeal - top)
        if baskets:      # whole baskets: spending in proportion to count x price
            weight = priorities * p[None, :]
        spend = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-300)
        demand = (shares[:, None] * income * spend).sum(axis=0) / np.where(p > 0, p,
                                                                            np.inf)
        excess = inputs @ x + fixed_demand + demand - np.where(free, 0, supply) - \
            outputs @ x
        excess = np.where(free, 0.0, excess)
        if trace is not None:
            trace.append((p.copy(), x.copy(), demand, excess / scale))
        if np.all(excess <= s.tolerance * scale):
            feasible = True
            break
        # the facilitation board: prices by excess demand (their level is arbitrary:
        # the primary supply keeps the value it had)
        value = float(p[primary] @ supply[primary]) if primary.any() else float(p.sum())
        p = p * np.exp(s.adjustment * np.clip(excess / scale, -1.0, 1.0))
        p = np.where(free, 0.0, p)
        worth = float(p[primary] @ supply[primary]) if primary.any() else float(p.sum())
        if worth > 0 and np.isfinite(worth):
            p = p * (value / worth)
    return x, p, rounds, feasible


class DemocraticRegime(Regime[DemocraticSettings]):
    """Voted priorities over a production regime, or participatory planning; see the
    module docstring."""

    type = "democratic"
    Settings = DemocraticSettings

    def __init__(self, name: str, settings: DemocraticSettings, world: World) -> None:
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
        regions = settings.regions
        self._goods = sorted({g for v in regions.values() for g in v.priorities})
        self._regions = list(regions)
        self._population = np.array([v.population for v in regions.values()], float)
        self._stated = np.array([[v.priorities.get(g, 0.0) for g in self._goods]
                                 for v in regions.values()], float).reshape(
                                     len(regions), len(self._goods))
        self._voted: dict[str, float] | None = None
        self._prices = np.ones(len(world.plan.goods))
        self._levels = np.zeros(len(world.plan.processes))
        n = len(world.process_unit)
        per_unit = sp.csr_matrix((np.ones(n), (world.process_unit, np.arange(n))),
                                 shape=(world.n_units, n))
        flows = (abs(world.inputs) + abs(world.outputs)).T.tocsr()
        self._touched = int(((per_unit @ flows) > 0).sum())   # (unit, good) pairs

    # -- the vote ----------------------------------------------------------------------
    def drawn(self, draw: Any | None) -> np.ndarray:
        """This period's priorities, regions x goods: the stated ones with each region's
        draw (``draw(keys, "priority")`` gives a uniform per key; None or ``spread: 0``:
        the stated priorities exactly)."""
        spread = self.settings.spread
        if draw is None or spread == 0 or not self._stated.size:
            return self._stated
        from scipy.special import ndtri

        keys = [f"{r}/{g}" for r in self._regions for g in self._goods]
        u = np.clip(np.asarray(draw(keys, "priority"), float), 1e-12, 1 - 1e-12)
        e = ndtri(u).reshape(self._stated.shape)
        return self._stated * np.exp(spread * e - 0.5 * spread ** 2)

    def vote(self, draw: Any | None = None) -> dict[str, float]:
        """The aggregated priorities of a period (`drawn`, then the rule)."""
        weights = aggregate(self.drawn(draw), self._population, self.settings.rule)
        return dict(zip(self._goods, weights.tolist()))

    def voted_weights(self) -> dict[str, float]:
        """The stated priorities aggregated by the rule: what the regime is measured by."""
        return self.vote(None)

    def _objective(self, world: World, voted: dict[str, float]) -> World:
        old = world.plan.objective.weights
        return world.with_weights({**{str(g): 0.0 for g in old.index}, **voted})

    def prepare(self, world: World) -> World:
        if not self.settings.regions:
            return world
        self._voted = self.voted_weights()
        prepared = self._objective(world, self._voted)
        self.inner = self._kind(self.name, self._inner_settings, prepared)
        self.world = prepared
        return prepared

    def rules(self) -> UnitRules:
        if self.settings.participatory:
            return UnitRules()
        return self.inner.rules()

    def plan(self, view: CentreView) -> Planned:
        s = self.settings
        votes = int(sum(len(v.priorities) for v in s.regions.values()))
        if s.participatory:
            return self._participate(view, votes)
        if self._voted is not None and s.spread > 0:
            voted = self.vote(view.draw)
            if voted != self._voted:        # this period's objective: a regime for it
                self.inner = self._kind(self.name, self._inner_settings,
                                        self._objective(self.world, voted))
        planned = self.inner.plan(view)
        planned.messages += votes
        return planned

    def _participate(self, view: CentreView, votes: int) -> Planned:
        world = self.world
        index = world.plan.goods.index
        priorities = np.zeros((len(self._regions), len(index)))
        if self._stated.size:
            priorities[:, index.get_indexer(pd.Index(self._goods))] = self.drawn(view.draw)
        else:       # no regions: one council votes the world's own objective (its
            #         weights, or in a basket world, the basket)
            w = world.plan.objective.weights.reindex(index).fillna(0.0).to_numpy(float)
            priorities = np.clip(w, 0, None)[None, :]
        population = self._population if self._stated.size else np.ones(1)
        baskets = not self._stated.size and world.plan.objective.sense == "maximize_sets"
        x, p, rounds, feasible = participate(
            world, view.reported_capacity, view.unit_yield, self._prices, self._levels,
            priorities, population, self.settings, baskets=baskets)
        self._prices, self._levels = p, x
        asked = int((priorities > 0).sum())
        touched = self._touched
        return Planned(np.clip(x, 0, None), rounds=rounds,
                       messages=rounds * 2 * (touched + asked) + votes,
                       measures={"converged": float(feasible)})

    def observe(self, targets: np.ndarray, levels: np.ndarray) -> None:
        self.inner.observe(targets, levels)
