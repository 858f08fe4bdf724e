"""The command line: a thin layer over the public API.

Exit codes: 0 optimal (or valid), 1 infeasible or unbounded (diagnosis printed),
2 bad input (every problem listed, no traceback).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from kantorovich.errors import KantorovichError, PlanError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Optimal economic planning: plans, shadow prices and explanations.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)

PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml, .toml, .json or .mps",
                                         show_default=False)]
TimeLimit = Annotated[Optional[float], typer.Option(
    "--time-limit", min=0.0, help="Stop any solve after this many seconds.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show solver logs on stderr.")]


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s")


def _fail(exc: KantorovichError) -> None:
    if isinstance(exc, PlanError):
        err.print(f"[bold red]error[/]: {exc.problems[0].file or 'plan'}: "
                  f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}",
                  markup=True)
        for p in exc.problems:
            err.print(f"  {p.location()}: {p.message}", markup=False)
            if p.hint:
                err.print(f"      hint: {p.hint}", markup=False)
    else:
        err.print(f"error: {exc}", markup=False)
    raise typer.Exit(exc.exit_code)


def _load(path: Path):  # noqa: ANN202 - returns a Plan
    from kantorovich.io import load_plan

    return load_plan(path)


@app.command()
def validate(plan: PlanArg) -> None:
    """Check a plan file and list every problem found."""
    try:
        loaded = _load(plan)
    except KantorovichError as exc:
        _fail(exc)
    s = loaded.summary()
    out.print(f"ok: {plan}: '{s['name']}', {s['goods']} goods, {s['units']} units, "
              f"{s['processes']} processes, {s['policies']} policies, objective "
              f"{s['objective']}", markup=False)


@app.command()
def solve(
    plan: PlanArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, only.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write tables and summary.json into this directory.")] = None,
    table_format: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    time_limit: TimeLimit = None,
    verbose: Verbose = False,
) -> None:
    """Solve a plan: levels, shadow prices, reduced costs, certificate, baseline, moves."""
    _setup_logging(verbose)
    from kantorovich.report.export import write_result
    from kantorovich.report.summary import summary
    from kantorovich.report.terminal import print_result
    from kantorovich.results.result import solve as solve_plan

    try:
        loaded = _load(plan)
        result = solve_plan(loaded, time_limit=time_limit, verbose=verbose)
        # the analyses (ranges, moves, policy costs) cost re-solves: only when asked for
        data = summary(result) if as_json or output is not None else None
        if output is not None:
            write_result(result, output, data, fmt=table_format)
    except KantorovichError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
    else:
        print_result(result, out)
        if output is not None:
            out.print(f"tables and summary written to {output}", markup=False)
    raise typer.Exit(result.status.exit_code)


@app.command()
def explain(plan: PlanArg, time_limit: TimeLimit = None, verbose: Verbose = False) -> None:
    """Explain the optimal plan in sentences: what to move, what policies cost, why."""
    _setup_logging(verbose)
    from kantorovich.explain.story import explain as explain_result
    from kantorovich.results.result import solve as solve_plan

    try:
        result = solve_plan(_load(plan), time_limit=time_limit, verbose=verbose)
        text = explain_result(result).text()
    except KantorovichError as exc:
        _fail(exc)
    out.print(text, markup=False)
    raise typer.Exit(result.status.exit_code)


@app.command()
def export(
    plan: PlanArg,
    mps: Annotated[Path, typer.Option("--mps", help="Write the compiled LP here (free MPS).")],
) -> None:
    """Write the plan's linear program as an MPS file."""
    from kantorovich.lp.mps import export_mps

    try:
        export_mps(_load(plan), mps)
    except KantorovichError as exc:
        _fail(exc)
    out.print(f"wrote {mps}", markup=False)


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("--output", "-o",
                                                   help="Write here instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of plan files (for editors)."""
    from kantorovich.model.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text)
    except OSError as exc:
        err.print(f"error: cannot write '{output}': {exc.strerror or exc}", markup=False)
        raise typer.Exit(2) from None


def main() -> None:
    """Entry point: run the app; an unexpected failure is reported, never a traceback."""
    try:
        app()
    except KantorovichError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except Exception as exc:  # pragma: no cover - a bug: say so plainly, no traceback
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        err.print(f"internal error: {type(exc).__name__}: {exc}\n"
                  "This is a bug in kantorovich, not in your plan; please report it with "
                  "the plan file (run with --verbose for details).", markup=False)
        sys.exit(70)


if __name__ == "__main__":
    main()
