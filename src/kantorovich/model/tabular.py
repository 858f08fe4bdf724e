"""Tables given as CSV or Parquet files or as DataFrames: read, checked and located by row.

A plan's large tables (goods, units, processes, flows, supply, demand, and an objective's
weights or counts) reach the loader either as files named in a plan file (CSV or TSV as
text; Parquet, chosen by the extension ``.parquet`` in any case, as typed columns) or as
DataFrames handed to `Plan.from_frames`. All become a `Table` here and are checked by the
same code, over whole columns: a bad row is reported at its line in a text file
(``flows.csv:5``), at its 0-based row in a Parquet file (``flows.parquet (flows[3].good)``)
or at its position in a frame (``flows[3].good``), with the same message either way.

Parquet columns are read as a whole with pyarrow. An integer column where text belongs (an
``id``, ``process``, ``good``, ``unit``, ``name``, ``region`` or ``level_unit``) is read as
its decimal text (``7`` is the id ``"7"``); any other non-text type there is refused at
its rows. A null, or a NaN in a number column, is a blank cell.

A blank in an optional column means none: ``capacity`` none is unlimited, ``min_level``
none is 0, a blank ``unit``, ``name`` or ``level_unit`` takes its default. In a text file
``NaN`` written in ``capacity`` or ``min_level`` is a blank too (pandas writes NaN as a
blank cell, other tools as ``NaN``); elsewhere it is refused, as no amount is ``NaN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kantorovich.errors import Problem
from kantorovich.files import input_problem
from kantorovich.model import schema
from kantorovich.model.checks import did_you_mean

__all__ = ["Table", "check_table", "frame_table", "ids_in_order", "is_table_path",
           "read_csv_table",
           "read_parquet_table", "read_table_file", "shown", "unique_dtype", "unstacked"]

_LISTED = 20
TEXT_COLUMNS = ("name", "unit", "region", "level_unit")
"""Optional text columns a table may have besides its required ones."""
ID_COLUMNS = ("id", "process", "good")
"""Columns that hold the ids of a plan's rows."""
OPTIONAL_NUMBERS = ("capacity", "min_level")
"""Number columns where a blank (or NaN) means none: unlimited, and 0."""
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")
"""File name endings (in any case) of the tables a plan file may name."""


def is_table_path(name: str) -> bool:
    """Whether ``name`` names a table file a plan may use (CSV, TSV or Parquet).

    Examples
    --------
    >>> is_table_path("flows.PARQUET"), is_table_path("flows.csv"), is_table_path("a.xls")
    (True, True, False)
    """
    return name.lower().endswith(TABLE_SUFFIXES)


