"""The laboratory's cells on Dask, through the sweeps' runner (`kantorovich.sweep.runner`).

Each (world, regime, seed) cell is a point of `run_points`: `cell_record` runs
`kantorovich.lab.run.run_cell` on a worker and returns its frames as JSON columns (floats
travel as ``repr`` writes them, so they come back bit for bit); `run_on_dask` reads the
records back in the order of `Experiment.cells` and builds the same `Results` as the
serial `run_experiment`: the same tables and the same bytes on disk.

Finished cells go to a `PointStore`: inside the output directory (``DIR/.kantorovich-sweep``,
`kantorovich.sweep.store.open_store`) when there is one, so a rerun into ``DIR`` computes
only the cells not yet done; in a temporary directory otherwise. Cells are keyed by the
cell and a fingerprint of the experiment (its checked spec, each world's plan and the
regimes' classes), so a changed experiment never reuses another's cells.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kantorovich.lab.run import Experiment, Results, results_of, run_cell

__all__ = ["cell_record", "fingerprint", "frame_from_json", "frame_to_json", "run_on_dask"]


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as JSON values: its columns, their dtypes and their values.

    >>> f = pd.DataFrame({"a": [1, 2], "b": [0.1, float("nan")], "c": ["x", "y"]})
    >>> back = frame_from_json(frame_to_json(f))
    >>> back.equals(f) and list(back.dtypes) == list(f.dtypes)
    True
    """
    return {"columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "data": {str(c): frame[c].tolist() for c in frame.columns}}


def frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    """The frame `frame_to_json` wrote."""
    return pd.DataFrame({c: pd.Series(data["data"][c], dtype=t)
                         for c, t in zip(data["columns"], data["dtypes"])})


def cell_record(experiment: Experiment, world: str, regime: str, seed: int
                ) -> dict[str, Any]:
    """One cell for the runner: `run_cell`'s frames as JSON values."""
    frames = run_cell(experiment, regime, seed, world)
    return {name: frame_to_json(frame) for name, frame in frames.items()}


#: the simulator's own version: a change to how cells are simulated or measured bumps it,
#: so a store never hands back cells of an earlier simulator
SIMULATOR = "2026-12-honest-1"


def fingerprint(experiment: Experiment) -> str:
    """What the cells are cells of: the simulator, the spec, each world's plan, the
    regimes' classes."""
    digest = hashlib.sha256(SIMULATOR.encode())
    digest.update(experiment.spec.model_dump_json().encode())
    for name in experiment.world_names:
        world, regimes = experiment.world_of(name if experiment.worlds else None)
        digest.update(name.encode())
        plan = world.plan
        for frame in (plan.goods, plan.processes, plan.flows):
            digest.update(pd.util.hash_pandas_object(frame.reset_index(), index=False)
                          .to_numpy().tobytes())
        digest.update(repr(plan.objective).encode())
        for regime, (cls, settings) in regimes.items():
            digest.update(f"{regime}:{cls.__module__}.{cls.__qualname__}:"
                          f"{settings.model_dump_json()}".encode())
    return digest.hexdigest()[:24]


def run_on_dask(experiment: Experiment, *, workers: int | None = None,
                scheduler: str | None = None, client: Any = None,
                directory: str | Path | None = None,
                inputs: Sequence[str | Path] = (),
                progress: Callable[[int, int], None] | None = None) -> Results:
    """Every cell through `kantorovich.sweep.runner.run_points` (a local cluster of
    ``workers``, the scheduler at ``scheduler``, or ``client``); cells already in
    ``directory``'s store are reused. A cell that fails is a `PlanError` naming it."""
    from kantorovich.errors import PlanError, Problem
    from kantorovich.sweep.runner import run_points
    from kantorovich.sweep.store import open_store

    points = [{"world": w, "regime": r, "seed": s} for w, r, s in experiment.cells]
    salt = f"lab:{fingerprint(experiment)}"
    manifest = {"what": "kantorovich lab cells", "name": experiment.spec.name,
                "experiment": experiment.file, "salt": salt}
    with tempfile.TemporaryDirectory(prefix="kantorovich-lab-") as tmp:
        store = open_store(directory if directory is not None else Path(tmp) / "cells",
                           manifest=manifest, inputs=list(inputs))
        summary = run_points(cell_record, points, store, context=experiment, salt=salt,
                             workers=workers, scheduler=scheduler, client=client,
                             progress=progress, name="lab-cell")
        if summary.failed:
            named = {k: p for k, p in summary.params.items()}
            raise PlanError([Problem(f"cell {named[key]['world']}/{named[key]['regime']}/"
                                     f"seed {named[key]['seed']} failed: {message}",
                                     file=experiment.file)
                             for key, message in summary.failed])
        records = summary.records()
        missing = [key for key in summary.keys if key not in records]
        if missing:       # a stored cell that vanished or broke after it was read
            named = summary.params
            raise PlanError([Problem(f"cell {named[key]['world']}/{named[key]['regime']}/"
                                     f"seed {named[key]['seed']} could not be read back",
                                     file=experiment.file,
                                     hint="run the command again: a cell that does not "
                                          "read back whole is computed again")
                             for key in missing])
    frames = [{name: frame_from_json(data) for name, data in records[key].items()}
              for key in summary.keys]
    return results_of(experiment, frames)
