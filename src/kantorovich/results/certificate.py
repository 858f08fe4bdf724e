"""A certificate of optimality computed by our code from the plan's own numbers.

It checks the program the user wrote (the unscaled `LinearProgram`), never the solver's
scaled copy, so a coefficient the solver dropped or a bound it read as infinite shows up
as a violated row. Everything is put in maximisation form: ``c' = improves * c``, and
``y'`` the row duals as the adapter reports them (``LpSolution.row_dual``: the
improvement per unit increase of row i's active bound), so ``z' = c' - A^T y'``.

What "verified" guarantees, each residual being at most ``tolerance`` (default 1e-6):

* **Primal feasibility, row by row.** Every row's violation is measured against that
  row's own size: ``|b_i| + sum_j |a_ij x_j|``, and at least ``max_j |a_ij| L_j`` (the
  row at typical levels). A rule ``1e-10 * level(mill) >= 1e-7`` met at level 800 is 11%
  short and fails, however small its numbers.
* **Bounds, column by column.** A level's distance outside its bounds is measured against
  the bound's magnitude, and at least the column's typical level ``L_j``: one unit (or
  the level at which its largest coefficient is 1, when that is larger), but no more
  than its largest finite nonzero bound, so a process of capacity 5e-12 is judged on
  levels of that size.
* **Dual feasibility.** A price or reduced cost that points at an infinite bound (a
  price that would pay for relaxing a bound that is not there) is measured against the
  column's price scale ``|c_j| + sum_i |a_ij y_i|`` (for a row: the largest such scale
  per unit of its coefficients, and at least 1e-9 of the largest cost), so a flipped
  sign on a priced row, or a reduced cost that holds any part of the column's own cost,
  fails at any magnitude above 1e-15 of the largest cost. A reduced cost
  made of prices alone (``|z_j| <= sum_i |a_ij y_i|``: a process of no cost of its own)
  passes when its worth at the column's typical level, ``|z_j| L_j``, is within the
  tolerance of the objective's scale: the prices carry the rounding of the whole
  objective, so a process of no cost among goods of no price gets a reduced cost of
  rounding noise (Netlib's etamacro: ``1.3e-12`` where the costs reach 780). So does a
  wrong sign on a row none of whose columns has a cost of its own, at the row's typical
  activity (a plan over time: a stock's row over its holding and investment, priced
  ``3e-11`` where every price around it is 0). A reduced
  cost asking for more of a level that has no capacity is also weighed by how far the
  plan's own consuming rows (labour, a supply) let that level go, against the
  objective's scale: a price of 1e-8 per unit of a level that could reach 1e10 is not
  "nearly zero".
* **Complementary slackness.** Each ``|price| x |slack|`` and ``|reduced cost| x |distance
  to bound|``, measured against the objective's scale ``sum_j |c_j x_j| + |c x|`` (or the
  dual side's, or the objective at typical levels ``sum_j |c_j| L_j``, whichever is
  largest: an optimum of 0 is judged against what the plan's processes are worth).
* **Strong duality.** ``|c x - dual bound|`` against the same objective scale.

Residuals are relative, so the guarantee does not depend on the units the plan is
written in. NaN anywhere fails. `Certificate.failures` says which condition failed, at
which good, policy or process, and by how much.

Why 1e-6 of these scales. Solvers state their tolerances the same way: HiGHS's primal
and dual feasibility tolerances are 1e-7 absolute on a program it has scaled to numbers
near 1, and first-order and interior-point codes (PDLP, IPX) stop at residuals of 1e-6
to 1e-8 relative to the norms of the right-hand side and of the costs. Relative to each
row's and column's own scale, 1e-6 is ten times looser than what the simplex delivers
after scaling (so a right answer is never refused: every one of Netlib's LPs that HiGHS
solves, etamacro and ganges included, is verified; ``benchmarks/netlib.py``) and five
orders of magnitude below the smallest mistake of the trust issue's hostile plans (a rule
11% short, a flipped price, a plan left unmade at prices of 1e-9; see
``tests/test_hostile_solves.py``, ``tests/test_scaling.py`` and
``tests/test_certificate.py``). A double computes each scale's terms to 1e-16; what the
rest of the tolerance allows for is the conditioning of the basis the prices come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.program import LinearProgram

__all__ = ["Certificate", "Failure", "certify"]

TOLERANCE = 1e-6
_TINY = np.finfo(float).tiny
_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Failure:
    """The worst residual of one condition: where (in plan terms) and how large."""

    condition: str      # primal, bounds, dual, slackness, gap
    kind: str           # good, policy, assortment, process, sets; "" for the objective
    id: str
    residual: float     # relative, the number compared with the tolerance
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"condition": self.condition, "kind": self.kind, "id": self.id,
                "residual": self.residual, "message": self.message}


@dataclass(frozen=True)
class Certificate:
    """Residuals of the optimality conditions, each relative to its own scale."""

    primal_infeasibility: float
    dual_infeasibility: float
    complementary_slackness: float
    duality_gap: float
    primal_objective: float
    dual_objective: float
    tolerance: float = TOLERANCE
    worst: tuple[Failure, ...] = field(default=(), compare=False)

    @property
    def verified(self) -> bool:
        return bool(np.max([self.primal_infeasibility, self.dual_infeasibility,
                            self.complementary_slackness, self.duality_gap])
                    <= self.tolerance)

    def failures(self) -> list[Failure]:
        """The conditions whose worst residual exceeds the tolerance (NaN included)."""
        return [f for f in self.worst if not f.residual <= self.tolerance]

    def to_dict(self) -> dict[str, object]:
        return {"primal_infeasibility": self.primal_infeasibility,
                "dual_infeasibility": self.dual_infeasibility,
                "complementary_slackness": self.complementary_slackness,
                "duality_gap": self.duality_gap,
                "primal_objective": self.primal_objective,
                "dual_objective": self.dual_objective,
                "tolerance": self.tolerance, "verified": self.verified,
                "failures": [f.to_dict() for f in self.failures()]}

    def __repr__(self) -> str:
        return (f"<Certificate verified={self.verified} primal={self.primal_infeasibility:.1e} "
                f"dual={self.dual_infeasibility:.1e} slack={self.complementary_slackness:.1e} "
                f"gap={self.duality_gap:.1e}>")


def _side(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """The bound each dual pushes against, and how much of the dual has no such bound."""
    bound = np.where(dual > 0, upper, np.where(dual < 0, lower, 0.0))
    unsupported = np.where(np.isinf(bound), np.abs(dual), 0.0)
    return np.where(np.isinf(bound), 0.0, bound), unsupported


def _ratio(residual: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """residual / scale, 0 where the residual is 0 (so an empty scale is no failure)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(residual == 0, 0.0, residual / np.maximum(scale, _TINY))