def shown(value: object) -> str:
    """A value as a message may quote it: short, and never Python's int-to-text error."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        return f"an integer of {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:30] + "..." + text[-6:]


@dataclass
class Table:
    """One table and where its rows came from.

    ``file`` is the file it was read from, or None for a DataFrame given in Python;
    ``typed`` says its columns hold typed values (a DataFrame, a Parquet file) rather than
    the text a CSV file holds; ``rows``, when some rows of the file were set aside (a
    plan over time reads each id's first row as its template), the row in the file of
    each row kept.
    """

    frame: pd.DataFrame
    key: str
    file: str | None = None
    typed: bool = False
    rows: np.ndarray | None = None

    def _in_file(self, row: int) -> int:
        return row if self.rows is None else int(self.rows[row])

    @property
    def text(self) -> bool:
        """Whether the columns are still the text of a CSV file."""
        return self.file is not None and not self.typed

    def where(self, row: int) -> str:
        """Where row ``row`` (0-based) is, in words: its line in a text file, else its row.

        Examples
        --------
        >>> Table(pd.DataFrame(), "flows", "flows.csv").where(3)
        'line 5'
        >>> Table(pd.DataFrame(), "flows", "flows.parquet", typed=True).where(3)
        'row 3'
        """
        row = self._in_file(row)
        return f"line {row + 2}" if self.text else f"row {row}"

    def problem(self, message: str, row: int | None = None, col: str | None = None,
                hint: str | None = None) -> Problem:
        """A problem at ``row`` (0-based) and ``col``, or at the header when no row: a
        line of a text file, a row (``flows[3].good``) of a Parquet file or a frame."""
        if row is not None:
            row = self._in_file(row)
        if self.text:
            return Problem(message, self.key, self.file, 1 if row is None else row + 2, hint)
        path = self.key if row is None else f"{self.key}[{row}]"
        return Problem(message, path + (f".{col}" if col and row is not None else ""),
                       self.file, None, hint)


def read_csv_table(base: Path | None, name: str, key: str,
                   problems: list[Problem]) -> Table | None:
    """Read one CSV (or TSV) table as text; an unreadable one is a problem."""
    path = (base / name) if base is not None else Path(name)
    file = str(path)
    if (special := input_problem(path, what="table", key=key)) is not None:
        problems.append(special)
        return None
    try:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        try:
            # Arrow's reader is an order of magnitude faster than pandas' for text columns,
            # but it refuses short rows, which pandas reads with blanks: then fall back.
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                engine="pyarrow").fillna("")
        except (pa.ArrowException, pd.errors.ParserError, ValueError):
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                skipinitialspace=True)
    except FileNotFoundError:
        problems.append(Problem(f"table '{name}' not found", key, file,
                                hint="paths are relative to the plan file"))
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError, pa.ArrowException, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(Problem(f"cannot read table: {reason}", key, file,
                                hint="a CSV table needs a header row and the same number "
                                     "of fields on every line"))
        return None
    if not isinstance(frame.index, pd.RangeIndex) and not _header_one_short(path, sep):
        # pandas takes the first column as row labels when the first line has one field
        # more than the header; where every line has (the header lacks a column) the
        # columns' check names the one missing, otherwise it is a misread, never a table
        problems.append(Problem("cannot read table: a line has more fields than the "
                                "header", key, file,
                                hint="a CSV table needs a header row and the same number "
                                     "of fields on every line"))
        return None
    return Table(frame, key, file)


def _header_one_short(path: Path, sep: str) -> bool:
    """Whether every line of the CSV at ``path`` has exactly one field more than its
    header (read only for a table pandas has misread, never on the way of a good one)."""
    import csv

    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        lines = csv.reader(handle, delimiter=sep)
        header = next(lines, [])
        widths = {len(row) for row in lines if row}
    return widths == {len(header) + 1}


def read_parquet_table(base: Path | None, name: str, key: str,
                       problems: list[Problem]) -> Table | None:
    """Read one Parquet table with pyarrow, each column cast as a whole; a missing or
    unreadable file is a problem.

    Text columns become Python strings (None where null), integer columns where ids or
    other text belong their decimal text, and every other column its pandas dtype (a
    number column floats with NaN where null), to be checked as a frame's columns are.
    """
    path = (base / name) if base is not None else Path(name)
    file = str(path)
    if (special := input_problem(path, what="table", key=key)) is not None:
        problems.append(special)
        return None
    try:
        data = pq.read_table(path)
    except FileNotFoundError:
        problems.append(Problem(f"table '{name}' not found", key, file,
                                hint="paths are relative to the plan file"))
        return None
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(Problem(f"cannot read table: {reason}", key, file,
                                hint="a Parquet table is a file written by pyarrow, pandas "
                                     "(to_parquet), polars or DuckDB"))
        return None
    columns: dict[str, object] = {}
    for field, column in zip(data.schema, data.columns):
        kind = field.type
        text = field.name.strip() in ID_COLUMNS + TEXT_COLUMNS
        if pa.types.is_dictionary(kind) and (text or _is_text(kind.value_type)):
            values = _categorical(column)
        elif _is_text(kind) or (text and pa.types.is_integer(kind)):
            values = _categorical(pc.dictionary_encode(
                column if _is_text(kind) else pc.cast(column, pa.string())), encoded=True)
        else:
            if pa.types.is_dictionary(kind):
                column = column.cast(kind.value_type)
            values = column.to_pandas()
        columns[field.name] = values
    rows = data.num_rows
    del data, column
    # Arrow's allocator keeps what it freed for reuse; the columns are numpy's now
    pa.default_memory_pool().release_unused()
    return Table(unstacked(columns, rows), key, file, typed=True)


def unstacked(columns: dict[str, object], rows: int) -> pd.DataFrame:
    """A frame of these columns as they are: not copied, and each kept as its own block
    (the DataFrame constructor would copy number columns into one two-dimensional block,
    seconds and gigabytes at 10^7 rows)."""
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)


def unique_dtype(categories: pd.Index) -> pd.CategoricalDtype:
    """A categorical dtype over ``categories`` already known to be unique (an Arrow
    dictionary, a factorization, a plan's checked ids): pandas would otherwise hash
    every category again to check, a second at 10^6 ids. Checked where pandas lacks
    its fast path."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is None or not isinstance(categories, pd.Index):
        return pd.CategoricalDtype(categories)
    return fast(categories, False)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _categorical(column: pa.ChunkedArray, encoded: bool = False) -> pd.Series:
    """A dictionary-encoded column as a pandas categorical: its codes, and its distinct
    values (as text: an integer dictionary is read as its decimal text) as categories.
    No Python string is made per row, only one per distinct value.

    A Parquet reader gives each row group one dictionary, shared by the batches of that
    group: each distinct dictionary is matched once (one Arrow hash over all of them),
    not once per batch as unifying the chunks would. A column ``encoded`` here (by
    Arrow's `dictionary_encode`, whose chunks share one unique dictionary without nulls)
    is not matched again."""
    chunks = [c for c in column.chunks if len(c)] or column.chunks[:1]
    if not chunks:
        return pd.Series(pd.Categorical([], categories=pd.Index([], dtype=object)))
    if not _is_text(chunks[0].dictionary.type):
        if not pa.types.is_integer(chunks[0].dictionary.type):
            return pd.Series(column.cast(column.type.value_type).to_pandas(), dtype=object)
        chunks = [pa.DictionaryArray.from_arrays(c.indices, pc.cast(c.dictionary,
                                                                    pa.string()))
                  for c in chunks]
    seen: dict[tuple[int, ...], int] = {}
    distinct: list[pa.Array] = []
    which = []
    for chunk in chunks:           # a loop over batches (about 130,000 rows each)
        words = chunk.dictionary
        key = (*(b.address if b is not None else 0 for b in words.buffers()),
               words.offset, len(words))
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append(words)
        which.append(seen[key])
    if encoded and len(distinct) == 1:
        categories = distinct[0]
        recode = np.arange(len(categories), dtype=np.int32)
    else:
        unified = pc.dictionary_encode(pa.concat_arrays(distinct)) if len(distinct) > 1 \
            else pc.dictionary_encode(distinct[0])
        categories = unified.dictionary
        recode = pc.fill_null(unified.indices, -1).to_numpy(zero_copy_only=False)
    starts = np.cumsum([0] + [len(d) for d in distinct])
    codes = np.empty(sum(len(c) for c in chunks), dtype=np.int32)
    at = 0
    for chunk, k in zip(chunks, which):         # each chunk's codes in place
        indices = chunk.indices
        local = (indices if indices.null_count == 0 else pc.fill_null(indices, -1)
                 ).to_numpy(zero_copy_only=False)
        mapping = np.append(recode[starts[k]:starts[k + 1]], -1).astype(np.int32)
        np.take(mapping, local, out=codes[at:at + len(local)])
        at += len(local)
    words = pd.Index(categories.to_numpy(zero_copy_only=False), dtype=object)
    dtype = unique_dtype(words)              # Arrow's dictionary is unique and non-null
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int32, copy=False),
                                               dtype=dtype))


