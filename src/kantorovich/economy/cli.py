"""``kantorovich economy``: input-output tables from the command line.

A typer sub-app, registered by the main CLI with
``app.add_typer(economy_app, name="economy")``. Only typer and rich are imported here;
the commands import the accounting when they run, so ``--help`` stays quick.

* ``economy values TABLE [--demand FILE] [--labour compensation|va] [--json]``: gross
  output for a final demand and labour values; ``--json`` prints one object whose
  ``output`` and ``labour_values`` are keyed by the sector ``id`` of ``sectors.csv`` as a
  string (``null`` where undefined: a sector with no output).
* ``economy inspect TABLE [--json]``: the checks and a summary.

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
from rich.table import Table

from kantorovich.cli_style import (Command, Group, answer_console, error_console,
                                   report_failure)

if TYPE_CHECKING:
    from kantorovich.economy.plan import ImportRule
    from kantorovich.economy.table import LabourSource

economy_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Input-output economies: checks, gross output and labour values.")

err = error_console()      # made when first used: nothing touches the streams at import

TableArg = Annotated[Path, typer.Argument(
    help="Folder with sectors, Z, y, x and va tables (.csv or .parquet)", show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _out() -> Console:
    return answer_console(160)


def _fail(exc: Exception) -> None:
    """Every problem of a bad input on stderr, then exit with its code (2)."""
    raise typer.Exit(report_failure(err, exc, what="table"))


#: the words --labour and --imports take (checked where they are read), as the library's
#: literal types
_LABOUR: dict[str, LabourSource] = {"compensation": "compensation", "va": "va"}
_IMPORTS: dict[str, ImportRule] = {"supply": "supply", "drop": "drop"}


def _load(table: Path, labour: str | None) -> tuple[Any, Any]:
    from kantorovich.economy.checks import check_economy
    from kantorovich.economy.table import load_economy

    economy = load_economy(table, labour=None if labour is None else _LABOUR[labour])
    return economy, check_economy(economy)


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
           labour: Annotated[Optional[str], typer.Option(
               "--labour", help="Labour proxy: compensation (default where the table has "
                                "it, else value added, said on stderr) or va (value "
                                "added).", show_default=False)] = None,
           json_out: Json = False) -> None:
    """Gross output for a final demand and labour values (v = l + vA), never inverting I - A."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        if labour not in (None, "compensation", "va"):
            raise PlanError([Problem(f"--labour {labour!r} is not a labour proxy",
                                     hint="use compensation or va")])
        economy, check = _load(table, labour)
        if economy.labour_source is None:
            # OECD and WIOD tables carry value added only: value by it, and say so
            economy = economy.with_labour("va")
            err.print("note: the table has no compensation of employees; labour values "
                       "are measured by value added (all primary inputs: wages, profits, "
                       "taxes). Pass --labour compensation to refuse that.", markup=False)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        final = None if demand is None else _read_demand(economy, demand)
        from kantorovich.economy.leontief import accounts

        import numpy as np

        with np.errstate(over="ignore", invalid="ignore"):   # judged just below
            result = accounts(economy, final)
        _refuse_overflow(result, economy, str(demand) if demand else economy.files.get("y"))
    except KantorovichError as exc:
        _fail(exc)
    if json_out:
        sys.stdout.write(_dumps({
            "table": str(table), "sectors": economy.n, "unit": economy.unit,
            "demand": str(demand) if demand else economy.files.get("y"),
            "labour": result.labour_source, "method": result.method,
            "residuals": {"output": result.output_residual,
                          "labour_values": result.labour_residual},
            "output": _keyed(result.output), "labour_values": _keyed(result.labour_values),
            "checks": check.to_dict()}) + "\n")
        return
    out = _out()
    grid = Table(title=escape(f"{table}: gross output and labour values "
                              f"({result.method}, labour = {result.labour_source})"))
    for column in ("id", "code", "name", "region"):
        grid.add_column(column)
    grid.add_column(escape(f"output [{economy.unit or 'money'}]"), justify="right")
    grid.add_column("labour value", justify="right")
    s = economy.sectors
    values = result.labour_values
    assert values is not None          # the table was given labour above
    for j, (x, v) in enumerate(zip(result.output, values, strict=True)):
        grid.add_row(str(economy.ids[j]), escape(s["code"].iloc[j]), escape(s["name"].iloc[j]),
                     escape(s["region"].iloc[j]), f"{x:,.6g}",
                     "-" if not math.isfinite(v) else f"{v:.6g}")
    out.print(grid)
    _print_findings(out, check)


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
def inspect(table: TableArg, json_out: Json = False) -> None:
    """The table's checks and a summary: sectors, non-zeros, spectral radius, negative
    entries, zero-output sectors, balance residuals and the clean-up applied."""
    from kantorovich.errors import KantorovichError

    try:
        economy, check = _load(table, None)
    except KantorovichError as exc:
        _fail(exc)
    if json_out:
        sys.stdout.write(_dumps({"table": str(table), "unit": economy.unit,
                                 "labour": economy.labour_source, **check.to_dict()}) + "\n")
        return
    out = _out()
    summary = Table(title=escape(f"{table}"), show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    rows = [
        ("sectors", f"{check.sectors:,}"), ("non-zero flows", f"{check.nonzeros:,}"),
        ("unit", economy.unit or "?"), ("labour proxy", economy.labour_source or "none"),
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
    ]
    for what, value in rows:
        summary.add_row(escape(what), escape(value))
    out.print(summary)
    _print_findings(out, check)
    if not check.ok:
        raise typer.Exit(2)


@economy_app.command("generate", cls=Command)
def generate(like: Annotated[Path, typer.Option(
                 "--like", help="Real table to disaggregate (a folder in the uniform format).",
                 show_default=False)],
             n: Annotated[int, typer.Option("-n", help="Number of products.",
                                            show_default=False)],
             out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write the plan "
                                               "into (plan.yaml and Parquet tables).",
                                               show_default=False)],
             techniques: Annotated[int, typer.Option(
                 "--techniques", help="Techniques per product, trading labour against "
                                      "materials.")] = 3,
             seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
             degree: Annotated[float, typer.Option(
                 "--degree", help="Each product buys from ceil(DEGREE ln n) non-hub "
                                  "suppliers.")] = 0.5,
             json_out: Json = False) -> None:
    """A planned economy of N products made from a real table (sectors split into
    products, hubs kept, n log n flows, K techniques each), written as an ordinary plan:
    solve it with kantorovich solve OUT/plan.yaml."""
    import time

    from kantorovich.economy.checks import check_economy
    from kantorovich.economy.generate import generate_economy
    from kantorovich.economy.table import load_economy
    from kantorovich.errors import KantorovichError

    start = time.perf_counter()
    try:
        from kantorovich.files import check_output_dir

        check_output_dir(out, inputs=[like])   # as solve -o: refused before any work
        economy = load_economy(like)
        generated = generate_economy(economy, n, techniques=techniques, seed=seed,
                                     degree=degree)
        findings = check_economy(economy).to_dict()["findings"]
        plan = generated.write(out, inputs=[like])
    except KantorovichError as exc:
        _fail(exc)
    info = {**generated.info, "flows": generated.flow_count, "plan": str(plan),
            "seconds": round(time.perf_counter() - start, 3)}
    if json_out:
        sys.stdout.write(_dumps({**info, "findings": findings}) + "\n")
        return
    if info["labour"] != "compensation":
        err.print("note: the table has no compensation of employees; labour is measured "
                  "by value added.", markup=False)
    if info["negative_final_demand_sectors"]:
        err.print(f"note: {info['negative_final_demand_sectors']} sectors have negative "
                  f"final demand ({info['negative_final_demand_floored']:,.6g} in all), "
                  "floored at 0: their products are not in the basket.", markup=False)
    _out().print(escape(
        f"wrote {plan}: {info['products']:,} products of {info['sectors_used']} sectors, "
        f"{info['techniques']} techniques each ({info['processes']:,} processes), "
        f"{info['flows']:,} flows; hubs: {', '.join(info['hubs']) or 'none'} "
        f"({info['seconds']:.1f} s)"))


