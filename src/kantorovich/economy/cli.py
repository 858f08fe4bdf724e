"""``kantorovich economy``: input-output tables from the command line.

A typer sub-app, registered by the main CLI with
``app.add_typer(economy_app, name="economy")``. Only typer and rich are imported here;
the commands import the accounting when they run, so ``--help`` stays quick.

* ``economy values TABLE [--demand FILE] [--json] [-o DIR]``: gross output for a final
  demand and labour values; ``--json`` prints one object whose ``output`` and
  ``labour_values`` are keyed by the sector ``id`` of ``sectors.csv`` as a string
  (``null`` where undefined: a sector with no output), with ``labour_basis``,
  ``labour_unit`` and ``content`` (value-added content where the basis is value added).
* ``economy inspect TABLE [--json] [-o DIR]``: the checks, a summary and the sectors that
  look imputed or fictitious.

Every command that reads a TABLE takes the shared options ``--labour
compensation|va|FILE``, ``--imports fixed|drop|resource``, ``--clean
negatives=zero|joint`` and ``--exclude CODE,...`` (`kantorovich.economy.prepare`), and
says in its output what they did.

Bad input exits 2 with every problem located (file, line, sector and fix).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from kantorovich.cli_style import (Command, Group, answer_console, error_console, note,
                                   report_failure)
from kantorovich.number_table import NumberTable as Table  # numbers never cut

if TYPE_CHECKING:
    from kantorovich.economy.plan import ImportRule

economy_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Input-output economies: checks, gross output and labour values.")

err = error_console()      # made when first used: nothing touches the streams at import

TableArg = Annotated[Path, typer.Argument(
    help="Folder with sectors, Z, y, x and va tables (.csv or .parquet)", show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
# the shared table options: every command that reads a TABLE applies them and says so
LabourOpt = Annotated[Optional[str], typer.Option(
    "--labour", metavar="compensation|va|FILE",
    help="Labour: compensation of employees (the default where the table has it), va "
         "(value added: its figures are value-added content, not labour values), or FILE "
         "(CSV/Parquet with columns id and hours or persons; the China table's "
         "employment file too).", show_default=False)]
ImportsOpt = Annotated[Optional[str], typer.Option(
    "--imports", metavar="fixed|drop|resource",
    help="Imports (the table's negative final demand): fixed, a fixed supply (the "
         "default; supply is the same); drop, made at home; resource, foreign exchange "
         "paid for by exports.", show_default=False)]
CleanOpt = Annotated[Optional[str], typer.Option(
    "--clean", metavar="negatives=zero|joint",
    help="Negative flows set to 0, or kept as joint outputs; without it A is Z / x as "
         "read.", show_default=False)]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option(
    "--exclude", metavar="CODE,...",
    help="Sector codes removed from the table with their rows and columns (economy "
         "inspect lists imputed ones).", show_default=False)]


def _out() -> Console:
    return answer_console(160)


def _fail(exc: Exception) -> None:
    """Every problem of a bad input on stderr, then exit with its code (2)."""
    raise typer.Exit(report_failure(err, exc, what="table"))


#: the words --imports takes, as the library's rule (``supply`` is ``fixed``)
_IMPORTS: dict[str, ImportRule] = {"fixed": "fixed", "supply": "fixed", "drop": "drop",
                                   "resource": "resource"}
#: the imports rules in the words of the terminal output
_IMPORT_WORDS = {"fixed": "fixed supply", "drop": "dropped (made at home)",
                 "resource": "bought with foreign exchange paid for by exports"}


def _plan_treatment(economy: Any, options: Any) -> dict[str, Any]:
    """The stated keys of the plan: the basis its labour is in (value added where the
    table has no compensation, as the plan takes it), imports and clean-up."""
    from kantorovich.economy.prepare import treatment

    if economy.labour_source is None:
        economy = economy.with_labour("va")
    return treatment(economy, options)


def _load(table: Path, labour: Any = None) -> tuple[Any, Any]:
    """The table with the shared options applied (``labour`` is a `TableOptions`, a
    labour word, or None), and its checks."""
    from kantorovich.economy.checks import check_economy
    from kantorovich.economy.prepare import TableOptions, prepare_economy

    options = labour if isinstance(labour, TableOptions) else TableOptions(labour)
    economy = prepare_economy(table, options)
    return economy, check_economy(economy)


def _options(labour: str | None = None, imports: str | None = None,
             clean: str | None = None, exclude: list[str] | None = None) -> Any:
    from kantorovich.economy.prepare import TableOptions

    return TableOptions.parse(labour, imports, clean, exclude)


def _inputs(table: Path, demand: Path | None, options: Any) -> list[Path]:
    """The files a command reads, none of which an output may be or hold."""
    from kantorovich.economy.prepare import LABOUR_WORDS

    labour = options.labour
    return [table, *([demand] if demand else []),
            *([Path(labour)] if labour and labour not in LABOUR_WORDS else [])]


def _as_value_added(economy: Any) -> Any:
    """A table without compensation valued by value added, said on stderr: its figures
    are value-added content, not labour values."""
    economy = economy.with_labour("va")
    note("the table has no compensation of employees; the labour basis is value added "
         "(wages, profits and taxes), so its figures are value-added content, not labour "
         "values. Pass --labour FILE for labour in hours or persons.")
    return economy


def _valued_by_value_added(check: Any) -> Any:
    """The checks without the note that the table has no labour: it is valued by value
    added now, which every output says."""
    from dataclasses import replace

    return replace(check, findings=tuple(f for f in check.findings if f.code != "no-labour"))


def _print_treatment(out: Console, data: dict[str, Any]) -> None:
    """The basis, imports and clean-up lines every terminal output ends with."""
    out.print(escape(f"labour basis: {data['labour_basis'] or 'none'}"
                     + (f"; unit: {data['labour_unit']}" if data['labour_unit'] else "")))
    if data.get("labour_note"):
        out.print(escape(f"labour matched: {data['labour_note']}"))
    out.print(escape(data["imports_rule"]))
    for item in data["applied"]:
        out.print(escape(f"table: {item}"))


def _dumps(data: Any) -> str:
    """One JSON document, always valid JSON: a number that is not finite is ``null``
    (undefined: a sector with no output), and ``allow_nan=False`` guards the rest."""
    return json.dumps(_finite(data), ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _refuse_overflow(result: Any, economy: Any, file: str | None) -> None:
    """Gross output or labour values beyond a double (about 1.8e308) are bad input: the
    demand or the table is out of the range a computer holds, said, never ``inf``."""
    import numpy as np

    from kantorovich.errors import PlanError, Problem

    made = economy.x > 0
    output = result.output.to_numpy(float)
    values = (np.zeros(economy.n) if result.labour_values is None
              else result.labour_values.to_numpy(float))
    bad = ~np.isfinite(output) | (made & ~np.isfinite(values))
    if bad.any() or not math.isfinite(result.output_residual):
        where = ", ".join(economy.describe(int(j)) for j in np.flatnonzero(bad)[:5])
        raise PlanError([Problem(
            "the final demand is too large for the numbers a computer holds: gross output "
            f"overflows (beyond about 1.8e308){' for ' + where if where else ''}", file=file,
            hint="give the demand in a larger unit (millions, say) or smaller amounts")])


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _keyed(series: Any) -> dict[str, float | None]:
    return {str(k): _number(v) for k, v in series.items()}


def _read_demand(economy: Any, path: Path) -> Any:
    """A final demand from FILE (columns ``id, y``; sectors left out demand 0)."""
    import numpy as np
    import pandas as pd

    from kantorovich.errors import PlanError, Problem
    from kantorovich.files import check_input_file

    file = str(path)
    check_input_file(path, what="demand")     # a FIFO or a device would hang the reader
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise PlanError([Problem(f"cannot read the demand: {exc}", file=file)]) from None
    column = "y" if "y" in frame else "demand" if "demand" in frame else None
    if "id" not in frame or column is None:
        raise PlanError([Problem(f"needs columns id and y (has {', '.join(map(str, frame))})",
                                 file=file, line=1, hint="write id,y as in y.csv")])
    ids = pd.to_numeric(frame["id"], errors="coerce")
    values = pd.to_numeric(frame[column], errors="coerce")
    line = 2 if path.suffix != ".parquet" else None
    problems = []
    for i in np.flatnonzero(~(np.isfinite(ids) & np.isfinite(values))):
        problems.append(Problem(f"row {frame.iloc[i].tolist()} is not an id and a number",
                                file=file, line=None if line is None else line + int(i)))
    known = ids.isin(economy.ids)
    for i in np.flatnonzero(np.isfinite(ids) & ~known):
        problems.append(Problem(f"id {ids.iloc[i]:g} is not a sector of the table",
                                file=file, line=None if line is None else line + int(i),
                                hint=f"use the ids of sectors.csv (0..{economy.n - 1})"))
    ok = known & np.isfinite(values)
    for d in ids[ok][ids[ok].duplicated()].unique():
        problems.append(Problem(f"sector {economy.describe(int(d))} is listed twice",
                                file=file, hint="give each sector one row"))
    demand = pd.Series(values[ok].to_numpy(float), index=ids[ok].astype(int).to_numpy())
    if problems:
        raise PlanError(problems)
    demand = demand.reindex(economy.ids, fill_value=0.0)
    for j in economy.zero_output:
        if demand.iloc[j] != 0:
            problems.append(Problem(
                f"demand {demand.iloc[j]:g} for {economy.describe(int(j))}, which the table "
                "shows producing nothing (no technique to make it)", file=file,
                hint="set its demand to 0"))
    if problems:
        raise PlanError(problems)
    return demand


@economy_app.command("values", cls=Command)
def values(table: TableArg,
           demand: Annotated[Optional[Path], typer.Option(
               "--demand", help="Final demand (columns id,y); the table's y by default.",
               show_default=False)] = None,
           labour: LabourOpt = None, imports: ImportsOpt = None, clean: CleanOpt = None,
           exclude: ExcludeOpt = None,
           output: Annotated[Optional[Path], typer.Option(
               "-o", "--output", help="Write values.csv (per sector) and summary.json to "
                                      "this directory.", show_default=False)] = None,
           json_out: Json = False) -> None:
    """Gross output for a final demand and labour values (v = l + vA), never inverting I - A;
    value-added content where the basis is value added."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        options = _options(labour, imports, clean, exclude)
        if output is not None:
            from kantorovich.files import check_output_dir

            check_output_dir(output, inputs=_inputs(table, demand, options))
        economy, check = _load(table, options)
        if economy.labour_source is None:
            # OECD and WIOD tables carry value added only: value by it, and say so
            economy = _as_value_added(economy)
            check = _valued_by_value_added(check)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        final = None if demand is None else _read_demand(economy, demand)
        from kantorovich.economy.imports import accounts_under

        import numpy as np

        with np.errstate(over="ignore", invalid="ignore"):   # judged just below
            result, rules = accounts_under(economy, options.imports, final)
        _refuse_overflow(result, economy, str(demand) if demand else economy.files.get("y"))
    except KantorovichError as exc:
        _fail(exc)
    from kantorovich.economy.prepare import treatment, value_added_identity

    stated = treatment(economy, options)
    identity = value_added_identity(economy, result.labour_values)
    summary = {
        "table": str(table), "sectors": economy.n, "unit": economy.unit,
        "demand": str(demand) if demand else economy.files.get("y"),
        "labour": result.labour_source, **stated, "by_construction": identity,
        "exchange_price": rules.exchange_price, "exports": rules.exports_source,
        "method": result.method,
        "residuals": {"output": result.output_residual,
                      "labour_values": result.labour_residual}}
    data = {**summary, "output": _keyed(result.output),
            "labour_values": _keyed(result.labour_values), "checks": check.to_dict()}
    if output is not None:
        try:
            _write_values(output, result, economy, data, _inputs(table, demand, options))
        except KantorovichError as exc:
            _fail(exc)
    if json_out:
        sys.stdout.write(_dumps(data) + "\n")
        return
    out = _out()
    word = "value-added content" if economy.labour_source == "va" else "labour value"
    grid = Table(title=escape(f"{table}: gross output and {economy.content_name} "
                              f"({result.method}, basis {economy.labour_basis})"))
    for column in ("id", "code", "name", "region"):
        grid.add_column(column)
    grid.add_column(escape(f"output [{economy.unit or 'money'}]"), justify="right")
    grid.add_column(escape(f"{word} [{economy.labour_unit}]"), justify="right")
    s = economy.sectors
    values = result.labour_values
    assert values is not None          # the table was given labour above
    for j, (x, v) in enumerate(zip(result.output, values, strict=True)):
        grid.add_row(str(economy.ids[j]), escape(s["code"].iloc[j]), escape(s["name"].iloc[j]),
                     escape(s["region"].iloc[j]), f"{x:,.6g}",
                     "-" if not math.isfinite(v) else f"{v:.6g}")
    out.print(grid)
    _print_treatment(out, stated)
    if rules.exchange_price is not None:
        out.print(escape(f"foreign exchange costs {rules.exchange_price:.6g} "
                         f"{economy.labour_basis} per {economy.unit or 'money unit'} "
                         f"(earned by exports: {rules.exports_source})"))
    if identity:
        out.print(escape(f"note: {identity}"))
    _print_findings(out, check)


