"""Running an experiment: each (regime, seed) an independent, pure cell.

`run_cell` simulates one regime under one seed for every period and returns tidy
frames; `run_experiment` maps it over regimes x seeds (``map`` is injectable, so a
process pool or a Dask client can run the cells) and summarises them. Random draws come
from a NumPy generator per (seed, regime, unit), so a run is reproducible from its seeds
and a cell does not depend on which others run.

Each period: units choose reports (their best responses, `kantorovich.lab.behaviour`);
the regime plans on the reports (`Regime.plan`); units choose what to make against their
targets; chance may cut a unit's capacity; what is made is computed in the true world
(`World.realise`), with hoarded inputs withheld; innovations raise yields for the next
period; the regime observes the outcome.
"""

from __future__ import annotations

import builtins
import functools
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.behaviour import best_responses
from kantorovich.lab.draws import Draws
from kantorovich.lab.experiment import ExperimentSpec, read_experiment, settings_problems
from kantorovich.lab.measures import fulfilment_by_group, summarise
from kantorovich.lab.regimes import registered
from kantorovich.lab.regimes.base import CentreView, Regime
from kantorovich.lab.world import World, load_world

__all__ = ["Experiment", "Results", "load_experiment", "make_experiment", "results_of",
           "run_cell", "run_experiment"]


@dataclass(frozen=True, eq=False)
class Experiment:
    """A checked experiment with its worlds loaded and its regimes' settings checked.

    ``world`` and ``regimes`` are the first world's; ``worlds`` and ``world_regimes``
    hold every world by name (a world may set its own settings for a regime)."""

    spec: ExperimentSpec
    world: World
    regimes: dict[str, tuple[type[Regime], BaseModel]]
    file: str | None = None
    worlds: dict[str, World] = field(default_factory=dict)
    world_regimes: dict[str, dict[str, tuple[type[Regime], BaseModel]]] = field(
        default_factory=dict)

    @property
    def world_names(self) -> list[str]:
        return list(self.worlds) or ["world"]

    def world_of(self, name: str | None) -> tuple[World, dict[str, tuple[type[Regime],
                                                                           BaseModel]]]:
        """The named world (the first for None) and its regimes."""
        if name is None or not self.worlds:
            return self.world, self.regimes
        return self.worlds[name], self.world_regimes[name]

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        """Every (world, regime, seed), worlds first, in the order written."""
        return [(w, r, s) for w in self.world_names for r in self.world_of(
            w if self.worlds else None)[1] for s in self.spec.seeds]


@dataclass(frozen=True)
class Results:
    """Tidy results: ``measures`` (regime, seed, period, measure, value), ``units`` (one
    row per regime, seed, period and unit) and the JSON ``summary``."""

    measures: pd.DataFrame
    units: pd.DataFrame
    summary: dict[str, Any]


def _regimes(spec: ExperimentSpec, world: World, file: str | None, locate: Any,
             extra: dict[str, type[Regime]] | None,
             own: tuple[dict[str, Any], tuple[Any, ...]] | None = None
             ) -> dict[str, tuple[type[Regime], BaseModel]]:
    """The regimes checked against ``world``; ``own`` is a world's settings of its own
    for some regimes and where they are written."""
    from kantorovich.model.checks import did_you_mean

    kinds = {**registered(), **(extra or {})}
    found: dict[str, tuple[type[Regime], BaseModel]] = {}
    problems: list[Problem] = []
    written = dict(spec.regimes)
    places = {name: ("regimes", name) for name in written}
    if own is not None:
        mine, at = own
        for name, settings in mine.items():
            where = at + ("regimes", name)
            if name not in written:
                problems.append(Problem(f"unknown regime '{name}'", ".".join(map(str, where)),
                                        file, locate(where) if locate else None,
                                        did_you_mean(name, list(written)) or
                                        "a world sets its own settings for regimes of "
                                        "the experiment's regimes:"))
                continue
            settings = {} if settings is None else settings
            if isinstance(settings, dict) and "type" not in settings and isinstance(
                    written[name], dict) and "type" in written[name]:
                settings = {"type": written[name]["type"], **settings}   # same type
            written[name], places[name] = settings, where
    for name, settings in written.items():
        where = places[name]
        if not isinstance(settings, dict):
            problems.append(Problem("a regime's settings are a mapping", f"regimes.{name}",
                                    file, locate(where) if locate else None,
                                    "e.g. {type: quota, ratchet: 0.5} or {}"))
            continue
        settings = dict(settings)
        kind = settings.pop("type", name)
        cls = kinds.get(str(kind))
        if cls is None:
            at = where + (("type",) if "type" in written[name] else ())
            problems.append(Problem(
                f"unknown regime type '{kind}'", ".".join(at), file,
                locate(at) if locate else None,
                did_you_mean(str(kind), list(kinds)) or
                f"types are {', '.join(sorted(kinds))}; or set type: for a new name"))
            continue
        try:
            found[name] = (cls, cls.Settings.model_validate(settings))
        except ValidationError as exc:
            problems.extend(settings_problems(exc, where, file, locate, cls.Settings))
    if problems:
        raise PlanError(problems)
    # a regime may refuse the world (prices needs finite capacities): say so now
    for name, (cls, settings) in found.items():
        try:
            cls(name, settings, world)
        except PlanError as exc:
            for p in exc.problems:
                path = p.path
                if places[name] != ("regimes", name) and path.startswith(f"regimes.{name}"):
                    path = ".".join(map(str, places[name])) + path[len(f"regimes.{name}"):]
                elif own is not None and len(spec.worlds) > 1:
                    path = path + f" (world {own[1][-1]})"
                problems.append(Problem(p.message, path, file, locate(tuple(
                    path.split(" ")[0].split("."))) if locate else None, p.hint))
    if problems:
        raise PlanError(problems)
    return found


