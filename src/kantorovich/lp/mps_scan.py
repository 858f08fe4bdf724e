"""Find, line by line, what HiGHS's MPS reader would read differently from the file.

HiGHS reads on past a duplicate row name (it drops every row name), a column that comes
back after other columns (it becomes a second column), an unquoted ``MARKER`` line (a
column called MARKER), an entry naming an undeclared row (dropped) and a bound naming an
undeclared column (a new, empty column). Its warnings carry no line numbers, so when
`needs_scan` says the arrays may not be the file's LP, `scan_mps` reads the text once and
names each such line. A clean file is never scanned: the scan is a Python loop over lines
(the reader is I/O bound, but at 10^5 columns the loop would cost a tenth of the solve).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from kantorovich.errors import Problem
from kantorovich.lp.mps_io import MpsArrays

__all__ = ["FIXED_FORMAT", "needs_scan", "objective_row_name", "scan_mps"]

# HiGHS's note when names with spaces make it read the file as fixed MPS.
FIXED_FORMAT = "switching to fixed format parser"
_SECTIONS = frozenset({"NAME", "OBJSENSE", "OBJSENS", "OBJNAME", "ROWS", "COLUMNS", "RHS",
                       "RANGES", "BOUNDS", "SOS", "QUADOBJ", "QMATRIX", "QSECTION",
                       "QCMATRIX", "CSECTION", "INDICATORS", "ENDATA"})
_NOT_LP = {"SOS": "SOS constraints are", "QUADOBJ": "a quadratic objective is",
           "QMATRIX": "a quadratic objective is", "QSECTION": "a quadratic objective is",
           "QCMATRIX": "quadratic constraints are", "CSECTION": "cone constraints are",
           "INDICATORS": "indicator constraints are"}
# the sides of a column each bound type sets, and the types that make it integer
_SIDES = {"LO": ("lower",), "MI": ("lower",), "UP": ("upper",), "PL": ("upper",),
          "FX": ("lower", "upper"), "FR": ("lower", "upper"), "BV": ("lower", "upper"),
          "LI": ("lower",), "UI": ("upper",), "SC": ("upper",), "SI": ("upper",)}
_INTEGER = frozenset({"BV", "LI", "UI", "SC", "SI"})
_NO_VALUE = frozenset({"MI", "PL", "FR", "BV"})
_MAX_PROBLEMS = 20
_LP_HINT = "remove the section to plan with the linear part of the model"


def needs_scan(arrays: MpsArrays) -> bool:
    """Whether HiGHS's read may differ from the file: it warned, read fixed MPS (whose
    parser keeps duplicate names without a word), found a non-LP part, kept a name twice,
    or made a column with no entries at all (as a bound naming an undeclared column
    silently does). Each test is one pass over arrays or over the reader's few lines."""
    warned = any(m.startswith(("WARNING", "ERROR")) for m in arrays.messages)
    empty = (np.diff(arrays.matrix.indptr) == 0) & (arrays.objective == 0)
    return bool(warned or arrays.integer.any() or arrays.quadratic or empty.any()
                or (arrays.col_lower > arrays.col_upper).any()
                or pd.Index(arrays.row_names).has_duplicates
                or pd.Index(arrays.col_names).has_duplicates)


def _fields(line: str, section: str, fixed: bool) -> list[str]:
    """The fields of a data line: by whitespace, or by fixed MPS's columns (2-3, 5-12,
    15-22, 25-36, 40-47, 50-61), where names may hold spaces."""
    if not fixed:
        return line.split()
    cut = [line[1:3], line[4:12], line[14:22], line[24:36], line[39:47], line[49:61]]
    cut = [f.strip() for f in cut]
    if section == "ROWS":
        return cut[:2]
    if section == "BOUNDS":
        return [f for f in cut[:4] if f] if cut[1] else [cut[0], *cut[2:4]]
    words = cut[1:]
    while words and not words[-1]:
        words.pop()
    return words