@dataclass(frozen=True)
class _RowScales:
    """What the certificate needs from the matrix row by row: the rows that only
    consume or only make, those whose columns are never negative, each row's size at
    typical levels and its largest price per unit of a coefficient. Per-entry numbers
    are formed in column order (each column's number repeated: a sequential pass) and
    reduced into their rows by ``ufunc.at``; no row-ordered copy of the matrix is made
    (at 10^8 entries a conversion or a gather in row order costs several times more)."""

    consumes: np.ndarray
    makes: np.ndarray
    nonneg: np.ndarray
    floor: np.ndarray
    price: np.ndarray

    @classmethod
    def of(cls, lp: LinearProgram, A: sp.csc_matrix, level: np.ndarray,
           price_scale: np.ndarray) -> _RowScales:
        m = A.shape[0]
        rows = A.indices

        def row_max(values: np.ndarray) -> np.ndarray:
            out = np.zeros(m)                # every value here is >= 0, or compared to 0
            np.maximum.at(out, rows, values)
            return out

        consumes = row_max(A.data) <= 0      # max(0, a_i.) <= 0: no entry makes
        low = np.zeros(m)
        np.minimum.at(low, rows, A.data)
        makes = low >= 0
        del low
        # rows with an entry in a column that may go negative
        negative = np.flatnonzero(np.asarray(lp.col_lower, dtype=float) < 0)
        nonneg = np.ones(m, dtype=bool)
        if negative.size:
            nonneg[A[:, negative].indices] = False
        # |a_ij| L_j and c_j / |a_ij| (both scales are >= 0), a block of columns at a time
        floor, price = np.zeros(m), np.zeros(m)
        for cols, entries, counts in _column_blocks(A.indptr):
            data, at = A.data[entries], rows[entries]
            work = np.repeat(level[cols], counts)
            np.multiply(work, data, out=work)
            np.abs(work, out=work)
            np.maximum.at(floor, at, work)
            work = np.repeat(price_scale[cols], counts)
            with np.errstate(divide="ignore", invalid="ignore"):
                np.divide(work, data, out=work)
            np.abs(work, out=work)
            work[data == 0] = 0.0
            np.maximum.at(price, at, work)
        return cls(consumes, makes, nonneg, floor, price)


