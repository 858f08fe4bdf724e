"""The true world of an experiment: a plan whose production units privately know their
capacities, yields and reliability, and the physics that turns wanted levels into what
is really made.

The world is a `Plan` read from a plan file, or the plan ray of an input-output table
(`kantorovich.economy.plan.ray_plan`) with each sector a unit whose capacity is a
multiple of its gross output. A unit is a plan unit (its processes), or a process with
no unit standing for itself. Only processes with a finite capacity carry private
information; the others are run as planned.

What is made (`World.realise`) is computed, not assumed: inputs go first to planned
levels, then to output beyond the plan; where a good is short, what can be made is the
engine's optimum of the processes' fulfilment shares (`World.ration`), so a plan built
on false reports fails where the goods run out, downstream included.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.errors import PlanError, Problem
from kantorovich.model.plan import Plan

__all__ = ["Evaluation", "World", "load_world"]

_FEASIBLE = 1e-9     # relative slack allowed before a good counts as short
_FULFILMENT = "lab:fulfilment"


@dataclass(frozen=True)
class Evaluation:
    """The true world's compiled program at given yields and its optimum."""

    lp: Any
    optimum: float
    levels: np.ndarray


@dataclass(eq=False)
class World:
    """The true economy; see the module docstring."""

    plan: Plan
    source: str
    units: pd.Index                 # unit ids
    unit_region: np.ndarray         # region per unit ("" where none)
    process_unit: np.ndarray        # unit position per process
    capacity: np.ndarray            # true capacity per process (levels)
    chance: np.ndarray              # shortfall chance per unit
    size: np.ndarray                # shortfall size per unit
    _cache: dict[Any, Evaluation] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        plan = self.plan
        flows = plan.flows
        proc = plan.processes.index.get_indexer(flows["process"])
        good = plan.goods.index.get_indexer(flows["good"])
        shape = (len(plan.goods), len(plan.processes))
        self.flow_process, self.flow_good = proc, good
        self.inputs = sp.csr_matrix((flows["input"].to_numpy(float), (good, proc)), shape)
        self.outputs = sp.csr_matrix((flows["output"].to_numpy(float), (good, proc)), shape)
        self.flow_input = flows["input"].to_numpy(float)
        self.supply = plan.goods["supply"].to_numpy(float)
        self.demand = plan.goods["demand"].to_numpy(float)
        self.private = np.isfinite(self.capacity) & (self.capacity > 0)

    # -- views -----------------------------------------------------------------------------
    @property
    def n_units(self) -> int:
        return len(self.units)

    def process_yields(self, unit_yield: np.ndarray) -> np.ndarray:
        """Yield multiplier per process from one per unit."""
        return unit_yield[self.process_unit]

    def plan_at(self, unit_yield: np.ndarray, capacity: np.ndarray | None = None) -> Plan:
        """The plan with each unit's outputs multiplied by its yield and, if given, these
        capacities: what a centre believing them would plan on."""
        plan = self.plan
        if np.any(unit_yield != 1.0):
            g = self.process_yields(unit_yield)[self.flow_process]
            plan = replace(plan, flows=plan.flows.assign(
                output=plan.flows["output"].to_numpy(float) * g))
        if capacity is not None:
            finite = self.private
            plan = plan.with_changes(capacity=pd.Series(
                capacity[finite], index=plan.processes.index[finite]))
        return plan

    def with_weights(self, weights: dict[str, float]) -> World:
        """The same world valuing final goods by ``weights`` (a democratic vote)."""
        plan = self.plan.with_changes(weights=weights)
        return replace(self, plan=plan, _cache={})

    # -- the truth -------------------------------------------------------------------------
    def evaluation(self, unit_yield: np.ndarray) -> Evaluation:
        """The compiled true program at these yields and its optimum (solved once)."""
        key = tuple(np.round(unit_yield, 12))
        found = self._cache.get(key)
        if found is None:
            from kantorovich.lp.compile import compile_plan
            from kantorovich.results.result import solve

            plan = self.plan_at(unit_yield)
            result = solve(plan)
            if not result.is_optimal:
                raise PlanError([Problem(
                    f"the true world has no optimum ({result.status.value}) at these "
                    "yields", file=self.source,
                    hint="check the plan with `kantorovich solve`")])
            found = Evaluation(compile_plan(plan), float(result.objective),
                               result.levels.to_numpy(float))
            self._cache[key] = found
        return found

    def objective(self, levels: np.ndarray, unit_yield: np.ndarray) -> float:
        """The true world's objective at these process levels (rules not enforced)."""
        ev = self.evaluation(unit_yield)
        lp = ev.lp
        cols = lp.col_positions("process")
        if self.plan.objective.sense == "maximize_sets":
            rows = lp.row_positions("assortment")
            sets_col = lp.col_positions("sets")[0]
            a = lp.matrix[rows][:, cols] @ levels
            coef = lp.matrix[rows][:, [sets_col]].toarray().ravel()
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = (lp.row_lower[rows] - a) / coef
            return float(np.min(bound)) if len(bound) else 0.0
        return float(lp.objective[cols] @ levels + lp.constant)

    def efficiency(self, levels: np.ndarray, unit_yield: np.ndarray) -> float:
        """Objective reached / true optimum (1 = optimal)."""
        optimum = self.evaluation(unit_yield).optimum
        reached = self.objective(levels, unit_yield)
        if self.plan.objective.sense == "minimize":
            return optimum / reached if reached > 0 else float("nan")
        return reached / optimum if optimum != 0 else float("nan")

    def rules_broken(self, levels: np.ndarray, unit_yield: np.ndarray) -> int:
        """How many of the world's political rules these levels break."""
        lp = self.evaluation(unit_yield).lp
        rows = lp.row_positions("policy")
        if not len(rows):
            return 0
        cols = lp.col_positions("process")
        a = lp.matrix[rows][:, cols] @ levels
        scale = 1e-6 * (1 + np.abs(lp.row_lower[rows]).clip(max=1e300)
                        + np.abs(np.nan_to_num(lp.row_upper[rows], posinf=0)))
        bad = (a < lp.row_lower[rows] - scale) | (a > lp.row_upper[rows] + scale)
        return int(bad.sum())

    # -- physics ---------------------------------------------------------------------------
    def feasible(self, levels: np.ndarray, available: np.ndarray,
                 unit_yield: np.ndarray) -> bool:
        """Whether ``levels`` need no more of any good than is available and made."""
        outputs = self.outputs @ sp.diags(self.process_yields(unit_yield))
        have = available + outputs @ levels
        need = self.inputs @ levels
        return bool(np.all(need <= have + _FEASIBLE * (np.abs(have) + np.abs(need)) + 1e-12))

    def ration(self, wanted: np.ndarray, available: np.ndarray,
               unit_yield: np.ndarray) -> np.ndarray:
        """Levels at most ``wanted`` that the goods allow, each process as near its want
        as the others let it be: where ``wanted`` itself is feasible, it; otherwise the
        engine's optimum of the world's own objective (of the sum of fulfilment shares
        ``level / wanted`` where the world minimises) with each level at most its want,
        over the world's balances (inputs made within the period count; rules and demands
        do not bind what is physically made): the goods that are there go where they do
        most good, and a shortage spreads downstream as far as it must and no further."""
        wanted = np.clip(np.nan_to_num(wanted), 0, None)
        if self.feasible(wanted, available, unit_yield):
            return wanted
        from kantorovich.model.plan import Objective
        from kantorovich.results.result import solve

        plan = self.plan
        g = self.process_yields(unit_yield)
        flows = plan.flows.assign(output=plan.flows["output"].to_numpy(float)
                                  * g[self.flow_process])
        wants = np.flatnonzero(wanted > 0)
        share = pd.DataFrame({"process": plan.processes.index.to_numpy(object)[wants],
                              "good": _FULFILMENT, "input": 0.0,
                              "output": 1.0 / wanted[wants]})
        goods = plan.goods.assign(supply=np.clip(available, 0, None), demand=0.0)
        extra = pd.DataFrame({c: [v] for c, v in zip(
            goods.columns, ["fulfilment", "", 0.0, 0.0])}, index=pd.Index(
                [_FULFILMENT], name=goods.index.name)).reindex(columns=goods.columns)
        extra["supply"], extra["demand"] = 0.0, 0.0
        goods = pd.concat([goods, extra.fillna("")])
        processes = plan.processes.assign(capacity=wanted, min_level=0.0)
        from kantorovich.model.plan import Plan

        recovery = Plan(name=f"{plan.name}: what can be made", goods=goods,
                        units=plan.units, processes=processes,
                        flows=pd.concat([flows, share], ignore_index=True),
                        objective=(plan.objective if plan.objective.is_maximize else
                                   Objective("maximize", pd.Series({_FULFILMENT: 1.0}))),
                        period=plan.period)
        result = solve(recovery)
        if not result.is_optimal:   # a numerically hard corner: the other method's vertex
            result = solve(recovery, method="ipm")
        if not result.is_optimal:
            raise PlanError([Problem(f"what the world can make could not be computed "
                                     f"({result.status.value})", file=self.source)])
        return np.clip(result.levels.to_numpy(float), 0, wanted)

    def realise(self, planned: np.ndarray, beyond: np.ndarray, held: np.ndarray,
                unit_yield: np.ndarray) -> np.ndarray:
        """Levels really run: ``planned`` first (inputs net of the ``held`` levels'
        inputs, hoarded by their units), then output ``beyond`` the plan from what is
        left."""
        supply = np.where(np.isinf(self.supply), 1e300, self.supply)
        available = supply - self.inputs @ held
        first = self.ration(planned, available, unit_yield)
        outputs = self.outputs @ sp.diags(self.process_yields(unit_yield))
        left = np.clip(available + outputs @ first - self.inputs @ first, 0, None)
        second = self.ration(beyond, left, unit_yield)
        return first + second


