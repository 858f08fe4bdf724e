"""Exact power-of-two scaling, so that every number the user wrote reaches the solver.

HiGHS drops matrix coefficients below 1e-9 (``small_matrix_value``), refuses those above
1e15 (``large_matrix_value``), reads bounds of 1e20 or more as infinite
(``infinite_bound``) and judges reduced costs against an absolute tolerance of 1e-7, so
a plan written in awkward units can be solved as a different plan. We therefore hand the
solver ``A' = R A S``, ``c' = S c``, row bounds ``R b`` and column bounds ``S^-1 u``, with
``R = diag(r)`` and ``S = diag(s)`` powers of two: multiplying by them is exact, so
`Scaling.unscale` returns the plan's own numbers bit for bit.

The rule (the README quotes it): a program whose coefficients all lie in [1e-7, 1e13],
whose finite nonzero bounds lie in [1e-6, 1e15) and whose nonzero objective weights lie
in [1e-6, 1e13] is passed unchanged. Any other is scaled by a few passes of
geometric-mean equilibration of ``|A|``; each pass also lowers rows whose bound exceeds
1e15 and raises rows whose bounds are all below 1e-3 (a supply of 1e-12 t would sink
under the solver's absolute tolerance of 1e-7), shrinks columns whose bound exceeds 1e15
and widens columns whose bounds are all below 1e-3 (a capacity of 5e-12), where the
entries let such a bound reach 1e-3 (a bound of 1e-100 is 0 to the solver), and lifts
columns with tiny or lowers columns with huge weights, as far as the column's
coefficients allow. If some coefficient still falls
outside [3.7e-9, 2.8e14], a bound above 1.2e18 or a weight above 1.2e18, the plan spans
more orders of magnitude in one row or column than the solver can hold: `ScalingError`
(exit code 2) names the good, process or policy and the value. NaN and infinite
coefficients are refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from kantorovich.errors import KantorovichError
from kantorovich.lp.program import LinearProgram

__all__ = ["Scaling", "ScalingError", "scale_program"]

# log2 windows: where we aim (SAFE) and what we accept after scaling (HARD)
_ENTRY_SAFE = (-23, 43)        # 1.2e-7 .. 8.8e12
_ENTRY_HARD = (-28, 48)        # 3.7e-9 .. 2.8e14 (HiGHS: 1e-9 .. 1e15)
_BOUND_SAFE = 49               # 5.6e14
_BOUND_LOW = -10               # 9.8e-4: tinier nonzero bounds sink under the tolerances
_BOUND_HARD = 60               # 1.2e18 (HiGHS: 1e20 is infinite)
_COST_SAFE = (-20, 43)         # 9.5e-7 .. 8.8e12
_COST_HARD = 60
_PASSES = 4

# the fast path's decimal window (the README's rule)
_FAST_ENTRY = (1e-7, 1e13)
_FAST_BOUND = 1e15
_FAST_TINY_BOUND = 1e-6
_FAST_COST = (1e-6, 1e13)


class ScalingError(KantorovichError):
    """A number that no exact rescaling can bring within the solver's range."""

    code = "unrepresentable-number"
    exit_code = 2


def _row_name(lp: LinearProgram, i: int) -> str:
    kind, ident = lp.rows["kind"].iat[i], lp.rows["id"].iat[i]
    if kind == "assortment":
        return f"the assortment row of good '{ident}'"
    return f"{kind} '{ident}'"


def _col_name(lp: LinearProgram, j: int) -> str:
    kind, ident = lp.cols["kind"].iat[j], lp.cols["id"].iat[j]
    return "the number of sets" if kind == "sets" else f"{kind} '{ident}'"


def _where(lp: LinearProgram, i: int) -> str:
    kind = str(lp.rows["kind"].iat[i])
    return {"good": "balance", "policy": "rule"}.get(kind, "row")