def _frame_text(frame: Any) -> Any:
    """String columns as strings (Parquet and CSV alike)."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    return frame


def _write_values(directory: Path, result: Any, economy: Any, data: dict[str, Any],
                  inputs: list[Path]) -> None:
    """values.csv and summary.json, through the output folder's rules."""
    from kantorovich import files

    column = "value_added_content" if economy.labour_source == "va" else "labour_value"
    frame = economy.sectors[["code", "name", "region"]].copy()
    frame["output"] = result.output.to_numpy(float)
    frame[column] = result.labour_values.to_numpy(float)
    summary = {k: v for k, v in data.items() if k not in ("output", "labour_values")}
    summary["tables"] = {"values": "values.csv"}
    summary["columns"] = {"output": economy.unit or "money",
                          column: economy.labour_unit}
    with files.output_directory(directory, inputs=inputs) as staging:
        _frame_text(frame.reset_index()).to_csv(staging / "values.csv", index=False)
        (staging / "summary.json").write_text(
            json.dumps(_finite(summary), indent=2, allow_nan=False) + "\n",
            encoding="utf-8")


def _print_findings(out: Console, check: Any) -> None:
    colour = {"error": "bold red", "warning": "yellow", "note": "cyan"}
    for f in check.findings:
        where = f"{f.file}: " if f.file else ""
        out.print(f"[{colour[f.severity]}]{f.severity}[/]: {escape(where + f.message)}")
        if f.hint:
            out.print(f"    hint: {escape(f.hint)}")
    for c in check.cleanup:
        out.print(f"[cyan]clean-up[/]: {escape(c)}")


