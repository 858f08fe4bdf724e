"""An input-output table as data: `Economy`, and the readers that build one.

Three ways in, one object out:

* `Economy.from_folder` (or `load_economy`): the uniform format of ``shared/data/io``.
  Each table is ``STEM.csv`` or ``STEM.parquet`` (chosen by extension, same stems and
  columns; a folder holding both for one stem is refused as ambiguous):

  ============  =====================================  =============================
  stem          columns                                meaning
  ============  =====================================  =============================
  sectors       id, code, name[, region, ...]          ``id`` = 0, 1, ..., n-1
  Z             row, col, value                        flow of sector row to sector col
  y             id, y[, components...]                 final demand (may be negative)
  x             id, x[, ...]                           gross output
  va            id, va[, compensation, closing items]  primary inputs (optional file)
  resources     id, resource, amount[, unit]           further primary resources
                or id and a column per resource        (optional file, e.g. CO2 in t)
  ============  =====================================  =============================

* `Economy.from_pymrio`: any object with DataFrames ``Z``, ``Y`` and (optionally) ``x``,
  as a pymrio ``IOSystem`` has them; labour and resources are rows of its extensions.
* `Economy.from_arrays`: arrays in memory.
* a folder written by pymrio's ``save_all`` is read through pymrio (`pymrio_io`).

Technical coefficients are ``A = Z diag(x)^-1`` with a zero column where ``x_j = 0``;
labour coefficients ``l = compensation / x``. Sectors with zero output are *kept* (as zero
columns of A), so every result stays keyed by the ids of ``sectors.csv``; the checks say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.errors import PlanError, Problem
from kantorovich.files import input_problem

__all__ = ["Economy", "from_pymrio", "load_economy"]

#: va.csv columns that close the column balance x = 1'Z + va + closing items (see the
#: format README: BEA's inputs no domestic industry makes, OECD's net product taxes)
CLOSING_ITEMS = ("other_inputs", "net_product_taxes")

LabourSource = Literal["compensation", "va"]
#: what a table's labour figures measure, as every output names it
LabourBasis = Literal["hours", "persons", "compensation", "value_added"]
#: the basis of each labour column (a column of ``va``)
LABOUR_BASIS: dict[str, LabourBasis] = {"hours": "hours", "persons": "persons",
                                        "compensation": "compensation", "va": "value_added"}

_MAX_LISTED = 8  # problems listed per file before "and N more"


@dataclass(frozen=True, eq=False)
class Economy:
    """A square input-output table: who sells what to whom, and what it costs in labour.

    Parameters
    ----------
    sectors : DataFrame
        One row per sector, index ``id`` (0..n-1), columns ``code``, ``name``, ``region``.
    Z : scipy.sparse.csr_matrix
        Intermediate flows, ``Z[i, j]`` = sales of sector i to sector j (money units).
    y, x : ndarray
        Final demand and gross output per sector.
    va : DataFrame
        Primary inputs per sector (index ``id``): ``va`` and whatever parts the source has
        (``compensation``, closing items). Empty when the source has none.
    labour_source : str or None
        The column of ``va`` the labour coefficients come from: ``"compensation"`` (of
        employees), ``"va"`` (value added, only when asked), ``"hours"`` or ``"persons"``
        (labour in time, from a labour file: `kantorovich.economy.labour`), or None (the
        source has no labour proxy).
    resources : dict of str to ndarray
        Further primary resources, as totals per sector (e.g. CO2 emitted, in ``t``).
    resource_units, unit, source
        Units of each resource and of money, and where the table came from (for messages).
    files : dict of str to str
        File of each stem, so problems can name the file that holds them.
    rounding : float
        Rounding unit of the published totals (0 for unrounded floats): the tolerance of
        the balance checks is built from it.
    y_components : int
        Number of final-demand columns summed into ``y`` (each adds rounding error).
    labour_note : str
        How labour in time was matched to the sectors (empty for a column of the table).
    applied : tuple of str
        What was done to the table as read (sectors excluded, negatives cleaned), in
        words; empty when A is Z / x as read.
    """

    sectors: pd.DataFrame
    Z: sp.csr_matrix
    y: np.ndarray
    x: np.ndarray
    va: pd.DataFrame
    labour_source: str | None = None
    resources: dict[str, np.ndarray] = field(default_factory=dict)
    resource_units: dict[str, str] = field(default_factory=dict)
    unit: str = ""
    source: str = "<arrays>"
    files: dict[str, str] = field(default_factory=dict)
    rounding: float = 0.0
    y_components: int = 1
    labour_note: str = ""
    applied: tuple[str, ...] = ()

    # ---- derived quantities -------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.x)

    @property
    def ids(self) -> pd.Index:
        """Sector ids as in ``sectors.csv``: the keys of every labelled result."""
        return self.sectors.index

    @cached_property
    def inverse_output(self) -> np.ndarray:
        """``1/x`` with 0 where nothing is produced (those columns of A stay zero)."""
        return np.divide(1.0, self.x, out=np.zeros_like(self.x), where=self.x > 0)

    @cached_property
    def A(self) -> sp.csc_matrix:
        """Technical coefficients ``A = Z diag(x)^-1`` (input of i per unit output of j)."""
        return (self.Z @ sp.diags(self.inverse_output)).tocsc()

    @property
    def zero_output(self) -> np.ndarray:
        """Positions of the sectors with no gross output."""
        return np.flatnonzero(self.x <= 0)

    @cached_property
    def labour(self) -> np.ndarray | None:
        """Labour coefficients ``l_j`` = labour input per unit of output of j, or None."""
        if self.labour_source is None:
            return None
        return self.va[self.labour_source].to_numpy(float) * self.inverse_output

    @property
    def labour_basis(self) -> LabourBasis | None:
        """What the labour figures measure: ``"hours"``, ``"persons"``,
        ``"compensation"`` or ``"value_added"`` (None without a labour proxy)."""
        return None if self.labour_source is None else LABOUR_BASIS[self.labour_source]

    @property
    def labour_unit(self) -> str | None:
        """The unit of the labour coefficients and values, e.g. ``"hours per M USD of
        output"`` or ``"value added (M USD) per M USD of output"``."""
        money = self.unit or "money unit"
        measure = {"hours": "hours", "persons": "persons",
                   "compensation": f"compensation ({money})",
                   "value_added": f"value added ({money})"}
        basis = self.labour_basis
        return None if basis is None else f"{measure[basis]} per {money} of output"

    @property
    def content_name(self) -> str:
        """What the vertically integrated labour figures are called: labour values, or
        value-added content where the basis is value added (not labour)."""
        return "value-added content" if self.labour_source == "va" else "labour values"

    def resource(self, name: str) -> np.ndarray:
        """Coefficients of resource ``name`` per unit of output of each sector."""
        return self.resources[name] * self.inverse_output

    def labelled(self, values: np.ndarray, name: str) -> pd.Series:
        """``values`` as a Series keyed by sector id."""
        return pd.Series(np.asarray(values, float), index=self.ids, name=name)

    def describe(self, position: int) -> str:
        """A sector as people name it: ``"Farms (id 0, code 111CA)"``."""
        row = self.sectors.iloc[position]
        region = f", {row['region']}" if row.get("region") else ""
        return f"{row['name']} (id {self.ids[position]}, code {row['code']}{region})"

    def __repr__(self) -> str:
        labour = self.labour_source or "no labour proxy"
        return (f"<Economy {self.source}: {self.n} sectors, {self.Z.nnz} flows, "
                f"{labour}, unit {self.unit or '?'}>")

    def with_labour(self, source: LabourSource) -> Economy:
        """The same table with labour coefficients taken from ``va.csv``'s column
        ``source``; raises `PlanError` naming the file when that column is absent."""
        if source not in self.va.columns:
            file = self.files.get("va", "va.csv")
            have = ", ".join(map(str, self.va.columns)) or "no columns"
            hint = ("use --labour va to value by value added (all primary inputs) instead"
                    if source == "compensation" and "va" in self.va.columns else
                    "add the column to the file")
            raise PlanError([Problem(f"no column {source!r} for labour (it has {have})",
                                     file=file, hint=hint)])
        return _replace(self, labour_source=source)

    # ---- constructors -------------------------------------------------------------
    @classmethod
    def from_arrays(cls, Z: Any, y: Any, x: Any | None = None, *, va: Any | None = None,
                    compensation: Any | None = None, sectors: pd.DataFrame | None = None,
                    resources: dict[str, Any] | None = None, unit: str = "",
                    source: str = "<arrays>", rounding: float = 0.0) -> Economy:
        """An economy from flows and final demand in memory.

        Parameters
        ----------
        Z : array_like or sparse matrix, shape (n, n)
            Intermediate flows, seller by buyer.
        y : array_like, shape (n,)
            Final demand.
        x : array_like, optional
            Gross output; by default ``Z 1 + y`` (the row balance, exactly).
        va, compensation : array_like, optional
            Value added (by default ``x - 1'Z``) and compensation of employees; when
            compensation is given it is the labour proxy.
        sectors : DataFrame, optional
            ``code``, ``name``, ``region`` per sector; by default ``s0``, ``s1``, ...
        resources : dict of str to array_like, optional
            Totals of further primary resources per sector.

        Examples
        --------
        Miller & Blair (2009), Table 2.3:

        >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
        ...                         compensation=[650, 1400])
        >>> e.A.toarray().round(2).tolist(), e.labour.round(2).tolist()
        ([[0.15, 0.25], [0.2, 0.05]], [0.65, 0.7])
        """
        Zm = sp.csr_matrix(Z, dtype=float)
        yv = np.asarray(y, float).ravel()
        n = Zm.shape[0]
        if Zm.shape != (n, n) or yv.shape != (n,):
            raise PlanError([Problem(f"Z is {Zm.shape[0]}x{Zm.shape[1]} and y has "
                                     f"{yv.size} entries: they must be n x n and n",
                                     file=source)])
        xv = (np.asarray(Zm.sum(axis=1)).ravel() + yv if x is None
              else np.asarray(x, float).ravel())
        frame = pd.DataFrame(index=pd.RangeIndex(n, name="id"))
        frame["va"] = (xv - np.asarray(Zm.sum(axis=0)).ravel() if va is None
                       else np.asarray(va, float).ravel())
        if compensation is not None:
            frame["compensation"] = np.asarray(compensation, float).ravel()
        if sectors is None:
            sectors = pd.DataFrame({"code": [f"s{i}" for i in range(n)],
                                    "name": [f"sector {i}" for i in range(n)],
                                    "region": [""] * n}, index=frame.index)
        return cls(sectors=sectors, Z=Zm, y=yv, x=xv, va=frame,
                   labour_source="compensation" if compensation is not None else None,
                   resources={k: np.asarray(v, float).ravel()
                              for k, v in (resources or {}).items()},
                   unit=unit, source=source, rounding=rounding)

    @classmethod
    def from_folder(cls, path: str | Path, *, labour: LabourSource | None = None,
                    rounding: float | None = None) -> Economy:
        """Read a table in the uniform CSV/Parquet format (see the module docstring).

        Parameters
        ----------
        path : str or Path
            The folder.
        labour : {"compensation", "va"}, optional
            Labour proxy. By default compensation of employees where ``va.csv`` has it,
            else none (labour values then need ``labour="va"``, asked for explicitly,
            since value added also pays capital and taxes).
        rounding : float, optional
            Rounding unit of the published figures; by default inferred from ``x`` (the
            coarsest power of ten, at most 1, of which every output is a multiple).

        Raises
        ------
        PlanError
            Every problem found in the files, each naming the file, line and fix.
        """
        return _read_folder(cls, Path(path), labour, rounding)

    @classmethod
    def from_pymrio(cls, io: Any, *, labour: Any | None = None,
                    resources: dict[str, Any] | None = None, unit: str = "") -> Economy:
        """An economy from a pymrio ``IOSystem`` (or any object with DataFrames ``Z``,
        ``Y`` and optionally ``x``, indexed by (region, sector) or by sector).

        Parameters
        ----------
        io : object
            ``io.Z`` (n x n), ``io.Y`` (n x k final-demand categories), ``io.x`` (n x 1,
            e.g. column ``indout``; computed as ``Z 1 + Y 1`` when absent).
        labour : tuple (extension, row) or array_like, optional
            Compensation of employees per sector: a row of ``getattr(io, extension).F``
            or the totals themselves, in the order of ``io.Z``'s columns.
        resources : dict of str to (extension, row) or array_like, optional
            Further primary resources, given the same way.
        """
        Z, Y = io.Z, io.Y
        index = Z.index
        problems = []
        if not Z.columns.equals(index):
            problems.append(Problem("Z's columns differ from its rows", file="pymrio Z",
                                    hint="Z must be square with one ordering of sectors"))
        if not Y.index.equals(index):
            problems.append(Problem("Y's rows differ from Z's rows", file="pymrio Y",
                                    hint="reindex Y like Z"))
        if problems:
            raise PlanError(problems)
        x = getattr(io, "x", None)
        x = None if x is None else np.asarray(pd.DataFrame(x).reindex(index).iloc[:, 0], float)
        if isinstance(index, pd.MultiIndex):
            region = index.get_level_values(0).astype(str)
            code = index.get_level_values(-1).astype(str)
        else:
            region, code = pd.Index([""] * len(index)), index.astype(str)
        sectors = pd.DataFrame({"code": code, "name": code, "region": region},
                               index=pd.RangeIndex(len(index), name="id"))

        def totals(spec: Any, what: str) -> np.ndarray:
            if isinstance(spec, tuple):
                ext, row = spec
                return np.asarray(getattr(io, ext).F.loc[row].reindex(index), float)
            values = np.asarray(spec, float).ravel()
            if values.shape != (len(index),):
                raise PlanError([Problem(f"{what} has {values.size} entries, not "
                                         f"{len(index)}", file="pymrio")])
            return values

        return cls.from_arrays(
            sp.csr_matrix(Z.to_numpy(float)), Y.to_numpy(float).sum(axis=1), x,
            compensation=None if labour is None else totals(labour, "labour"),
            sectors=sectors, unit=unit, source="<pymrio>",
            resources={k: totals(v, k) for k, v in (resources or {}).items()})


