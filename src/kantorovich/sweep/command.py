"""``kantorovich sweep``: the command over `kantorovich.sweep.plan_sweep.sweep_plan`.

Only typer, rich and the standard library are imported here at start-up (the CLI imports
this module to list its commands); Dask, pandas and the engine are imported when the
command runs. Progress (points done, time left) goes to stderr only when stderr is a
terminal and ``--quiet`` is not given; stdout carries only the answer.
"""

from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from kantorovich.cli_style import answer_console, error_console

__all__ = ["sweep_command"]

_err = error_console()     # made when first used: nothing touches the streams at import
_out = answer_console(140)
_SHOWN = 20


def sweep_command(
    plan: Annotated[Path, typer.Argument(help="Plan file: .yaml, .toml, .json or .mps",
                                         show_default=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Output directory (required): points.parquet, sweep.json, "
        "charts; finished points are kept there, so a rerun computes only what is missing.",
        show_default=False)],
    vary: Annotated[Optional[list[str]], typer.Option(
        "--vary", metavar="KEY=START:STOP:COUNT",
        help="Vary one number of the plan over COUNT evenly spaced values (repeat: the "
             "grid is the product). KEY: supply.GOOD, demand.GOOD, policies.ID (the "
             "rule's constant), processes.ID.capacity, objective.GOOD (a weight).",
        show_default=False)] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object, only.")
                    ] = False,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, metavar="N",
        help="Worker processes of the local Dask cluster (default: one per CPU, at most 8).")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", metavar="ADDR",
        help="Run on an existing Dask cluster instead, e.g. tcp://10.0.0.5:8786.")] = None,
    sample: Annotated[Optional[int], typer.Option(
        "--sample", min=1, metavar="N",
        help="Monte Carlo: N samples of the uncertain coefficients (--reliability, "
             "--yield): the objective's and each move's distribution, and a robust plan.")
    ] = None,
    reliability: Annotated[Optional[list[str]], typer.Option(
        "--reliability", metavar="UNIT=P",
        help="The unit works with probability P; when it fails its outputs are 0.",
        show_default=False)] = None,
    yields: Annotated[Optional[list[str]], typer.Option(
        "--yield", metavar="PROCESS.GOOD=LOW:HIGH",
        help="The output coefficient is uniform between LOW and HIGH.",
        show_default=False)] = None,
    share: Annotated[float, typer.Option(
        "--share", min=0.0, max=1.0, metavar="ALPHA",
        help="The robust plan must hold in this share of the samples.")] = 0.95,
    seed: Annotated[int, typer.Option("--seed", metavar="SEED",
                                      help="Seed of the samples.")] = 0,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress on stderr (none is shown when stderr is not a "
                              "terminal either).")] = False,
) -> None:
    """Solve a grid of plans (every --vary combined) on Dask, with objective, shadow
    prices and rule costs per point, and draw each swept rule's efficiency-equity
    frontier; with --sample, the spread of the optimum and a robust plan."""
    from kantorovich.io import load_plan
    from kantorovich.sweep.grid import SweepError
    from kantorovich.sweep.plan_sweep import SamplePlan, sweep_plan
    from kantorovich.sweep.sample import parse_uncertainty

    loaded = load_plan(plan)
    spec = None
    if sample is not None:
        uncertainty = parse_uncertainty(loaded, reliability or [], yields or [])
        if not uncertainty:
            raise SweepError("--sample needs uncertain coefficients",
                             hint="add --reliability UNIT=P or --yield PROCESS.GOOD=LOW:HIGH")
        spec = SamplePlan(samples=sample, uncertainty=uncertainty, seed=seed, alpha=share)
    elif reliability or yields:
        raise SweepError("--reliability and --yield describe samples",
                         hint="add --sample N")
    if workers is None and scheduler is None:
        import os

        workers = max(1, min(os.cpu_count() or 1, 8))   # each holds a warm plan
    with _progress(quiet) as progress:
        outcome = sweep_plan(loaded, vary or [], output,   # never over the plan's tables
                             inputs=[plan, *map(Path, loaded.files)], workers=workers,
                             scheduler=scheduler, sample=spec, progress=progress)
    if json:
        sys.stdout.write(jsonlib.dumps(outcome.to_dict(), indent=2,
                                       allow_nan=False) + "\n")
    else:
        _print(outcome)
    if outcome.failed:
        _err.print(f"warning: {outcome.failed} point(s) failed (see the 'error' column); "
                   "run the same command again to retry them", markup=False)
        raise typer.Exit(1)


class _Bars:
    """One rich progress bar per stage (points, samples): done of total, time left."""

    def __init__(self, shown: bool) -> None:
        self.shown = shown
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not self.shown:
            return None
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TextColumn("left"),
                                  TimeRemainingColumn(), console=_err, transient=True)
        self._progress.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _progress(quiet: bool) -> _Bars:
    return _Bars(not quiet and _err.is_terminal)


def _print(outcome: Any) -> None:
    """The answer for a reader: counts, the first points, the files, the samples."""
    from kantorovich.number_table import NumberTable as Table  # numbers never cut

    from kantorovich.numbers import fmt

    data = outcome.to_dict()
    if outcome.grid is not None:
        _out.print(f"{data['points']:,} points: {data['computed']:,} computed, "
                   f"{data['reused']:,} found done"
                   + (f", {data['failed']:,} failed" if data["failed"] else ""), markup=False)
        points = outcome.points
        keys = [c for c in points.columns if c not in ("status", "objective")
                and not c.startswith(("price.", "rule_price.", "rule_cost."))
                and c not in ("iterations", "seconds", "error", "point")]
        table = Table(show_edge=False)
        for column in [*keys, "status", "objective"]:
            table.add_column(column, justify="left" if column == "status" else "right")
        for record in points.head(_SHOWN).to_dict("records"):
            table.add_row(*[fmt(record[k]) for k in keys], str(record["status"]),
                          fmt(record["objective"]))
        _out.print(table)
        if len(points) > _SHOWN:
            _out.print(f"... and {len(points) - _SHOWN:,} more in points.parquet",
                       markup=False)
    if outcome.sampled is not None:
        from kantorovich.sweep.sample import robust_note

        s = data["sample"]
        o = s["objective"]
        _out.print(f"{s['samples']:,} samples ({s['computed']:,} computed, {s['reused']:,} "
                   f"found done): objective mean {fmt(o['mean'])}, 5% {fmt(o['p05'])}, "
                   f"median {fmt(o['p50'])}, 95% {fmt(o['p95'])}; optimal in "
                   f"{o['share_optimal']:.0%}", markup=False)
        for move in s["moves"][:_SHOWN]:
            _out.print(f"  move {move['good']} {move['sender']} -> {move['receiver']}: in "
                       f"{move['share']:.0%} of samples, mean {fmt(move['mean'])} "
                       f"(5% {fmt(move['p05'])}, 95% {fmt(move['p95'])})", markup=False)
        if outcome.robust is not None:
            _out.print(robust_note(outcome.robust), markup=False)
    _out.print(f"written to {outcome.output}: {', '.join(outcome.files)}", markup=False)
