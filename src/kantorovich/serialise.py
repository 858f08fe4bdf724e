"""Plain JSON from results: ids as keys, no numpy types, no NaN or infinity (null instead)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_records", "number", "plain", "series_dict"]


def number(value: Any) -> float | int | None:
    """A JSON-safe number: NaN and infinities become None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)  # type: ignore[return-value]
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def plain(value: Any) -> Any:
    """Recursively turn numpy and pandas scalars into JSON-safe Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (float, int, np.floating, np.integer, np.bool_, bool)):
        return number(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value if isinstance(value, str) else str(value)


def series_dict(series: pd.Series) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in series.items()}


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [plain(r) for r in frame.to_dict(orient="records")]