def read_table_file(base: Path | None, name: str, key: str,
                    problems: list[Problem]) -> Table | None:
    """Read a table named in a plan file, by its extension: Parquet, else CSV or TSV."""
    if name.lower().endswith(".parquet"):
        return read_parquet_table(base, name, key, problems)
    return read_csv_table(base, name, key, problems)


def frame_table(value: object, key: str, problems: list[Problem], *,
                id_column: str | None) -> Table | None:
    """A table given in Python: a DataFrame (its ``id`` may be the index), or for supply
    and demand a Series indexed by good."""
    if isinstance(value, pd.Series) and key in ("supply", "demand"):
        value = pd.DataFrame({"good": value.index.to_numpy(object),
                              "amount": value.to_numpy()})
    if not isinstance(value, pd.DataFrame):
        problems.append(Problem(f"expected a DataFrame or a mapping, got "
                                f"{type(value).__name__}", key))
        return None
    frame = value
    if id_column is not None and id_column not in frame.columns \
            and not isinstance(frame.index, pd.RangeIndex):
        frame = frame.rename_axis(id_column).reset_index()
    return Table(frame.reset_index(drop=True), key, None)


# -- numbers ------------------------------------------------------------------------------
_INFINITY = ["inf", "+inf", "-inf", ".inf", "+.inf", "-.inf", "infinity", "+infinity",
             "-infinity"]
