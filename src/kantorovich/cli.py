"""The command line: a thin layer over the public API.

Exit codes (see `kantorovich.lp.status`): 0 optimal and verified, 1 infeasible or
unbounded (diagnosis printed), 2 bad input (every problem listed, no traceback), 3 stopped
by a limit before an optimum was proven, 4 an answer that could not be verified, 5 an
input/output error while writing the answer, 130/143 interrupted by SIGINT/SIGTERM.

Only typer and rich are imported at start-up; everything else is imported by the command
that needs it, so ``--help`` and ``--version`` stay quick.

Conventions: ``-h``/``--help`` and ``--version``; flags show no value type in help; a
choice lists its choices (``--format [parquet|csv]``); progress (loading, solving, each
analysis) goes to stderr, only when stderr is a terminal and ``--quiet`` is not given;
stdout carries only the answer.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar, cast

import typer
from rich.markup import escape

from kantorovich.cli_style import EXIT_IO  # noqa: F401 - the exit codes, as documented
from kantorovich.cli_style import answer_console, answer_lost, answer_was_lost
from kantorovich.cli_style import Command as _Command
from kantorovich.cli_style import Group as _Group
from kantorovich.cli_style import claim_standard_streams, error_console, report_failure
from kantorovich.cli_style import pipe_gave_up
from kantorovich.economy.cli import economy_app  # light: typer and rich only
from kantorovich.lab.cli import lab_app  # light: typer and rich only
from kantorovich.report.command import report_command  # light: typer only
from kantorovich.sweep.command import sweep_command  # light: typer only
from kantorovich.serve.command import serve_command  # light: typer only
from kantorovich.errors import KantorovichError

EXIT_INTERNAL = 70


class TableFormat(str, Enum):
    """File format of the tables ``solve -o DIR`` writes."""

    parquet = "parquet"
    csv = "csv"


class Method(str, Enum):
    """How a plan is solved (`kantorovich.lp.methods.METHODS`; a test keeps them equal)."""

    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"
    structure = "structure"
    merit = "merit"
    generation = "generation"


MethodOption = Annotated[Method, typer.Option(
    "--method", metavar="[auto|simplex|ipm|pdlp|structure|merit|generation]",
    help="auto tries, in turn: the exact structure method (one primary resource, no "
         "joint production, capacities or rules); from 10,000 rows the merit order "
         "(capacities, up to two resources); technique generation (many techniques over "
         "many rows); HiGHS's simplex or interior point by size. A method named goes "
         "first. Each answer is certified; a failed method hands what it found to the "
         "next. The one whose answer was certified, and the story, are said.")]


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Optimal economic planning: plans, shadow prices and explanations.")
app.add_typer(economy_app, name="economy",
              help="Input-output economies: Leontief accounting and labour values.")
app.add_typer(lab_app, name="lab",
              help="The institutions laboratory: planning regimes tested by simulation.")
err = error_console()      # made when first used: nothing touches the streams at import
out = answer_console(140)

PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml, .toml, .json or .mps",
                                         show_default=False)]
TimeLimit = Annotated[Optional[float], typer.Option(
    "--time-limit", min=0.0, metavar="SECONDS",
    help="Stop the whole command (every solve and analysis) after this many seconds.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show solver logs on stderr.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q",
                                     help="No progress on stderr (none is shown when "
                                          "stderr is not a terminal either).")]
AnalysisTime = Annotated[Optional[float], typer.Option(
    "--analysis-time", min=0.0, metavar="SECONDS",
    help="Time for the analyses after the solve (ranges, price intervals, rule costs, "
         "moves); default: half the solve's time, at least 0.75 s. What is not examined "
         "in time is marked so.")]

F = TypeVar("F", bound=Callable[..., Any])

_signal_seen: list[int] = []


def _version(value: bool) -> None:
    if value:
        from kantorovich import __version__

        sys.stdout.write(f"kantorovich {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Optimal economic planning: plans, shadow prices and explanations."""


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s")