@economy_app.command("inspect", cls=Command)
def inspect(table: TableArg, labour: LabourOpt = None, imports: ImportsOpt = None,
            clean: CleanOpt = None, exclude: ExcludeOpt = None,
            output: Annotated[Optional[Path], typer.Option(
                "-o", "--output", help="Write findings.csv, suspects.csv (sectors that "
                                       "look imputed) and summary.json to this "
                                       "directory.", show_default=False)] = None,
            json_out: Json = False) -> None:
    """The table's checks and a summary: sectors, non-zeros, spectral radius, negative
    entries, zero-output sectors, balance residuals, the clean-up applied and the sectors
    that look imputed or fictitious (and why)."""
    from kantorovich.errors import KantorovichError

    try:
        options = _options(labour, imports, clean, exclude)
        if output is not None:
            from kantorovich.files import check_output_dir

            check_output_dir(output, inputs=_inputs(table, None, options))
        economy, check = _load(table, options)
    except KantorovichError as exc:
        _fail(exc)
    from kantorovich.economy.imputed import suspect_sectors
    from kantorovich.economy.prepare import treatment

    stated = treatment(economy, options)
    suspects = suspect_sectors(economy)
    data = {"table": str(table), "unit": economy.unit, "labour": economy.labour_source,
            **stated, **check.to_dict(), "suspect_sectors": suspects}
    if output is not None:
        try:
            _write_inspect(output, data, check, suspects, _inputs(table, None, options))
        except KantorovichError as exc:
            _fail(exc)
    if json_out:
        sys.stdout.write(_dumps(data) + "\n")
        if not check.ok:       # the same exit code as the terminal's: the table has errors
            raise typer.Exit(2)
        return
    out = _out()
    summary = Table(title=escape(f"{table}"), show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    rows = [
        ("sectors", f"{check.sectors:,}"), ("non-zero flows", f"{check.nonzeros:,}"),
        ("unit", economy.unit or "?"),
        ("labour basis", f"{economy.labour_basis or 'none'}"
                         + (f" ({economy.labour_unit})" if economy.labour_unit else "")),
        ("spectral radius of A", f"{check.spectral_radius:.4f} ({check.spectral_radius_method})"),
        ("largest column sum of A", f"{check.max_column_sum:.4f}"),
        ("negative flows", f"{check.negative_entries}"),
        ("negative final demand", f"{check.negative_final_demand} sectors"),
        ("zero-output sectors", f"{len(check.zero_output_sectors)}"),
        ("rounding of the figures", f"{check.rounding:g}"),
        ("row balance x - Z1 - y", f"max {check.row_residual_max:.4g}, "
                                   f"Σ|r|/Σx {check.row_residual_relative:.2g}"),
        ("column balance x - 1'Z - " + " - ".join(check.column_balance_items),
         "not checked" if check.column_residual_max is None else
         f"max {check.column_residual_max:.4g}, Σ|c|/Σx {check.column_residual_relative:.2g}"),
        ("clean-up applied", "; ".join(check.cleanup) or "none"),
        ("imputed-looking sectors", f"{len(suspects)}"),
    ]
    for what, value in rows:
        summary.add_row(escape(what), escape(value))
    out.print(summary)
    _print_treatment(out, stated)
    _print_findings(out, check)
    if suspects:
        grid = Table(title="sectors that look imputed or fictitious (remove with "
                           "--exclude CODE,...)")
        for column in ("id", "code", "name", "why"):
            grid.add_column(column)
        for row in suspects:
            grid.add_row(str(row["id"]), escape(str(row["code"])), escape(str(row["name"])),
                         escape("; ".join(map(str, row["reasons"]))))
        out.print(grid)
    if not check.ok:
        raise typer.Exit(2)


def _write_inspect(directory: Path, data: dict[str, Any], check: Any,
                   suspects: list[dict[str, Any]], inputs: list[Path]) -> None:
    """findings.csv, suspects.csv and summary.json, through the output folder's rules."""
    import pandas as pd

    from kantorovich import files

    findings = pd.DataFrame([{"code": f.code, "severity": f.severity, "message": f.message,
                              "hint": f.hint, "file": f.file or "",
                              "sectors": " ".join(map(str, f.sectors))}
                             for f in check.findings],
                            columns=["code", "severity", "message", "hint", "file",
                                     "sectors"])
    table = pd.DataFrame([{**row, "reasons": "; ".join(row["reasons"])} for row in suspects],
                         columns=["id", "code", "name", "region", "reasons"])
    summary = {**data, "tables": {"findings": "findings.csv", "suspects": "suspects.csv"}}
    with files.output_directory(directory, inputs=inputs) as staging:
        _frame_text(findings).to_csv(staging / "findings.csv", index=False)
        _frame_text(table).to_csv(staging / "suspects.csv", index=False)
        (staging / "summary.json").write_text(
            json.dumps(_finite(summary), indent=2, allow_nan=False) + "\n",
            encoding="utf-8")


@economy_app.command("generate", cls=Command.renaming({"--out": "--output"}))
def generate(like: Annotated[Path, typer.Option(
                 "--like", help="Real table to disaggregate (a folder in the uniform format).",
                 show_default=False)],
             n: Annotated[int, typer.Option("-n", help="Number of products.",
                                            show_default=False)],
             out: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the "
                                               "plan into (plan.yaml and Parquet tables).",
                                               show_default=False)],
             techniques: Annotated[int, typer.Option(
                 "--techniques", help="Techniques per product, trading labour against "
                                      "materials.")] = 3,
             seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
             degree: Annotated[float, typer.Option(
                 "--degree", help="Each product buys from ceil(DEGREE ln n) non-hub "
                                  "suppliers.")] = 0.5,
             hubs: Annotated[int, typer.Option(
                 "--hubs", help="Hub sectors kept (the densest rows of the table: their "
                                "largest product is bought by every buyer of the sector); "
                                "0 for none.")] = 6,  # generate.MAX_HUBS (imported late)
             labour: LabourOpt = None, clean: CleanOpt = None, exclude: ExcludeOpt = None,
             json_out: Json = False) -> None:
    """A planned economy of N products made from a real table (sectors split into
    products, hubs kept, n log n flows, K techniques each), written as an ordinary plan:
    solve it with kantorovich solve OUTPUT/plan.yaml."""
    import time

    from kantorovich.economy.checks import check_economy
    from kantorovich.economy.cleanup import AS_READ
    from kantorovich.economy.generate import generate_economy
    from kantorovich.economy.prepare import prepare_economy
    from kantorovich.errors import KantorovichError

    start = time.perf_counter()
    try:
        from kantorovich.files import check_output_dir

        options = _options(labour, None, clean, exclude)
        # as solve -o: refused before any work
        check_output_dir(out, inputs=_inputs(like, None, options))
        economy = prepare_economy(like, options)
        check = check_economy(economy)
        if not check.productive:    # its products, made from it, could not be made either
            from kantorovich.errors import PlanError, Problem

            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        generated = generate_economy(economy, n, techniques=techniques, seed=seed,
                                     degree=degree, hubs=hubs)
        # valued by value added where the table has no labour, which the output says
        findings = (check if economy.labour_source
                    else _valued_by_value_added(check)).to_dict()["findings"]
        plan = generated.write(out, inputs=_inputs(like, None, options))
    except KantorovichError as exc:
        _fail(exc)
    from dataclasses import replace

    from kantorovich.economy.prepare import treatment

    basis = economy if economy.labour_source else economy.with_labour("va")
    # the basket is y+ (negative final demand floored at 0): imports are dropped
    stated = treatment(basis, replace(options, imports="drop"))
    info = {**generated.info, "flows": generated.flow_count, "plan": str(plan), **stated,
            "applied": list(economy.applied) or [AS_READ],
            "seconds": round(time.perf_counter() - start, 3)}
    if json_out:
        sys.stdout.write(_dumps({**info, "findings": findings}) + "\n")
        return
    if info["labour"] == "va":
        note("the table has no compensation of employees; labour is measured "
             "by value added.")
    if info["negative_final_demand_sectors"]:
        note(f"{info['negative_final_demand_sectors']} sectors have negative "
             f"final demand ({info['negative_final_demand_floored']:,.6g} in all), "
             "floored at 0: their products are not in the basket.")
    _out().print(escape(
        f"wrote {plan}: {info['products']:,} products of {info['sectors_used']} sectors, "
        f"{info['techniques']} techniques each ({info['processes']:,} processes), "
        f"{info['flows']:,} flows; hubs: {', '.join(info['hubs']) or 'none'} "
        f"({info['seconds']:.1f} s)"))
    _print_treatment(_out(), info)