# -- loading -----------------------------------------------------------------------------
def _units_of(plan: Plan) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    unit = plan.processes["unit"].to_numpy(object)
    ids = np.where(pd.isna(unit) | (unit == ""), plan.processes.index.to_numpy(object), unit)
    units = pd.Index(pd.unique(ids.astype(str)), name="unit")
    region = plan.units["region"].reindex(units) if len(plan.units) else pd.Series(
        [None] * len(units), index=units)
    region = np.array(["" if pd.isna(r) else str(r) for r in region], dtype=object)
    return units, region, units.get_indexer(ids.astype(str))


@functools.lru_cache(maxsize=8)
def _economy_plan(folder: str, capacity: float, labour: str | None) -> tuple[Plan, tuple]:
    from kantorovich.economy.plan import ray_plan
    from kantorovich.economy.table import load_economy

    economy = load_economy(folder, labour=labour)  # type: ignore[arg-type]
    plan, inputs = ray_plan(economy)
    x = economy.x[inputs.made] / inputs.unit
    plan = plan.with_changes(capacity=pd.Series(x * capacity, index=plan.processes.index))
    regions = tuple(str(r) for r in economy.sectors["region"].to_numpy()[inputs.made])
    return plan, regions


def load_world(spec: Any, base: Path, reliability: Any, *, where: str = "world",
               file: str | None = None, line: int | None = None,
               strict: bool = True) -> World:
    """The world an experiment names, paths relative to the experiment file; with
    ``strict=False`` reliabilities of units this world lacks are passed over (another
    world of the experiment has them)."""
    from kantorovich.lab.experiment import EconomyWorld, PlanWorld

    if isinstance(spec, str):
        spec = PlanWorld(plan=spec)
    if isinstance(spec, EconomyWorld):
        folder = (base / spec.economy)
        if not folder.is_dir():
            raise PlanError([Problem(f"no input-output table folder '{spec.economy}'",
                                     f"{where}.economy", file, line,
                                     "give a folder with sectors.csv, Z.csv, y.csv, x.csv, "
                                     "va.csv, relative to the experiment file")])
        plan, regions = _economy_plan(str(folder), spec.capacity, spec.labour)
        source = str(folder)
        units, _, process_unit = _units_of(plan)
        region = np.array(regions, dtype=object)
    else:
        from kantorovich.io import load_plan

        path = base / spec.plan
        if not path.is_file():
            raise PlanError([Problem(f"no plan file '{spec.plan}'", f"{where}", file, line,
                                     "give a plan file relative to the experiment file")])
        plan = load_plan(path)
        source = str(path)
        units, region, process_unit = _units_of(plan)
    capacity = plan.processes["capacity"].to_numpy(float)
    default = reliability.default
    chance = np.full(len(units), default.chance)
    size = np.full(len(units), default.size)
    problems = []
    for unit, value in reliability.units.items():
        at = units.get_indexer([unit])[0]
        if at < 0 and not strict:
            continue
        if at < 0:
            from kantorovich.model.checks import did_you_mean

            problems.append(Problem(f"unknown unit '{unit}'", f"reliability.units.{unit}",
                                    file, None, did_you_mean(unit, units.astype(str))
                                    or "name a unit of the world"))
            continue
        chance[at], size[at] = value.chance, value.size
    if problems:
        raise PlanError(problems)
    return World(plan, source, units, region, process_unit, capacity, chance, size)
