"""Leontief accounting without a dense inverse.

Everything here is a solve with ``I - A`` or its transpose, never ``(I - A)^-1`` itself
(dense and n^2 numbers, where A has a few per column):

* gross output for a final demand: ``(I - A) x = y``;
* labour values (vertically integrated labour) ``v = l + vA``: ``(I - A)' v = l``;
  these are also the simple labour multipliers ``l (I - A)^-1`` (Miller & Blair's
  employment or household-income multipliers, per unit of final demand);
* output multipliers ``1' (I - A)^-1``: ``(I - A)' m = 1``, in the same transposed solve.

`LeontiefSystem` is the one Leontief solver of the package (`kantorovich.lp.leontief`,
shared with the structure method, the merit order and technique generation): a sparse LU
factorisation (SuperLU) reused for every right-hand side and both orientations, up to
`DIRECT_UP_TO` sectors; beyond that the fixed-point (Neumann) iteration ``x <- y + A x``,
one sparse product a step and no fill-in, handing over to GMRES (then LU) when it slows.
Its accuracy is stated once there (`TOLERANCE`). The method used is returned with every
answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kantorovich.economy.table import Economy
from kantorovich.lp.leontief import DIRECT_UP_TO, TOLERANCE, LeontiefSystem, Method

__all__ = ["DIRECT_UP_TO", "TOLERANCE", "Accounts", "LeontiefSystem", "accounts",
           "gross_output", "labour_values", "multipliers"]


@dataclass(frozen=True)
class Accounts:
    """Leontief accounts of one economy for one final demand, keyed by sector id.

    ``labour_values`` and the multipliers are NaN for sectors with no output (no technique
    observed); ``labour_values`` is None when the table has no labour proxy.
    """

    output: pd.Series
    labour_values: pd.Series | None
    output_multipliers: pd.Series
    method: str
    output_residual: float
    labour_residual: float | None
    labour_source: str | None

    def embodied_labour(self, demand: pd.Series) -> float:
        """Labour embodied in a final-demand basket, ``v · y`` (equals ``l · x`` for the
        output ``x`` that produces it)."""
        if self.labour_values is None:
            raise ValueError("the table has no labour proxy")
        weights = demand.reindex(self.output.index, fill_value=0.0).to_numpy(float)
        return float(self.labour_values.fillna(0.0).to_numpy(float) @ weights)


def _undefined_where_unproduced(economy: Economy, values: np.ndarray) -> np.ndarray:
    out = np.array(values, float)
    out[economy.zero_output] = np.nan
    return out


def accounts(economy: Economy, demand: pd.Series | np.ndarray | None = None,
             method: Method = "auto", system: LeontiefSystem | None = None) -> Accounts:
    """Gross output for a final demand, labour values and output multipliers.

    One factorisation of ``I - A`` serves all three: one solve for the output and one
    transposed solve with two right-hand sides (``l`` and ``1``).

    Parameters
    ----------
    economy : Economy
    demand : Series (keyed by sector id) or array, optional
        Final demand; the table's own ``y`` by default.
    method : {"auto", "splu", "iteration"}
        See `LeontiefSystem`.
    system : LeontiefSystem, optional
        A system already factorised for this economy, to reuse.

    Returns
    -------
    Accounts

    Examples
    --------
    Miller & Blair (2009), Table 2.3, with value added as the primary input: every price
    (value added per unit, vertically integrated) is 1 in the base year.

    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700],
    ...                         compensation=[650, 1400])
    >>> a = accounts(e)
    >>> a.output.round(6).tolist(), a.labour_values.round(6).tolist(), a.method
    ([1000.0, 2000.0], [1.0, 1.0], 'splu')
    >>> a.output_multipliers.round(4).tolist()
    [1.5182, 1.4521]
    """
    s = system or LeontiefSystem(economy.A, method)
    y = _demand_vector(economy, demand)
    x = s.solve(y)
    methods = [s.method]
    ones = np.ones(economy.n)
    rhs = ones[:, None] if economy.labour is None else np.column_stack([ones, economy.labour])
    t = s.solve(rhs, transposed=True)
    methods.append(s.method)
    m = t[:, 0]
    v = None if economy.labour is None else t[:, 1]
    return Accounts(
        output=economy.labelled(x, "output"),
        labour_values=None if v is None else economy.labelled(
            _undefined_where_unproduced(economy, v), "labour_value"),
        output_multipliers=economy.labelled(
            _undefined_where_unproduced(economy, m), "output_multiplier"),
        method=methods[0] if methods[0] == methods[1] else " / ".join(methods),
        output_residual=s.residual(x, y),
        labour_residual=(None if v is None or economy.labour is None
                         else s.residual(v, economy.labour, transposed=True)),
        labour_source=economy.labour_source)


def _demand_vector(economy: Economy, demand: pd.Series | np.ndarray | None) -> np.ndarray:
    if demand is None:
        return economy.y.astype(float)
    if isinstance(demand, pd.Series):
        return demand.reindex(economy.ids, fill_value=0.0).to_numpy(float)
    return np.asarray(demand, float).ravel()


def gross_output(economy: Economy, demand: pd.Series | np.ndarray | None = None,
                 method: Method = "auto") -> tuple[pd.Series, str]:
    """Gross output ``x`` with ``(I - A) x = y`` for a final demand (the table's by
    default), and the method used.

    Examples
    --------
    Miller & Blair (2009), eq. (2.13): new final demand (600, 1500).

    >>> e = Economy.from_arrays([[150, 500], [200, 100]], [350, 1700])
    >>> x, how = gross_output(e, [600, 1500])
    >>> x.round(2).tolist(), how
    ([1247.52, 1841.58], 'splu')
    """
    s = LeontiefSystem(economy.A, method)
    x = s.solve(_demand_vector(economy, demand))
    return economy.labelled(x, "output"), s.method


def labour_values(economy: Economy, method: Method = "auto") -> tuple[pd.Series, str]:
    """Vertically integrated labour per unit of each product, ``v = l + vA``, solved as
    ``(I - A)' v = l``, and the method used. Raises ValueError without a labour proxy."""
    if economy.labour is None:
        raise ValueError("the table has no labour proxy; load it with labour='va' to use "
                         "value added")
    s = LeontiefSystem(economy.A, method)
    v = s.solve(economy.labour, transposed=True)
    return economy.labelled(_undefined_where_unproduced(economy, v), "labour_value"), s.method


def multipliers(economy: Economy, method: Method = "auto") -> tuple[pd.DataFrame, str]:
    """Output and labour multipliers per sector, from one transposed solve.

    Columns: ``output`` (``1'(I - A)^-1``: gross output of the whole economy per unit of
    final demand for the sector), ``labour`` (simple: ``l (I - A)^-1`` = labour values)
    and ``labour_type_i`` (simple over direct, ``v_j / l_j``; Miller & Blair's Type I).
    """
    ones = np.ones(economy.n)
    l = economy.labour if economy.labour is not None else np.full(economy.n, np.nan)
    s = LeontiefSystem(economy.A, method)
    t = s.solve(np.column_stack([ones, np.nan_to_num(l)]), transposed=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(l > 0, t[:, 1] / l, np.nan)
    frame = pd.DataFrame({
        "output": _undefined_where_unproduced(economy, t[:, 0]),
        "labour": _undefined_where_unproduced(economy, np.where(np.isnan(l), np.nan, t[:, 1])),
        "labour_type_i": _undefined_where_unproduced(economy, ratio)}, index=economy.ids)
    return frame, s.method
