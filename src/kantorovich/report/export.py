"""Writing a result to a directory, all or nothing.

``summary.json`` and the tables are staged and swapped in by `kantorovich.files`, which
recognises our earlier output by its marker and replaces only the files we wrote there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kantorovich.explain.baseline import compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich import files
from kantorovich.files import OutputError
from kantorovich.results.result import PlanResult

__all__ = ["OutputError", "check_output_dir", "write_result"]

SUMMARY = "summary.json"
FORMATS = ("parquet", "csv")


def check_output_dir(directory: str | Path, *, inputs: Sequence[str | Path] = (),
                     fmt: str = "parquet") -> Path:
    """Refuse a bad table format or output directory before any work is done; return the
    directory resolved. Writes nothing (see `kantorovich.files.check_output_dir`)."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown table format '{fmt}'", hint="use parquet or csv")
    return files.check_output_dir(directory, inputs=inputs)


def _tables(result: PlanResult) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    if not result.is_optimal:
        return tables
    tables["processes"] = result.processes.reset_index()
    tables["goods"] = result.goods.reset_index()
    tables["flows"] = result.flows
    tables["by_unit"] = result.by_unit().reset_index()
    if result.plan.policies:
        tables["policies"] = result.policy_prices.reset_index()
        tables["policy_costs"] = policy_costs(result).reset_index()
    comparison = compare_to_baseline(result)
    if comparison is not None:
        tables["baseline"] = comparison.processes.reset_index()
        tables["moves"] = comparison.moves
    for name, frame in result.sensitivity().items():
        tables[f"sensitivity_{name}"] = frame.reset_index()
    return tables


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def write_result(result: PlanResult, directory: str | Path, summary: dict[str, Any], *,
                 fmt: str = "parquet", inputs: Sequence[str | Path] = ()) -> Path:
    """Write ``summary.json`` and one table per result view into ``directory``.

    ``inputs`` are the files the command read (the plan and any file it names): a
    directory that is or holds one of them, or the current directory, is refused. The
    directory is checked before the tables are computed, and only the files of our
    previous output there are replaced (see `kantorovich.files`).
    """
    target = check_output_dir(directory, inputs=inputs, fmt=fmt)
    tables = _tables(result)
    text = json.dumps({**summary, "tables": {name: f"{name}.{fmt}" for name in tables}},
                      indent=2, allow_nan=False)
    with files.output_directory(target, inputs=inputs) as staging:
        for name, frame in tables.items():
            _write_table(frame, staging / f"{name}.{fmt}", fmt)
        (staging / SUMMARY).write_text(text + "\n", encoding="utf-8")
    return target
