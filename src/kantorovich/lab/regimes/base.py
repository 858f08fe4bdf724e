"""The regime interface: how a centre (or a market) turns reports into targets.

A regime is a small class: its ``type`` (the name experiment files use), its
``Settings`` (a pydantic model: every key checked, located errors), the incentive rules
its units know (`UnitRules`, from which they compute their best responses), and
`Regime.plan`, which sees only what units report (`CentreView`) and returns targets per
process with the rounds and numbers its planning took. A subclass with a ``type``
registers itself; an experiment names it like a built-in one.

>>> from kantorovich.lab.regimes import registered
>>> {"quota", "central", "weitzman", "prices", "market", "democratic"} <= set(registered())
True
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kantorovich.lab.behaviour import UnitRules

if TYPE_CHECKING:
    from kantorovich.lab.world import Rationing, World
    from kantorovich.model.plan import Plan

__all__ = ["BalanceSettings", "CentreView", "NoSettings", "Planned", "Regime", "known"]

_REGISTRY: dict[str, type[Regime]] = {}


class NoSettings(BaseModel):
    """A regime with nothing to set."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BalanceSettings(BaseModel):
    """How a centre that plans quantities shares out a short good, and whether it
    re-plans once the period's shocks are known.

    ``rationing``: ``proportional`` (every user cut in proportion to its allocation: a
    material balance), ``priority`` (the ids in ``priority`` served first, in order:
    processes, units, or goods whose makers come first), or ``optimal`` (the engine's
    optimum of what can be made: an explicit choice, never the default). ``replan``:
    after the shocks, the centre is told what each unit can still make (the lower of its
    report and its realised capacity) and plans again, at the price of a round and a
    report and target per process. ``start``: the standing target of the first period as
    a share of true capacity, the level achieved before the experiment."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rationing: Literal["proportional", "priority", "optimal"] = "proportional"
    priority: tuple[str, ...] = ()
    replan: bool = False
    start: float = Field(0.9, ge=0, le=1)


@dataclass(frozen=True)
class CentreView:
    """What the centre knows in a period: the reported capacity of every process, the
    yields observed so far, what was made and asked last period (None at first), which
    unit runs each process, and (`reported`) the world's structure as a plan with the
    reported capacities and observed yields, built when first asked for."""

    period: int
    plan_of: Callable[[], Plan] = field(repr=False)
    reported_capacity: np.ndarray
    unit_yield: np.ndarray
    process_unit: np.ndarray
    n_units: int
    last_levels: np.ndarray | None
    last_targets: np.ndarray | None
    #: common random numbers of this cell and period: ``draw(keys, kind)`` gives one
    #: uniform per key, the same whatever the regime (`kantorovich.lab.draws`)
    draw: Callable[[Any, str], np.ndarray] | None = field(default=None, repr=False)

    @property
    def reported(self) -> Plan:
        """The plan the centre believes: the world's structure with the reported
        capacities and the observed yields."""
        return self.plan_of()


@dataclass
class Planned:
    """A regime's answer for one period."""

    targets: np.ndarray                 # level per process
    rounds: int = 1
    messages: int = 0
    measures: dict[str, float] = field(default_factory=dict)   # regime-specific extras
    binding: np.ndarray | None = None   # per unit: the centre used its full report


#: a regime's settings model: a subclass declares ``Regime[ItsSettings]`` so that its
#: rules read their own keys, typed
S = TypeVar("S", bound=BaseModel)