@economy_app.command("import-tns", cls=Command.renaming({"--out": "--output"}))
def import_tns(folder: Annotated[Path, typer.Argument(
                   help="Folder with Cockshott's nyearplan files: flows, capital, "
                        "depreciation and targets.", show_default=False)],
               out: Annotated[Path, typer.Option(
                   "-o", "--output", help="Folder to write the plan into (plan.yaml and "
                                       "CSV tables).", show_default=False)],
               flows: Annotated[str, typer.Option(
                   "--flows", help="Flow matrix file in FOLDER, with its output and "
                                   "labour rows.")] = "flows.csv",
               capital: Annotated[str, typer.Option(
                   "--capital", help="Capital stock matrix file in FOLDER.")] = "cap.csv",
               depreciation: Annotated[str, typer.Option(
                   "--depreciation", help="Depreciation matrix file in FOLDER.")
               ] = "dep.csv",
               targets: Annotated[str, typer.Option(
                   "--targets", help="Targets file in FOLDER: a yearN row per year, a "
                                     "column per product and labour.")] = "labtarg.csv",
               json_out: Json = False) -> None:
    """Read the four CSV files of Cockshott's nyearplan (5yearplan) and write a plan over
    time meaning exactly its LP: solve it with kantorovich solve OUT/plan.yaml."""
    from kantorovich.economy.tns import read_tns
    from kantorovich.errors import KantorovichError

    try:
        from kantorovich.files import check_output_dir

        names = [flows, capital, depreciation, targets]
        inputs = [folder / name for name in names]
        check_output_dir(out, inputs=inputs)
        economy = read_tns(folder, flows=flows, capital=capital,
                           depreciation=depreciation, targets=targets)
        plan = economy.write_plan(out, inputs=inputs, name=f"{folder.resolve().name} "
                                  "(nyearplan)")
    except KantorovichError as exc:
        _fail(exc)
    tables = economy.tables()
    info = {"plan": str(plan), "industries": len(economy.products),
            "years": economy.years, "stocks": len(tables["stocks"]),
            "flows": len(tables["flows"]), "targets": len(tables["targets"])}
    if json_out:
        sys.stdout.write(json.dumps(info, ensure_ascii=False) + "\n")
        return
    _out().print(escape(
        f"wrote {plan}: {info['industries']:,} industries over {info['years']} years, "
        f"{info['stocks']:,} capital stocks, {info['flows']:,} flows"))


