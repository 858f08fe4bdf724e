"""``kantorovich report``: the report of a plan as one HTML page, or its charts as files.

Imported by the command line at start-up, so only typer and the standard library are
imported here; the work (solving, drawing, the browser) is imported by the command.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["ReportFormat", "report_command"]


class ReportFormat(str, Enum):
    """What ``kantorovich report`` writes."""

    html = "html"
    png = "png"
    svg = "svg"


_PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml, .toml, .json or .mps",
                                          show_default=False)]
_Output = Annotated[Path, typer.Option(
    "--output", "-o", show_default=False,
    help="The HTML file to write (--format html), or the folder for the charts "
         "(--format png|svg: one file per chart, DIR/flows.svg, DIR/prices.svg, ...).")]
_Format = Annotated[ReportFormat, typer.Option(
    "--format", metavar="[html|png|svg]",
    help="html: one self-contained page that opens offline; png or svg: static charts "
         "for papers, drawn in headless Chromium.")]
_TimeLimit = Annotated[Optional[float], typer.Option(
    "--time-limit", min=0.0, metavar="SECONDS",
    help="Stop the whole command (every solve and analysis) after this many seconds.")]

_CHART_SUFFIXES = (".html", ".htm", ".png", ".svg")


def report_command(plan: _PlanArg, output: _Output,
                   report_format: _Format = ReportFormat.html,
                   time_limit: _TimeLimit = None) -> None:
    """Write a report of a plan: the explanation in sentences, the flows, the plan in
    force against the optimum, shadow prices, what each rule costs, sensitivity ranges
    and the certificate; for a plan without an optimum, the conflict and the smallest
    relaxation. Exit code as for solve (the report is written in every case)."""
    from kantorovich.explain.analyses import analyse
    from kantorovich.files import OutputError, check_output_dir, check_output_file
    from kantorovich.io import load_plan
    from kantorovich.lp.budget import Budget
    from kantorovich.results.result import solve

    fmt = report_format.value

    def check(inputs: list[Path]) -> None:
        if fmt == "html":
            check_output_file(output, what="report", inputs=inputs)
        else:
            check_output_dir(output, inputs=inputs)

    if fmt == "html":
        check(inputs=[plan])
    else:
        from kantorovich.report.chromium import require

        if output.suffix.lower() in _CHART_SUFFIXES:
            raise OutputError(f"--format {fmt} writes one file per chart into a folder, "
                              f"and '{output}' reads as a file name",
                              hint="give a folder, e.g. -o figures (it gets flows."
                                   f"{fmt}, prices.{fmt}, ...)")
        check(inputs=[plan])
        require()   # before any work: say at once that no browser can draw the charts
    budget = Budget(time_limit)
    loaded = load_plan(plan)
    inputs = [plan, *map(Path, loaded.files)]   # and never over a table the plan reads
    check(inputs)
    result = solve(loaded, budget=budget)
    found = analyse(result, budget=budget)
    if fmt == "html":
        from kantorovich.report.html import write_report

        written = [write_report(result, output, found, source=str(plan), inputs=inputs)]
    else:
        from kantorovich.report.charts import chart_data
        from kantorovich.report.figures import figures
        from kantorovich.report.static import write_charts
        from kantorovich.report.summary import summary

        figs = figures(summary(result, analyses=found), chart_data(result))
        written = write_charts(figs, output, fmt, inputs=inputs)
    if written:
        sys.stdout.write("".join(f"wrote {path}\n" for path in written))
    else:
        sys.stdout.write(f"no charts to draw for this plan ({result.status.value}); "
                         f"{output} holds none\n")
    if not result.status.is_ok:
        from kantorovich.explain.diagnosis_text import message

        note = (message(result.diagnosis()) if not result.status.has_solution else
                "the solver's answer is shown but NOT verified optimal")
        sys.stderr.write(f"note: {note}\n")
    raise typer.Exit(result.status.exit_code)