class Regime(ABC, Generic[S]):
    """A planning (or market) regime; see the module docstring.

    Parameters
    ----------
    name : str
        The name the experiment gives it (``ratchet``), shown in results.
    settings : S
        Its checked ``Settings`` (an instance of the class's ``Settings``).
    world : World
        The true world; a regime may read its structure (goods, processes, flows) and the
        unit of each process, never the true capacities.
    """

    type: ClassVar[str] = ""
    # ``builtins.type``: in this class body ``type`` is the attribute above. A ClassVar
    # cannot name the type variable, so the model class is only known as a BaseModel.
    Settings: ClassVar[builtins.type[BaseModel]] = NoSettings

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type:
            _REGISTRY[cls.type] = cls

    def __init__(self, name: str, settings: S, world: World) -> None:
        self.name = name
        self.settings = settings
        self.world = world
        self._check_priority()

    def _check_priority(self) -> None:
        from kantorovich.errors import PlanError, Problem

        s = self.settings
        priority = tuple(getattr(s, "priority", ()))
        kind = getattr(s, "rationing", "proportional")
        if priority and kind != "priority":
            raise PlanError([Problem("a priority list is given but rationing is "
                                     f"'{kind}'", f"regimes.{self.name}.priority",
                                     hint="set rationing: priority, or drop the list")])
        if kind == "priority" and not priority:
            raise PlanError([Problem("rationing: priority needs a priority list",
                                     f"regimes.{self.name}.priority",
                                     hint="e.g. priority: [railway, mill-5]: processes, "
                                          "units or goods, first served first")])
        known_ids = (set(self.world.plan.processes.index.astype(str))
                     | set(self.world.units.astype(str))
                     | set(self.world.plan.goods.index.astype(str)))
        bad = [p for p in priority if p not in known_ids]
        if bad:
            from kantorovich.model.checks import did_you_mean

            raise PlanError([Problem(f"unknown id '{b}' in the priority list",
                                     f"regimes.{self.name}.priority", hint=did_you_mean(
                                         b, sorted(known_ids)) or
                                     "name processes, units or goods of the world")
                             for b in bad])

    def prepare(self, world: World) -> World:
        """The world this regime is measured in (the democratic vote changes the
        objective); the world itself by default."""
        return world

    def rules(self) -> UnitRules:
        """The incentive rules the units know; a profit share by default."""
        return UnitRules()

    @abstractmethod
    def plan(self, view: CentreView) -> Planned:
        """Targets for this period from what the centre knows."""

    def observe(self, targets: np.ndarray, levels: np.ndarray) -> None:
        """What was made against the targets (for a regime that remembers)."""

    def rationing(self) -> Rationing:
        """How this regime shares out a short good (its settings say; a material
        balance, cutting every user in proportion, by default)."""
        from kantorovich.lab.world import Rationing

        s = self.settings
        return Rationing(str(getattr(s, "rationing", "proportional")),
                         tuple(getattr(s, "priority", ())))

    @property
    def replans(self) -> bool:
        """Whether the centre plans again once the period's shocks are known."""
        return bool(getattr(self.settings, "replan", False))

    def replan(self, view: CentreView, capacity: np.ndarray, targets: np.ndarray
               ) -> Planned:
        """Targets again, on the capacities units can still run after the shocks: by
        default the regime's own `plan` on what it is now told (a regime whose planning
        keeps state between periods overrides this, as `quota` and `central` do)."""
        import dataclasses
        import functools

        told = functools.cache(functools.partial(self.world.plan_at, view.unit_yield,
                                                 capacity))
        return self.plan(dataclasses.replace(view, reported_capacity=capacity,
                                             plan_of=told))

    # -- shared helpers --------------------------------------------------------------------
    def require_finite_capacities(self, why: str) -> None:
        """Refuse a world with a process of unbounded capacity (a decomposing regime's
        units answer within their capacities), located at this regime."""
        from kantorovich.errors import PlanError, Problem

        if not np.all(np.isfinite(self.world.capacity)):
            raise PlanError([Problem(
                f"the {self.type} regime needs a finite capacity for every process ({why})",
                f"regimes.{self.name}", hint="give every process a capacity in the world")])

    def technology_numbers(self) -> int:
        """Numbers in a full technology report: every flow and every capacity."""
        return int(len(self.world.plan.flows) + len(self.world.plan.processes))


def known() -> dict[str, type[Regime]]:
    """Every regime type registered so far (`kantorovich.lab.regimes.registered` first
    loads the built-in ones)."""
    return dict(_REGISTRY)
