"""Writing a result to a directory, all or nothing.

Tables are written into a fresh temporary directory beside the target, which is renamed
into place only when everything is written; an earlier output directory is replaced only
then, and a directory that is not ours is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from kantorovich.errors import KantorovichError
from kantorovich.explain.baseline import compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.results.result import PlanResult

__all__ = ["write_result"]

MARKER = "summary.json"


class OutputError(KantorovichError):
    code = "bad-output"
    exit_code = 2


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


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> str:
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    if fmt == "parquet":
        target = path.with_suffix(".parquet")
        frame.to_parquet(target, index=False)
    else:
        target = path.with_suffix(".csv")
        frame.to_csv(target, index=False)
    return target.name


def write_result(result: PlanResult, directory: str | Path, summary: dict[str, Any], *,
                 fmt: str = "parquet") -> Path:
    """Write ``summary.json`` and one table per result view into ``directory``."""
    if fmt not in {"parquet", "csv"}:
        raise OutputError(f"unknown table format '{fmt}'", hint="use parquet or csv")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or (
            any(target.iterdir()) and not (target / MARKER).exists())):
        raise OutputError(f"'{target}' exists and is not a kantorovich output directory",
                          hint="choose a new directory, or remove that one first")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot create the output directory '{target}': "
                          f"{exc.strerror or exc}",
                          hint="choose a directory you can write to") from None
    # mkdtemp makes the directory private (0700); the result should follow the umask.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    try:
        written = {name: _write_table(frame, staging / name, fmt)
                   for name, frame in _tables(result).items()}
        (staging / MARKER).write_text(json.dumps({**summary, "tables": written}, indent=2,
                                                 allow_nan=False))
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            os.replace(target, old / "previous")
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old / "previous", target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the output directory '{target}': "
                          f"{exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