def make_experiment(spec: ExperimentSpec | dict[str, Any], *, base: str | Path = ".",
                    file: str | None = None, locate: Any = None,
                    regimes: dict[str, type[Regime]] | None = None) -> Experiment:
    """An experiment from its checked spec (or the mapping a file holds); paths are
    relative to ``base``; ``regimes`` adds types of one's own."""
    from kantorovich.lab.experiment import experiment_from_dict

    if not isinstance(spec, ExperimentSpec):
        spec = experiment_from_dict(spec, file=file, locate=locate)
    if not spec.worlds:     # a spec made directly, not through experiment_from_dict
        spec = experiment_from_dict(spec.model_dump(exclude={"worlds"}), file=file,
                                    locate=locate)
    several = len(spec.worlds) > 1
    worlds: dict[str, World] = {}
    checked: dict[str, dict[str, tuple[type[Regime], BaseModel]]] = {}
    problems: list[Problem] = []
    written_as_list = isinstance(spec.world, list)
    for i, (name, entry) in enumerate(spec.worlds.items()):
        at: tuple[Any, ...] = (("world", i if written_as_list else name) if several
                               else ("world",))
        line = locate(at) if locate else None
        try:
            world = load_world(entry, Path(base), spec.reliability,
                               where=".".join(map(str, at)), file=file, line=line,
                               strict=not several)
            worlds[name] = world
            checked[name] = _regimes(spec, world, file, locate, regimes,
                                     (entry.regimes, at))
        except PlanError as exc:
            problems.extend(exc.problems)
    if several and not problems:
        # a reliability must name a unit of some world
        from kantorovich.model.checks import did_you_mean

        names = {str(u) for w in worlds.values() for u in w.units}
        for unit in spec.reliability.units:
            if unit not in names:
                at = ("reliability", "units", unit)
                problems.append(Problem(f"unknown unit '{unit}'", ".".join(at), file,
                                        locate(at) if locate else None,
                                        did_you_mean(unit, sorted(names))
                                        or "name a unit of one of the worlds"))
    if problems:
        raise PlanError(problems)
    first = next(iter(worlds))
    return Experiment(spec, worlds[first], checked[first], file, worlds, checked)


def load_experiment(path: str | Path, *,
                    regimes: dict[str, type[Regime]] | None = None) -> Experiment:
    """Read, check and load an experiment file (`PlanError` with located problems)."""
    spec, locate = read_experiment(path)
    return make_experiment(spec, base=Path(path).parent, file=str(path), locate=locate,
                           regimes=regimes)


def _draw_at(draws: Draws, period: int, keys: Any, kind: str) -> np.ndarray:
    return draws(period, keys, kind)


