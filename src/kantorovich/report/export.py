"""Writing a result to a directory, all or nothing.

``summary.json`` and the tables are staged and swapped in by `kantorovich.files`, which
recognises our earlier output by its marker and replaces only the files we wrote there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kantorovich import files
from kantorovich.explain.analyses import Analyses, analyse
from kantorovich.files import OutputError
from kantorovich.lp.program import repeated_category
from kantorovich.results.result import PlanResult

__all__ = ["OutputError", "check_output_dir", "write_result"]

SUMMARY = "summary.json"
_DICTIONARY_WORDS = 10_000
"""Most distinct values of a categorical column written with a Parquet dictionary."""
FORMATS = ("parquet", "csv")
ROW_GROUP = 1 << 20
"""Rows a Parquet row group holds: pyarrow's own when it writes a table whole."""


def check_output_dir(directory: str | Path, *, inputs: Sequence[str | Path] = (),
                     fmt: str = "parquet") -> Path:
    """Refuse a bad table format or output directory before any work is done; return the
    directory resolved. Writes nothing (see `kantorovich.files.check_output_dir`)."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown table format '{fmt}'", hint="use parquet or csv")
    return files.check_output_dir(directory, inputs=inputs)


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """One table; a categorical column (ids held as codes) is written as a Parquet
    dictionary column, read back by pandas as a categorical.

    A Parquet table is converted and written a row group at a time (`_write_parts`)."""
    if fmt != "parquet":
        _for_writing(frame).to_csv(path, index=False)
        return
    _write_parts((frame.iloc[start:start + ROW_GROUP]
                  for start in range(0, max(len(frame), 1), ROW_GROUP)), path)


def _for_writing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a table file holds it: text as strings, and -0.0 (a price or range
    of no sign) as 0. Its columns are replaced, never changed in place."""
    out = frame.copy(deep=False)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("string")
        elif out[col].dtype.kind == "f":
            out[col] = out[col] + 0.0
    return out


def _write_parts(parts: Iterable[pd.DataFrame], path: Path) -> None:
    """A Parquet table given as consecutive parts of `ROW_GROUP` rows (the last may be
    shorter; one empty part for an empty table), each written as a row group: the file
    is the one its whole table would make (pyarrow's own row groups, the first part's
    schema), and only one part and its Arrow copy are held at once (at 2.4·10^7
    processes the whole table's copy would be 1.5 GB beside the table)."""
    schema: pa.Schema | None = None
    writer: pq.ParquetWriter | None = None
    try:
        for given in parts:
            part = _for_writing(given)
            del given
            table = pa.Table.from_pandas(part, preserve_index=False, schema=schema)
            if writer is None:
                schema = table.schema
                # a dictionary of many ids (a process per row) is written as plain
                # pages: Parquet would write it again in every row group, and fall
                # back when it is too large
                dictionary = [str(col) for col in part.columns
                              if not (isinstance(part[col].dtype, pd.CategoricalDtype)
                                      and len(part[col].cat.categories) > _DICTIONARY_WORDS)]
                writer = pq.ParquetWriter(path, schema, compression="zstd",
                                          use_dictionary=dictionary)
            del part
            writer.write_table(table)
            del table
    finally:
        if writer is not None:
            writer.close()


def write_result(result: PlanResult, directory: str | Path, summary: dict[str, Any], *,
                 fmt: str = "parquet", inputs: Sequence[str | Path] = (),
                 analyses: Analyses | None = None) -> Path:
    """Write ``summary.json`` and the tables of `PlanResult.tables` into ``directory``.

    ``inputs`` are the files the command read (the plan and any file it names): a
    directory that is or holds one of them, or the current directory, is refused. The
    directory is checked before the tables are computed, and only the files of our
    previous output there are replaced (see `kantorovich.files`). ``analyses`` are those
    the command ran (by default they are run here).
    """
    target = check_output_dir(directory, inputs=inputs, fmt=fmt)
    found = analyse(result) if analyses is None else analyses
    # each table is made, written and let go in turn: the peak holds one of them
    tables = result.table_makers()
    if result.status.has_solution:
        tables.update(found.table_makers())
    if result.over_time is not None:         # a plan over time: by (id, period)
        from kantorovich.results.horizon import timed_tables

        timed = timed_tables(result, {name: make() for name, make in tables.items()})
        tables = {name: functools.partial(_given, frame) for name, frame in timed.items()}
    text = json.dumps({**summary, "tables": {name: f"{name}.{fmt}" for name in tables}},
                      indent=2, allow_nan=False)
    with files.output_directory(target, inputs=inputs) as staging:
        for name, make in tables.items():
            if name == "flows" and fmt == "parquet" and result.over_time is None:
                # the largest table, made a row group at a time as it is written
                _write_parts(result.flow_parts(ROW_GROUP), staging / f"{name}.{fmt}")
                result.let_go_tables()
                continue
            if name in _BY_ID and fmt == "parquet" and result.over_time is None:
                # its ids made a column a row group at a time: as one column of the
                # whole table they are a second copy of every id (an Arrow string each)
                _write_parts(_by_id_parts(name, getattr(result, name)),
                             staging / f"{name}.{fmt}")
                result.let_go_tables()      # written: not held beside the next table
                continue
            _write_table(_stated(name, make()), staging / f"{name}.{fmt}", fmt)
            if result.over_time is None:
                result.let_go_tables()      # written: not held beside the next table
        (staging / SUMMARY).write_text(text + "\n", encoding="utf-8")
    return target


#: The plan's own tables with prices: each says, in a ``convention`` column, that its
#: prices are improvements of the objective (what one more unit, or one unit of
#: loosening, is worth), as the analyses' tables and the sensitivity report (``excel``)
#: say theirs. (A plan over time's ``stocks`` keeps the columns its issue names; its
#: ``shadow_value`` is an improvement too, as the README says.)
PRICED = ("processes", "goods", "policies")


def _stated(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its sign convention stated, where it has prices and does not yet."""
    if name not in PRICED or "convention" in frame.columns or frame.empty:
        return frame
    return frame.assign(convention=repeated_category("improvement", len(frame)))


#: The plan's tables indexed by id that `PlanResult.table_makers` makes as
#: ``table.reset_index()`` (the result's cached frame of that name).
_BY_ID = ("processes", "goods")


def _by_id_parts(name: str, frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """``_stated(name, frame.reset_index())`` in parts of `ROW_GROUP` rows, each reset
    and stated in turn (the same columns and values: `_write_parts` writes the same
    file)."""
    for start in range(0, max(len(frame), 1), ROW_GROUP):
        part = frame.iloc[start:start + ROW_GROUP].reset_index()
        yield part if frame.empty else _stated(name, part)


def _given(frame: pd.DataFrame) -> pd.DataFrame:
    """A table already made, as a maker of `PlanResult.table_makers`."""
    return frame