_NUMBER = re.compile(r"[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?")


def _parse_numbers(raw: pd.Series) -> pd.Series:
    """Text to floats, blanks to NaN. Arrow casts a whole column at once; only a column
    holding something that is not a plain number takes pandas' slower, forgiving path."""
    try:
        text = pa.array(raw.array, type=pa.string())
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        numbers = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(numbers, index=raw.index, dtype=float)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw.replace({"": None, ".inf": "inf", "-.inf": "-inf",
                                          ".nan": "nan"}), errors="coerce")


def _as_text(table: Table, col: str, problems: list[Problem]) -> pd.Series:
    """A column as text, blanks for missing values. A CSV column already is; a frame's
    column must hold strings (a number where an id belongs is refused, not converted)."""
    values = table.frame[col]
    if table.text:
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _categorical_text(table, col, values, problems)
    missing = values.isna().to_numpy().copy()
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        is_text = values.map(lambda v: isinstance(v, str), na_action="ignore")
        wrong = ~missing & ~is_text.fillna(True).to_numpy(bool)
        for i in np.flatnonzero(wrong)[:_LISTED]:
            problems.append(table.problem(f"'{col}' must be text, got {shown(values.iat[i])}",
                                          int(i), col, "ids, names and units are text"))
        missing |= wrong
    return pd.Series(np.where(missing, "", values.to_numpy(object)), index=values.index,
                     dtype=object)


def _categorical_text(table: Table, col: str, values: pd.Series,
                      problems: list[Problem]) -> pd.Series:
    """A categorical column as text, still categorical: a category that is not text is
    refused at each of its rows (as in a plain column), and a missing value is the
    category ``""``. Only the categories are looked at, never a string per row."""
    categories = values.cat.categories
    codes = values.cat.codes.to_numpy()
    words = categories.to_numpy(object)
    if pd.api.types.infer_dtype(categories, skipna=False) == "string":
        is_text = np.ones(len(words), dtype=bool)
    else:
        is_text = np.fromiter((isinstance(w, str) for w in words), bool, len(words))
    if not is_text.all():
        wrong = np.append(~is_text, False)[codes]
        for i in np.flatnonzero(wrong)[:_LISTED]:
            problems.append(table.problem(f"'{col}' must be text, got {shown(values.iat[i])}",
                                          int(i), col, "ids, names and units are text"))
        words = np.where(is_text, words, "")
    elif (codes >= 0).all():
        return values.reset_index(drop=True)
    return _recoded(codes, words)


def _recoded(codes: np.ndarray, words: np.ndarray) -> pd.Series:
    """A categorical of ``words[codes]``, a code -1 being the word ``""``; words that
    are the same are merged, so the categories stay unique (``""`` may be one unused)."""
    words = np.append(words.astype(object), "")
    recode, unique = pd.factorize(pd.Series(words, dtype=object))
    final = recode[np.where(codes < 0, len(words) - 1, codes)]
    dtype = unique_dtype(pd.Index(np.asarray(unique, dtype=object), dtype=object))
    return pd.Series(pd.Categorical.from_codes(final.astype(np.int32), dtype=dtype))


