"""Leontief accounting without a dense inverse.

Everything here is a solve with ``I - A`` or its transpose, never ``(I - A)^-1`` itself
(dense and n^2 numbers, where A has a few per column):

* gross output for a final demand: ``(I - A) x = y``;
* labour values (vertically integrated labour) ``v = l + vA``: ``(I - A)' v = l``;
  these are also the simple labour multipliers ``l (I - A)^-1`` (Miller & Blair's
  employment or household-income multipliers, per unit of final demand);
* output multipliers ``1' (I - A)^-1``: ``(I - A)' m = 1``, in the same transposed solve.

`LeontiefSystem` chooses the method by size and structure: a sparse LU factorisation
(SuperLU, `scipy.sparse.linalg.splu`) reused for every right-hand side and both
orientations, up to `SPLU_MAX` sectors; beyond that, when a cheap norm bound
``β = min(‖A‖₁, ‖A‖∞) < 1`` promises quick convergence, the fixed-point (Neumann)
iteration ``x <- y + A x``, which costs one sparse product a step and no fill-in.
The method used is returned with every answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from kantorovich.economy.table import Economy

__all__ = ["Accounts", "LeontiefSystem", "accounts", "gross_output", "labour_values",
           "multipliers"]

log = logging.getLogger(__name__)

Method = Literal["auto", "splu", "iteration"]

#: up to this many sectors SuperLU's fill-in is cheap next to iterating
SPLU_MAX = 50_000
#: iteration is chosen above SPLU_MAX only if it needs at most this many steps by the bound
ITERATION_STEPS_MAX = 200
TOLERANCE = 1e-12


class LeontiefSystem:
    """``I - A`` ready to solve, in either orientation, for many right-hand sides.

    Parameters
    ----------
    A : sparse matrix, shape (n, n)
        Technical coefficients.
    method : {"auto", "splu", "iteration"}
        ``auto`` picks by size and structure (see the module docstring).
    tol : float
        Relative tolerance of the iteration (``‖Δx‖∞ <= tol ‖x‖∞``).

    Attributes
    ----------
    method : str
        What the last solve used: ``"splu"`` or ``"iteration (k steps)"``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> s = LeontiefSystem(sp.csc_matrix([[0.15, 0.25], [0.2, 0.05]]))
    >>> s.solve([600, 1500]).round(2).tolist(), s.method
    ([1247.52, 1841.58], 'splu')
    """

    def __init__(self, A: sp.spmatrix, method: Method = "auto", tol: float = TOLERANCE) -> None:
        self.A = sp.csr_matrix(A, dtype=float)
        self.n = self.A.shape[0]
        self.tol = tol
        self.choice = self._choose(method)
        self.method = self.choice
        self._lu: spla.SuperLU | None = None
        self._At: sp.csr_matrix | None = None

    def _choose(self, method: Method) -> str:
        if method != "auto":
            return method
        if self.n <= SPLU_MAX:
            return "splu"
        bound = self.norm_bound()
        if bound < 1 and np.log(self.tol) / np.log(max(bound, 1e-300)) <= ITERATION_STEPS_MAX:
            return "iteration"
        return "splu"

    def norm_bound(self) -> float:
        """``min(‖A‖₁, ‖A‖∞)`` on ``|A|``: an upper bound on the spectral radius, so on
        the rate of the fixed-point iteration."""
        B = abs(self.A)
        # a sparse matrix's sums are np.matrix, whose max() takes no ``initial``
        columns, rows = np.asarray(B.sum(axis=0)).ravel(), np.asarray(B.sum(axis=1)).ravel()
        return float(min(columns.max(initial=0), rows.max(initial=0)))

    @property
    def lu(self) -> spla.SuperLU:
        """The sparse LU factors of ``I - A`` (computed once)."""
        if self._lu is None:
            M = (sp.identity(self.n, format="csc") - self.A.tocsc()).tocsc()
            self._lu = spla.splu(M, permc_spec="COLAMD")
        return self._lu

    def solve(self, b: np.ndarray | list[float], transposed: bool = False) -> np.ndarray:
        """``x`` with ``(I - A) x = b``, or ``(I - A)' x = b`` when ``transposed``;
        ``b`` may hold several right-hand sides as columns."""
        rhs = np.asarray(b, float)
        if self.choice == "splu":
            self.method = "splu"
            return self.lu.solve(rhs, trans="T" if transposed else "N")
        if transposed and self._At is None:
            self._At = self.A.T.tocsr()
        return self._iterate(self._At if transposed else self.A, rhs)

    def _iterate(self, M: sp.csr_matrix, b: np.ndarray) -> np.ndarray:
        """Fixed point ``x <- b + M x`` from ``x = b`` (the Neumann series, term by term)."""
        x = b.copy()
        scale = max(np.abs(b).max(initial=0), 1e-300)
        for k in range(1, 100_000):
            step = M @ x + b - x
            x += step
            if np.abs(step).max(initial=0) <= self.tol * max(np.abs(x).max(initial=0), scale):
                self.method = f"iteration ({k} steps)"
                return x
            if not np.isfinite(step).all() or k > 10 * ITERATION_STEPS_MAX:
                break
        log.info("fixed-point iteration did not converge; factorising I - A instead")
        self.choice = "splu"
        return self.solve(b, transposed=M is self._At)

    def residual(self, x: np.ndarray, b: np.ndarray, transposed: bool = False) -> float:
        """Relative residual ``‖(I - A)x - b‖∞ / ‖b‖∞`` (A' when ``transposed``)."""
        Ax = self.A.T @ x if transposed else self.A @ x
        return float(np.abs(x - Ax - b).max(initial=0) / max(np.abs(b).max(initial=0), 1e-300))


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
        return float(self.labour_values.fillna(0.0) @ demand.reindex(self.output.index,
                                                                    fill_value=0.0))


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
        labour_residual=None if v is None else s.residual(v, economy.labour, transposed=True),
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
