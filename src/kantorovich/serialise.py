"""Plain JSON from results: ids as keys, no numpy types, numbers as a person reads them.

Three rules, the same in every JSON document this package writes:

- a value within the solver's tolerance of zero is ``0`` (never ``-0.0`` nor
  ``-2.27374e-13``): "within" means at most `ZERO_TOLERANCE` times the largest magnitude
  of the series or column it belongs to (of 1 for a lone number), so a plan written in
  tiny units keeps its tiny numbers;
- an infinity is the string ``"inf"`` or ``"-inf"`` (an unlimited range, a capacity that
  is not given), so that it can be told apart from an unknown;
- ``null`` means not examined or unknown (a NaN: an analysis that ran out of time, a
  range the solver could not give), never infinity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ZERO_TOLERANCE", "clean", "frame_cleaned", "frame_records", "number", "plain",
           "plain_dict", "rows_cleaned", "series_dict"]

ZERO_TOLERANCE = 1e-9
"""Relative size under which a value is the solver's rounding of zero (HiGHS's own
feasibility tolerances are 1e-7, on a program it scaled to numbers near 1)."""


def _scale(values: np.ndarray) -> float:
    """The largest finite magnitude among ``values`` (1 when none is finite)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def clean(values: Any, scale: float | None = None) -> np.ndarray:
    """Floats with the solver's rounding of zero made exactly 0 (and ``-0.0`` made 0).

    Parameters
    ----------
    values : array_like
        Numbers of one kind (a column of a table, the levels of a plan).
    scale : float, optional
        Magnitude they are judged against; by default their own largest finite magnitude.

    Returns
    -------
    numpy.ndarray
        A float copy; infinities and NaN unchanged.

    Examples
    --------
    >>> clean([2000.0, -2.27374e-13, -0.0, float("inf")]).tolist()
    [2000.0, 0.0, 0.0, inf]
    >>> clean([5e-12, 2e-12]).tolist()
    [5e-12, 2e-12]
    """
    x = np.array(values, dtype=float, copy=True, ndmin=1)
    limit = ZERO_TOLERANCE * (_scale(x) if scale is None else float(scale))
    with np.errstate(invalid="ignore"):
        x[np.abs(x) <= limit] = 0.0
    return x + 0.0


def number(value: Any, scale: float = 1.0) -> float | int | str | None:
    """A JSON-safe number: noise around zero is 0, infinities ``"inf"``/``"-inf"``, NaN
    None.

    Parameters
    ----------
    value : number or None
    scale : float, default 1.0
        Magnitude of the numbers ``value`` stands among (see `clean`).

    Examples
    --------
    >>> number(-2.27374e-13), number(-0.0), number(float("-inf")), number(float("nan"))
    (0.0, 0.0, '-inf', None)
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return 0.0 if abs(value) <= ZERO_TOLERANCE * scale else value + 0.0


def plain(value: Any) -> Any:
    """Recursively turn numpy and pandas scalars into JSON-safe Python values (see the
    module docstring for zeros, infinities and NaN)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (float, int, np.floating, np.integer, np.bool_, bool)):
        return number(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value if isinstance(value, str) else str(value)


def plain_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """`plain` of a mapping: a JSON-safe dict keyed by text."""
    return {str(k): plain(v) for k, v in value.items()}


def _cleaned(series: pd.Series) -> pd.Series:
    """A float series with its noise around zero removed; other series unchanged."""
    if series.dtype.kind == "f":
        return pd.Series(clean(series.to_numpy()), index=series.index, name=series.name)
    return series


def series_dict(series: pd.Series) -> dict[str, Any]:
    """``{id: value}`` of a series, its floats judged against the series' own scale."""
    return {str(k): plain(v) for k, v in _cleaned(series).items()}


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON object per row, each float column judged against its own scale."""
    return [plain(r) for r in frame_cleaned(frame).to_dict(orient="records")]


def frame_cleaned(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose float columns have their noise around zero removed."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = clean(out[col].to_numpy())
    return out


def rows_cleaned(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame_cleaned(frame)[keep]`` (``keep`` a boolean mask), copying only the rows
    kept: each column is judged against the whole column's scale, as there."""
    out = frame[keep].copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = clean(out[col].to_numpy(), scale=_scale(frame[col].to_numpy(float)))
    return out