def _parse_resources(given: list[str] | None) -> dict[str, float | None]:
    """``NAME=AMOUNT`` (or ``NAME`` for the table's own total) per --resources value."""
    from kantorovich.errors import PlanError, Problem

    found: dict[str, float | None] = {}
    problems = []
    for text in given or []:
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, amount = item.partition("=")
            try:
                found[name.strip()] = float(amount) if amount.strip() else None
            except ValueError:
                problems.append(Problem(f"--resources {item!r}: {amount!r} is not a number",
                                        hint="write NAME=AMOUNT, e.g. co2=4.5e9"))
    if problems:
        raise PlanError(problems)
    return found


@economy_app.command("plan", cls=Command)
def plan(table: TableArg,
         resources: Annotated[Optional[list[str]], typer.Option(
             "--resources", metavar="NAME[=AMOUNT]",
             help="A further scarce resource and the amount available (NAME alone: the "
                  "table's own total); repeat or separate by commas. NAME is a resource "
                  "of the folder's resources.csv (columns id, resource, amount; or id and "
                  "a column per resource, e.g. id,co2), or a column of its va.csv "
                  "(e.g. gross_operating_surplus), in total per sector; each sector uses "
                  "it in proportion to its output.",
             show_default=False)] = None,
         imports: ImportsOpt = None, labour: LabourOpt = None, clean: CleanOpt = None,
         exclude: ExcludeOpt = None,
         output: Annotated[Optional[Path], typer.Option(
             "-o", "--output", help="Write the valuations, resources, processes and goods "
                                    "tables, summary.json and a chart of prices against "
                                    "labour values (valuations.html) to this directory.",
             show_default=False)] = None,
         fmt: Annotated[str, typer.Option(
             "--format", help="Table format of -o: parquet or csv.")] = "parquet",
         time_limit: Annotated[Optional[float], typer.Option(
             "--time-limit", min=0.0, metavar="SECONDS", help="Bound the solve.",
             show_default=False)] = None,
         alternative: Annotated[Optional[Path], typer.Option(
             "--alternative", help="A second table with the same sectors (another year or "
                                   "region): its columns are a second technique of each "
                                   "sector.", show_default=False)] = None,
         vary: Annotated[int, typer.Option(
             "--vary", min=0, help="Alternative techniques per sector made by a stated "
                                   "rule: labour x f, materials x 1/f, f = exp(±r), r "
                                   "uniform in [0.1, 0.5].")] = 0,
         capital: Annotated[Optional[float], typer.Option(
             "--capital", metavar="SHARE", help="Capital (value added less compensation "
                                                "per unit of output) as a second resource, "
                                                "SHARE of what the table uses.",
             show_default=False)] = None,
         capacity: Annotated[Optional[float], typer.Option(
             "--capacity", metavar="SHARE", help="Each sector's own technique runs at most "
                                                 "SHARE of its gross output (where it has "
                                                 "an alternative).", show_default=False)] = None,
         seed: Annotated[int, typer.Option("--seed", help="Seed of --vary and of capital's "
                                                          "per-technique factor.")] = 0,
         json_out: Json = False) -> None:
    """The plan ray: the most complete final-demand baskets for the labour and resources
    at hand, solved as a plan, with its prices against labour values (v = l + vA); with
    alternative techniques, capital or capacities, where and why prices part from values."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    if alternative is not None or vary or capital is not None or capacity is not None:
        _plan_choice(table, alternative, vary, capital, capacity, seed, resources,
                     (labour, imports, clean, exclude), output, time_limit, json_out)
        return
    try:
        options = _options(labour, imports, clean, exclude)
        wanted = _parse_resources(resources)
        if output is not None:
            from kantorovich.report.export import check_output_dir

            check_output_dir(output, inputs=_inputs(table, None, options), fmt=fmt)
        economy, check = _load(table, options)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        from kantorovich.economy.plan import plan_ray

        ray = plan_ray(economy, resources=wanted, imports=options.imports,
                       time_limit=time_limit)
    except KantorovichError as exc:
        _fail(exc)
    result = ray.result
    for said in ray.notes:
        note(said)
    frame = ray.valuations
    summary: dict[str, Any] = {
        "table": str(table), "sectors": economy.n, "unit": economy.unit,
        "status": result.status.value,
        "verified": bool(result.is_optimal and result.certificate.verified),
        "sets": _number(ray.sets), "imports": ray.imports, "numeraire": ray.numeraire,
        "labour": economy.labour_source or "va", **_plan_treatment(economy, options),
        "binding_resources": ray.binding if result.is_optimal else [],
        "resources": {} if not result.is_optimal else {
            str(k): {"available": _number(r.available), "used": _number(r.used),
                     "shadow_price": _number(r.shadow_price), "binding": bool(r.binding)}
            for k, r in ray.resources.iterrows()},
        "method": ray.method, "notes": list(ray.notes), "paragraph": ray.paragraph(),
        "non_substitution": _non_substitution(ray),
        "findings": (check if economy.labour_source else _valued_by_value_added(check)
                     ).to_dict()["findings"], "seconds": result.seconds}
    if output is not None and result.is_optimal:
        _write_plan_ray(ray, output, summary, fmt, table)
    if json_out:
        keyed = {} if not result.is_optimal else {
            "basket": _keyed(frame["basket"]),
            "labour_values": _keyed(frame["labour_value"]),
            "shadow_prices": _keyed(frame["shadow_price"]),
            "ratio": _keyed(frame["ratio"]), "output": _keyed(frame["output"])}
        sys.stdout.write(_dumps({**summary, **keyed}) + "\n")
    else:
        _print_plan_ray(ray, table, economy)
        _print_treatment(_out(), summary)
    if not result.is_optimal:
        raise typer.Exit(1)


def _print_plan_ray(ray: Any, table: Path, economy: Any) -> None:
    out = _out()
    result = ray.result
    if not result.is_optimal:
        out.print(escape(f"{table}: the plan ray has no proven optimum "
                         f"({result.status.value})"))
        return
    cert = "verified" if result.certificate.verified else "NOT verified"
    # a table without compensation is planned by value added: not labour values
    by_value_added = (economy.labour_source or "va") == "va"
    content = "value-added content" if by_value_added else "labour values"
    if _non_substitution(ray):
        scarce = "value added" if by_value_added else "labour"
        out.print(f"One technique per sector and {scarce} the only scarce resource: prices "
                  f"equal {content} (the non-substitution theorem).")
    unit = ("value added" if by_value_added else "labour") if ray.numeraire == "labour" \
        else "basket-equal units"
    grid = Table(title=escape(f"{table}: {ray.sets:.6g} baskets; prices in {unit} "
                              f"against {content}"))
    for column in ("id", "name"):
        grid.add_column(column)
    for column in (content, "shadow price", "ratio"):
        grid.add_column(column, justify="right")
    frame = ray.valuations

    def show(value: float) -> str:
        return "-" if not math.isfinite(value) else f"{value:.6g}"

    for k, row in frame.iterrows():
        grid.add_row(str(k), escape(str(row["name"])), show(row["labour_value"]),
                     show(row["shadow_price"]), show(row["ratio"]))
    out.print(grid)
    binding = ", ".join(ray.binding) or "none"
    out.print(escape(
        f"sets {ray.sets:.6g} (optimal, certificate {cert}); binding: {binding}; "
        f"imports: {_IMPORT_WORDS.get(ray.imports, ray.imports)}; "
        f"labour: {economy.labour_source or 'va'}; solve {result.seconds:.2f} s, "
        f"{content} by {ray.method['labour_values']}"))
    out.print(escape(ray.paragraph()))


def _write_plan_ray(ray: Any, directory: Path, summary: dict[str, Any], fmt: str,
                    table: Path) -> None:
    from kantorovich import files

    frames = {"valuations": ray.valuations.reset_index(),
              "resources": ray.resources.reset_index(),
              "processes": ray.result.processes.reset_index(),
              "goods": ray.result.goods.reset_index()}
    text = json.dumps({**summary, "tables": {k: f"{k}.{fmt}" for k in frames},
                       "chart": "valuations.html"}, indent=2,
                      allow_nan=False)
    with files.output_directory(directory, inputs=[table]) as staging:
        for name, frame in frames.items():
            frame = frame.copy()
            for col in frame.columns:
                if frame[col].dtype == object:
                    frame[col] = frame[col].astype("string")
            path = staging / f"{name}.{fmt}"
            if fmt == "parquet":
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
        (staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        from kantorovich.economy.chart import valuation_page

        (staging / "valuations.html").write_text(valuation_page(ray), encoding="utf-8")


def _load_with_labour(table: Path, options: Any = None) -> tuple[Any, Any]:
    """A table with labour as ``economy values`` takes it (value added, said on stderr,
    where it has no compensation), refused when it is not productive. Under ``--imports
    resource`` its A is ``A*``, imported inputs replaced by the exports that pay for them
    (`kantorovich.economy.imports.resource_economy`); fixed and drop leave A as it is."""
    from kantorovich.errors import PlanError, Problem

    economy, check = _load(table, options)
    if economy.labour_source is None:
        economy = _as_value_added(economy)
    if not check.productive:
        raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                         for f in check.findings if f.severity == "error"])
    if options is not None and options.imports == "resource":
        from kantorovich.economy.imports import resource_economy

        economy = resource_economy(economy)
    return economy, check


@economy_app.command("bases", cls=Command)
def bases(table: TableArg,
          output: Annotated[Optional[Path], typer.Option(
              "-o", "--output", help="Write bases.csv (the ranked table) and bases.html "
                                     "(a chart of the ranking) to this directory.",
              show_default=False)] = None,
          labour: LabourOpt = None, imports: ImportsOpt = None, clean: CleanOpt = None,
          exclude: ExcludeOpt = None, json_out: Json = False) -> None:
    """Labour and every produced input as the basis of value in turn: how well each
    basis's vertically integrated content v_b = c_b (I - A)^-1 predicts market prices
    (correlation of logs, R², mean absolute deviation), ranked by R²."""
    from kantorovich.errors import KantorovichError

    try:
        options = _options(labour, imports, clean, exclude)
        if output is not None:
            from kantorovich.files import check_output_dir

            check_output_dir(output, inputs=_inputs(table, None, options))
        economy, _ = _load_with_labour(table, options)
        from kantorovich.economy.bases import value_bases

        result = value_bases(economy)
        if output is not None:
            _write_bases(result, output, _inputs(table, None, options))
    except KantorovichError as exc:
        _fail(exc)
    from kantorovich.economy.prepare import treatment

    stated = treatment(economy, options)
    if json_out:
        sys.stdout.write(_dumps({**result.to_dict(), **stated}) + "\n")
        return
    out = _out()
    word = "value added" if result.labour_source == "va" else "labour"
    grid = Table(title=escape(f"{table}: value bases ranked by {result.ranking_rule} "
                              f"(* = the {word} basis)"))
    for column in ("rank", "basis", "code", "name"):
        grid.add_column(column)
    for column in ("correlation", "R²", "MAD", "sectors"):
        grid.add_column(column, justify="right")

    def show(value: float) -> str:
        return "-" if not math.isfinite(value) else f"{value:.4f}"

    for key, row in result.table.iterrows():
        mark = "*" if row["labour"] else ""
        grid.add_row(f"{row['rank']}{mark}", escape(str(key)), escape(str(row["code"])),
                     escape(str(row["name"])), show(row["correlation"]), show(row["r2"]),
                     show(row["mad"]), str(row["sectors"]))
    out.print(grid)
    _print_treatment(out, stated)


def _write_bases(result: Any, directory: Path, inputs: list[Path]) -> None:
    from kantorovich import files
    from kantorovich.economy.bases_chart import bases_page

    table = inputs[0]
    with files.output_directory(directory, inputs=inputs) as staging:
        result.table.reset_index().to_csv(staging / "bases.csv", index=False)
        (staging / "bases.html").write_text(
            bases_page(result, f"Value bases of {table}"), encoding="utf-8")


@economy_app.command("prices", cls=Command)
def production_prices(
        table: TableArg,
        profit_rate: Annotated[float, typer.Option(
            "--profit-rate", metavar="R", help="Uniform rate of profit on circulating "
                                               "capital (0.1 = 10 %), below the maximum.",
            show_default=False)],
        normalise: Annotated[str, typer.Option(
            "--normalise", help="value: total price of gross output = its total labour "
                                "value; wage: the wage per unit of labour is 1.")] = "value",
        labour: LabourOpt = None, imports: ImportsOpt = None, clean: CleanOpt = None,
        exclude: ExcludeOpt = None, json_out: Json = False) -> None:
    """Prices of production p = (1 + r) p A + w l at a uniform rate of profit, the maximum
    rate of profit R = 1/ρ(A) - 1 and Sraffa's standard commodity."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        if normalise not in ("value", "wage"):
            raise PlanError([Problem(f"--normalise {normalise!r} is not a normalisation",
                                     path="--normalise", hint="use value or wage")])
        if not math.isfinite(profit_rate) or profit_rate < 0:
            raise PlanError([Problem(f"--profit-rate {profit_rate:g} is not a rate of "
                                     "profit", path="--profit-rate",
                                     hint="give a number from 0 up to below R")])
        options = _options(labour, imports, clean, exclude)
        economy, _ = _load_with_labour(table, options)
        from kantorovich.economy.production_prices import perron
        from kantorovich.economy.production_prices import (
            production_prices as compute)

        eigen = perron(economy.A)
        if not eigen.admits(profit_rate):
            raise PlanError([Problem(
                f"--profit-rate {profit_rate:g} is not below this table's maximum rate of "
                f"profit R = 1/ρ(A) - 1 = {eigen.max_profit_rate:.6g} (ρ = {eigen.rho:.6g}), "
                "where the wage is zero", file=str(table),
                hint=f"give a rate from 0 up to below {eigen.max_profit_rate:.6g}")])
        result = compute(economy, profit_rate, "value" if normalise == "value" else "wage",
                         eigen=eigen)
    except KantorovichError as exc:
        _fail(exc)
    from kantorovich.economy.prepare import treatment
    from kantorovich.economy.production_prices import STANDARD_NORMALISATION

    standard = result.standard_commodity
    if json_out:
        sys.stdout.write(_dumps({
            "profit_rate": result.profit_rate, "max_profit_rate": result.max_profit_rate,
            "prices": _keyed(result.prices),
            "standard_commodity": None if standard is None else _keyed(standard),
            "normalisation": result.normalisation, "wage": result.wage,
            "wage_in_standard": result.wage_in_standard,
            "spectral_radius": result.spectral_radius, "labour": economy.labour_source,
            "standard_commodity_normalisation": STANDARD_NORMALISATION,
            "eigen_method": result.eigen_method, **treatment(economy, options)}) + "\n")
        return
    out = _out()
    word = "value-added content" if economy.labour_source == "va" else "labour value"
    norm = (f"total price = total {word}" if result.normalisation == "value"
            else "wage = 1 per unit of labour")
    grid = Table(title=escape(
        f"{table}: prices of production at r = {result.profit_rate:g} "
        f"(R = {result.max_profit_rate:.6g}; {norm}; wage {result.wage:.6g})"))
    for column in ("id", "code", "name"):
        grid.add_column(column)
    grid.add_column("price", justify="right")
    grid.add_column("standard commodity", justify="right")
    for j, k in enumerate(economy.ids):
        p = result.prices.iloc[j]
        q = "-" if standard is None else f"{standard.iloc[j]:.6g}"
        grid.add_row(str(k), escape(str(economy.sectors["code"].iloc[j])),
                     escape(str(economy.sectors["name"].iloc[j])),
                     "-" if not math.isfinite(p) else f"{p:.6g}", q)
    out.print(grid)
    if standard is None:
        out.print("no standard commodity: " + (
            "the Perron eigenvector of A is not nonnegative" if result.spectral_radius > 0
            else "A is nilpotent (ρ = 0, no circuit of inputs), so there is no basic "
                 "commodity and R is infinite"))
    else:
        out.print(escape(f"standard commodity: {STANDARD_NORMALISATION}; wage bill / "
                         f"its price = {result.wage_in_standard:.6g} (Sraffa: 1 - r/R = "
                         f"{1 - result.profit_rate / result.max_profit_rate:.6g})"))
    _print_treatment(out, treatment(economy, options))


