"""Labour in time: hours worked or persons employed per sector, from a file.

A table's own labour figure is money (compensation of employees, or value added where it
has none); labour values in time need labour in time. `with_labour_file` reads it from a
CSV or Parquet file with columns ``id`` (the sector ids of ``sectors.csv``) and one of
``hours`` or ``persons`` (totals per sector for the table's year), and makes it the labour
of the economy: ``labour_basis`` ``"hours"`` or ``"persons"``, coefficients ``hours / x``.

The China table's own employment file (NBS persons employed by GB/T 4754 division,
``employment_by_industry_1990_2018.csv``) is read the same way, matched to the 153
sectors by `kantorovich.economy.china_employment`.

Every sector with output needs a row (0 where it has no labour); every problem is named
with its file, line and fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kantorovich.economy.table import Economy, _replace
from kantorovich.errors import PlanError, Problem
from kantorovich.files import check_input_file

__all__ = ["LABOUR_COLUMNS", "with_labour_file"]

#: the columns a labour file may measure labour in
LABOUR_COLUMNS = ("hours", "persons")
_LISTED = 8


def _read(path: Path) -> pd.DataFrame:
    file = str(path)
    if not path.exists():
        raise PlanError([Problem("no such labour file", file=file,
                                 hint="give a CSV or Parquet file with columns id and hours "
                                      "(or persons)")])
    check_input_file(path, what="labour file")   # a FIFO or a device would hang the reader
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise PlanError([Problem(f"cannot read the labour file: {exc}", file=file,
                                 hint="give a CSV or Parquet file with columns id and "
                                      "hours (or persons)")]) from None


def with_labour_file(economy: Economy, path: str | Path) -> Economy:
    """The economy with its labour in time read from ``path``.

    Parameters
    ----------
    economy : Economy
        The table, as read (ids of ``sectors.csv``).
    path : str or Path
        CSV or Parquet with ``id`` and ``hours`` or ``persons``; or the NBS employment
        file of the China table (matched as `china_employment` says).

    Returns
    -------
    Economy
        ``labour_source`` ``"hours"`` or ``"persons"``, the totals in ``va`` under that
        name, the file in ``files["labour"]`` and how it was matched in ``labour_note``.

    Raises
    ------
    PlanError
        A missing column, an unknown or repeated id, a sector with output left out, or a
        value that is not a finite number at least 0; each located (file, line, fix).
    """
    path = Path(path)
    file = str(path)
    frame = _read(path)
    # " Hours" or "ID" in a hand-written header name the same columns
    frame = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns
                                  if str(c).strip().lower() in ("id", *LABOUR_COLUMNS)})
    from kantorovich.economy import china_employment

    if china_employment.is_employment_by_industry(frame):
        totals, note = china_employment.persons_by_sector(economy, frame, file)
        return _with(economy, "persons", totals, file, note)
    has = [c for c in LABOUR_COLUMNS if c in frame.columns]
    columns = ", ".join(map(str, frame.columns)) or "no columns"
    csv = path.suffix.lower() != ".parquet"
    if "id" not in frame.columns or len(has) != 1:
        what = ("both hours and persons" if len(has) == 2 else
                "no id column" if "id" not in frame.columns else "no hours or persons column")
        raise PlanError([Problem(
            f"a labour file needs columns id and one of hours or persons: it has {what} "
            f"(columns {columns})", file=file, line=1 if csv else None,
            hint="write id,hours (hours worked per sector) or id,persons (persons "
                 "employed), one row per sector of sectors.csv")])
    basis = has[0]
    return _with(economy, basis, _by_id(economy, frame, basis, file, csv), file,
                 f"{basis} per sector from {file}")


def _by_id(economy: Economy, frame: pd.DataFrame, column: str, file: str,
           csv: bool) -> np.ndarray:
    """The column ordered by the table's ids, every problem located."""
    problems: list[Problem] = []

    def line(i: int) -> int | None:
        return int(i) + 2 if csv else None

    raw_ids = frame["id"].astype("string").str.strip()
    ids = pd.to_numeric(raw_ids, errors="coerce").to_numpy(float)
    raw = frame[column].astype("string").str.strip()
    values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    whole = np.isfinite(ids) & (ids % 1 == 0)
    for i in np.flatnonzero(~whole)[:_LISTED]:
        shown = "empty" if pd.isna(raw_ids.iloc[i]) else repr(raw_ids.iloc[i])
        problems.append(Problem(f"id {shown} is not a sector id", file=file,
                                line=line(i), path="id",
                                hint="use the ids of sectors.csv (whole numbers)"))
    known = whole & np.isin(ids, economy.ids.to_numpy())
    for i in np.flatnonzero(whole & ~known)[:_LISTED]:
        problems.append(Problem(
            f"id {int(ids[i])} is not a sector of the table "
            f"({economy.ids.min()}..{economy.ids.max()})", file=file, line=line(i),
            path="id", hint="use the ids of sectors.csv"))
    bad = np.flatnonzero(~np.isfinite(values))
    for i in bad[:_LISTED]:
        what = (f"{column} is empty" if pd.isna(raw.iloc[i]) else
                f"{column} = {raw.iloc[i]!r} is not a number")
        problems.append(Problem(what, file=file, line=line(i), path=column,
                                hint=f"write the {column} as a number (0 if none)"))
    negative = np.flatnonzero(np.isfinite(values) & (values < 0))
    for i in negative[:_LISTED]:
        problems.append(Problem(f"{column} = {values[i]:g} is negative", file=file,
                                line=line(i), path=column,
                                hint=f"{column} are at least 0; check the sign"))
    if len(bad) + len(negative) > 2 * _LISTED:
        problems.append(Problem(f"... and more entries of {column} that are not numbers "
                                "at least 0", file=file))
    position = pd.Series(np.arange(economy.n), index=economy.ids)
    taken = position.reindex(ids[known].astype(int)).to_numpy(int)
    counts = np.bincount(taken, minlength=economy.n)
    rows = np.flatnonzero(known)
    for j in np.flatnonzero(counts > 1)[:_LISTED]:
        again = rows[taken == j]          # the rows naming sector j, the second located
        lines = (f" (lines {', '.join(str(line(i)) for i in again[:_LISTED])})"
                 if csv else "")
        problems.append(Problem(f"sector {economy.describe(int(j))} appears {counts[j]} "
                                f"times{lines}", file=file, line=line(again[1]),
                                path=f"id {economy.ids[j]}",
                                hint="give each sector one row"))
    missing = np.flatnonzero((counts == 0) & (economy.x > 0))
    for j in missing[:_LISTED]:
        problems.append(Problem(f"no row for sector {economy.describe(int(j))}, which has "
                                "output", file=file, path=f"id {economy.ids[j]}",
                                hint=f"add a row with id {economy.ids[j]} (0 if it has no "
                                     "labour)"))
    if len(missing) > _LISTED:
        problems.append(Problem(f"... and {len(missing) - _LISTED} more sectors with output "
                                "and no row", file=file))
    if problems:
        raise PlanError(problems)
    out = np.zeros(economy.n)
    out[taken] = values[known]
    return out


def _with(economy: Economy, basis: str, totals: np.ndarray, file: str,
          note: str) -> Economy:
    va = economy.va.copy()
    va[basis] = totals
    return _replace(economy, va=va, labour_source=basis, labour_note=note,
                    files={**economy.files, "labour": file})