@dataclass(frozen=True)
class Scaling:
    """Row factors ``r`` and column factors ``s``, all powers of two.

    Scaled row i is ``r_i`` times row i; the scaled level is ``x'_j = x_j / s_j``.
    """

    row: np.ndarray
    col: np.ndarray

    @classmethod
    def identity(cls, m: int, n: int) -> Scaling:
        return cls(np.ones(m), np.ones(n))

    @property
    def is_identity(self) -> bool:
        return bool(np.all(self.row == 1.0) and np.all(self.col == 1.0))

    def program(self, lp: LinearProgram) -> LinearProgram:
        """``lp`` as the solver should see it: ``R A S``, ``S c``, ``R b``, ``S^-1 u``."""
        if self.is_identity:
            return lp
        A = lp.matrix.tocsc()
        col_of = np.repeat(np.arange(A.shape[1]), np.diff(A.indptr))
        data = A.data * self.row[A.indices] * self.col[col_of]
        matrix = sp.csc_matrix((data, A.indices.copy(), A.indptr.copy()), shape=A.shape)
        return replace(lp, matrix=matrix, objective=lp.objective * self.col,
                       row_lower=lp.row_lower * self.row, row_upper=lp.row_upper * self.row,
                       col_lower=lp.col_lower / self.col, col_upper=lp.col_upper / self.col)

    def to_scaled_row_bounds(self, index: int | np.ndarray, lower: float | np.ndarray,
                             upper: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the plan's rows ``index`` in the solver's units."""
        r = self.row[index]
        return np.asarray(lower, dtype=float) * r, np.asarray(upper, dtype=float) * r

    def to_scaled_col_bounds(self, index: int | np.ndarray, lower: float | np.ndarray,
                             upper: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the plan's columns ``index`` in the solver's units."""
        s = self.col[index]
        return np.asarray(lower, dtype=float) / s, np.asarray(upper, dtype=float) / s

    def holds(self, base: LinearProgram, changed: LinearProgram) -> bool:
        """Whether ``changed``, which differs from ``base`` (the program these factors
        were found for) only in bounds, costs and coefficients, still reaches the solver
        faithfully under these factors: every changed number, scaled, within the window
        a program is passed unchanged in (the README's rule, `_FAST_BOUND`, `_FAST_COST`,
        `_FAST_ENTRY`). A what-if outside it needs scaling of its own."""
        m, n = len(base.row_lower), len(base.col_lower)
        pairs = ((changed.row_lower, base.row_lower, self.row[:m], _FAST_TINY_BOUND,
                  _FAST_BOUND),
                 (changed.row_upper, base.row_upper, self.row[:m], _FAST_TINY_BOUND,
                  _FAST_BOUND),
                 (changed.col_lower, base.col_lower, 1.0 / self.col[:n], _FAST_TINY_BOUND,
                  _FAST_BOUND),
                 (changed.col_upper, base.col_upper, 1.0 / self.col[:n], _FAST_TINY_BOUND,
                  _FAST_BOUND),
                 (changed.objective, base.objective, self.col[:n], *_FAST_COST))
        for new, old, factor, low, high in pairs:
            moved = (new != old) & np.isfinite(new) & (new != 0)
            if not moved.any():
                continue
            size = np.abs(new[moved] * factor[moved])
            if size.min() < low or size.max() > high:
                return False
        if changed.matrix is not base.matrix:      # a rule's coefficients given anew
            entries = sp.coo_matrix(sp.csr_matrix(changed.matrix) - base.matrix)
            entries.eliminate_zeros()
            if entries.nnz:
                now = np.asarray(sp.csr_matrix(changed.matrix)[entries.row, entries.col],
                                 dtype=float).ravel()
                scaled = np.abs(now * self.row[entries.row] * self.col[entries.col])
                scaled = scaled[now != 0]
                if scaled.size and (not np.isfinite(scaled).all()
                                    or scaled.min() < _FAST_ENTRY[0]
                                    or scaled.max() > _FAST_ENTRY[1]):
                    return False
        return True

    def unscale(self, x_scaled: np.ndarray, row_activity_scaled: np.ndarray,
                row_dual_scaled: np.ndarray, col_dual_scaled: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """The solver's vectors in the plan's units.

        Rows added after scaling (beyond ``len(row)``) pass through unchanged, so their
        callers must undo `scale_new_row`'s factor themselves. Row duals become
        ``d objective / d b_i = r_i y'_i``; column duals ``z_j = z'_j / s_j``.
        """
        m, n = len(self.row), len(self.col)
        x = np.asarray(x_scaled, dtype=float).copy()
        act = np.asarray(row_activity_scaled, dtype=float).copy()
        dual = np.asarray(row_dual_scaled, dtype=float).copy()
        x[:n] *= self.col
        act[:m] /= self.row[:len(act)]
        dual[:m] *= self.row[:len(dual)]
        z = None
        if col_dual_scaled is not None:
            z = np.asarray(col_dual_scaled, dtype=float).copy()
            z[:n] /= self.col
        return x, act, dual, z

    def scale_new_row(self, cols: np.ndarray, values: np.ndarray, lower: float,
                      upper: float, *, name: str = "an added row"
                      ) -> tuple[np.ndarray, float, float, float]:
        """A row to add to a live session, in the solver's units, and its own factor.

        Returns ``(values', lower', upper', r_new)``: the row's solver dual times
        ``r_new`` is its price in the plan's units; its activity divided by ``r_new``.
        """
        values = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(values)):
            raise ScalingError(f"{name}: coefficient {values[~np.isfinite(values)][0]} is "
                               "not a number the solver can take")
        v = values * self.col[np.asarray(cols, dtype=np.intp)]
        nz = np.abs(v[v != 0])
        exp = 0
        if len(nz):
            top, bottom = np.log2(nz.max()), np.log2(nz.min())
            exp = -int(np.rint((top + bottom) / 2))
            big = max((abs(b) for b in (lower, upper) if np.isfinite(b) and b != 0),
                      default=0.0)
            if big:
                exp = min(exp, int(np.floor(_BOUND_SAFE - np.log2(big))))
            exp = int(np.clip(exp, _ENTRY_SAFE[0] - bottom, _ENTRY_SAFE[1] - top)) if (
                top - bottom <= _ENTRY_SAFE[1] - _ENTRY_SAFE[0]) else exp
            lo, hi = np.log2(nz.min()) + exp, np.log2(nz.max()) + exp
            if lo < _ENTRY_HARD[0] or hi > _ENTRY_HARD[1]:
                raise ScalingError(
                    f"{name}: coefficients from {values[values != 0].min():g} to "
                    f"{values[values != 0].max():g} cannot be represented in one row",
                    hint="rescale the units of the goods or processes it reads")
        r = float(np.ldexp(1.0, exp))
        return v * r, float(lower) * r, float(upper) * r, r


def _reduce(values: np.ndarray, indptr: np.ndarray, op: np.ufunc, empty: float) -> np.ndarray:
    """``op`` over each segment of a compressed array; ``empty`` for empty segments."""
    out = np.full(len(indptr) - 1, empty)
    full = np.diff(indptr) > 0
    if values.size:
        out[full] = op.reduceat(values, indptr[:-1][full])
    return out


def _log_magnitude(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """log2 of the larger finite nonzero bound of each row or column; -inf if none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(np.isfinite(lower), np.abs(lower), 0.0)
        up = np.where(np.isfinite(upper), np.abs(upper), 0.0)
        return np.log2(np.maximum(lo, up))


def _fits_as_is(lp: LinearProgram) -> bool:
    a = np.abs(lp.matrix.data)
    c = np.abs(lp.objective)
    c = c[c != 0]
    with np.errstate(invalid="ignore"):
        sizes = [np.abs(b[np.isfinite(b) & (b != 0)])
                 for b in (lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper)]
        bounds_ok = all(np.all((b < _FAST_BOUND) & (b >= _FAST_TINY_BOUND)) for b in sizes)
    return bool(bounds_ok
                and (a.size == 0 or (a.min() >= _FAST_ENTRY[0] and a.max() <= _FAST_ENTRY[1]))
                and (c.size == 0 or (c.min() >= _FAST_COST[0] and c.max() <= _FAST_COST[1])))


def _refuse_non_finite(lp: LinearProgram, A: sp.csc_matrix) -> None:
    bad = np.flatnonzero(~np.isfinite(A.data))
    if bad.size:
        k = bad[0]
        j = int(np.searchsorted(A.indptr, k, side="right") - 1)
        i = int(A.indices[k])
        raise ScalingError(f"{_row_name(lp, i)}: coefficient {A.data[k]} of "
                           f"{_col_name(lp, j)} is not a number the solver can take")
    bad = np.flatnonzero(~np.isfinite(lp.objective))
    if bad.size:
        j = int(bad[0])
        raise ScalingError(f"{_col_name(lp, j)}: objective weight {lp.objective[j]} is not "
                           "a number the solver can take")
    for which, values, name in ((lp.row_lower, lp.row_upper, _row_name),
                                (lp.col_lower, lp.col_upper, _col_name)):
        for bound in (which, values):
            nan = np.flatnonzero(np.isnan(bound))
            if nan.size:
                raise ScalingError(f"{name(lp, int(nan[0]))}: a bound is not a number")


def _centre(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """The power of two that centres each segment's log range on 1; 0 for empty ones."""
    has = np.isfinite(top)
    return np.where(has, -np.rint((np.where(has, top, 0.0) + np.where(has, bottom, 0.0)) / 2),
                    0.0)


def _entry_window(top: np.ndarray, bottom: np.ndarray, window: tuple[int, int]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Exponents that keep every entry of a row (or column) inside ``window``; no limit
    where the entries span more than the window (the final check reports those)."""
    fits = np.isfinite(top) & (top - bottom <= window[1] - window[0])
    return (np.where(fits, np.ceil(window[0] - bottom), -np.inf),
            np.where(fits, np.floor(window[1] - top), np.inf))


def _settle(exponent: np.ndarray,
            limits: list[tuple[np.ndarray | float, np.ndarray | float]]) -> np.ndarray:
    """Clip into each (low, high) in turn, so later limits override earlier ones; limits
    that are NaN or infinite (no bound, no weight) do not bind."""
    out = exponent
    for low, high in limits:
        out = np.minimum(np.where(np.isfinite(high), high, np.inf), out)
        out = np.maximum(np.where(np.isfinite(low), low, -np.inf), out)
    return np.where(np.isfinite(out), out, 0.0).astype(np.float32)


def scale_program(lp: LinearProgram) -> tuple[LinearProgram, Scaling]:
    """The program the solver should get, and the factors that map its answers back.

    Identity factors (and ``lp`` itself) when the program already fits; see the module
    docstring for the rule and for when `ScalingError` is raised.
    """
    A = lp.matrix.tocsc()
    m, n = A.shape
    _refuse_non_finite(lp, A)
    if _fits_as_is(lp):
        return lp, Scaling.identity(m, n)

    row_of = A.indices
    col_of = np.repeat(np.arange(n), np.diff(A.indptr))
    # CSR order of the CSC entries, for per-row reductions (one C-level conversion)
    order = sp.csc_matrix((np.arange(A.nnz, dtype=np.int64), A.indices, A.indptr),
                          shape=A.shape).tocsr()
    perm, row_ptr = order.data, order.indptr
    with np.errstate(divide="ignore"):
        # float32 logs: exponents are whole numbers, and half the memory traffic
        la = np.log2(np.abs(A.data)).astype(np.float32)
        lc = np.log2(np.abs(lp.objective))
    lb_row = _log_magnitude(lp.row_lower, lp.row_upper)
    lb_col = _log_magnitude(lp.col_lower, lp.col_upper)
    la_csr, col_csr = la[perm], col_of[perm]
    rho = np.zeros(m, dtype=np.float32)
    sigma = np.zeros(n, dtype=np.float32)

    for step in range(_PASSES):
        # rows: centre the entries; then, each overriding the last, the safe bound, the
        # safe entry window, the hard bound and the hard entry window
        e = la_csr + sigma[col_csr]
        top = _reduce(e, row_ptr, np.maximum, -np.inf)
        bottom = _reduce(e, row_ptr, np.minimum, np.inf)
        # a tiny bound is lifted only where the entries let it reach the solver's
        # tolerances; one that cannot (a rule's 1e-100) is 0 to the solver however far
        # it is lifted, and lifting it part way only makes the row's entries huge
        lift = _BOUND_LOW - lb_row
        rho = _settle(_centre(top, bottom), [
            (np.where(lift <= _ENTRY_SAFE[1] - top, np.ceil(lift), -np.inf),
             np.floor(_BOUND_SAFE - lb_row)),
            _entry_window(top, bottom, _ENTRY_SAFE),
            (-np.inf, np.floor(_BOUND_HARD - 1 - lb_row)),
            _entry_window(top, bottom, _ENTRY_HARD)])
        # columns: likewise, with the weight window first
        e = la + rho[row_of]
        top = _reduce(e, A.indptr, np.maximum, -np.inf)
        bottom = _reduce(e, A.indptr, np.minimum, np.inf)
        new = _settle(_centre(top, bottom), [
            (np.ceil(_COST_SAFE[0] - lc), np.floor(_COST_SAFE[1] - lc)),
            (np.ceil(lb_col - _BOUND_SAFE),
             np.where(lb_col - _BOUND_LOW >= _ENTRY_SAFE[0] - bottom,
                      np.floor(lb_col - _BOUND_LOW), np.inf)),
            _entry_window(top, bottom, _ENTRY_SAFE),
            (np.ceil(lb_col - _BOUND_HARD + 1), np.floor(_COST_HARD - 1 - lc)),
            _entry_window(top, bottom, _ENTRY_HARD)])
        settled = step > 0 and np.array_equal(new, sigma)
        sigma = new
        if settled:
            break

    scaling = Scaling(np.ldexp(1.0, rho.astype(np.int64)), np.ldexp(1.0, sigma.astype(np.int64)))
    scaled = scaling.program(lp)
    _check(lp, A, scaled, la, rho, sigma, row_of, col_of, perm, row_ptr)
    return scaled, scaling


def _check(lp: LinearProgram, A: sp.csc_matrix, scaled: LinearProgram, la: np.ndarray,
           rho: np.ndarray, sigma: np.ndarray, row_of: np.ndarray, col_of: np.ndarray,
           perm: np.ndarray, row_ptr: np.ndarray) -> None:
    """Refuse, in the plan's words, whatever scaling could not bring within range."""
    e = la + rho[row_of] + sigma[col_of]
    out = np.flatnonzero((e < _ENTRY_HARD[0]) | (e > _ENTRY_HARD[1]))
    if out.size:
        k = int(out[np.argmax(np.abs(e[out] - sum(_ENTRY_HARD) / 2))])
        i, j = int(row_of[k]), int(col_of[k])
        value = A.data[k]
        # the other extreme of the same row, else of the same column
        row_entries = perm[row_ptr[i]:row_ptr[i + 1]]
        far = row_entries[np.argmax(np.abs(la[row_entries] - la[k]))]
        col_entries = np.arange(A.indptr[j], A.indptr[j + 1])
        far_col = col_entries[np.argmax(np.abs(la[col_entries] - la[k]))]
        hint = "rescale its units"
        if abs(la[far] - la[k]) >= abs(la[far_col] - la[k]):
            raise ScalingError(
                f"{_row_name(lp, i)}: coefficient {value:g} of {_col_name(lp, j)} cannot "
                f"be represented beside {A.data[far]:g} of "
                f"{_col_name(lp, int(col_of[far]))} in the same {_where(lp, i)}", hint=hint)
        raise ScalingError(
            f"{_col_name(lp, j)}: coefficient {value:g} in {_row_name(lp, i)} cannot be "
            f"represented beside {A.data[far_col]:g} in {_row_name(lp, int(row_of[far_col]))}",
            hint=hint)
    limit = np.ldexp(1.0, _BOUND_HARD)
    for lower, upper, original, name, what in (
            (scaled.row_lower, scaled.row_upper, (lp.row_lower, lp.row_upper), _row_name,
             "bound"),
            (scaled.col_lower, scaled.col_upper, (lp.col_lower, lp.col_upper), _col_name,
             "bound")):
        for b, orig in zip((lower, upper), original):
            bad = np.flatnonzero(np.isfinite(b) & (np.abs(b) > limit))
            if bad.size:
                k = int(bad[0])
                raise ScalingError(
                    f"{name(lp, k)}: {what} {orig[k]:g} is too large to be told apart from "
                    "infinity beside the plan's other numbers",
                    hint="rescale its units, or leave the bound out if it is unlimited")
    bad = np.flatnonzero(np.abs(scaled.objective) > np.ldexp(1.0, _COST_HARD))
    if bad.size:
        j = int(bad[0])
        raise ScalingError(f"{_col_name(lp, j)}: objective weight {lp.objective[j]:g} is too "
                           "large beside its coefficients", hint="rescale its units")