def _fail(exc: KantorovichError) -> None:
    raise typer.Exit(report_failure(err, exc))


def _io_failure(exc: OSError) -> None:
    """stdout closed or full: say so on stderr and stop writing to it (exit 5)."""
    answer_lost(exc)


def _guarded(command: F) -> F:
    """Every command: plan errors exit 2, a closed or full stdout exits 5, an interrupt
    130 or 143; none of them prints a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from kantorovich.lp.budget import Interrupted

        try:
            result = command(*args, **kwargs)
            sys.stdout.flush()
            return result
        except KantorovichError as exc:
            if isinstance(exc, Interrupted):
                _interrupted()
            _fail(exc)
        except KeyboardInterrupt:
            _interrupted()
        except OSError as exc:
            if answer_was_lost(exc):
                _io_failure(exc)
            raise
        except typer.Exit:
            try:
                sys.stdout.flush()
            except OSError as exc:
                _io_failure(exc)
            raise
        return None

    return cast(F, run)         # the same signature: ``run`` only wraps ``command``


def _interrupted() -> None:
    signum = _signal_seen[-1] if _signal_seen else signal.SIGINT
    name = signal.Signals(signum).name
    err.print(f"interrupted ({name}): stopped", markup=False)
    raise typer.Exit(128 + int(signum))


def _load(path: Path):  # noqa: ANN202 - returns a Plan
    from kantorovich.io import load_plan

    return load_plan(path)


def _budget(time_limit: float | None):  # noqa: ANN202 - returns a Budget
    from kantorovich.lp.budget import Budget

    return Budget(time_limit)


class _Progress:
    """What a long command is doing, on stderr: one transient status line that each
    step replaces, and a line kept after the solve (iterations and objective). Silent
    unless stderr is a terminal, and with ``--quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.shown = not quiet and err.is_terminal
        self._status: Any = None

    @contextmanager
    def shown_while(self) -> Iterator[_Progress]:
        if not self.shown:
            yield self
            return
        with err.status("starting", spinner="dots") as status:
            self._status = status
            try:
                yield self
            finally:
                self._status = None

    @contextmanager
    def watching_the_solver(self) -> Iterator[None]:
        """While the main solve runs, its iterations and objective on the status line."""
        if self._status is None:
            yield
            return
        from kantorovich.lp.highs import watch_solves

        watch_solves(self.solving)
        try:
            yield
        finally:
            watch_solves(None)

    def solving(self, iterations: int, objective: float) -> None:
        """HiGHS's progress, a few times a second (see `lp.highs.watch_solves`)."""
        from kantorovich.numbers import fmt

        text = f"solving: {iterations:,} iterations"
        if math.isfinite(objective):   # the dual simplex has none at first
            text += f", objective {fmt(objective)}"
        self.step(text)

    def step(self, text: str) -> None:
        """Replace the status line with ``text`` (plan text is never read as markup)."""
        if self._status is not None:
            self._status.update(escape(text))

    def analysis(self, name: str) -> None:
        """The callback `analyse` calls as each analysis starts."""
        self.step(f"analysing: {name}")

    def solved(self, result: Any) -> None:
        """Keep one line saying what the solve took."""
        if self._status is None:
            return
        from kantorovich.numbers import quantity
        from kantorovich.serialise import clean

        sol = result.solution
        line = f"solved: {result.status.value} after {sol.iterations:,} iterations in " \
               f"{sol.seconds:.2f} s"
        if result.status.has_solution:
            objective = float(clean([result.objective])[0])
            line += f", objective {quantity(objective, result.objective_unit)}"
        err.print(line, markup=False, style="dim")


