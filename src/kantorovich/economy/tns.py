"""Cockshott's ``nyearplan`` (the 5yearplan project) read as a plan over time.

``nyearplan`` takes four CSV files, each a matrix with a header row and a row header
column (``headings,iron,coal,...``):

- ``flows.csv``: ``F[i, p]``, the amount of product ``i`` industry ``p`` uses to make its
  gross output; a row ``output`` (each industry's gross output) and a row ``labour``;
- ``cap.csv``: ``C[s, p]``, the stock of product ``s`` industry ``p`` holds in year 1;
- ``dep.csv``: ``D[s, p]``, the share of that stock lost each year;
- the targets file (``labtarg.csv`` in his demo): one row ``yearN`` per year, a column
  per product (the final consumption aimed at) and ``labour`` (the labour supply).

and writes the LP: maximise the sum over years of target fulfilment ``z_t``, with
``z_t <= consumption(i, t) / target(i, t)`` for every ``i`` with a positive target; an
industry's output needs ``F[i, p] / output[p]`` of each product, ``labour[p] /
output[p]`` of labour and ``C[s, p] / output[p]`` of each capital stock it holds;
``K(p, s, t+1) <= (1 - D[s, p]) K(p, s, t) + accumulation(p, s, t)`` (a use of ``s`` in
year ``t``), ``K(p, s, 1) <= C[s, p]``; final consumption is what is left of a product
after productive use and accumulation; yearly labour at most the supply; no terminal
condition.

`read_tns` reads the files (our own reader, written from the format: every problem
located at its file, line and column); `TnsEconomy.plan_document` and `tables` write
the same program as an ordinary plan over time: a process per industry (level: its
gross output), its stocks (``per_level = C / output``, ``depreciation = D``,
``initial = C``), the labour supply per year, and ``maximize_sets`` with each year's
targets as that year's counts. `tns_economy` generates economies in the manner of his
``testeconomy`` (for tests and benchmarks) and `TnsEconomy.write_files` writes his
four files.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kantorovich.errors import PlanError, Problem
from kantorovich.files import input_problem

__all__ = ["DEFAULT_FILES", "TnsEconomy", "read_tns", "tns_economy"]

DEFAULT_FILES = {"flows": "flows.csv", "capital": "cap.csv", "depreciation": "dep.csv",
                 "targets": "labtarg.csv"}
"""The file names of his demo (``plancode/demo.sh``)."""

LABOUR = "labour"
OUTPUT = "output"


@dataclass
class _Matrix:
    """One of his CSV files: column headers, row headers, numbers (blank cells 0), and
    the line of each row."""

    file: str
    columns: list[str]
    rows: list[str]
    values: np.ndarray
    lines: list[int]

    def row(self, name: str) -> int | None:
        return self.rows.index(name) if name in self.rows else None


def _read_matrix(path: Path, key: str, problems: list[Problem]) -> _Matrix | None:
    """A matrix file: a header row naming the columns after its first cell, then rows
    each starting with its name; blank lines are skipped, a cell that is not a number
    is a problem at its line and column."""
    file = str(path)
    if (special := input_problem(path, what=f"{key} file", key=key)) is not None:
        problems.append(special)
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(f"the {key} file '{path.name}' is not there", key, file,
                                None, f"name another with --{key}"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"cannot read the {key} file: {exc}", key, file, None,
                                "a CSV file of numbers with a header row"))
        return None
    reader = csv.reader(text.splitlines(), strict=True)
    header: list[str] | None = None
    rows, lines, values = [], [], []
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"a row that cannot be read as CSV ({exc})", key, file,
                                    line + 1, "close every quote a cell opens, or remove "
                                    "the quote"))
            return None
        line = reader.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells[1:]
            while header and not header[-1]:
                header.pop()
            continue
        given = len(cells) - 1
        while given > len(header) and not cells[given]:
            given -= 1                       # blank cells past the last column
        if given != len(header):
            problems.append(Problem(
                f"row '{cells[0]}' has {given} number cell{'s' if given != 1 else ''} "
                f"where the header names {len(header)} column"
                f"{'s' if len(header) != 1 else ''}", key, file, line,
                "give every row one cell per column of the header (a blank cell is 0)"))
        numbers = []
        for col, cell in enumerate(cells[1:len(header) + 1]):
            if not cell:
                numbers.append(0.0)
                continue
            try:
                x = float(cell)
            except ValueError:
                x = math.nan
            if not math.isfinite(x):
                problems.append(Problem(
                    f"'{cell}' in column {header[col]} is not a number", key, file, line,
                    "every cell after a row's name is a finite number (blank is 0)"))
                x = 0.0
            numbers.append(x)
        numbers += [0.0] * (len(header) - len(numbers))
        rows.append(cells[0])
        lines.append(line)
        values.append(numbers)
    if header is None or not header:
        problems.append(Problem(f"the {key} file has no header row", key, file, 1,
                                "the first row names the columns: headings,iron,coal,..."))
        return None
    return _Matrix(file, header, rows, np.asarray(values, dtype=float).reshape(
        len(rows), len(header)), lines)


@dataclass
class TnsEconomy:
    """An economy in ``nyearplan``'s terms (see the module docstring).

    ``flows``, ``capital`` and ``depreciation`` are ``(product, industry)`` matrices in
    the order of ``products``; ``targets`` is ``(years, products)``.
    """

    products: list[str]
    flows: np.ndarray
    output: np.ndarray
    labour: np.ndarray
    capital: np.ndarray
    depreciation: np.ndarray
    targets: np.ndarray
    labour_supply: np.ndarray
    source: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> int:
        return len(self.labour_supply)

    # -- as a plan over time ------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """``goods``, ``processes``, ``flows``, ``stocks`` and ``targets`` of the plan."""
        n = len(self.products)
        ids = np.asarray(self.products, dtype=object)
        out = np.where(self.output > 0, self.output, 1.0)
        i, p = np.nonzero(self.flows)
        made = pd.DataFrame({"process": ids, "good": ids, "input": 0.0, "output": 1.0})
        used = pd.DataFrame({"process": ids[p], "good": ids[i],
                             "input": self.flows[i, p] / out[p], "output": 0.0})
        work = np.flatnonzero(self.labour != 0)
        labour = pd.DataFrame({"process": ids[work], "good": LABOUR,
                               "input": self.labour[work] / out[work], "output": 0.0})
        flows = pd.concat([made, used, labour], ignore_index=True)
        # one row per (process, good): a product an industry both uses and makes
        flows = flows.groupby(["process", "good"], sort=False, as_index=False)[
            ["input", "output"]].sum()
        s, q = np.nonzero(self.capital > 0)
        stocks = pd.DataFrame({"process": ids[q], "good": ids[s],
                               "per_level": self.capital[s, q] / out[q],
                               "depreciation": self.depreciation[s, q],
                               "initial": self.capital[s, q]})
        years, goods = np.nonzero(self.targets > 0)
        targets = pd.DataFrame({"good": ids[goods], "period": years + 1,
                                "count": self.targets[years, goods]})
        processes = pd.DataFrame({"id": ids, "name": [f"{x} industry" for x in ids],
                                  "capacity": np.where(self.output > 0, np.nan, 0.0),
                                  "level_unit": "unit of output"})
        goods_table = pd.DataFrame({"id": np.append(ids, LABOUR),
                                    "unit": np.append(np.full(n, "unit", dtype=object),
                                                      "labour")})
        return {"goods": goods_table, "processes": processes, "flows": flows,
                "stocks": stocks, "targets": targets}

    def plan_document(self, name: str = "nyearplan") -> dict[str, Any]:
        """The mapping ``plan.yaml`` holds, its tables named as CSV files."""
        sources = ", ".join(f"{k} {Path(v).name}" for k, v in self.source.items())
        return {
            "name": name,
            "period": "year",
            "description": (
                f"Imported by kantorovich economy import-tns from Cockshott's nyearplan "
                f"files ({sources or 'generated'}): {len(self.products)} industries over "
                f"{self.years} years. Each industry's level is its gross output; the "
                f"objective is the sum over years of target fulfilment (complete sets of "
                f"each year's targets), as nyearplan's LP."),
            "horizon": self.years,
            "goods": "goods.csv",
            "processes": "processes.csv",
            "flows": "flows.csv",
            "stocks": "stocks.csv",
            "supply": {LABOUR: [float(x) for x in self.labour_supply]},
            "objective": {"maximize_sets": "targets.csv", "unit": "sets"},
        }

    def write_plan(self, folder: str | Path, *, inputs: Sequence[str | Path] = (),
                   name: str = "nyearplan") -> Path:
        """Write ``plan.yaml`` and its CSV tables into ``folder`` (all or nothing, as
        every output folder); return the plan file's path."""
        from kantorovich import files

        with files.output_directory(folder, inputs=inputs) as staging:
            for stem, frame in self.tables().items():
                frame.to_csv(staging / f"{stem}.csv", index=False)
            (staging / "plan.yaml").write_text(
                yaml.safe_dump(self.plan_document(name), sort_keys=False,
                               allow_unicode=True, width=88), encoding="utf-8")
        return Path(folder) / "plan.yaml"

    # -- his four files -----------------------------------------------------------------
    def write_files(self, folder: str | Path) -> dict[str, Path]:
        """Write the economy as ``nyearplan``'s four files (his demo's names) into
        ``folder`` through the output folder's rules (`kantorovich.files`: marker,
        staging, never over an input); return each file's path by role."""
        from kantorovich import files

        folder = Path(folder)
        heads = ["headings", *self.products]
        with files.output_directory(folder) as staging:

            def matrix(role: str, names: list[str], values: np.ndarray,
                       columns: list[str] = heads) -> None:
                frame = pd.DataFrame(np.asarray(values, dtype=float), columns=columns[1:])
                frame.insert(0, columns[0], names)
                # repr of each float: his reader gets every digit back
                frame.to_csv(staging / DEFAULT_FILES[role], index=False, float_format=None)

            matrix("flows", [*self.products, LABOUR, OUTPUT],
                   np.vstack([self.flows, self.labour, self.output]))
            matrix("capital", self.products, self.capital)
            matrix("depreciation", self.products, self.depreciation)
            matrix("targets", [f"year{t + 1}" for t in range(self.years)],
                   np.column_stack([self.targets, self.labour_supply]), [*heads, LABOUR])
        return {role: folder / name for role, name in DEFAULT_FILES.items()}


