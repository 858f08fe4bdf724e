"""One Leontief solver: ``u = b + B u`` for a nonnegative ``B`` of spectral radius below one.

Every method that prices or sizes an economy solves this system: labour values
``v = l + v A`` (``B = A^T``), gross output ``x = y + A x`` (``B = A``), the structure
method's and the merit order's rounds, technique generation's starting values and the
economy's accounts. They all come here, so that a fix lands once and the accuracy is
stated once (`TOLERANCE`).

How (`LeontiefSystem` picks, and says which in ``method``):

* at most `DIRECT_UP_TO` goods: a sparse LU factorisation of ``I - B`` (SuperLU), kept
  for every further right-hand side and for the transposed system;
* more: the fixed-point (Neumann) iteration ``u <- b + B u``, one sparse product a step
  and no fill-in, started from a guess when one is given (the previous round's answer);
  when it slows (a rate above `SLOW_RATE` after 20 steps) GMRES takes over from where it
  is, and sparse LU when GMRES fails too.

Never a dense inverse. A system with no nonnegative solution (techniques that are not
productive: ``I - B`` singular, the iteration diverging) raises `NotProductive`.

>>> import numpy as np, scipy.sparse as sp
>>> B = sp.csr_matrix(np.array([[0.0, 0.5], [0.25, 0.0]]))
>>> LeontiefSystem(B, direct_up_to=0).solve(np.array([1.0, 1.0])).round(10).tolist()
[1.7142857143, 1.4285714286]
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import SuperLU, gmres, splu

__all__ = ["DIRECT_UP_TO", "ROUGH_TOLERANCE", "TOLERANCE", "LeontiefSystem", "NotProductive",
           "leontief_solve"]

log = logging.getLogger(__name__)

TOLERANCE = 1e-12
"""Relative accuracy of every answer: the iteration stops when a step changes the answer
by at most this share of its largest entry (and GMRES when its residual is this small);
sparse LU is exact to rounding. Far below the certificate's 1e-6 and the table's digits."""

ROUGH_TOLERANCE = 1e-10
"""The accuracy of rounds whose answer only chooses techniques (policy iteration's rounds
before the last): well above the margin at which they switch (`technology.SWITCH`)."""

DIRECT_UP_TO = 5_000
"""Systems of at most this many goods are factorised (sparse LU); larger ones iterate,
warm from the last answer: at 10^6 goods the iteration needs a few dozen sparse products
where LU's fill-in grows without bound."""

SLOW_RATE = 0.97
"""An iteration whose error shrinks by less than this factor a step hands over to GMRES."""

_MAX_STEPS = 2_000

Method = Literal["auto", "splu", "iteration"]


class NotProductive(ArithmeticError):
    """``I - B`` has no nonnegative inverse: the techniques behind ``B`` are not
    productive (singular, or the iteration diverges)."""


