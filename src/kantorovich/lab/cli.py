"""``kantorovich lab``: run an institutions experiment from the command line.

A typer sub-app, registered by the main CLI with ``app.add_typer(lab_app, name="lab")``.
Only typer, rich and the standard library are imported here; the laboratory is imported
when a command runs, so ``--help`` stays quick.

* ``lab run EXPERIMENT.yaml [-o DIR] [--json] [-q] [--workers N | --scheduler ADDR]``: every regime over every seed; a
  table of means and 95% intervals on stdout (or, with ``--json``, one object
  ``{"regimes": {NAME: {MEASURE: {"mean", "low", "high"}}}, ...}``); ``-o DIR`` writes
  ``measures.parquet``, ``units.parquet``, ``summary.json`` and ``charts.html``.
* ``lab sweep EXPERIMENT.yaml --vary KEY=START:STOP:COUNT [--vary ...] -o DIR [--json] [-q]
  [--workers N | --scheduler ADDR]``: the experiment at every point of a grid of its
  numeric keys (`kantorovich.lab.sweep`); ``DIR/points.parquet``, resumable.

A progress bar goes to stderr when it is a terminal (not with ``--quiet``). A bad
experiment file exits 2 with every problem located (file, line, key and fix).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from kantorovich.cli_style import Command, Group, answer_console, error_console, report_failure
from kantorovich.number_table import NumberTable as Table  # numbers never cut

lab_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="The institutions laboratory: planning regimes tested by simulation.")

err = error_console()


@lab_app.callback()
def _group() -> None:
    """The institutions laboratory: planning regimes tested by simulation."""

SHOWN = ("efficiency", "shortage", "misreport", "output_share", "shortfall", "hoarded",
         "innovation", "messages", "rounds", "rules_broken")
COMPARED = ("efficiency", "shortage", "misreport", "output_share", "hoarded", "messages",
            "rules_broken")


def _fail(exc: Exception) -> None:
    raise typer.Exit(report_failure(err, exc, what="experiment"))


def _cell(entry: dict[str, Any]) -> str:
    mean, low, high = entry.get("mean"), entry.get("low"), entry.get("high")
    if mean is None:
        return "-"
    if low is None or high is None or math.isclose(low, high, rel_tol=1e-12, abs_tol=1e-12):
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def _print(summary: dict[str, Any]) -> None:
    """A table per world: each regime's means and 95% intervals, then each regime's
    paired difference from the baseline (the comparison the seeds support)."""
    out = answer_console(200)
    worlds = summary.get("worlds") or {"world": {"world": summary["world"],
                                                 "regimes": summary["regimes"]}}
    baseline = summary.get("baseline")
    for world, part in worlds.items():
        head = (f"{summary['name']}: {world}, {summary['periods']} periods, "
                f"seeds {summary['seeds']}")
        grid = Table(title=escape(f"{head} (mean [95% interval])"))
        grid.add_column("regime")
        for m in SHOWN:
            grid.add_column(m, justify="right")
        for name, measures in part["regimes"].items():
            grid.add_row(escape(name), *[_cell(measures.get(m, {})) for m in SHOWN])
        out.print(grid)
        differences = part.get("differences") or {}
        if differences and baseline:
            grid = Table(title=escape(f"{head}: difference from {baseline}, paired by seed "
                                      "(mean [95% interval])"))
            grid.add_column("regime")
            for m in COMPARED:
                grid.add_column(m, justify="right")
            for name, measures in differences.items():
                grid.add_row(escape(name), *[_cell(measures.get(m, {})) for m in COMPARED])
            out.print(grid)


@lab_app.command("run", cls=Command)
def run(experiment: Annotated[Path, typer.Argument(
            help="Experiment file (.yaml, .toml or .json)", show_default=False)],
        output: Annotated[Optional[Path], typer.Option(
            "-o", "--output", help="Write measures.parquet, units.parquet, summary.json "
                                   "and charts.html to this directory.",
            show_default=False)] = None,
        json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")
                            ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                            help="No progress on stderr.")] = False,
        workers: Annotated[Optional[int], typer.Option(
            "--workers", "-w", min=1, help="Run the cells on a local Dask cluster of this "
                                           "many processes (the same results, to the byte).",
            show_default=False)] = None,
        scheduler: Annotated[Optional[str], typer.Option(
            "--scheduler", help="Run the cells on the Dask scheduler at this address, "
                                "e.g. tcp://10.0.0.5:8786.", show_default=False)] = None,
        ) -> None:
    """Run every regime of EXPERIMENT over its seeds and compare them.

    With --workers or --scheduler the (world, regime, seed) cells run on Dask through
    the sweeps' runner; with -o DIR finished cells are kept in DIR/.kantorovich-sweep,
    so a rerun computes only those not yet done."""
    from kantorovich.errors import KantorovichError

    try:
        if output is not None:
            from kantorovich.files import check_output_dir

            check_output_dir(output, inputs=[experiment])
        from kantorovich.lab.run import load_experiment, run_experiment

        loaded = load_experiment(experiment)
        on_dask = workers is not None or scheduler is not None

        def simulate(progress: Any = None) -> Any:
            if not on_dask:
                return run_experiment(loaded, progress=progress)
            from kantorovich.lab.distributed import run_on_dask

            return run_on_dask(loaded, workers=workers, scheduler=scheduler,
                               directory=output, inputs=[experiment], progress=progress)

        shown = not quiet and err.is_terminal
        if shown:
            from rich.progress import Progress

            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("simulating", total=len(loaded.cells))
                results = simulate(lambda done, total: bar.update(task, completed=done))
        else:
            results = simulate()
        if output is not None:
            from kantorovich.lab.charts import write_results

            write_results(results, output, inputs=[experiment])
    except KantorovichError as exc:
        _fail(exc)
    if json_out:
        sys.stdout.write(json.dumps(results.summary, ensure_ascii=False,
                                    allow_nan=False) + "\n")
    else:
        _print(results.summary)


@lab_app.command("sweep", cls=Command)
def sweep(experiment: Annotated[Path, typer.Argument(
              help="Experiment file (.yaml, .toml or .json)", show_default=False)],
          vary: Annotated[Optional[list[str]], typer.Option(
              "--vary", metavar="KEY=START:STOP:COUNT",
              help="Vary one number of the experiment over COUNT evenly spaced values "
                   "(repeat: the grid is the product). KEY as the file nests it: periods, "
                   "behaviour.discount, regimes.NAME.SETTING, reliability.default.chance, "
                   "world.capacity, ...", show_default=False)] = None,
          output: Annotated[Optional[Path], typer.Option(
              "-o", "--output", help="Output directory (required): points.parquet and "
                                     "sweep.json; finished points are kept there, so a "
                                     "rerun computes only what is missing.",
              show_default=False)] = None,
          json_out: Annotated[bool, typer.Option(
              "--json", help='Print {"points": N, "computed": C, "reused": R} only.')
          ] = False,
          quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                              help="No progress on stderr.")] = False,
          workers: Annotated[Optional[int], typer.Option(
              "--workers", "-w", min=1, help="Run the points on a local Dask cluster of "
                                             "this many processes (default: in this one).",
              show_default=False)] = None,
          scheduler: Annotated[Optional[str], typer.Option(
              "--scheduler", help="Run the points on the Dask scheduler at this address, "
                                  "e.g. tcp://10.0.0.5:8786.", show_default=False)] = None,
          ) -> None:
    """Run EXPERIMENT at every point of a grid of its settings, as `lab run` would.

    DIR/points.parquet has a row per point, world, regime and measure (the KEY columns,
    world, regime, measure, mean, low, high); a rerun or a widened grid computes only the
    points not yet in DIR/.kantorovich-sweep."""
    from kantorovich.errors import KantorovichError

    try:
        if output is None:
            from kantorovich.sweep.grid import SweepError

            raise SweepError("lab sweep needs an output directory",
                             hint="add -o DIR (a rerun into DIR reuses the finished points)")
        from kantorovich.lab.sweep import sweep_experiment

        if not quiet and err.is_terminal:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeRemainingColumn)

            with Progress(TextColumn("grid points"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=err, transient=True) as bar:
                task = bar.add_task("points", total=None)
                outcome = sweep_experiment(
                    experiment, vary or [], output, workers=workers, scheduler=scheduler,
                    progress=lambda done, total: bar.update(task, completed=done,
                                                            total=total))
        else:
            outcome = sweep_experiment(experiment, vary or [], output, workers=workers,
                                       scheduler=scheduler)
    except KantorovichError as exc:
        _fail(exc)
    if json_out:
        sys.stdout.write(json.dumps(outcome.to_dict()) + "\n")
    else:
        _print_sweep(outcome)


def _print_sweep(outcome: Any) -> None:
    """The counts, then each point's worlds and regimes with a few of their measures."""
    out = answer_console(200)
    counts = outcome.to_dict()
    out.print(f"{counts['points']:,} grid points: {counts['computed']:,} computed, "
              f"{counts['reused']:,} found done", markup=False)
    frame = outcome.points
    keys = [v.key for v in outcome.varies]
    present = list(dict.fromkeys(frame["measure"]))
    shown = [m for m in SHOWN if m in present][:4] or present[:4]
    several = frame["world"].nunique() > 1
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in frame[frame["measure"].isin(shown)].to_dict("records"):
        row = tuple(record[k] for k in keys) + (record["world"], record["regime"])
        mean = record["mean"]
        rows.setdefault(row, {})[record["measure"]] = None if math.isnan(mean) else mean
    grid = Table(show_edge=False, title="means over seeds")
    for column in [*keys, *(["world"] if several else []), "regime", *shown]:
        grid.add_column(escape(column), justify="left" if column in ("world", "regime")
                        else "right")
    limit = 40
    for row, means in list(rows.items())[:limit]:
        grid.add_row(*[f"{value:.6g}" for value in row[:len(keys)]],
                     *([escape(str(row[-2]))] if several else []), escape(str(row[-1])),
                     *[_cell({"mean": means.get(m)}) for m in shown])
    out.print(grid)
    if len(rows) > limit:
        out.print(f"... and {len(rows) - limit:,} more rows in points.parquet", markup=False)
    out.print(f"written to {outcome.output}: {', '.join(outcome.files)}", markup=False)