def read_tns(directory: str | Path, *, flows: str | None = None,
             capital: str | None = None, depreciation: str | None = None,
             targets: str | None = None) -> TnsEconomy:
    """Read ``nyearplan``'s four files from ``directory`` (his demo's names unless
    given). Raises `PlanError` with every problem, each at its file and line."""
    directory = Path(directory)
    names = {"flows": flows, "capital": capital, "depreciation": depreciation,
             "targets": targets}
    problems: list[Problem] = []
    if not directory.is_dir():
        raise PlanError([Problem(f"'{directory}' is not a folder", "DIR", str(directory),
                                 None, "give the folder holding flows.csv, cap.csv, "
                                       "dep.csv and the targets file")])
    read = {role: _read_matrix(directory / (names[role] or DEFAULT_FILES[role]), role,
                               problems) for role in DEFAULT_FILES}
    if problems:
        raise PlanError(problems)
    f, c, d, t = read["flows"], read["capital"], read["depreciation"], read["targets"]
    if f is None or c is None or d is None or t is None:
        raise PlanError(problems)       # each unread file has said why
    products = f.columns
    for row in (OUTPUT, LABOUR):
        if f.row(row) is None:
            problems.append(Problem(f"the flows file has no '{row}' row", "flows", f.file,
                                    None, f"add a row named {row} (nyearplan needs it)"))
    taken = [p for p in products if p in (OUTPUT, LABOUR)]
    for p in taken:
        problems.append(Problem(f"a product may not be called '{p}'", "flows", f.file, 1,
                                f"'{p}' names a row of the flows file; rename the product"))
    if len(set(products)) != len(products):
        twice = sorted({p for p in products if products.count(p) > 1})
        problems.append(Problem(f"products named twice: {', '.join(twice)}", "flows",
                                f.file, 1, "each column names one product"))
    for matrix, role in ((c, "capital"), (d, "depreciation"), (t, "targets")):
        if matrix.columns[:len(products)] != products:
            problems.append(Problem(
                f"the {role} file's columns are not the flows file's products, in order",
                role, matrix.file, 1,
                f"the header must be headings,{','.join(products[:4])}"
                + (",..." if len(products) > 4 else "")))
    if t.columns[:len(products)] == products and LABOUR not in t.columns[len(products):]:
        problems.append(Problem("the targets file has no 'labour' column", "targets",
                                t.file, 1, "add a column labour: the labour supply each "
                                           "year"))
    if problems:
        raise PlanError(problems)
    n = len(products)
    wanted = pd.Index(products, dtype=object)

    def square(matrix: _Matrix, role: str) -> tuple[np.ndarray, np.ndarray]:
        """The (product, industry) matrix in the order of ``products``, and the line of
        each product's row (its rows found by name at once, not one by one)."""
        at = pd.Index(matrix.rows, dtype=object).get_indexer(wanted)
        for p in np.asarray(products, dtype=object)[at < 0][:20]:
            problems.append(Problem(f"the {role} file has no row for product '{p}'",
                                    role, matrix.file, None,
                                    "give one row per product, named as its column"))
        out = np.zeros((n, n))
        found = at >= 0
        out[found] = matrix.values[at[found], :n]
        lines = np.where(found, np.asarray(matrix.lines + [0], dtype=np.int64)[at], 0)
        return out, lines

    flows_m, flow_lines = square(f, "flows")
    cap, cap_lines = square(c, "capital")
    dep, dep_lines = square(d, "depreciation")
    if problems:
        raise PlanError(problems)
    for i, j in np.argwhere((cap > 0) & ~((dep >= 0) & (dep <= 1)))[:20].tolist():
        problems.append(Problem(
            f"the depreciation of {products[i]} held by {products[j]} is {dep[i, j]:g}",
            "depreciation", d.file, int(dep_lines[i]), "a share lost each year: from 0 to 1"))
    for i, j in np.argwhere((cap < 0) | (flows_m < 0))[:20].tolist():
        which, m, lines = (("capital", c, cap_lines) if cap[i, j] < 0
                           else ("flows", f, flow_lines))
        problems.append(Problem(f"a negative amount of {products[i]} for {products[j]}",
                                which, m.file, int(lines[i]), "amounts cannot be negative"))
    output_row, labour_row = f.row(OUTPUT), f.row(LABOUR)
    assert output_row is not None and labour_row is not None    # checked above
    output = f.values[output_row, :n]
    labour = f.values[labour_row, :n]
    for j in np.flatnonzero((output < 0) | (labour < 0))[:20].tolist():
        problems.append(Problem(f"a negative output or labour for {products[j]}", "flows",
                                f.file, f.lines[output_row], "amounts cannot be negative"))
    years = [k for k, r in enumerate(t.rows) if r.lower().startswith("year")]
    if not years:
        problems.append(Problem("the targets file has no yearN rows", "targets", t.file,
                                None, "one row per year: year1, year2, ..."))
    target = t.values[years, :n]
    supply = t.values[years, n + t.columns[n:].index(LABOUR)] if years else np.zeros(0)
    for k in np.flatnonzero((supply < 0) | (target < 0).any(axis=1))[:20].tolist():
        y = years[k]
        problems.append(Problem(f"a negative target or labour supply in {t.rows[y]}",
                                "targets", t.file, t.lines[y],
                                "targets and the labour supply cannot be negative"))
    if years and not (target > 0).any():
        problems.append(Problem("no product has a positive target in any year", "targets",
                                t.file, None, "nyearplan maximises target fulfilment: give "
                                              "some product a target"))
    if problems:
        raise PlanError(problems)
    sources = {role: m.file for role, m in read.items() if m is not None}
    return TnsEconomy(list(products), flows_m, output, labour, cap, dep, target, supply,
                      sources)