class LeontiefSystem:
    """``I - A`` ready to solve, in either orientation, for one or many right-hand sides.

    Parameters
    ----------
    A : sparse matrix, shape (n, n)
        Nonnegative coefficients (inputs per unit of output).
    method : {"auto", "splu", "iteration"}
        ``auto`` factorises up to ``direct_up_to`` goods and iterates beyond.
    tol : float
        Relative accuracy of the iteration (default `TOLERANCE`).
    direct_up_to : int
        The size up to which ``auto`` factorises (default `DIRECT_UP_TO`).

    Attributes
    ----------
    method : str
        What the last solve used: ``splu``, ``iteration (k steps)`` or ``gmres``;
        before any solve, the choice.

    Examples
    --------
    >>> s = LeontiefSystem(sp.csc_matrix([[0.15, 0.25], [0.2, 0.05]]))
    >>> s.solve([600, 1500]).round(2).tolist(), s.method
    ([1247.52, 1841.58], 'splu')
    """

    def __init__(self, A: sp.csr_matrix | sp.csc_matrix | np.ndarray,
                 method: Method = "auto", tol: float = TOLERANCE,
                 *, direct_up_to: int = DIRECT_UP_TO) -> None:
        converted = sp.csr_matrix(A)
        # a matrix of another format or type is already a copy of its own: not copied
        # again (at 10^7 goods each copy is half a gigabyte)
        self.A = converted.astype(float, copy=sp.issparse(A) and A.format == "csr")
        self.n = self.A.shape[0]
        self.tol = tol
        if method == "auto":
            method = "splu" if self.n <= direct_up_to else "iteration"
        self.choice: str = method
        self.method: str = method
        self._lu: SuperLU | None = None

    def norm_bound(self) -> float:
        """``min(‖A‖₁, ‖A‖∞)`` of ``|A|``: a bound on the spectral radius, so on the
        iteration's rate."""
        B = abs(self.A)
        columns, rows = np.asarray(B.sum(axis=0)).ravel(), np.asarray(B.sum(axis=1)).ravel()
        return float(min(columns.max(initial=0), rows.max(initial=0)))

    @property
    def lu(self) -> SuperLU:
        """The sparse LU factors of ``I - A`` (computed once); `NotProductive` when it is
        exactly singular."""
        if self._lu is None:
            M = (sp.identity(self.n, format="csc") - self.A.tocsc()).tocsc()
            try:
                self._lu = splu(M, permc_spec="COLAMD")
            except RuntimeError as exc:            # exactly singular
                raise NotProductive(str(exc)) from None
        return self._lu

    def solve(self, b: np.ndarray | list[float], transposed: bool = False,
              start: np.ndarray | None = None) -> np.ndarray:
        """``x`` with ``(I - A) x = b`` (``x = b + A x``), or with ``(I - A)' x = b`` when
        ``transposed``; ``b`` may hold several right-hand sides as columns. ``start`` is
        a guess the iteration starts from.

        Raises
        ------
        NotProductive
            When the system has no solution the methods can find.
        """
        rhs = np.asarray(b, dtype=float)
        if self.n == 0:
            return np.zeros_like(rhs)
        if self.choice == "splu":
            return self._direct(rhs, transposed)
        # the transposed system through the rows read as columns (a view, not a second
        # copy of A: the same products, entry for entry, in the same order)
        M = self.A.T if transposed else self.A
        found = self._iterate(M, rhs, start)
        if found is None:
            found = self._krylov(M, rhs, transposed)
        return found

    def _direct(self, rhs: np.ndarray, transposed: bool) -> np.ndarray:
        # SuperLU solves the transposed system from the same factors (scipy's stubs
        # do not list ``trans``)
        solved: np.ndarray = self.lu.solve(  # type: ignore[call-overload]
            rhs, trans="T" if transposed else "N")
        u = np.asarray(solved, dtype=float)
        if not np.all(np.isfinite(u)):
            # singular factors, or a right-hand side so large the answer overflows a
            # double: the same system at unit scale tells which (an overflow is the
            # caller's to refuse as bad input; a singular system is not productive)
            top = float(np.max(np.abs(rhs), initial=0.0))
            unit: np.ndarray = np.asarray(self.lu.solve(  # type: ignore[call-overload]
                rhs / top, trans="T" if transposed else "N"), dtype=float) if (
                    np.isfinite(top) and top > 0) else u
            if not np.all(np.isfinite(unit)):
                raise NotProductive("I - A is singular")
        self.method = "splu"
        return u

    def _iterate(self, M: sp.csr_matrix | sp.csc_matrix, b: np.ndarray, start: np.ndarray | None
                 ) -> np.ndarray | None:
        """Fixed point ``u <- b + M u``; None when it slows down past `SLOW_RATE`.
        Raises `NotProductive` when it diverges."""
        u: np.ndarray = b.copy() if start is None else np.array(start, dtype=float)
        previous = np.inf
        gap = np.empty_like(u)                  # one buffer for the step's change
        for step in range(1, _MAX_STEPS + 1):
            new: np.ndarray = np.asarray(M @ u, dtype=float)
            new += b
            np.subtract(new, u, out=gap)
            change = max(float(gap.max(initial=0.0)), -float(gap.min(initial=0.0)))
            size = max(float(new.max(initial=0.0)), -float(new.min(initial=0.0)))
            u = new
            if not np.isfinite(size):
                raise NotProductive("the fixed-point iteration diverges")
            if change <= self.tol * max(size, np.finfo(float).tiny):
                self.method = f"iteration ({step} steps)"
                return u
            rate = change / previous if previous > 0 else 0.0
            previous = change
            if step >= 20 and rate > SLOW_RATE:
                self._slow_start = u
                return None
        self._slow_start = u
        return None

    def _krylov(self, M: sp.csr_matrix | sp.csc_matrix, b: np.ndarray, transposed: bool) -> np.ndarray:
        """GMRES from where the iteration stopped, column by column; sparse LU when it
        fails too."""
        start = self._slow_start
        op = sp.identity(self.n, format="csr") - M
        columns = b[:, None] if b.ndim == 1 else b
        guess = start[:, None] if start.ndim == 1 else start
        out = np.empty_like(columns)
        for k in range(columns.shape[1]):
            rhs = columns[:, k]
            u, info = gmres(op, rhs, x0=guess[:, k], rtol=self.tol * 1e-2, atol=0.0,
                            restart=50, maxiter=200)
            residual = float(np.max(np.abs(op @ u - rhs), initial=0.0))
            if info != 0 and residual > self.tol * max(float(np.max(np.abs(rhs),
                                                                     initial=0.0)), 1e-300):
                log.info("Leontief: GMRES did not converge; factorising I - A instead")
                self.choice = "splu"
                return self._direct(b, transposed)
            out[:, k] = u
        self.method = "gmres"
        return out[:, 0] if b.ndim == 1 else out

    def residual(self, x: np.ndarray, b: np.ndarray, transposed: bool = False) -> float:
        """Relative residual ``‖(I - A)x - b‖∞ / ‖b‖∞`` (A' when ``transposed``)."""
        Ax = self.A.T @ x if transposed else self.A @ x
        return float(np.abs(x - Ax - b).max(initial=0) / max(np.abs(b).max(initial=0), 1e-300))


def leontief_solve(B: sp.csr_matrix | sp.csc_matrix, rhs: np.ndarray, start: np.ndarray | None = None, *,
                   tol: float = TOLERANCE, direct_up_to: int = DIRECT_UP_TO
                   ) -> tuple[np.ndarray, str]:
    """``u = rhs + B u`` once: the solution and how it was found (`LeontiefSystem`).

    Raises
    ------
    NotProductive
        When ``I - B`` has no solution the methods can find.
    """
    system = LeontiefSystem(B, tol=tol, direct_up_to=direct_up_to)
    u = system.solve(rhs, start=start)
    return u, system.method.split(" ")[0]