def _records(path: Path, fixed: bool) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, section, fields) of each data line; a section line itself comes
    with no fields."""
    section = ""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("*"):
                continue
            head = line.split(None, 1)[0].upper()
            if not line[0].isspace() and head in _SECTIONS:
                section = head
                yield number, section, []
            else:
                yield number, section, _fields(line, section, fixed)


def objective_row_name(path: Path, fixed: bool = False) -> str | None:
    """The first ``N`` row's name, which HiGHS takes as the objective (it does not report
    it); None when there is none."""
    try:
        for _, section, words in _records(path, fixed):
            if section == "ROWS" and len(words) >= 2 and words[0].upper() == "N":
                return words[1]
            if section not in ("", "NAME", "OBJSENSE", "OBJSENS", "OBJNAME", "ROWS"):
                return None
    except OSError:
        return None
    return None


class _Scan:
    """What the lines of one file declare, and the problems found so far."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.more = 0
        self.rows: dict[str, int] = {}
        self.cols: dict[str, int] = {}
        self.integer: list[str] = []
        self.integer_line: int | None = None
        self.bound_line: dict[str, int] = {}

    def add(self, line: int, message: str, hint: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(Problem(message, file=self.file, line=line, hint=hint))
        else:
            self.more += 1

    def unknown_row(self, line: int, row: str, where: str) -> None:
        shown = len(self.problems) < _MAX_PROBLEMS and len(self.rows) < 10_000
        near = difflib.get_close_matches(row, list(self.rows), n=1) if shown else []
        self.add(line, f"{where} names row '{row}', which ROWS does not declare",
                 f"did you mean '{near[0]}'?" if near else "declare the row in ROWS")

    def integer_column(self, line: int, col: str) -> None:
        self.integer.append(col)
        if self.integer_line is None:
            self.integer_line = line


def scan_mps(path: Path, file: str, *, fixed: bool, col_names: list[str],
             col_lower: np.ndarray, col_upper: np.ndarray) -> list[Problem]:
    """Every line HiGHS would misread or that makes the file more than an LP, located.

    ``col_names`` and the bounds are what HiGHS read; they place a column whose lower
    bound exceeds its upper one (HiGHS says so without a name or line) on its last bound
    line.
    """
    scan = _Scan(file)
    entries: dict[tuple[str, str], int] = {}
    values: dict[tuple[str, str], int] = {}
    bounds: dict[tuple[str, str], int] = {}
    column, in_integer, repeated = "", False, False
    for number, section, words in _records(path, fixed):
        if not words:
            if section in _NOT_LP:
                scan.add(number, f"{_NOT_LP[section]} not supported ({section} section);"
                                 " kantorovich solves linear programs", _LP_HINT)
            continue
        if section == "ROWS" and len(words) >= 2:
            first = scan.rows.setdefault(words[1], number)
            if first != number:
                scan.add(number, f"row '{words[1]}' is declared again (first on line "
                                 f"{first}); each row needs its own name",
                         "rename one of the two rows")
        elif section == "COLUMNS":
            if len(words) >= 3 and words[1].strip("'").upper() == "MARKER":
                in_integer = words[-1].strip("'").upper() == "INTORG"
                if in_integer and scan.integer_line is None:
                    scan.integer_line = number
                continue
            col = words[0]
            if col != column:
                column, first = col, scan.cols.setdefault(col, number)
                repeated = first != number
                if repeated:
                    scan.add(number, f"column '{col}' appears again after other columns "
                                     f"(first on line {first}); MPS lists each column's "
                                     "entries together",
                             f"move this line up to the other lines of '{col}'")
                elif in_integer:
                    scan.integer_column(number, col)
            if repeated:
                continue
            for row in words[1::2]:
                if row not in scan.rows:
                    scan.unknown_row(number, row, f"column '{col}'")
                    continue
                first = entries.setdefault((col, row), number)
                if first != number:
                    scan.add(number, f"column '{col}' has a second entry in row '{row}' "
                                     f"(first on line {first}); HiGHS would ignore it",
                             "add the two coefficients into one entry")
        elif section in ("RHS", "RANGES"):
            pairs = words if len(words) % 2 == 0 else words[1:]
            for row in pairs[::2]:
                if row not in scan.rows:
                    scan.unknown_row(number, row, f"{section} entry")
                    continue
                first = values.setdefault((section, row), number)
                if first != number:
                    scan.add(number, f"row '{row}' gets a second {section} value (first on "
                                     f"line {first}); HiGHS would ignore it",
                             "keep one value per row")
        elif section == "BOUNDS" and len(words) >= 2:
            kind = words[0].upper()
            with_set = len(words) >= (3 if kind in _NO_VALUE else 4)
            col = words[2] if with_set else words[1]
            if col not in scan.cols:
                scan.add(number, f"bound {kind} names column '{col}', which COLUMNS does "
                                 "not declare; HiGHS would add it as an empty column",
                         "declare the column in COLUMNS or drop the bound")
                continue
            scan.bound_line[col] = number
            if kind in _INTEGER:
                scan.integer_column(number, col)
            for side in _SIDES.get(kind, ()):
                first = bounds.setdefault((col, side), number)
                if first != number:
                    scan.add(number, f"column '{col}' gets a second {side} bound (first on "
                                     f"line {first}); HiGHS would ignore it",
                             "keep one bound of each side per column (FX sets both)")
    _locate_crossed_bounds(scan, col_names, col_lower, col_upper)
    problems = scan.problems
    if scan.integer_line is not None:
        names = list(dict.fromkeys(scan.integer))
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                        else "")
        problems.insert(0, Problem(
            f"integer columns are not supported: {shown or 'none named'}; kantorovich "
            "solves linear programs", file=file, line=scan.integer_line,
            hint="drop the MARKER INTORG/INTEND lines and integer bounds (BV, LI, UI, SC, "
                 "SI) to plan with the LP relaxation"))
    if scan.more:
        problems.append(Problem(f"and {scan.more} more problems like these", file=file))
    return problems


def _locate_crossed_bounds(scan: _Scan, col_names: list[str], col_lower: np.ndarray,
                           col_upper: np.ndarray) -> None:
    for j in np.flatnonzero(col_lower > col_upper)[:_MAX_PROBLEMS]:
        col = col_names[j]
        scan.add(scan.bound_line.get(col, scan.cols.get(col, 0)),
                 f"column '{col}' has lower bound {col_lower[j]:g} above its upper bound "
                 f"{col_upper[j]:g}",
                 "an UP bound below 0 leaves the lower bound at 0: add MI for a column "
                 "free below")