# -- one cell ------------------------------------------------------------------------------
def run_cell(experiment: Experiment, regime_name: str, seed: int,
             world_name: str | None = None) -> dict[str, pd.DataFrame]:
    """Simulate ``regime_name`` under ``seed`` in the named world (the first by default):
    tidy ``measures`` and ``units`` frames."""
    base_world, regimes = experiment.world_of(world_name)
    world_name = world_name if world_name is not None else experiment.world_names[0]
    cls, settings = regimes[regime_name]
    spec = experiment.spec
    b = spec.behaviour
    regime = cls(regime_name, settings, base_world)
    world = regime.prepare(base_world)
    periods = spec.periods
    U, unit = world.n_units, world.process_unit
    private = world.private
    cap = np.where(private, world.capacity, 0.0)
    cap_u = np.bincount(unit, weights=cap, minlength=U)
    has = cap_u > 0
    safe = np.where(has, cap_u, 1.0)
    cell_draws = Draws(world_name, seed)
    tag = zlib.crc32(regime_name.encode("utf-8"))
    draws = np.stack([np.random.default_rng([seed, tag, u]).random((2, periods))
                      for u in range(U)]) if U else np.zeros((0, 2, periods))
    chance = world.chance if b.reliability else np.zeros(U)
    size = world.size if b.reliability else np.zeros(U)
    rules = regime.rules()
    groups: dict[tuple[float, float], np.ndarray] = {}
    for u in range(U):
        groups.setdefault((float(chance[u]), float(size[u])), []).append(u)  # type: ignore[attr-defined]
    responses = {key: (np.array(us), best_responses(rules, b, periods, chance=key[0],
                                                     size=key[1]))
                 for key, us in groups.items()} if not b.honest else {}
    step = b.innovation_step
    unit_yield = np.ones(U)
    k = np.zeros(U, dtype=int)
    tau = np.zeros(U)
    last_levels = last_targets = None
    region = np.where(world.unit_region == "", world.units.to_numpy(object),
                      world.unit_region)[unit]
    demanded = world.demand > 0
    rows: list[tuple[int, str, float]] = []
    unit_frames = []
    for t in range(periods):
        g = unit_yield
        if b.honest:
            r = np.ones(U)
            y_plan = t_plan = np.zeros(U)
            effort = np.full(U, float(b.innovation > 0))
        else:
            r, y_plan, effort, t_plan = (np.zeros(U) for _ in range(4))
            for us, resp in responses.values():
                r[us], y_plan[us], effort[us], t_plan[us] = resp.at(t, tau[us], k[us])
        reported = np.where(private, world.capacity * r[unit], world.capacity)
        seen = unit_yield.copy()
        view = CentreView(t + 1, functools.cache(functools.partial(
            world.plan_at, seen, reported)), reported, seen, unit, U, last_levels,
            last_targets, functools.partial(_draw_at, cell_draws, t + 1))
        planned = regime.plan(view)
        T = np.clip(np.asarray(planned.targets, float), 0, None)
        T_u = np.bincount(unit, weights=np.where(private, T, 0), minlength=U) / safe * g
        if b.honest:
            want_u = T_u
        else:
            want_u = np.clip(T_u + (y_plan - t_plan), 0, g)
        shock = draws[:, 0, t] < chance if U else np.zeros(0, bool)
        room = np.where(shock, 1.0 - size, 1.0)
        # per process: the planned part, then output beyond the plan
        ratio = np.divide(want_u, T_u, out=np.ones(U), where=T_u > 0)
        over = np.divide(want_u - T_u, g - T_u, out=np.zeros(U), where=g - T_u > 1e-12)
        lower = np.minimum(ratio, 1.0)[unit] * T
        beyond = np.where(want_u > T_u, 1, 0)[unit] * np.clip(cap - T, 0, None) * \
            np.clip(over, 0, 1)[unit]
        limit = np.where(private, world.capacity * room[unit], np.inf)
        lower = np.where(private, np.minimum(lower, limit), T)
        beyond = np.where(private, np.clip(np.minimum(lower + beyond, limit) - lower, 0,
                                           None), 0.0)
        held = np.clip(T - lower, 0, None) if b.hoarding else np.zeros_like(T)
        levels = world.realise(lower, beyond, held, unit_yield)
        made_u = np.bincount(unit, weights=np.where(private, levels, 0), minlength=U) / safe
        # measures
        shortfalls = []
        positive = T > 1e-9 * max(1.0, float(T.max(initial=0)))
        if positive.any():
            shortfalls.append(np.clip(T[positive] - levels[positive], 0, None) / T[positive])
        if demanded.any():
            net = (world.outputs @ (world.process_yields(unit_yield) * levels)
                   - world.inputs @ levels + np.where(np.isinf(world.supply), np.inf,
                                                      world.supply))
            unmet = np.clip(world.demand - net, 0, None)[demanded] / world.demand[demanded]
            shortfalls.append(unmet)
        received = np.bincount(unit, weights=T, minlength=U)
        kept = np.bincount(unit, weights=held, minlength=U)
        got = received > 0
        innovated = (effort > 0.5) & (draws[:, 1, t] < b.innovation) if U else np.zeros(0, bool)
        values = {
            "efficiency": world.efficiency(levels, unit_yield),
            "misreport": float(r[has].mean()) if has.any() else 1.0,
            "output_share": float(made_u[has].mean()) if has.any() else float("nan"),
            "shortfall": float(np.concatenate(shortfalls).mean()) if shortfalls else 0.0,
            "worst_region": fulfilment_by_group(region, T, levels),
            "hoarded": float((kept[got] / received[got]).mean()) if got.any() else 0.0,
            "innovation": float(np.where(innovated, step, 0.0).mean()) if U else 0.0,
            "messages": float(planned.messages),
            "rounds": float(planned.rounds),
            "rules_broken": float(world.rules_broken(levels, unit_yield)),
            **{key: float(v) for key, v in planned.measures.items()},
        }
        rows.extend((t + 1, key, value) for key, value in values.items())
        unit_frames.append(pd.DataFrame({
            "period": t + 1, "unit": world.units.astype(str),
            "region": world.unit_region.astype(str),
            "report": r, "capacity": cap_u, "reported_capacity": cap_u * r,
            "target": np.bincount(unit, weights=T, minlength=U),
            "output": np.bincount(unit, weights=levels, minlength=U),
            "yield": unit_yield.copy(), "effort": effort,
            "innovated": innovated.astype(float), "shortfall_hit": shock.astype(float),
            "hoarded": np.divide(kept, received, out=np.zeros(U), where=got)}))
        # the state of the next period
        if rules.standing and not b.honest:
            tau = np.asarray(rules.next_tau(T_u, made_u * g, tau), float) * np.ones(U)
        regime.observe(T, levels)
        k = k + innovated
        unit_yield = unit_yield * np.where(innovated, 1.0 + step, 1.0)
        last_levels, last_targets = levels, T
    measures = pd.DataFrame(rows, columns=["period", "measure", "value"])
    measures.insert(0, "seed", seed)
    measures.insert(0, "regime", regime_name)
    measures.insert(0, "world", world_name)
    units = pd.concat(unit_frames, ignore_index=True)
    units.insert(0, "seed", seed)
    units.insert(0, "regime", regime_name)
    units.insert(0, "world", world_name)
    return {"measures": measures, "units": units}