def _as_numbers(table: Table, col: str, problems: list[Problem]) -> tuple[pd.Series,
                                                                          pd.Series | None]:
    """A column as floats (NaN where blank), and the text it was written as, if any."""
    values = table.frame[col]
    if not table.text and pd.api.types.is_bool_dtype(values):
        for i in range(min(len(values), _LISTED)):
            problems.append(table.problem(f"'{col}' is not a number: {values.iat[i]!r}",
                                          i, col, "write a plain number such as 12.5"))
        return pd.Series(np.nan, index=values.index), None
    if not table.text and pd.api.types.is_numeric_dtype(values):
        return values.astype(float), None
    if not table.text and pd.api.types.infer_dtype(values, skipna=True) in {
            "integer", "floating", "mixed-integer-float", "empty"}:
        return pd.to_numeric(values).astype(float), None
    raw = (values if table.text else values.map(
        lambda v: v if isinstance(v, str) else "" if pd.isna(v) else repr(v))).str.strip()
    return _parse_numbers(raw), raw


def check_table(table: Table, problems: list[Problem], required: tuple[str, ...],
                numeric: tuple[str, ...] = (), *, signed: tuple[str, ...] = ("demand",),
                finite: tuple[str, ...] = (), text: tuple[str, ...] = ("name", "unit",
                                                                       "region"),
                filled: tuple[str, ...] = ()) -> Table | None:
    """Check a table's header, blanks and numbers (each problem at its row) and return it
    with text columns as text and ``numeric`` ones as floats; None if its header is unusable.

    ``signed`` columns may be negative; ``finite`` ones must be finite and below
    `schema.LARGEST`; ``filled`` ones cannot be blank (elsewhere a blank number is NaN,
    which the caller reads as none, 0 or unlimited).
    """
    frame = table.frame.copy(deep=False)     # columns are replaced, never changed in place
    frame.columns = [str(c).strip() for c in frame.columns]
    table = Table(frame, table.key, table.file, table.typed, table.rows)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.append(table.problem(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            hint=f"the header must include: {', '.join(required)}"))
        return None
    known = set(required) | set(numeric) | set(text)
    for col in frame.columns:
        if col not in known:
            problems.append(table.problem(f"unknown column '{col}'", hint=(
                "a period column belongs to a plan over time: add 'horizon: T' (its "
                "number of periods) to the plan" if col == "period" else
                did_you_mean(col, sorted(known)))))
    for col in frame.columns:
        if col in known and col not in numeric:
            frame[col] = _as_text(table, col, problems)
    for col in required:
        if col in numeric:
            continue
        frame[col] = _stripped(frame[col])
        blank = _blank(frame[col])
        for i in np.flatnonzero(blank)[:_LISTED]:
            problems.append(table.problem(f"empty '{col}'", int(i), col,
                                          f"write the {col} in every row"))
    for col in numeric:
        if col not in frame.columns:
            continue
        values, raw = _as_numbers(table, col, problems)

        def written(i: int) -> str:
            return raw.iloc[i] if raw is not None else repr(float(values.iloc[i]))

        if raw is None:             # numbers already: none is badly written
            bad = np.zeros(len(values), dtype=bool)
            empty = values.isna().to_numpy()
        else:
            unwritten = (raw == "") if col not in OPTIONAL_NUMBERS \
                else raw.str.lower().isin(("", "nan", ".nan"))
            bad = (values.isna() & ~unwritten).to_numpy()
            empty = unwritten.to_numpy()
        if col in filled:
            for i in np.flatnonzero(empty)[:_LISTED]:
                problems.append(table.problem(f"empty '{col}'", int(i), col,
                                              f"write a number for '{col}' in every row"))
        infinite = np.isinf(values.to_numpy())
        if raw is not None:
            if infinite.any():      # inf written out is fine; an overflow is not
                bad = bad | (infinite & ~raw.str.lower().isin(_INFINITY).to_numpy())
            for i in np.flatnonzero(bad)[:_LISTED]:
                written_as = str(raw.iloc[i])
                if _NUMBER.fullmatch(written_as):
                    problems.append(table.problem(
                        f"'{col}' is out of range: {shown(written_as)}", int(i), col,
                        "numbers must be below 1e308"))
                else:
                    problems.append(table.problem(
                        f"'{col}' is not a number: {shown(written_as)}", int(i), col,
                        "write a plain number such as 12.5"))
        if bad.any():               # else no copy of a column of 10^7 numbers
            values = values.where(~bad)
        if col not in signed:
            for i in np.flatnonzero((values < 0).to_numpy())[:_LISTED]:
                problems.append(table.problem(f"'{col}' cannot be negative ({written(i)})",
                                              int(i), col, f"write '{col}' as 0 or more"))
        if col in finite:
            for i in np.flatnonzero((values.abs() >= schema.LARGEST).to_numpy())[:_LISTED]:
                problems.append(table.problem(f"'{col}' must be finite and below "
                                              f"{schema.LARGEST:g} ({written(i)})", int(i), col,
                                              "rescale the unit of the good"))
        frame[col] = values
    return table


