"""The true world of an experiment: a plan whose production units privately know their
capacities, yields and reliability, and the physics that turns wanted levels into what
is really made.

The world is a `Plan` read from a plan file, or the plan ray of an input-output table
(`kantorovich.economy.plan.ray_plan`) with each sector a unit whose capacity is a
multiple of its gross output. A unit is a plan unit (its processes), or a process with
no unit standing for itself. Only processes with a finite capacity carry private
information; the others are run as planned.

What is made (`World.realise`) is computed, not assumed: the planned levels' allocations
are handed out first, then output beyond the plan is made from what is left; a short good
is shared by the regime's stated rule (`Rationing`: a material balance cutting every user
in proportion by default, `kantorovich.lab.rationing`), so a plan built on false reports
fails where the goods run out, downstream included. `World.ex_post` is the yardstick: the
engine's optimum of the world as it turned out (realised capacities and yields).
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
from kantorovich.lab.rationing import Cut, material_balance
from kantorovich.model.plan import Plan

__all__ = ["Evaluation", "ExPost", "Rationing", "World", "load_world"]

_FEASIBLE = 1e-9     # relative slack allowed before a good counts as short
_FULFILMENT = "lab:fulfilment"


@dataclass(frozen=True)
class Evaluation:
    """The true world's compiled program at given yields and its optimum."""

    lp: Any
    optimum: float
    levels: np.ndarray


