"""Running an experiment: each (world, regime, seed) an independent, pure cell.

`run_cell` simulates one regime under one seed for every period
(`kantorovich.lab.cell.simulate`) and returns tidy frames; `run_experiment` maps it over
the cells (``map`` is injectable, so a process pool or a Dask client can run them) and
summarises them, with each regime's paired differences from the experiment's
``baseline``. Every draw is keyed by (world, seed, period, unit, kind), never by the
regime (`kantorovich.lab.draws`), so a run is reproducible from its seeds, a cell does not
depend on which others run, and two regimes under one seed meet the same luck.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from kantorovich.errors import PlanError, Problem
from kantorovich.lab.cell import simulate
from kantorovich.lab.experiment import ExperimentSpec, read_experiment, settings_problems
from kantorovich.lab.measures import differences, summarise
from kantorovich.lab.regimes import registered
from kantorovich.lab.regimes.base import Regime
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


# -- one cell ------------------------------------------------------------------------------
def run_cell(experiment: Experiment, regime_name: str, seed: int,
             world_name: str | None = None) -> dict[str, pd.DataFrame]:
    """Simulate ``regime_name`` under ``seed`` in the named world (the first by default):
    tidy ``measures`` and ``units`` frames (`kantorovich.lab.cell.simulate`)."""
    base_world, regimes = experiment.world_of(world_name)
    world_name = world_name if world_name is not None else experiment.world_names[0]
    cls, settings = regimes[regime_name]
    spec = experiment.spec
    regime = cls(regime_name, settings, base_world)
    world = regime.prepare(base_world)
    measures, units = simulate(world, regime, spec.behaviour, spec.periods, seed,
                               world_name)
    for frame in (measures, units):
        frame.insert(0, "seed", seed)
        frame.insert(0, "regime", regime_name)
        frame.insert(0, "world", world_name)
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
    baseline = spec.baseline or next(iter(spec.regimes))
    per_world = {}
    for name in experiment.world_names:
        world, _ = experiment.world_of(name if experiment.worlds else None)
        part = measures[measures["world"] == name]
        per_world[name] = {"world": world.source, "regimes": summarise(part),
                           "differences": differences(part, baseline)}
    first = next(iter(per_world.values()))
    summary = {"name": spec.name, "world": first["world"],
               "periods": spec.periods, "seeds": list(spec.seeds),
               "baseline": baseline, "regimes": first["regimes"],
               "differences": first["differences"], "worlds": per_world}
    return Results(measures, units, summary)