def _solve_shown(plan: Path, progress: _Progress, budget: Any, verbose: bool,
                 method: str = "auto", loaded_check: Callable[[Any], None] | None = None
                 ) -> Any:
    """Load and solve ``plan``, saying so on the progress line; returns the result.
    ``loaded_check`` sees the plan before it is solved (to refuse an output there)."""
    from kantorovich.results.result import solve as solve_plan

    progress.step(f"loading {plan}")
    loaded = _load(plan)
    if loaded_check is not None:
        loaded_check(loaded)
    progress.step(f"compiling and solving: {len(loaded.processes):,} processes, "
                  f"{len(loaded.goods):,} goods")
    with progress.watching_the_solver():
        result = solve_plan(loaded, budget=budget, verbose=verbose, method=method)
    progress.solved(result)
    return result


@app.command(cls=_Command)
@_guarded
def validate(plan: PlanArg) -> None:
    """Check a plan file and list every problem found; warnings about a valid plan that
    is surely not what was meant go to stderr (exit 0)."""
    from kantorovich.model.expansion import horizon_of, warnings_over_time
    from kantorovich.numbers import count

    loaded = _load(plan)
    timed = horizon_of(loaded)             # a plan over time: said in its own terms
    shown = timed.template if timed is not None else loaded
    sizes = ", ".join(count(len(table), noun) for table, noun in (
        (shown.goods, "good"), (shown.units, "unit"), (shown.processes, "process"),
        (shown.policies, "policy")))
    over = f", over {count(timed.horizon, shown.period)}" if timed is not None else ""
    out.print(f"ok: {plan}: '{shown.name}', {sizes}, objective {shown.objective.sense}"
              f"{over}", markup=False)
    for problem in warnings_over_time(loaded):
        err.print(f"warning: {problem.location()}: {problem.message}", markup=False)
        if problem.hint:
            err.print(f"    hint: {problem.hint}", markup=False)


def _stopped_note(result: Any) -> str | None:
    """A line for an answer that is not a proven optimum (limit, unverified, error)."""
    status = result.status
    if status.is_ok or status.no_optimum:
        return None
    if status.has_solution:
        return ("the solver's answer did not pass the independent certificate; it is "
                "shown but NOT verified optimal")
    from kantorovich.explain.diagnosis_text import summary as diagnosis_summary

    return diagnosis_summary(result.diagnosis())


