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

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from kantorovich.lab.behaviour import UnitRules

if TYPE_CHECKING:
    from kantorovich.lab.world import World
    from kantorovich.model.plan import Plan

__all__ = ["CentreView", "NoSettings", "Planned", "Regime", "known"]

_REGISTRY: dict[str, type[Regime]] = {}


class NoSettings(BaseModel):
    """A regime with nothing to set."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Regime(ABC):
    """A planning (or market) regime; see the module docstring.

    Parameters
    ----------
    name : str
        The name the experiment gives it (``ratchet``), shown in results.
    settings : BaseModel
        Its checked ``Settings``.
    world : World
        The true world; a regime may read its structure (goods, processes, flows) and the
        unit of each process, never the true capacities.
    """

    type: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type:
            _REGISTRY[cls.type] = cls

    def __init__(self, name: str, settings: BaseModel, world: World) -> None:
        self.name = name
        self.settings = settings
        self.world = world

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

    # -- shared helpers --------------------------------------------------------------------
    def technology_numbers(self) -> int:
        """Numbers in a full technology report: every flow and every capacity."""
        return int(len(self.world.plan.flows) + len(self.world.plan.processes))


def known() -> dict[str, type[Regime]]:
    """Every regime type registered so far (`kantorovich.lab.regimes.registered` first
    loads the built-in ones)."""
    return dict(_REGISTRY)
