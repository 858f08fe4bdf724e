"""Prices of production: a uniform rate of profit on circulating capital (Sraffa 1960).

With wage ``w`` per unit of labour and profit rate ``r`` on the value of the means of
production advanced, every industry's price covers its costs marked up:

    p = (1 + r) p A + w l,   solved as   (I - (1 + r) A)' p' = w l'

(one sparse LU), which has a positive solution for ``0 <= r < R``, the *maximum rate of
profit* ``R = 1/ρ(A) - 1`` where the wage falls to zero (ρ the Perron root of A). At
``r = 0`` and ``w = 1`` the prices are the labour values ``v = l (I - A)^-1``.

Sraffa's *standard commodity* is the composite commodity in the proportions of the right
Perron eigenvector ``q`` of A (``A q = ρ q``): its industries use their outputs in the same
proportions as they make them, so the ratio of net product to means of production is
``R`` in physical terms. Following Sraffa (1960, §§ 26 and 43) the standard system is
scaled to employ the same labour as the actual one, ``l q = l x``, and the standard
commodity reported is its net product ``(I - A) q = (1 - ρ) q``. With that commodity as the
unit of prices, the wage share satisfies Sraffa's straight line ``w L = 1 - r/R``
(``wage_in_standard``). It exists when the Perron eigenvector is nonnegative (A >= 0)
and ρ > 0 (a nilpotent A, with no circuit of inputs, has no basic commodity and R is
infinite: every rate ``r >= 0`` has prices); sectors outside the basic core get 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from kantorovich.economy.table import Economy
from kantorovich.lp.leontief import LeontiefSystem

__all__ = ["DENSE_EIGEN_MAX", "Normalisation", "Perron", "ProductionPrices", "perron",
           "production_prices"]

Normalisation = Literal["value", "wage"]

#: relative margin below R within which a profit rate is refused (ρ carries rounding)
RATE_MARGIN = 1e-9
#: up to this many sectors the Perron vectors come from LAPACK, above from ARPACK
DENSE_EIGEN_MAX = 1000

STANDARD_NORMALISATION = ("net product of the standard system employing the table's total "
                          "labour, l q = l x (Sraffa 1960, §§ 26, 43)")


@dataclass(frozen=True)
class Perron:
    """The dominant eigenvalue of A and its eigenvectors (None where not nonnegative).

    Attributes
    ----------
    rho : float
        Spectral radius of A.
    left, right : ndarray or None
        ``y A = ρ y`` and ``A q = ρ q``, each scaled to sum 1 and nonnegative; None
        where the dominant eigenvalue is not real positive or its vector changes sign.
    method : str
        ``"LAPACK eig"`` or ``"ARPACK eigs"``.
    """

    rho: float
    left: np.ndarray | None
    right: np.ndarray | None
    method: str

    @property
    def max_profit_rate(self) -> float:
        """``R = 1/ρ - 1`` (infinite where A is nilpotent)."""
        return np.inf if self.rho <= 0 else 1.0 / self.rho - 1.0

    def admits(self, profit_rate: float) -> bool:
        """Whether ``0 <= r < R`` with a margin for the rounding of ρ: at ``r`` within
        ``1e-9`` (relative) of ``R`` the wage is rounding noise, so that rate is refused."""
        R = self.max_profit_rate
        if not (np.isfinite(profit_rate) and profit_rate >= 0):
            return False
        # A nilpotent (no circuit of inputs: R infinite): every finite rate has prices
        return not np.isfinite(R) or profit_rate < R - RATE_MARGIN * max(1.0, R)


def _nonnegative(vector: np.ndarray) -> np.ndarray | None:
    v = np.real(vector)
    v = v if v.sum() >= 0 else -v
    scale = np.abs(v).max(initial=0.0)
    if scale == 0 or (v < -1e-9 * scale).any() or np.abs(np.imag(vector)).max() > 1e-9 * scale:
        return None
    v = np.clip(v, 0.0, None)
    v[v < 1e-12 * scale] = 0.0
    return v / v.sum()


def perron(A: sp.spmatrix | np.ndarray) -> Perron:
    """Perron root and vectors of a technical-coefficient matrix.

    Examples
    --------
    Sraffa (1960, § 5): 280 qr wheat + 12 t iron -> 575 qr wheat; 120 qr wheat + 8 t iron
    -> 20 t iron. R = 25 % and 1 t of iron exchanges for 15 qr of wheat:

    >>> P = perron(np.array([[280 / 575, 120 / 20], [12 / 575, 8 / 20]]))
    >>> round(P.max_profit_rate, 12), round(float(P.left[1] / P.left[0]), 12)
    (0.25, 15.0)
    """
    M = sp.csr_matrix(cast(Any, A), dtype=float)
    n = M.shape[0]
    if n == 0:
        return Perron(0.0, None, None, "empty")
    if n <= DENSE_EIGEN_MAX:
        values, left, right = cast(tuple[np.ndarray, np.ndarray, np.ndarray],
                                   la.eig(M.toarray(), left=True, right=True))
        k = int(np.argmax(np.abs(values)))
        # among eigenvalues of the largest modulus prefer the real positive one
        top = np.flatnonzero(np.abs(values) >= np.abs(values[k]) * (1 - 1e-12))
        k = int(top[np.argmax(np.real(values[top]))])
        rho = float(np.abs(values[k]))
        return Perron(rho, _nonnegative(left[:, k]), _nonnegative(right[:, k]), "LAPACK eig")
    start = np.ones(n)
    value, right = spla.eigs(M, k=1, which="LM", v0=start, tol=1e-12, maxiter=50 * n)
    _, left = spla.eigs(M.T.tocsr(), k=1, which="LM", v0=start, tol=1e-12, maxiter=50 * n)
    return Perron(float(np.abs(value[0])), _nonnegative(left[:, 0]),
                  _nonnegative(right[:, 0]), "ARPACK eigs")


@dataclass(frozen=True)
class ProductionPrices:
    """Prices of production at one rate of profit, keyed by sector id.

    Attributes
    ----------
    profit_rate, max_profit_rate : float
    prices : Series
        Price per unit of output (NaN where a sector produces nothing).
    wage : float
        Wage per unit of labour in the chosen normalisation.
    standard_commodity : Series or None
        Sraffa's standard net product (see the module docstring), None where it does
        not exist.
    wage_in_standard : float or None
        ``w L / p s``: the wage bill as a share of the standard net product's price,
        ``1 - r/R`` by Sraffa's theorem.
    normalisation : str
        ``"value"`` (total price of gross output = its total value) or ``"wage"`` (w = 1).
    """

    profit_rate: float
    max_profit_rate: float
    spectral_radius: float
    prices: pd.Series
    wage: float
    standard_commodity: pd.Series | None
    wage_in_standard: float | None
    normalisation: str
    eigen_method: str


def production_prices(economy: Economy, profit_rate: float,
                      normalisation: Normalisation = "value",
                      eigen: Perron | None = None) -> ProductionPrices:
    """Prices of production ``p = (1 + r) p A + w l`` for a table with labour.

    Parameters
    ----------
    economy : Economy
        With labour coefficients.
    profit_rate : float
        ``r``, with ``0 <= r < R``.
    normalisation : {"value", "wage"}
        ``value``: the gross output's total price equals its total labour value
        (``p x = v x``); ``wage``: ``w = 1``.
    eigen : Perron, optional
        Already computed for this A.

    Raises
    ------
    ValueError
        When ``r`` is outside ``[0, R)`` or the table has no labour (callers locate it).
    """
    labour = economy.labour
    if labour is None:
        raise ValueError("the table has no labour proxy")
    P = eigen or perron(economy.A)
    R = P.max_profit_rate
    if not P.admits(profit_rate):
        raise ValueError(f"profit rate {profit_rate:g} is outside [0, R = {R:.6g})")
    A = sp.csc_matrix(economy.A)
    # p = (1 + r) p A + l: the package's Leontief solver on (1 + r) A, transposed
    p = LeontiefSystem((1.0 + profit_rate) * A, method="splu").solve(
        labour, transposed=True)                        # w = 1
    wage = 1.0
    if normalisation == "value":
        values = LeontiefSystem(A, method="splu").solve(labour, transposed=True)
        wage = float(values @ economy.x) / float(p @ economy.x)
        p = p * wage
    elif normalisation != "wage":
        raise ValueError(f"unknown normalisation {normalisation!r}")
    standard = share = None
    # ρ = 0 (A nilpotent): no basic commodity, every vector is an eigenvector: none
    if P.rho > 0 and P.right is not None and labour @ P.right > 0:
        total_labour = float(labour @ economy.x)
        q = P.right * (total_labour / float(labour @ P.right))
        standard = (1.0 - P.rho) * q
        price_of_standard = float(p @ standard)
        share = wage * total_labour / price_of_standard if price_of_standard > 0 else None
    prices = p.copy()
    prices[economy.zero_output] = np.nan
    return ProductionPrices(
        profit_rate=float(profit_rate), max_profit_rate=float(R), spectral_radius=P.rho,
        prices=economy.labelled(prices, "price"), wage=wage,
        standard_commodity=None if standard is None else economy.labelled(
            standard, "standard_commodity"),
        wage_in_standard=share, normalisation=normalisation, eigen_method=P.method)