def _blank(values: pd.Series) -> np.ndarray:
    """Which rows of a text column are ``""``: a categorical's by its codes (pandas'
    ``== ""`` would hash every category to look the word up)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        words = values.cat.categories.to_numpy(object)
        where = np.flatnonzero(words == "")
        codes = values.cat.codes.to_numpy()
        return np.isin(codes, where) if len(where) else np.zeros(len(codes), dtype=bool)
    return (values == "").to_numpy(bool)


def _stripped(values: pd.Series) -> pd.Series:
    """Text without surrounding blanks, trimmed in Arrow: a Python call per value would
    be most of the time a large table takes. A categorical's categories are trimmed
    (merging those that become the same), not its rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        words = values.cat.categories.to_numpy(object)
        given = pa.array(words, type=pa.string())
        trimmed = pc.utf8_trim_whitespace(given)
        if trimmed.equals(given) and (values.cat.codes.to_numpy() >= 0).all():
            return values
        out = _recoded(values.cat.codes.to_numpy(),
                       trimmed.to_numpy(zero_copy_only=False).astype(object))
        out.index = values.index
        return out
    trimmed = pc.utf8_trim_whitespace(pa.array(values.to_numpy(object), type=pa.string()))
    return pd.Series(trimmed.to_numpy(zero_copy_only=False), index=values.index,
                     dtype=object)


def table_ids(table: Table, col: str, problems: list[Problem]) -> pd.Index:
    """The id column (stripped when checked); an id given twice is a problem at its
    second row."""
    return unique_ids(table, col, problems)[0]


def ids_in_order(table: Table, col: str) -> bool:
    """Whether an id column is categorical with each row holding its own category, in
    order (an id column read from Parquet): its ids are then unique, known without
    hashing them (see `unique_ids`)."""
    ids = table.frame[col]
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        return False
    codes = ids.cat.codes.to_numpy()
    return bool(len(codes) <= len(ids.cat.categories)
                and (codes == np.arange(len(codes), dtype=codes.dtype)).all())


def unique_ids(table: Table, col: str, problems: list[Problem]
               ) -> tuple[pd.Index, np.ndarray]:
    """`table_ids`, and which rows repeat an earlier id. A categorical column is judged
    by its codes, and when each row holds its own category in order (as an id column
    read from Parquet does) its categories are the index, with nothing hashed again."""
    ids = table.frame[col]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy()
        categories = ids.cat.categories
        if ids_in_order(table, col):
            # unused categories (a "" kept for blanks) come after the rows' own
            return categories[:len(codes)].rename(None), np.zeros(len(codes), dtype=bool)
        dup = pd.Series(codes).duplicated(keep="first").to_numpy()
        index = pd.Index(np.asarray(ids.array, dtype=object), dtype=object)
    else:
        dup = ids.duplicated(keep="first").to_numpy()
        index = pd.Index(ids, dtype=object)
    for i in np.flatnonzero(dup)[:_LISTED]:
        problems.append(table.problem(f"id '{ids.iloc[i]}' appears twice", int(i), col,
                                      "ids must be unique"))
    return index, dup


def table_names(frame: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """The ``name`` column, falling back to the id where it is missing or blank."""
    if "name" not in frame:
        return ids.to_numpy(object)
    names = np.asarray(frame["name"].array, dtype=object)
    blank = names == ""
    return np.where(blank, ids.to_numpy(object), names) if blank.any() else names


def optional_text(frame: pd.DataFrame, col: str) -> object:
    """A text column with blanks as None; all None if the column is absent."""
    if col not in frame:
        return None
    values = np.asarray(frame[col].array, dtype=object)
    return np.where(values == "", np.asarray(None, dtype=object), values)