def load_economy(path: str | Path, *, labour: LabourSource | None = None,
                 rounding: float | None = None) -> Economy:
    """Read a folder in the uniform input-output format; see `Economy.from_folder`."""
    return Economy.from_folder(path, labour=labour, rounding=rounding)


def from_pymrio(io: Any, *, unit: str = "", source: str = "<pymrio>") -> Economy:
    """An `Economy` from a pymrio ``IOSystem``, its extensions read for what they hold:
    labour from a row of compensation of employees, else value added
    (``labour_source = "va"``, named as such); every other row a resource named
    ``extension: row`` with its unit (`kantorovich.economy.pymrio_io.extension_rows`).
    Tested against pymrio's own ``load_test()`` system."""
    from kantorovich.economy.pymrio_io import extension_rows

    compensation, value_added, totals, units, money = extension_rows(io)
    economy = Economy.from_pymrio(io, labour=compensation, unit=unit or money)
    va = economy.va.copy()
    if value_added is not None:
        va["va"] = value_added
    economy = _replace(economy, va=va, resources=totals, resource_units=units,
                       source=source)
    return economy.with_labour("va") if compensation is None and value_added is not None \
        else economy


def _replace(economy: Economy, **changes: Any) -> Economy:
    from dataclasses import fields

    kept = {f.name: getattr(economy, f.name) for f in fields(economy)}
    return Economy(**{**kept, **changes})