def tns_economy(sectors: int, years: int, *, seed: int = 0,
                depreciation: float = 0.07) -> TnsEconomy:
    """An economy in the manner of Cockshott's ``testeconomy``: each cell of the flow
    and capital matrices is nonzero with probability about ``(log2 n + 5) / n`` (flows 1
    or 3, capital 2, 3, 6 or 7), labour 1 to 9 per industry, gross output 1.8 to 2.8
    times what the economy uses of the product, targets three quarters of that use
    (growing 1% a year) and a labour supply of the economy's labour (growing 2%)."""
    rng = np.random.default_rng(seed)
    n = sectors
    chance = min(1.0, (math.log2(max(n, 2)) + 5) / n)
    drawn = rng.random((n, n)) < chance
    r = np.where(drawn, rng.integers(0, 2**31, size=(n, n)), 0)
    flows = np.where(r & 1, r & 3, 0).astype(float)
    capital = np.where(r & 2, r & 7, 0).astype(float)
    netuse = 1.0 + flows.sum(axis=1) + capital.sum(axis=1) * depreciation
    labour = rng.integers(1, 10, size=n).astype(float)
    output = (1.8 + rng.random(n)) * np.floor(netuse)
    targets = np.zeros((years, n))
    supply = np.zeros(years)
    use, total = netuse.astype(np.float32).astype(float), float(labour.sum())
    for y in range(years):
        targets[y] = 0.01 + 0.75 * use
        use = use * 1.01
        supply[y] = total
        total = float(int(total * 1.02))
    return TnsEconomy([f"P{i}" for i in range(n)], flows, output, labour, capital,
                      np.full((n, n), depreciation), targets, supply)
