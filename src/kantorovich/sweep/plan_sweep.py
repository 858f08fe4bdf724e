"""A sweep of one plan, end to end: grid, runner, store, tables, charts, samples.

`sweep_plan` is what ``kantorovich sweep`` runs. The output directory holds, once the
run ends (published together, all or nothing, by `kantorovich.files.output_directory`):

* ``points.parquet``: one row per grid point, in grid order: a column per ``--vary`` KEY
  named exactly as given, ``status``, ``objective``, ``price.GOOD`` (shadow prices),
  ``rule_price.ID`` and ``rule_cost.ID`` (each policy's price and exact cost),
  ``iterations``, ``seconds`` and ``point`` (the point's key in the store);
* ``frontier.ID.html`` for each swept rule (`kantorovich.sweep.charts`; an ID that is
  not a plain lower-case file name becomes a short stem, ``~`` and a hash of the ID, see
  `kantorovich.sweep.charts.frontier_file_name`);
* with ``--sample N``: ``samples.parquet`` (each sample's status, objective, failed
  units, drawn yields), ``sample_moves.parquet`` (each sample's moves against the plan in
  force), ``move_spread.parquet`` (each move's distribution) and ``robust.parquet``
  (per process: baseline, nominal optimum, robust level);
* ``sweep.json``: the run: counts (``points``, ``computed``, ``reused``, ``failed``),
  the grid, the files, and with samples the objective's distribution and the robust plan.

Samples are drawn on the base plan (not on each grid point): ``--vary`` and ``--sample``
in one run are two families of points sharing one cluster and one store.

Finished points stream into ``DIR/.kantorovich-sweep/`` as they finish
(`kantorovich.sweep.store`), so an interrupted run loses nothing finished and a rerun
computes only the rest.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kantorovich.files import check_output_dir, output_directory
from kantorovich.sweep.charts import frontier_file_names, frontier_html
from kantorovich.sweep.grid import (SweepError, Vary, base_values, effective, grid_points,
                                    parse_vary)
from kantorovich.sweep.point import plan_fingerprint, solve_point
from kantorovich.sweep.runner import Cluster, RunSummary, run_points, scheduler_address
from kantorovich.sweep.sample import (RobustPlan, Uncertainty, distribution, robust_plan,
                                      solve_sample)
from kantorovich.sweep.store import MANIFEST, open_store

if TYPE_CHECKING:
    from kantorovich.model.plan import Plan

__all__ = ["SamplePlan", "SweepOutcome", "sweep_plan"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SamplePlan:
    """What ``--sample N`` asks: N samples of ``uncertainty`` from ``seed``, and the
    share ``alpha`` of samples the robust plan must hold in."""

    samples: int
    uncertainty: Uncertainty
    seed: int = 0
    alpha: float = 0.95


@dataclass
class SweepOutcome:
    """What a sweep produced; `to_dict` is the ``--json`` object."""

    output: Path
    points: pd.DataFrame
    grid: RunSummary | None
    sampled: RunSummary | None = None
    objective_spread: dict[str, Any] | None = None
    move_spread: pd.DataFrame | None = None
    robust: RobustPlan | None = None
    files: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(len(r.failed) for r in (self.grid, self.sampled) if r is not None)

    def to_dict(self) -> dict[str, Any]:
        from kantorovich.serialise import number

        grid = self.grid
        data: dict[str, Any] = {
            "points": grid.points if grid else 0,
            "computed": grid.computed if grid else 0,
            "reused": grid.reused if grid else 0,
            "failed": len(grid.failed) if grid else 0,
            "workers": grid.workers if grid else 0,
            "seconds": round(grid.seconds, 3) if grid else 0.0,
            "output": str(self.output), "files": self.files,
            "statuses": {str(k): int(v) for k, v in
                         self.points["status"].value_counts().items()}
            if len(self.points) else {},
        }
        if self.sampled is not None:
            sampled = self.sampled
            data["sample"] = {
                "samples": sampled.points, "computed": sampled.computed,
                "reused": sampled.reused, "failed": len(sampled.failed),
                "objective": {k: number(v) if isinstance(v, float) else v
                              for k, v in (self.objective_spread or {}).items()},
                "moves": [{k: number(v) if isinstance(v, float) else v
                           for k, v in row.items()}
                          for row in (self.move_spread.to_dict("records")
                                      if self.move_spread is not None else [])],
                "robust": self.robust.to_dict() if self.robust else None,
            }
        return _clean(data)


def _points_frame(summary: RunSummary, varies: Sequence[Vary]) -> pd.DataFrame:
    """The grid's rows in grid order: keys, status, objective, prices, costs, key."""
    records = summary.records()
    failed = dict(summary.failed)
    keys = summary.keys
    rows = []
    for key in keys:
        record = records.get(key)
        row: dict[str, Any] = dict(summary.params[key])
        if record is None:
            row.update(status="failed", objective=math.nan, error=failed.get(key, ""))
        else:
            row.update(record)
        row["point"] = key
        rows.append(row)
    frame = pd.DataFrame(rows)
    first = [v.key for v in varies] + ["status", "objective"]
    groups = [sorted(c for c in frame.columns if c.startswith(p))
              for p in ("price.", "rule_price.", "rule_cost.")]
    rest = [c for c in ("iterations", "seconds", "error", "point") if c in frame.columns]
    return frame[first + [c for g in groups for c in g] + rest]