@economy_app.command("import-tns", cls=Command)
def import_tns(folder: Annotated[Path, typer.Argument(
                   help="Folder with Cockshott's nyearplan files: flows, capital, "
                        "depreciation and targets.", show_default=False)],
               out: Annotated[Path, typer.Option(
                   "-o", "--out", help="Folder to write the plan into (plan.yaml and "
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
             "--resources", help="A further resource of the table and the amount "
                                 "available, NAME=AMOUNT (NAME alone: the table's own "
                                 "total); repeat or separate by commas.",
             show_default=False)] = None,
         imports: Annotated[str, typer.Option(
             "--imports", help="Negative final demand (net imports): supply (a fixed "
                               "supply, the default) or drop (made at home).")] = "supply",
         labour: Annotated[Optional[str], typer.Option(
             "--labour", help="Labour proxy: compensation (default where the table has "
                              "it, else value added, said) or va.",
             show_default=False)] = None,
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
         json_out: Json = False) -> None:
    """The plan ray: the most complete final-demand baskets for the labour and resources
    at hand, solved as a plan, with its prices against labour values (v = l + vA)."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        if labour not in (None, "compensation", "va"):
            raise PlanError([Problem(f"--labour {labour!r} is not a labour proxy",
                                     hint="use compensation or va")])
        if imports not in ("supply", "drop"):
            raise PlanError([Problem(f"--imports {imports!r} is not a rule",
                                     hint="use supply or drop")])
        wanted = _parse_resources(resources)
        if output is not None:
            from kantorovich.report.export import check_output_dir

            check_output_dir(output, inputs=[table], fmt=fmt)
        economy, check = _load(table, labour)
        if not check.productive:
            raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                             for f in check.findings if f.severity == "error"])
        from kantorovich.economy.plan import plan_ray

        ray = plan_ray(economy, resources=wanted, imports=_IMPORTS[imports],
                       time_limit=time_limit)
    except KantorovichError as exc:
        _fail(exc)
    result = ray.result
    for note in ray.notes:
        err.print(f"note: {note}", markup=False)
    frame = ray.valuations
    summary: dict[str, Any] = {
        "table": str(table), "sectors": economy.n, "unit": economy.unit,
        "status": result.status.value,
        "verified": bool(result.is_optimal and result.certificate.verified),
        "sets": _number(ray.sets), "imports": ray.imports, "numeraire": ray.numeraire,
        "labour": economy.labour_source or "va",
        "binding_resources": ray.binding if result.is_optimal else [],
        "resources": {} if not result.is_optimal else {
            str(k): {"available": _number(r.available), "used": _number(r.used),
                     "shadow_price": _number(r.shadow_price), "binding": bool(r.binding)}
            for k, r in ray.resources.iterrows()},
        "method": ray.method, "notes": list(ray.notes), "paragraph": ray.paragraph(),
        "findings": check.to_dict()["findings"], "seconds": result.seconds}
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
    unit = "labour" if ray.numeraire == "labour" else "basket-equal units"
    grid = Table(title=escape(f"{table}: {ray.sets:.6g} baskets; prices in {unit} "
                              f"against labour values"))
    for column in ("id", "name"):
        grid.add_column(column)
    for column in ("labour value", "shadow price", "ratio"):
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
        f"net imports: {'fixed supply' if ray.imports == 'supply' else 'dropped'}; "
        f"labour: {economy.labour_source or 'va'}; solve {result.seconds:.2f} s, "
        f"labour values by {ray.method['labour_values']}"))
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


def _load_with_labour(table: Path) -> tuple[Any, Any]:
    """A table with labour as ``economy values`` takes it (value added, said on stderr,
    where it has no compensation), refused when it is not productive."""
    from kantorovich.errors import PlanError, Problem

    economy, check = _load(table, None)
    if economy.labour_source is None:
        economy = economy.with_labour("va")
        err.print("note: the table has no compensation of employees; the labour basis is "
                  "value added (wages, profits and taxes), so its figures are value-added "
                  "content, not labour values.", markup=False)
    if not check.productive:
        raise PlanError([Problem(f.message, file=f.file, hint=f.hint)
                         for f in check.findings if f.severity == "error"])
    return economy, check


@economy_app.command("bases", cls=Command)
def bases(table: TableArg,
          output: Annotated[Optional[Path], typer.Option(
              "-o", "--output", help="Write bases.csv (the ranked table) and bases.html "
                                     "(a chart of the ranking) to this directory.",
              show_default=False)] = None,
          json_out: Json = False) -> None:
    """Labour and every produced input as the basis of value in turn: how well each
    basis's vertically integrated content v_b = c_b (I - A)^-1 predicts market prices
    (correlation of logs, R², mean absolute deviation), ranked by R²."""
    from kantorovich.errors import KantorovichError

    try:
        if output is not None:
            from kantorovich.files import check_output_dir

            check_output_dir(output, inputs=[table])
        economy, _ = _load_with_labour(table)
        from kantorovich.economy.bases import value_bases

        result = value_bases(economy)
        if output is not None:
            _write_bases(result, output, table)
    except KantorovichError as exc:
        _fail(exc)
    if json_out:
        sys.stdout.write(_dumps(result.to_dict()) + "\n")
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


def _write_bases(result: Any, directory: Path, table: Path) -> None:
    from kantorovich import files
    from kantorovich.economy.bases_chart import bases_page

    with files.output_directory(directory, inputs=[table]) as staging:
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
        json_out: Json = False) -> None:
    """Prices of production p = (1 + r) p A + w l at a uniform rate of profit, the maximum
    rate of profit R = 1/ρ(A) - 1 and Sraffa's standard commodity."""
    from kantorovich.errors import KantorovichError, PlanError, Problem

    try:
        if normalise not in ("value", "wage"):
            raise PlanError([Problem(f"--normalise {normalise!r} is not a normalisation",
                                     hint="use value or wage")])
        if not math.isfinite(profit_rate) or profit_rate < 0:
            raise PlanError([Problem(f"--profit-rate {profit_rate:g} is not a rate of "
                                     "profit", hint="give a number from 0 up to below R")])
        economy, _ = _load_with_labour(table)
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
            "eigen_method": result.eigen_method}) + "\n")
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
        out.print("no standard commodity: the Perron eigenvector of A is not nonnegative")
    else:
        out.print(escape(f"standard commodity: {STANDARD_NORMALISATION}; wage bill / "
                         f"its price = {result.wage_in_standard:.6g} (Sraffa: 1 - r/R = "
                         f"{1 - result.profit_rate / result.max_profit_rate:.6g})"))