@app.command(cls=_Command)
@_guarded
def solve(
    plan: PlanArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, only.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write tables and summary.json into this directory.")] = None,
    table_format: Annotated[TableFormat, typer.Option(
        "--format", metavar="[parquet|csv]",
        help="File format of the tables in the output directory.")
    ] = TableFormat.parquet,
    show_sensitivity: Annotated[bool, typer.Option(
        "--sensitivity", "-s",
        help="Also print the sensitivity report (Excel Solver's layout: variable cells "
             "and constraints, with allowable increases and decreases). JSON and the "
             "output directory always hold it.")] = False,
    method: MethodOption = Method.auto,
    numeraire: Annotated[Optional[str], typer.Option(
        "--numeraire", metavar="GOOD",
        help="For a plan over time (horizon): the good its investment_return is "
             "measured in (default: its first primary resource).")] = None,
    time_limit: TimeLimit = None,
    analysis_time: AnalysisTime = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Solve a plan: the plan's levels, shadow prices, rules and their costs, moves from
    the plan in force, the certificate, and with --sensitivity the ranges."""
    budget = _budget(time_limit)
    _setup_logging(verbose)
    from kantorovich.explain.analyses import analyse
    from kantorovich.report.export import check_output_dir, write_result
    from kantorovich.report.summary import summary
    from kantorovich.report.terminal import print_result

    fmt = table_format.value
    inputs: list[Path] = [plan]

    def output_clear(loaded: Any) -> None:   # never over a table the plan reads either
        if numeraire is not None:
            from kantorovich.results.horizon import check_numeraire

            check_numeraire(loaded, numeraire)
        inputs.extend(map(Path, loaded.files))
        if output is not None:
            check_output_dir(output, inputs=inputs, fmt=fmt)

    if output is not None:
        check_output_dir(output, inputs=inputs, fmt=fmt)
    progress = _Progress(quiet or verbose)
    with progress.shown_while():
        result = _solve_shown(plan, progress, budget, verbose, method.value, output_clear)
        found = analyse(result, budget=budget, seconds=analysis_time,
                        progress=progress.analysis)
        data = None
        if as_json or output is not None:
            progress.step("writing the summary")
            data = summary(result, analyses=found, numeraire=numeraire)
        if output is not None:
            assert data is not None        # made above for an output directory
            progress.step(f"writing {output}")
            write_result(result, output, data, fmt=fmt, inputs=inputs, analyses=found)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
    else:
        print_result(result, out, analyses=found, sensitivity=show_sensitivity)
        if result.method:
            out.print(f"method: {result.method} ({result.method_reason})", markup=False)
        if output is not None:
            out.print(f"tables and summary written to {output}", markup=False)
    note = _stopped_note(result)
    if note and as_json:
        err.print(f"warning: {note}", markup=False)
    raise typer.Exit(result.status.exit_code)


@app.command(cls=_Command)
@_guarded
def explain(plan: PlanArg, time_limit: TimeLimit = None, analysis_time: AnalysisTime = None,
            verbose: Verbose = False, quiet: Quiet = False) -> None:
    """Explain the optimal plan in sentences: what to move, what policies cost, why."""
    budget = _budget(time_limit)
    _setup_logging(verbose)
    from kantorovich.explain.analyses import analyse
    from kantorovich.explain.story import explain as explain_result

    progress = _Progress(quiet or verbose)
    with progress.shown_while():
        result = _solve_shown(plan, progress, budget, verbose)
        found = analyse(result, budget=budget, seconds=analysis_time,
                        progress=progress.analysis)
        progress.step("writing the explanation")
        text = explain_result(result, found).text()
    out.print(text, markup=False)
    note = _stopped_note(result)
    if note and result.status.has_solution:
        err.print(f"warning: {note}", markup=False)
    raise typer.Exit(result.status.exit_code)


@app.command(cls=_Command)
@_guarded
def price(
    plan: PlanArg,
    process: Annotated[Path, typer.Option(
        "--process", "-p", help="The proposed process: a YAML/TOML/JSON file holding one "
        "process in the plan format, with its id (id, unit, inputs, outputs, capacity).",
        show_default=False)],
    coefficient: Annotated[Optional[str], typer.Option(
        "--coefficient", "-c", metavar="GOOD",
        help="Examine this input or output coefficient (default: the main output).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, only.")] = False,
    time_limit: TimeLimit = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Price a proposed technique at the optimal plan's shadow prices: its reduced cost,
    whether it would enter the plan, and the yield it would need to (checked by
    re-solving with it added)."""
    budget = _budget(time_limit)
    _setup_logging(verbose)
    from kantorovich.explain.innovation import process_sentence
    from kantorovich.results.pricing import load_process, price_process

    progress = _Progress(quiet or verbose)
    with progress.shown_while():
        result = _solve_shown(plan, progress, budget, verbose)
        proposed = load_process(process, result.plan)
        if not result.is_optimal:
            from kantorovich.report.terminal import print_result

            print_result(result, out)
            raise typer.Exit(result.status.exit_code)
        progress.step(f"pricing {proposed.id} and re-solving with it")
        valued = price_process(result, proposed, coefficient=coefficient)
    if as_json:
        data = {**valued.to_dict(), "sentence": process_sentence(result.plan, valued)}
        sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
    else:
        out.print(process_sentence(result.plan, valued), markup=False)
    raise typer.Exit(result.status.exit_code)


@app.command(cls=_Command.renaming({"--mps": "=--output"}))   # --mps: its first name
@_guarded
def export(
    plan: PlanArg,
    mps: Annotated[Path, typer.Option("--output", "-o", show_default=False,
                                      help="Write the compiled LP to this file (free MPS).")],
) -> None:
    """Write the plan's linear program as an MPS file."""
    from kantorovich.files import check_output_file
    from kantorovich.lp.mps import export_mps

    check_output_file(mps, what="MPS file", inputs=[plan])
    loaded = _load(plan)
    inputs = [plan, *map(Path, loaded.files)]   # never over a table the plan reads
    check_output_file(mps, what="MPS file", inputs=inputs)
    export_mps(loaded, mps, inputs=inputs)
    out.print(f"wrote {mps}", markup=False)


@app.command(cls=_Command)
@_guarded
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
    from kantorovich.files import write_file_atomic

    write_file_atomic(output, text, what="JSON Schema file")


app.command("report", cls=_Command)(_guarded(report_command))
app.command("sweep", cls=_Command)(_guarded(sweep_command))
app.command("serve", cls=_Command)(_guarded(serve_command))


def _on_signal(signum: int, frame: object) -> None:
    """SIGINT/SIGTERM: a solve in progress is asked to stop at its next iteration;
    anywhere else the command unwinds at once (removing what it was staging)."""
    from kantorovich.lp.budget import request_stop, solving

    _signal_seen.append(signum)
    request_stop()
    if not solving():
        raise KeyboardInterrupt


#: how long a stop asked for by a signal may take before the process ends regardless
GRACE_SECONDS = 5.0
_finished = threading.Event()


def _watch_signals(fd: int) -> None:
    """The signals' other ear. Python runs a signal handler only between bytecodes, so
    a long solver call without an interrupt callback (factorising a basis, say) would
    sit on SIGINT and SIGTERM. The C-level handler writes each signal to ``fd`` at once:
    here the solver is asked to stop, and if the command has not ended
    `GRACE_SECONDS` later, the process ends with the signal's code, though never while
    a file or an output directory is being written (that finishes, or is undone)."""
    from kantorovich.files import writing
    from kantorovich.lp.budget import request_stop

    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            return
        if not data:
            return
        request_stop()
        if _finished.wait(GRACE_SECONDS):
            return
        while writing():
            time.sleep(0.05)
        signum = int(data[-1])
        try:
            err.print(f"interrupted ({signal.Signals(signum).name}): the solver did not "
                      f"stop within {GRACE_SECONDS:g} s; stopped", markup=False)
        finally:
            os._exit(128 + signum)


def _listen_for_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    threading.Thread(target=_watch_signals, args=(read,), daemon=True,
                     name="kantorovich-signals").start()


def main() -> None:
    """Entry point: run the app; an unexpected failure is reported, never a traceback."""
    from kantorovich.lp.budget import enable_interrupts

    claim_standard_streams()
    _listen_for_signals()
    enable_interrupts()
    try:
        app()
    except KantorovichError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # pragma: no cover - outside a command
        sys.exit(128 + (_signal_seen[-1] if _signal_seen else signal.SIGINT))
    except SystemExit as done:
        if not pipe_gave_up(done.code):
            raise
        try:        # a pipe without reader met outside every guard: 5, never 1
            answer_lost(BrokenPipeError(errno.EPIPE, "Broken pipe"))
        except typer.Exit as lost:
            sys.exit(lost.exit_code)
    except OSError as exc:   # an answer lost outside a command (usage shown on stdout)
        if not answer_was_lost(exc):
            _internal_error(exc)
        try:
            answer_lost(exc)
        except typer.Exit as done:
            sys.exit(done.exit_code)
    except Exception as exc:  # pragma: no cover - a bug: say so plainly, no traceback
        _internal_error(exc)
    finally:
        _finished.set()


def _internal_error(exc: Exception) -> None:
    """A bug: say so plainly, no traceback, and exit 70."""
    logging.getLogger(__name__).debug("internal error", exc_info=True)
    err.print(f"internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in kantorovich, not in your plan; please report it with "
              "the plan file (run with --verbose for details).", markup=False)
    sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