@dataclass(frozen=True)
class Rationing:
    """How a regime shares out a short good: ``proportional`` (a material balance),
    ``priority`` (the ids in ``priority`` first, in order: processes, units, or goods
    whose makers come first), or ``optimal`` (the engine's optimum: an explicit choice,
    never a default)."""

    kind: str = "proportional"
    priority: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExPost:
    """The optimum of the world as it turned out: objective, levels, final deliveries,
    and what had to be relaxed to have one ("" where nothing)."""

    optimum: float
    levels: np.ndarray
    deliveries: np.ndarray
    relaxed: str


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
    _ex_post: dict[Any, ExPost] = field(default_factory=dict, repr=False)
    _sessions: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        plan = self.plan
        flows = plan.flows
        proc = plan.processes.index.get_indexer(pd.Index(flows["process"]))
        good = plan.goods.index.get_indexer(pd.Index(flows["good"]))
        shape = (len(plan.goods), len(plan.processes))
        self.flow_process, self.flow_good = proc, good
        self.inputs = sp.csr_matrix((flows["input"].to_numpy(float), (good, proc)), shape)
        self.outputs = sp.csr_matrix((flows["output"].to_numpy(float), (good, proc)), shape)
        self.outputs_flow = flows["output"].to_numpy(float) > 0
        self.supply = plan.goods["supply"].to_numpy(float)
        self.demand = plan.goods["demand"].to_numpy(float)
        self.private = np.isfinite(self.capacity) & (self.capacity > 0)

    # -- views -----------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its caches and solver sessions (a pool's worker builds its
        own): what makes the world is its plan and its units."""
        state = dict(self.__dict__)
        state.update(_cache={}, _ex_post={}, _sessions={})
        state.pop("final_goods", None)
        return state

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
        return replace(self, plan=plan, _cache={}, _ex_post={}, _sessions={})

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

    def efficiency(self, levels: np.ndarray, unit_yield: np.ndarray,
                   optimum: float | None = None) -> float:
        """Objective reached / an optimum (the no-shock optimum at these yields by
        default; `World.ex_post`'s for the ex-post measure): 1 = optimal."""
        if optimum is None:
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

    def ration(self, wanted: np.ndarray, available: np.ndarray, unit_yield: np.ndarray,
               rule: Rationing | None = None, *, run: np.ndarray | None = None,
               final: np.ndarray | None = None) -> Cut:
        """What ``wanted`` levels get from ``available`` goods (plus what is made within
        the period) under ``rule``: a material balance by default (every user of a short
        good cut in proportion to its allocation, `kantorovich.lab.rationing`), by a
        priority list, or, only where a regime says so, the engine's optimum of the
        world's objective (``optimal``). ``run`` caps the levels actually run (a unit
        that asked for more than it makes keeps the rest of its allocation). Final use is
        the buffer: it gets what production leaves (the priority of production over
        consumption in Soviet practice; Kornai 1980, ch. 6; Montias 1959), unless
        ``final`` names a planned final use to be cut in proportion with the rest."""
        rule = rule or Rationing()
        wanted = np.clip(np.nan_to_num(wanted), 0, None)
        outputs = self.outputs @ sp.diags(self.process_yields(unit_yield))
        if rule.kind == "optimal":
            run = wanted if run is None else np.minimum(run, wanted)
            held = wanted - run
            free = np.clip(available - self.inputs @ held, 0, None)
            levels = self._optimal(run, free, unit_yield)
            received = (self.inputs @ sp.diags(levels + held)).tocsr()
            return Cut(levels, received, np.ones(len(available)), 1)
        tiers = self._tiers(rule) if rule.kind == "priority" else None
        return material_balance(self.inputs, outputs, wanted, available, run, tiers, final)

    def _tiers(self, rule: Rationing) -> np.ndarray:
        """Priority tier per process: a process listed (or its unit, or a good it makes)
        takes the place of its first mention; everything unlisted comes last."""
        plan = self.plan
        n = len(plan.processes)
        tier = np.full(n, len(rule.priority))
        ids = plan.processes.index.astype(str).to_numpy()
        units = self.units.astype(str).to_numpy()[self.process_unit]
        makes = pd.Series(self.flow_good[self.outputs_flow], index=self.flow_process[
            self.outputs_flow])
        goods = plan.goods.index.astype(str).to_numpy()
        for place, name in reversed(list(enumerate(rule.priority))):
            hit = (ids == name) | (units == name)
            if name in set(goods):
                g = int(np.flatnonzero(goods == name)[0])
                hit[makes.index[makes.to_numpy() == g]] = True
            tier[hit] = place
        return tier

    def _optimal(self, wanted: np.ndarray, available: np.ndarray,
                 unit_yield: np.ndarray) -> np.ndarray:
        """The engine's optimum of the world's objective (of the sum of fulfilment shares
        where the world minimises) with each level at most its want, over the world's
        balances: the goods go where they do most good."""
        if self.feasible(wanted, available, unit_yield):
            return wanted
        from kantorovich.model.plan import Objective
        from kantorovich.results.result import solve

        plan = self.plan
        g = self.process_yields(unit_yield)
        flows = plan.flows.assign(output=plan.flows["output"].to_numpy(float)
                                  * g[self.flow_process])
        # a want below a millionth of the largest is no want (its share would scale
        # the program by the inverse of a tiny number)
        top = float(wanted.max(initial=0))
        wanted = np.where(wanted > 1e-9 * max(top, 1e-300), wanted, 0.0)
        wants = np.flatnonzero(wanted > 0)
        share = pd.DataFrame({"process": plan.processes.index.to_numpy(object)[wants],
                              "good": _FULFILMENT, "input": 0.0,
                              "output": top / wanted[wants] if top > 0 else 1.0})
        goods = plan.goods.assign(supply=np.clip(available, 0, None), demand=0.0)
        extra = pd.DataFrame({c: [v] for c, v in zip(
            goods.columns, ["fulfilment", "", 0.0, 0.0])}, index=pd.Index(
                [_FULFILMENT], name=goods.index.name)).reindex(columns=goods.columns)
        extra["supply"], extra["demand"] = 0.0, 0.0
        goods = pd.concat([goods, extra.fillna("")])
        processes = plan.processes.assign(capacity=wanted, min_level=0.0)
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

    def realise(self, planned: np.ndarray, run: np.ndarray, beyond: np.ndarray,
                unit_yield: np.ndarray, rule: Rationing | None = None
                ) -> tuple[np.ndarray, sp.csr_matrix]:
        """Levels really run and the allocations received. The ``planned`` levels'
        allocations are handed out first (a unit asks for its whole target, even the
        part it will not make when it hoards); each process runs at most ``run`` of it;
        output ``beyond`` the plan is then made from what is left unallocated."""
        supply = np.where(np.isinf(self.supply), 1e300, self.supply)
        first = self.ration(planned, supply, unit_yield, rule, run=run)
        outputs = self.outputs @ sp.diags(self.process_yields(unit_yield))
        handed = np.asarray(first.received.sum(axis=1)).ravel()
        left = np.clip(supply + outputs @ first.levels - handed, 0, None)
        second = self.ration(beyond, left, unit_yield, rule)
        return first.levels + second.levels, (first.received + second.received).tocsr()

    # -- what could have been done --------------------------------------------------------
    def ex_post(self, unit_yield: np.ndarray, capacity: np.ndarray) -> ExPost:
        """The engine's optimum of the world with the capacities and yields actually
        realised (same political rules; where they cannot be met at these capacities,
        without them, and failing that without demands): the yardstick of `efficiency`,
        and the final deliveries it makes (the final demand of `shortage`)."""
        key = (tuple(np.round(unit_yield, 12)), tuple(np.round(capacity[self.private], 9)))
        found = self._ex_post.get(key)
        if found is not None:
            return found
        from kantorovich.results.session import Session

        ykey = key[0]
        session = self._sessions.get(ykey)
        if session is None:
            session = self._sessions[ykey] = Session(self.plan_at(unit_yield))
        ids = self.plan.processes.index[self.private]
        caps = pd.Series(capacity[self.private], index=ids)
        result = session.solve(capacity=caps)
        relaxed = ""
        if not result.is_optimal:
            from kantorovich.results.result import solve

            plan = self.plan_at(unit_yield, capacity).with_policies(())
            result, relaxed = solve(plan), "rules"
            if not result.is_optimal:
                demanded = plan.goods.index[plan.goods["demand"] != 0]
                plan = plan.with_changes(demand={str(g): 0.0 for g in demanded})
                result, relaxed = solve(plan), "rules and demands"
        if not result.is_optimal:
            raise PlanError([Problem(
                f"the world has no optimum ({result.status.value}) at the realised "
                "capacities", file=self.source, hint="check the plan with `kantorovich "
                "solve`")])
        levels = result.levels.to_numpy(float)
        found = ExPost(float(result.objective), levels,
                       self.final_deliveries(levels, unit_yield), relaxed)
        if len(self._ex_post) > 4096:
            self._ex_post.clear()
        self._ex_post[key] = found
        return found

    def final_deliveries(self, levels: np.ndarray, unit_yield: np.ndarray) -> np.ndarray:
        """What is left of each good for final use: supply and output less inputs."""
        outputs = self.outputs @ sp.diags(self.process_yields(unit_yield))
        supply = np.where(np.isinf(self.supply), 0.0, self.supply)
        return supply + outputs @ levels - self.inputs @ levels

    @functools.cached_property
    def final_goods(self) -> np.ndarray:
        """Goods whose final use is wanted: demanded, or counted by the objective."""
        plan = self.plan
        weights = plan.objective.weights.reindex(plan.goods.index).fillna(0.0).to_numpy(float)
        counted = weights != 0 if plan.objective.is_maximize or plan.objective.sense == \
            "maximize_sets" else np.zeros(len(weights), bool)
        return (self.demand > 0) | counted

    def shortage(self, levels: np.ndarray, unit_yield: np.ndarray, ex_post: ExPost) -> float:
        """Kornai's shortage: the mean over final goods of the share of final demand
        (the ex-post optimum's final deliveries, at least the plan's demands) not
        delivered."""
        goods = self.final_goods
        want = np.maximum(ex_post.deliveries, self.demand)[goods]
        got = self.final_deliveries(levels, unit_yield)[goods]
        has = want > 1e-12 * max(1.0, float(np.abs(want).max(initial=0)))
        if not has.any():
            return 0.0
        return float(np.mean(np.clip((want[has] - got[has]) / want[has], 0, 1)))


# -- loading -----------------------------------------------------------------------------
def _units_of(plan: Plan) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    unit = plan.processes["unit"].to_numpy(object)
    ids = np.where(pd.isna(unit) | (unit == ""), plan.processes.index.to_numpy(object), unit)
    units = pd.Index(pd.unique(ids.astype(str)), name="unit")
    named = plan.units["region"].reindex(units) if len(plan.units) else pd.Series(
        [None] * len(units), index=units)
    region = np.array(["" if pd.isna(r) else str(r) for r in named], dtype=object)
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
        at = units.get_indexer(pd.Index([unit]))[0]
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