_BLOCK = 1 << 22
"""Entries per block of columns in the passes over the matrix: the per-entry numbers of
a block (``|a_ij|``, ``|a_ij| L_j``, ...) are made and reduced a block at a time, so no
array of the matrix's size is made beside it (at 10^8 entries each would be a GB)."""


def _column_blocks(indptr: np.ndarray, size: int | None = None
                   ) -> Iterator[tuple[slice, slice, np.ndarray]]:
    """Consecutive blocks of whole columns of a CSC matrix, about ``size`` entries each
    (a column longer than that is a block of its own): the columns, the entries and
    each column's count of entries. A loop per block, never per column."""
    size = _BLOCK if size is None else size
    n = len(indptr) - 1
    start = 0
    while start < n:
        goal = int(indptr[start]) + size
        stop = max(int(np.searchsorted(indptr, goal, side="right")) - 1, start + 1)
        stop = min(stop, n)
        first, last = int(indptr[start]), int(indptr[stop])
        yield slice(start, stop), slice(first, last), np.diff(indptr[start:stop + 1])
        start = stop


def _worst(condition: str, ratio: np.ndarray, table: pd.DataFrame, what: str,
           amounts: np.ndarray) -> Failure | None:
    if ratio.size == 0:
        return None
    k = int(np.argmax(np.where(np.isnan(ratio), np.inf, ratio)))
    kind, ident = str(table["kind"].iat[k]), str(table["id"].iat[k])
    return Failure(condition, kind, ident, float(ratio[k]),
                   f"{condition}: {kind} '{ident}' {what} {amounts[k]:.6g} "
                   f"({ratio[k]:.1e} of its scale)")


def _level_scale(lp: LinearProgram, col_norm: np.ndarray) -> np.ndarray:
    """The size of a typical level of each column, the floor of its residuals: one unit
    (or the level at which its largest coefficient is 1, when that is larger), but never
    more than its largest finite nonzero bound, so that a process whose capacity is
    5e-12 is judged on levels of that size, not of 1."""
    with np.errstate(divide="ignore"):
        unit = np.maximum(np.where(col_norm > 0, 1.0 / col_norm, 1.0), 1.0)
        bound = np.maximum(np.where(np.isfinite(lp.col_lower), np.abs(lp.col_lower), 0.0),
                           np.where(np.isfinite(lp.col_upper), np.abs(lp.col_upper), 0.0))
    return np.where(bound > 0, np.minimum(unit, bound), unit)


def _implied_upper(lp: LinearProgram, A: sp.csc_matrix, rows: _RowScales) -> np.ndarray:
    """How far each level can go by the rows that only consume (every coefficient <= 0,
    a finite lower bound: labour, a supply) or only make, over levels that are never
    negative: ``x_j <= -b_i / |a_ij|``; inf where no such row bounds it."""
    m, n = A.shape
    if A.nnz == 0:
        return np.full(n, np.inf)
    consumes = rows.consumes & np.isfinite(lp.row_lower) & (lp.row_lower <= 0)
    makes = rows.makes & np.isfinite(lp.row_upper) & (lp.row_upper >= 0)
    nonneg = rows.nonneg
    # each row's bound over its coefficient, where the row only consumes or only makes
    limit = np.where(consumes & nonneg, -lp.row_lower,
                     np.where(makes & nonneg, lp.row_upper, np.inf))
    upper = np.full(n, np.inf)
    for cols, entries, counts in _column_blocks(A.indptr):
        data = A.data[entries]
        room = limit[A.indices[entries]]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(room, np.abs(data), out=room)
        room[data == 0] = np.inf
        full = counts > 0
        starts = (A.indptr[cols][full] - entries.start)
        block = upper[cols]
        block[full] = np.minimum.reduceat(room, starts)
        upper[cols] = block
    return upper