def sweep_plan(plan: Plan, vary: Sequence[str | Vary], output: str | Path, *,
               inputs: Sequence[str | Path] = (), workers: int | None = None,
               scheduler: str | None = None, client: Any = None,
               sample: SamplePlan | None = None,
               progress: Progress | None = None) -> SweepOutcome:
    """Solve the grid of ``vary`` (and the samples) on Dask into ``output``.

    Parameters
    ----------
    plan : Plan
        The base plan.
    vary : sequence of str or Vary
        ``KEY=START:STOP:COUNT`` each (see `kantorovich.sweep.grid`); may be empty when
        ``sample`` is given.
    output : path
        The output directory (new, empty, or a kantorovich output directory).
    inputs : sequence of paths
        The files the plan was read from (the output may not hold them).
    workers, scheduler, client
        Where to run: see `kantorovich.sweep.runner.run_points`.
    sample : SamplePlan, optional
        Monte Carlo on top of the grid: samples, the robust plan.
    progress : callable, optional
        ``progress(stage, done, total)``, stage ``"points"`` or ``"samples"``.

    Raises
    ------
    SweepError
        For a bad ``--vary`` or nothing to do; `OutputError` for a bad ``output``.
    """
    varies = [v if isinstance(v, Vary) else parse_vary(v) for v in vary]
    if not varies and sample is None:
        raise SweepError("nothing to sweep", hint="give --vary KEY=START:STOP:COUNT, or "
                                                  "--sample N")
    points = grid_points(varies, plan) if varies else []
    if sample is not None:
        _check_samples(plan, sample)
    if scheduler is not None:
        scheduler_address(scheduler)          # its form now; the peer when first needed
    # the names of the files to write are settled before anything is solved
    frontiers = frontier_file_names(v.id for v in varies
                                    if v.change == "rules" and v.count > 1)
    check_output_dir(output, inputs=inputs)
    fingerprint = plan_fingerprint(plan)
    manifest = {"format": "kantorovich-sweep", "plan": plan.name, "fingerprint": fingerprint,
                "vary": [v.key for v in varies], "state": "running"}
    store = open_store(output, manifest=manifest, inputs=inputs)
    with Cluster(workers=workers, scheduler=scheduler) as cluster:
        outcome, tables = _run(plan, varies, points, store, fingerprint, sample,
                               client if client is not None else cluster, progress)
    _publish(outcome, plan, varies, manifest, tables, inputs, Path(output), frontiers)
    return outcome


def _check_samples(plan: Plan, sample: SamplePlan) -> None:
    """``--sample N --seed SEED`` before anything is drawn: a seed of 0 or more, at least
    one sample, and samples and sampled programs that fit in memory (`kantorovich.sizes`)."""
    from kantorovich.sizes import check_fits, samples_bytes

    if isinstance(sample.seed, bool) or not isinstance(sample.seed, int) or sample.seed < 0:
        raise SweepError(f"--seed {sample.seed}: a seed is a whole number, 0 or more",
                         hint="e.g. --seed 0")
    if sample.samples < 1:
        raise SweepError(f"--sample {sample.samples}: at least one sample",
                         hint="e.g. --sample 200")
    if not 0.0 <= sample.alpha <= 1.0:
        raise SweepError(f"--share {sample.alpha}: a share is between 0 and 1",
                         hint="e.g. --share 0.95")
    n = sample.samples
    # every sample is a program of its own with drawn yields; failures alone give at most
    # 2^units distinct ones
    units = len(sample.uncertainty.reliability)
    distinct = n + max(n, 200) if sample.uncertainty.yields else min(n, 2 ** min(units, 62))
    # a compiled program holds its matrix and its row and column tables: 11.4 kB for the
    # 14 flows of examples/leningrad.yaml (tracemalloc), of which 8 kB whatever its size
    program = 8192.0 + 12.0 * len(plan.flows) + 64.0 * (len(plan.goods) + len(plan.processes)
                                                        + len(plan.policies))
    check_fits(samples_bytes(n, distinct, program), f"--sample {n:,}",
               hint="use fewer samples")