def run_experiment(experiment: Experiment, *,
                   map: Callable[..., Iterable[dict[str, pd.DataFrame]]] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Results:
    """Every (world, regime, seed) cell, then the summary. ``map(fn, regimes, seeds,
    worlds)`` runs the cells (the builtin ``map`` by default; a pool's works too; for
    Dask see `kantorovich.lab.distributed`)."""
    cells = experiment.cells
    worlds = [c[0] for c in cells]
    names = [c[1] for c in cells]
    seeds = [c[2] for c in cells]

    cell = functools.partial(run_cell, experiment)   # picklable: a pool's map takes it
    mapper = map if map is not None else builtins.map
    frames = []
    for done, frame in enumerate(mapper(cell, names, seeds, worlds), start=1):
        frames.append(frame)
        if progress is not None:
            progress(done, len(cells))
    return results_of(experiment, frames)


def results_of(experiment: Experiment, frames: list[dict[str, pd.DataFrame]]) -> Results:
    """The tidy tables and summary of every cell's frames, in the order of `cells`."""
    measures = pd.concat([f["measures"] for f in frames], ignore_index=True)
    units = pd.concat([f["units"] for f in frames], ignore_index=True)
    spec = experiment.spec
    per_world = {}
    for name in experiment.world_names:
        world, _ = experiment.world_of(name if experiment.worlds else None)
        part = measures[measures["world"] == name]
        per_world[name] = {"world": world.source, "regimes": summarise(part)}
    first = next(iter(per_world.values()))
    summary = {"name": spec.name, "world": first["world"],
               "periods": spec.periods, "seeds": list(spec.seeds),
               "regimes": first["regimes"], "worlds": per_world}
    return Results(measures, units, summary)