@economy_app.command("harmony", cls=Command)
def harmony_command(
        table: TableArg,
        iterations: Annotated[int, typer.Option(
            "--iterations", min=1, help="Iterations (Cockshott's programs run 100 and "
                                        "stop; there is no stopping test).")] = 100,
        labour: LabourOpt = None, clean: CleanOpt = None, exclude: ExcludeOpt = None,
        json_out: Json = False) -> None:
    """Cockshott's harmony algorithm as he wrote it (his function, derivative, step,
    constant temperature 0.23 and 0.98 capacity target) on the plan ray, against the
    certified optimum of the same linear programme."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        options = _options(labour, None, clean, exclude)
        economy, check = _load(table, options)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        from kantorovich.economy.harmony import harmony_economy
        from kantorovich.economy.plan import plan_ray

        ray = plan_ray(economy)
        run = harmony_economy(economy, iterations=iterations)
    except KantorovichError as exc:
        _fail(exc)
    for told in ray.notes:
        note(told)
    summary = {**_harmony_summary(table, economy, ray, run),
               **_plan_treatment(economy, options)}
    if json_out:
        sys.stdout.write(_dumps(summary) + "\n")
    else:
        _print_harmony(summary)
        _print_treatment(_out(), summary)
    if not ray.result.is_optimal:
        raise typer.Exit(1)


def _harmony_summary(table: Path, economy: Any, ray: Any, run: Any) -> dict[str, Any]:
    """What ``economy harmony`` reports, as JSON values."""
    import numpy as np

    optimum = ray.sets if ray.result.is_optimal else float("nan")
    verified = bool(ray.result.is_optimal and ray.result.certificate.verified)
    names = ["labour", *[k for k in ray.resources.index if k != "labour"]] \
        if ray.result.is_optimal else ["labour"]
    fulfil = {str(k): _number(v) for k, v in zip(economy.ids, run.fulfilment, strict=True)
              if math.isfinite(v)}
    first_zero = np.flatnonzero(run.history <= 0)
    return {
        "table": str(table), "sectors": economy.n, "unit": economy.unit,
        "labour": economy.labour_source or "va", "imports": ray.imports,
        "method": "Cockshott's harmony algorithm (his Harmonizer.java and harmony.pas, "
                  "wc22m/5yearplan), vectorised; the optimum: the plan ray solved exactly",
        "settings": run.settings.to_dict(),
        "fulfilment": _number(run.sets), "feasible": run.feasible,
        "fulfilment_at_full_use": _number(run.full_use_sets),
        "iterations": run.iterations, "seconds": run.seconds,
        "harmony": _number(run.harmony),
        "resource_use": {k: _number(float(u)) for k, u in
                         zip(names, run.resource_use, strict=False)},
        "first_zero_iteration": int(first_zero[0]) + 1 if first_zero.size else None,
        "history": [_number(float(v)) for v in run.history],
        "optimum": {"sets": _number(optimum), "status": ray.result.status.value,
                    "verified": verified, "seconds": ray.result.seconds},
        "gap": _number(run.gap(optimum)) if verified else None,
        "gap_at_full_use": _number(run.gap(optimum, full_use=True)) if verified else None,
        "fulfilment_by_product": fulfil, "notes": list(ray.notes)}


def _print_harmony(s: dict[str, Any]) -> None:
    out = _out()
    opt = s["optimum"]

    def show(value: float | None, digits: int = 6) -> str:
        return "-" if value is None else f"{value:.{digits}g}"

    out.print(escape(
        f"{s['table']}: Cockshott's harmony, {s['iterations']} iterations in "
        f"{s['seconds']:.3f} s: fulfilment {show(s['fulfilment'])} baskets "
        f"({'feasible' if s['feasible'] else 'NOT feasible: a product is short'}; "
        f"{show(s['fulfilment_at_full_use'])} with the 2 % of the scarcest resource he "
        "keeps back given back)"))
    state = "verified" if opt["verified"] else f"not proven ({opt['status']})"
    out.print(escape(
        f"certified LP optimum of the same problem: {show(opt['sets'])} baskets ({state}, "
        f"{opt['seconds']:.2f} s); gap 1 - harmony/optimum = {show(s['gap'], 4)} "
        f"({show(s['gap_at_full_use'], 4)} at full use)"))
    if s["first_zero_iteration"] is not None:
        out.print(escape(
            f"from iteration {s['first_zero_iteration']} on, some product of the basket has "
            "no net output left (see kantorovich.economy.harmony for why his algorithm "
            "does this on real tables)"))


def _non_substitution(ray: Any) -> bool:
    """One technique per sector, labour the only scarce resource, prices equal to labour
    values within the solver's tolerance: the case the theorem settles."""
    import numpy as np

    if not ray.result.is_optimal or ray.numeraire != "labour" or ray.binding != ["labour"]:
        return False
    ratio = ray.valuations["ratio"].to_numpy(float)
    ratio = ratio[np.isfinite(ratio)]
    return bool(ratio.size and np.max(np.abs(ratio - 1)) <= 1e-6)