def _run(plan: Plan, varies: list[Vary], points: list[dict[str, float]], store: Any,
         fingerprint: str, sample: SamplePlan | None, client: Any,
         progress: Progress | None) -> tuple[SweepOutcome, dict[str, pd.DataFrame]]:
    """The grid's points, then the samples and the robust plan, on one cluster."""
    where = {"client": client}

    def stage(name: str) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(name, done, total))

    grid = None
    frame = pd.DataFrame(columns=["status", "objective"])
    if points:
        same = functools.partial(effective, base_values(plan, varies))
        grid = run_points(solve_point, points, store, context=plan,
                          salt=f"grid:{fingerprint}", progress=stage("points"),
                          name="sweep-point", identity=same, **where)
        frame = _points_frame(grid, varies)
    outcome = SweepOutcome(output=Path(), points=frame, grid=grid)
    tables: dict[str, pd.DataFrame] = {}
    if sample is not None:
        spec = sample.uncertainty.to_dict()
        draws = [{"sample": i, "seed": sample.seed, "uncertainty": spec}
                 for i in range(sample.samples)]
        outcome.sampled = run_points(solve_sample, draws, store, context=plan,
                                     salt=f"sample:{fingerprint}", progress=stage("samples"),
                                     name="sweep-sample", **where)
        records = outcome.sampled.records()
        ordered = [{"sample": d["sample"], **records[k]}
                   for d, k in zip(draws, outcome.sampled.keys) if k in records]
        samples, moves, outcome.objective_spread, outcome.move_spread = distribution(ordered)
        outcome.robust = robust_plan(plan, sample.uncertainty, seed=sample.seed,
                                     samples=sample.samples, alpha=sample.alpha,
                                     statuses=[r["status"] for r in ordered]
                                     if len(ordered) == sample.samples else None)
        tables = {"samples.parquet": samples, "sample_moves.parquet": moves,
                  "move_spread.parquet": outcome.move_spread,
                  "robust.parquet": outcome.robust.levels.rename_axis("process")
                  .reset_index()}
    return outcome, tables


def _publish(outcome: SweepOutcome, plan: Plan, varies: Sequence[Vary],
             manifest: dict[str, Any], tables: dict[str, pd.DataFrame],
             inputs: Sequence[str | Path], output: Path, frontiers: dict[str, str]) -> None:
    """Write the run's files into the output directory, together (``frontiers``: each
    swept rule's page name, settled before the run)."""
    outcome.output = output
    charts = {}
    if len(outcome.points):
        for vary in varies:
            if vary.id in frontiers and vary.change == "rules":
                charts[frontiers[vary.id]] = frontier_html(outcome.points, vary.key, plan)
    names = (["points.parquet"] if outcome.grid is not None else []) + sorted(charts) + \
        sorted(tables) + [MANIFEST]
    outcome.files = names
    summary = {**manifest, "state": "finished", **outcome.to_dict(),
               "grid": [{"key": v.key, "start": v.start, "stop": v.stop, "count": v.count}
                        for v in varies]}
    with output_directory(outcome.output, inputs=inputs) as staging:
        if outcome.grid is not None:
            outcome.points.to_parquet(staging / "points.parquet", index=False)
        for name, html in charts.items():
            (staging / name).write_text(html, encoding="utf-8")
        for name, table in tables.items():
            _plain_columns(table).to_parquet(staging / name, index=False)
        (staging / MANIFEST).write_text(json.dumps(_clean(summary), indent=2,
                                                   allow_nan=False) + "\n", encoding="utf-8")


def _plain_columns(table: pd.DataFrame) -> pd.DataFrame:
    return table.reset_index(drop=True).rename(columns=str)


def _clean(value: Any) -> Any:
    """JSON without NaN: unknown numbers are null, infinities are "inf"/"-inf"."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(value, np.integer):
        return int(value)
    return value
