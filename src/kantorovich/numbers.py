"""Numbers as a planner writes them, shared by every sentence and table we print."""

from __future__ import annotations

import math

__all__ = ["fmt"]


def fmt(value: float | None, unit: str = "") -> str:
    """Thousands separated, about six significant digits, no trailing zeros, with a unit.

    >>> fmt(14000, "loaf"), fmt(0.0300000001), fmt(1716.6666667, "loaf"), fmt(float("inf"))
    ('14,000 loaf', '0.03', '1,716.67 loaf', 'unlimited')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    x = float(value)
    if not math.isfinite(x):
        text = "unlimited" if x > 0 else "-unlimited"
    elif x == 0:
        text = "0"
    elif abs(x) >= 1e15 or abs(x) < 1e-6:
        text = f"{x:.6g}"
    else:
        digits = max(0, 5 - math.floor(math.log10(abs(x))))
        text = f"{x:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        text = "0" if text in ("-0", "") else text
    return f"{text} {unit}" if unit else text