# ---- the folder reader ------------------------------------------------------------
class _Files:
    """Collects every problem of one folder before raising them together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Problem] = []

    def add(self, message: str, file: str, line: int | None = None, path: str = "",
            hint: str | None = None) -> None:
        self.problems.append(Problem(message, file=file, line=line, path=path, hint=hint))

    def locate(self, stem: str, required: bool = True) -> Path | None:
        found = [p for p in (self.folder / f"{stem}.csv", self.folder / f"{stem}.parquet")
                 if p.exists()]
        for special in filter(None, (input_problem(p, what="table") for p in found)):
            self.problems.append(special)     # a FIFO or a device would hang the reader
            return None
        if len(found) == 2:
            self.add(f"both {stem}.csv and {stem}.parquet exist", str(found[0]),
                     hint="keep one of the two")
            return None
        if not found:
            if required:
                self.add(f"no {stem}.csv or {stem}.parquet", str(self.folder / f"{stem}.csv"),
                         hint=f"write the {stem} table (see the format in the economy docs)")
            return None
        return found[0]

    def read(self, stem: str, columns: tuple[str, ...], required: bool = True,
             text: tuple[str, ...] = ()) -> tuple[pd.DataFrame | None, str]:
        path = self.locate(stem, required)
        if path is None:
            return None, f"{stem}.csv"
        try:
            if path.suffix == ".csv":
                frame = pd.read_csv(path, dtype={c: str for c in text},
                                    keep_default_na=False, na_values=[""])
            else:
                frame = pd.read_parquet(path)
        except (ValueError, OSError, pd.errors.ParserError) as exc:
            self.add(f"cannot read: {exc}", str(path))
            return None, str(path)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            self.add(f"missing column{'s' if len(missing) > 1 else ''} "
                     f"{', '.join(missing)} (has {', '.join(map(str, frame.columns))})",
                     str(path), line=1 if path.suffix == ".csv" else None,
                     hint=f"the {stem} table needs columns {', '.join(columns)}")
            return None, str(path)
        return frame, str(path)

    def numbers(self, frame: pd.DataFrame, column: str, file: str,
                integer: bool = False) -> np.ndarray:
        """Column as floats; every non-number or non-finite entry is a located problem."""
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(values))
        if integer:
            bad = np.union1d(bad, np.flatnonzero(np.isfinite(values) & (values % 1 != 0)))
        for i in bad[:_MAX_LISTED]:
            self.add(f"{column} = {frame[column].iloc[i]!r} is not a "
                     f"{'whole' if integer else 'finite'} number", file,
                     line=_line(file, i), path=column, hint="write a number")
        if len(bad) > _MAX_LISTED:
            self.add(f"... and {len(bad) - _MAX_LISTED} more entries of {column} that are "
                     "not numbers", file)
        return values

    def by_id(self, frame: pd.DataFrame, column: str, file: str, n: int,
              labels: pd.DataFrame) -> np.ndarray:
        """A per-sector column ordered by id; every id 0..n-1 exactly once."""
        ids = self.numbers(frame, "id", file, integer=True)
        values = self.numbers(frame, column, file)
        ok = np.isfinite(ids)
        known = ok & (ids >= 0) & (ids < n)
        for i in np.flatnonzero(ok & ~known)[:_MAX_LISTED]:
            self.add(f"id {int(ids[i])} is not a sector of sectors.csv (0..{n - 1})", file,
                     line=_line(file, i), path="id", hint="use the ids of sectors.csv")
        out = np.full(n, np.nan)
        taken = ids[known].astype(int)
        counts = np.bincount(taken, minlength=n)
        for j in np.flatnonzero(counts > 1)[:_MAX_LISTED]:
            self.add(f"sector {_name(labels, j)} appears {counts[j]} times", file,
                     path=f"id {j}", hint="give each sector one row")
        for j in np.flatnonzero(counts == 0)[:_MAX_LISTED]:
            self.add(f"no row for sector {_name(labels, j)}", file, path=f"id {j}",
                     hint=f"add a row with id {j} (0 if it has none)")
        if (counts == 0).sum() > _MAX_LISTED:
            self.add(f"... and {(counts == 0).sum() - _MAX_LISTED} more sectors without a "
                     "row", file)
        out[taken] = values[known]
        return out


def _line(file: str, position: int) -> int | None:
    """CSV line of a data row (the header is line 1); Parquet has no lines."""
    return position + 2 if file.endswith(".csv") else None


def _name(sectors: pd.DataFrame, position: int) -> str:
    if position < len(sectors):
        return f"{sectors['name'].iloc[position]!s} (id {position})"
    return f"id {position}"


def _read_sectors(files: _Files) -> pd.DataFrame | None:
    frame, file = files.read("sectors", ("id", "code", "name"), text=("code", "name", "region"))
    if frame is None:
        return None
    if not len(frame):
        files.add("the table lists no sector", file, line=2, path="id",
                  hint="a table needs at least one sector: a row id,code,name per sector")
        return None
    ids = files.numbers(frame, "id", file, integer=True)
    if np.isfinite(ids).all() and not np.array_equal(ids, np.arange(len(frame))):
        first = int(np.flatnonzero(ids != np.arange(len(frame)))[0])
        files.add(f"ids must be 0, 1, ..., {len(frame) - 1} in order; row {first} has id "
                  f"{ids[first]:g}", file, line=_line(file, first), path="id",
                  hint="number the sectors from 0 in file order (Z.csv refers to them)")
        return None
    out = frame.copy()
    out.index = pd.RangeIndex(len(frame), name="id")
    out = out.drop(columns="id")
    if "region" not in out:
        out["region"] = ""
    for column in ("code", "name", "region"):
        out[column] = out[column].fillna("").astype(str)
    return out


def _read_flows(files: _Files, n: int, sectors: pd.DataFrame) -> tuple[sp.csr_matrix, str]:
    frame, file = files.read("Z", ("row", "col", "value"))
    if frame is None:
        return sp.csr_matrix((n, n)), file
    rows = files.numbers(frame, "row", file, integer=True)
    cols = files.numbers(frame, "col", file, integer=True)
    values = files.numbers(frame, "value", file)
    inside = (rows >= 0) & (rows < n) & (cols >= 0) & (cols < n)
    bad = np.flatnonzero(np.isfinite(rows) & np.isfinite(cols) & ~inside)
    for i in bad[:_MAX_LISTED]:
        files.add(f"flow ({rows[i]:g}, {cols[i]:g}) names a sector outside 0..{n - 1}",
                  file, line=_line(file, i), hint="use the ids of sectors.csv")
    ok = inside & np.isfinite(values)
    keys = rows[ok].astype(np.int64) * n + cols[ok].astype(np.int64)
    unique, counts = np.unique(keys, return_counts=True)
    for key in unique[counts > 1][:_MAX_LISTED]:
        i, j = divmod(int(key), n)
        files.add(f"flow {_name(sectors, i)} -> {_name(sectors, j)} is given more than once",
                  file, path=f"row {i}, col {j}", hint="write each flow once (add them up)")
    Z = sp.csr_matrix((values[ok], (rows[ok].astype(int), cols[ok].astype(int))),
                      shape=(n, n))
    Z.eliminate_zeros()
    return Z, file


def _read_resources(files: _Files, n: int, sectors: pd.DataFrame
                    ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    frame, file = files.read("resources", ("id",), required=False, text=("resource", "unit"))
    if frame is None:
        return {}, {}
    totals: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    if "resource" not in frame and "amount" not in frame:   # wide: a column per resource
        for column in frame.columns.drop("id"):
            totals[str(column)] = np.nan_to_num(
                files.by_id(frame, str(column), file, n, sectors), nan=0.0)
        return totals, units
    missing = [c for c in ("resource", "amount") if c not in frame]
    if missing:
        files.add(f"missing column {missing[0]} (has {', '.join(map(str, frame.columns))})",
                  file, line=1 if file.endswith(".csv") else None,
                  hint="write id, resource, amount (a row per sector and resource), or "
                       "id and a column per resource")
        return {}, {}
    for name, part in frame.groupby("resource", sort=True):
        totals[str(name)] = np.nan_to_num(files.by_id(
            part.reset_index(drop=True), "amount", file, n, sectors), nan=0.0)
        if "unit" in part:
            units[str(name)] = str(part["unit"].dropna().iloc[0]) if part["unit"].notna().any() else ""
    return totals, units


def _infer_rounding(x: np.ndarray) -> float:
    """The coarsest unit 10^-k (k = 0..6) of which every output is a multiple, else 0."""
    finite = x[np.isfinite(x)]
    for k in range(7):
        scaled = finite * 10.0 ** k
        if np.all(np.abs(scaled - np.round(scaled)) <= 8 * np.finfo(float).eps * np.abs(scaled) + 1e-6):
            return 10.0 ** -k
    return 0.0


def _unit_from_readme(folder: Path) -> str:
    """The ``| Units | ... |`` row of the folder's README.md, as the format's READMEs have."""
    readme = folder / "README.md"
    if not readme.is_file():
        return ""
    match = re.search(r"^\|\s*Units?\s*\|\s*([^|]+?)\s*\|", readme.read_text(errors="replace"),
                      flags=re.M | re.I)
    return match.group(1).replace("*", "") if match else ""


def _read_folder(cls: type[Economy], folder: Path, labour: LabourSource | None,
                 rounding: float | None) -> Economy:
    files = _Files(folder)
    if not folder.is_dir():
        raise PlanError([Problem("not a folder", file=str(folder),
                                 hint="give the folder that holds sectors.csv, Z.csv, y.csv, "
                                      "x.csv and va.csv")])
    from kantorovich.economy.pymrio_io import is_pymrio_folder, load_pymrio_folder

    if is_pymrio_folder(folder) and not (folder / "sectors.csv").exists():
        economy = from_pymrio(load_pymrio_folder(folder), source=str(folder))
        return economy if labour is None else economy.with_labour(labour)
    sectors = _read_sectors(files)
    if sectors is None:
        raise PlanError(files.problems)
    n = len(sectors)
    Z, z_file = _read_flows(files, n, sectors)
    xf, x_file = files.read("x", ("id", "x"))
    yf, y_file = files.read("y", ("id", "y"))
    vf, va_file = files.read("va", ("id",), required=False)
    x = files.by_id(xf, "x", x_file, n, sectors) if xf is not None else np.zeros(n)
    y = files.by_id(yf, "y", y_file, n, sectors) if yf is not None else np.zeros(n)
    for j in np.flatnonzero(x < 0)[:_MAX_LISTED]:
        files.add(f"sector {_name(sectors, j)} has negative gross output {x[j]:g}", x_file,
                  path=f"id {j}", hint="gross output is at least 0; check the sign")
    va = pd.DataFrame(index=sectors.index)
    if vf is not None:
        for column in vf.columns.drop("id"):
            if pd.api.types.is_numeric_dtype(vf[column]) or column in ("va", "compensation"):
                va[column] = files.by_id(vf, column, va_file, n, sectors)
    resources, units = _read_resources(files, n, sectors)
    if files.problems:
        raise PlanError(files.problems)
    economy = cls(sectors=sectors, Z=Z, y=y, x=x, va=va, resources=resources,
                  resource_units=units, unit=_unit_from_readme(folder), source=str(folder),
                  files={"sectors": str(folder / "sectors.csv"), "Z": z_file, "x": x_file,
                         "y": y_file, "va": va_file},
                  rounding=_infer_rounding(x) if rounding is None else float(rounding),
                  y_components=max(1, (len(yf.columns) - 2) if yf is not None else 1))
    if labour is not None:
        return economy.with_labour(labour)
    return _replace(economy, labour_source="compensation") if "compensation" in va else economy