def _plan_choice(table: Path, alternative: Path | None, vary: int, capital: float | None,
                 capacity: float | None, seed: int, resources: list[str] | None,
                 shared: tuple[str | None, str | None, str | None, list[str] | None],
                 output: Path | None, time_limit: float | None, json_out: bool) -> None:
    """``economy plan`` with alternative techniques, capital or capacities."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        options = _options(*shared)
        if options.imports == "resource":
            raise PlanError([Problem(
                "--imports resource is not built for a plan with a choice of technique yet",
                hint="use --imports fixed or drop, or leave out --alternative, --vary, "
                     "--capital and --capacity")])
        if output is not None:
            raise PlanError([Problem(
                "-o is not written for a plan with a choice of technique yet",
                hint="use --json, or leave out --alternative, --vary, --capital and "
                     "--capacity")])
        wanted = _parse_resources(resources)
        economy, check = _load(table, options)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        from kantorovich.economy.alternatives import (
            plan_choice, techniques_by_rule, techniques_from_table)

        alternatives = techniques_by_rule(economy, vary, seed=seed) if vary else []
        if alternative is not None:
            from kantorovich.economy.table import load_economy

            alternatives.append(techniques_from_table(
                economy, load_economy(alternative), label=f"t{len(alternatives) + 2}"))
        ray = plan_choice(economy, alternatives, capital_share=capital, capacity=capacity,
                          resources=wanted, imports=options.imports, seed=seed,
                          time_limit=time_limit)
    except KantorovichError as exc:
        _fail(exc)
    for told in ray.notes:
        note(told)
    result = ray.result
    frame = ray.valuations
    summary: dict[str, Any] = {
        "table": str(table), "sectors": economy.n, "unit": economy.unit,
        "status": result.status.value, "verified": ray.verified if result.is_optimal
        else False, "sets": _number(ray.sets),
        "labour": economy.labour_source or "va", **_plan_treatment(economy, options),
        "rules": ray.rules,
        "binding_resources": ray.binding if result.is_optimal else [],
        "resources": {} if not result.is_optimal else {
            str(k): {"available": _number(r.available), "used": _number(r.used),
                     "shadow_price": _number(r.shadow_price), "binding": bool(r.binding)}
            for k, r in ray.resources.iterrows()},
        "price_unit": "labour" if ray.basis != "va" else "value added",
        "value_basis": ray.basis, "capacities_binding": ray.capacities_binding,
        "paragraph": ray.paragraph(), "seconds": result.seconds}
    if result.is_optimal:
        summary.update({
            "technique": {str(k): str(v) for k, v in frame["technique"].items()},
            "labour_values": _keyed(frame["labour_value"]),
            "labour_values_chosen": _keyed(frame["labour_value_chosen"]),
            "capital_part": _keyed(frame["capital_part"]), "rent": _keyed(frame["rent"]),
            "shadow_prices": _keyed(frame["shadow_price"]), "ratio": _keyed(frame["ratio"]),
            "output": _keyed(frame["output"])})
    if json_out:
        sys.stdout.write(_dumps(summary) + "\n")
    elif result.is_optimal:
        out = _out()
        grid = Table(title=escape(f"{table}: {ray.sets:.6g} baskets with a choice of "
                                  f"technique; prices in {summary['price_unit']} units"))
        for column in ("id", "name", "technique"):
            grid.add_column(column)
        word = ray.value_word
        for column in (word, "chosen", "capital", "rent", "price", "ratio"):
            grid.add_column(column, justify="right")

        def show(value: float) -> str:
            return "-" if not math.isfinite(value) else f"{value:.6g}"

        for k, row in frame.iterrows():
            grid.add_row(str(k), escape(str(row["name"])), escape(str(row["technique"])),
                         show(row["labour_value"]), show(row["labour_value_chosen"]),
                         show(row["capital_part"]), show(row["rent"]),
                         show(row["shadow_price"]), show(row["ratio"]))
        out.print(grid)
        for rule in ray.rules:
            out.print(escape(f"rule: {rule}"))
        cert = "verified" if ray.verified else "NOT verified"
        out.print(escape(f"sets {ray.sets:.6g} (optimal, certificate {cert}); binding: "
                         f"{', '.join(ray.binding) or 'none'}"))
        out.print(escape(ray.paragraph()))
        _print_treatment(out, summary)
    else:
        _out().print(escape(f"{table}: no proven optimum ({result.status.value})"))
    if not result.is_optimal:
        raise typer.Exit(1)