def _absolute_products(A: sp.csc_matrix, x: np.ndarray, y: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``|A| |x|``, ``|A|^T |y|`` and each column's largest ``|a_ij|``, a block of
    columns at a time (`_column_blocks`): ``|A|`` is never made whole."""
    m, n = A.shape
    abs_x, abs_y = np.abs(x), np.abs(y)
    abs_ax, abs_ya, col_norm = np.zeros(m), np.zeros(n), np.zeros(n)
    for cols, entries, counts in _column_blocks(A.indptr):
        data = np.abs(A.data[entries])
        indptr = A.indptr[cols.start:cols.stop + 1] - entries.start
        block = sp.csc_matrix((data, A.indices[entries], indptr),
                              shape=(m, cols.stop - cols.start), copy=False)
        abs_ax += block @ abs_x[cols]
        abs_ya[cols] = block.T @ abs_y
        full = counts > 0
        if full.any():
            norms = col_norm[cols]
            norms[full] = np.maximum.reduceat(data, indptr[:-1][full])
            col_norm[cols] = norms
    return abs_ax, abs_ya, col_norm


def certify(lp: LinearProgram, x: np.ndarray, row_dual: np.ndarray,
            tolerance: float = TOLERANCE) -> Certificate:
    """Check ``x`` and the row duals (improvement per unit increase of each row's active
    bound) against the optimality conditions of ``lp``, the plan as written; see the
    module docstring."""
    A = lp.matrix.tocsc()
    s = lp.improves
    x = np.asarray(x, dtype=float)
    c = s * lp.objective
    y = np.asarray(row_dual, dtype=float)
    z = c - A.T @ y
    ax = A @ x
    abs_ax, abs_ya, col_norm = _absolute_products(A, x, y)
    level = _level_scale(lp, col_norm)
    del col_norm
    # each array of one number a row or a column is let go when its last use is past
    # (at 2.4·10^7 columns each is 0.2 GB), and each condition's worst entry is found
    # as soon as its residuals are known: the same numbers, fewer of them at once

    # primal: rows against |b| + sum |a x| (at least the row at typical levels)
    with np.errstate(invalid="ignore"):
        under, over = lp.row_lower - ax, ax - lp.row_upper
        row_viol = np.maximum(np.maximum(under, over), 0.0)
        near = np.where(under > 0, lp.row_lower, np.where(over > 0, lp.row_upper, 0.0))
    del under, over
    price_scale = np.abs(c) + abs_ya
    price_scale = np.maximum(price_scale, 1e-9 * np.max(np.abs(c), initial=0.0))
    rows = _RowScales.of(lp, A, level, price_scale)
    row_scale = np.maximum(np.abs(near) + abs_ax, rows.floor)
    del near, abs_ax
    row_p = _ratio(row_viol, row_scale)
    primal = _worst("primal", row_p, lp.rows, "is outside its bounds by", row_viol)
    primal_peaks = [_peak(row_p)]
    del row_p, row_viol
    with np.errstate(invalid="ignore"):
        col_under, col_over = lp.col_lower - x, x - lp.col_upper
        col_viol = np.maximum(np.maximum(col_under, col_over), 0.0)
        col_near = np.where(col_under > 0, lp.col_lower,
                            np.where(col_over > 0, lp.col_upper, 0.0))
    del col_under, col_over
    col_scale = np.maximum(np.abs(col_near), level)
    del col_near
    col_p = _ratio(col_viol, col_scale)
    del col_scale
    bounds = _worst("bounds", col_p, lp.cols, "level is outside its bounds by", col_viol)
    primal_peaks.append(_peak(col_p))
    del col_p, col_viol

    # dual: signs that point at infinite bounds, against the price scales
    row_bound, row_bad = _side(y, lp.row_lower, lp.row_upper)
    col_bound, col_bad = _side(z, lp.col_lower, lp.col_upper)
    row_d, col_d = _ratio(row_bad, rows.price), _ratio(col_bad, price_scale)

    # complementary slackness and the gap, against the objective's scale
    primal_obj = float(c @ x)
    dual_obj = float(y @ row_bound + z @ col_bound)
    obj_scale = max(float(np.abs(c) @ np.abs(x)) + abs(primal_obj),
                    float(np.abs(y) @ np.abs(row_bound) + np.abs(z) @ np.abs(col_bound))
                    + abs(dual_obj), float(np.abs(c) @ level), _TINY)
    # a reduced cost asking for more of a level that has no limit of its own is weighed
    # by how far the plan's rows let that level go, against the objective: prices that
    # sit under the solver's tolerance (1e-8 per unit of a level that could reach 1e10)
    # must not let a plan that makes nothing pass for optimal
    # prices carry the rounding of the whole objective: a process of no cost of its own
    # among unpriced goods gets a reduced cost of rounding noise (1e-12 of the objective in
    # Netlib's etamacro and ganges). A wrong sign made of prices alone (none of it the
    # column's own cost) passes when its worth at the column's typical level is within
    # the tolerance of the objective; one with a part of the column's own cost is judged
    # against the column's price scale, at any magnitude
    own = _ratio(np.maximum(col_bad - abs_ya, 0.0), price_scale)
    del abs_ya, price_scale
    worth = _ratio(col_bad * level, obj_scale)
    del level
    col_d = np.minimum(col_d, np.maximum(worth, own))
    del worth, own
    # the same for a row whose columns have no cost of their own (a stock's row over its
    # holdings and investment): a wrong sign there is made of prices alone, and passes
    # when its worth at the row's typical activity is within the tolerance of the
    # objective (a stock's price of 3e-11 where every price around it is 0)
    bad = np.flatnonzero(row_d > tolerance)     # rare: one pass over their rows
    if bad.size:
        priced = abs(A[bad, :]) @ (c != 0).astype(float) > 0
        free = bad[~priced]
        row_d[free] = np.minimum(row_d[free], row_bad[free] * row_scale[free] / obj_scale)
    del row_scale
    upper = _implied_upper(lp, A, rows)
    del rows
    with np.errstate(invalid="ignore"):
        stake = np.where((z > 0) & np.isinf(lp.col_upper) & np.isfinite(upper),
                         z * upper, 0.0)
    del upper
    col_d = np.maximum(col_d, stake / obj_scale)
    del stake
    dual = [_worst("dual", row_d, lp.rows, "has a price of the wrong sign:", y),
            _worst("dual", col_d, lp.cols, "has a reduced cost of the wrong sign:", z)]
    dual_peaks = [_peak(row_d), _peak(col_d)]
    del row_d, col_d
    with np.errstate(invalid="ignore"):
        row_gap = np.abs(y) * np.abs(np.where(row_bad > 0, 0.0, ax - row_bound))
    del ax, row_bound, row_bad
    with np.errstate(invalid="ignore"):
        col_gap = np.abs(z) * np.abs(np.where(col_bad > 0, 0.0, x - col_bound))
    del col_bound, col_bad
    row_cs, col_cs = row_gap / obj_scale, col_gap / obj_scale
    gap = abs(dual_obj - primal_obj) / obj_scale

    candidates = [
        primal, bounds, *dual,
        _worst("slackness", row_cs, lp.rows, "has a price on a slack row; price x slack =",
               row_gap),
        _worst("slackness", col_cs, lp.cols,
               "has a reduced cost off its bound; reduced cost x distance =", col_gap),
    ]
    slack_peaks = [_peak(row_cs), _peak(col_cs)]
    worst = [f for f in candidates if f is not None]
    worst.append(Failure("gap", "", "", gap, f"gap: the objective {s * primal_obj:.9g} and "
                         f"the dual bound {s * dual_obj:.9g} differ by "
                         f"{abs(dual_obj - primal_obj):.3g} ({gap:.1e} of its scale)"))
    worst.sort(key=lambda f: -f.residual if f.residual == f.residual else -np.inf)
    const = lp.constant
    return Certificate(_resolved(_most(primal_peaks)), _resolved(_most(dual_peaks)),
                       _resolved(_most(slack_peaks)), _resolved(gap),
                       s * primal_obj + const, s * dual_obj + const, tolerance, tuple(worst))


def _peak(array: np.ndarray) -> float:
    """The largest residual of one condition's array (0 when empty; NaN when any is)."""
    return float(np.max(array, initial=0.0))


def _most(peaks: list[float]) -> float:
    """The largest of the conditions' peaks, as NumPy takes it (NaN when one is NaN)."""
    return float(np.max(peaks))


def _resolved(residual: float) -> float:
    """A relative residual as the certificate reports it, everywhere (terminal, sentences,
    report, JSON): 0 below the unit roundoff of double arithmetic, which cannot tell it
    from 0 (the objective and its dual bound of a plan solved exactly differ by about
    1e-16 of their scale from the order of summation alone)."""
    return 0.0 if residual <= _EPS else residual
