"""A certificate of optimality computed by our code from the solver's primal and dual
vectors, so a wrong sign, a loose tolerance or a solver bug cannot pass unnoticed.

Everything is put in maximisation form (``c' = improves * c``, ``y' = improves * y``),
where ``y'[i]`` is the improvement per unit increase of row i's active bound. Then
``z' = c' - A^T y'`` and: dual feasibility asks ``y' > 0`` only on rows with a finite
upper bound, ``y' < 0`` only with a finite lower bound (likewise ``z'`` on columns);
complementary slackness asks each nonzero dual to sit on a tight bound; strong duality
asks ``c'x`` to equal the dual bound ``sum y' b + sum z' x_bound``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from kantorovich.lp.program import LinearProgram

__all__ = ["Certificate", "certify"]

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Certificate:
    """Residuals of the optimality conditions, each scaled to be unit-free."""

    primal_infeasibility: float
    dual_infeasibility: float
    complementary_slackness: float
    duality_gap: float
    primal_objective: float
    dual_objective: float
    tolerance: float = TOLERANCE

    @property
    def verified(self) -> bool:
        return bool(max(self.primal_infeasibility, self.dual_infeasibility,
                        self.complementary_slackness, self.duality_gap) <= self.tolerance)

    def to_dict(self) -> dict[str, float | bool]:
        return {**asdict(self), "verified": self.verified}

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


def certify(lp: LinearProgram, x: np.ndarray, row_marginal: np.ndarray,
            tolerance: float = TOLERANCE) -> Certificate:
    """Check ``x`` and the row duals against the optimality conditions of ``lp``."""
    A = lp.matrix
    s = lp.improves
    c = s * lp.objective
    y = s * np.asarray(row_marginal, dtype=float)
    z = c - A.T @ y
    ax = A @ x

    with np.errstate(invalid="ignore"):
        row_viol = np.maximum(np.maximum(lp.row_lower - ax, ax - lp.row_upper), 0.0)
        col_viol = np.maximum(np.maximum(lp.col_lower - x, x - lp.col_upper), 0.0)
        row_scale = 1.0 + np.abs(np.where(np.isfinite(lp.row_lower), lp.row_lower,
                                          np.where(np.isfinite(lp.row_upper),
                                                   lp.row_upper, 0.0)))
        col_scale = 1.0 + np.abs(np.where(np.isfinite(lp.col_lower), lp.col_lower, 0.0))
    primal = float(max(np.max(row_viol / row_scale, initial=0.0),
                       np.max(col_viol / col_scale, initial=0.0)))

    row_bound, row_bad = _side(y, lp.row_lower, lp.row_upper)
    col_bound, col_bad = _side(z, lp.col_lower, lp.col_upper)
    dual_scale = 1.0 + np.max(np.abs(c), initial=0.0)
    dual = float(max(np.max(row_bad, initial=0.0), np.max(col_bad, initial=0.0)) / dual_scale)

    primal_obj = float(c @ x)
    dual_obj = float(y @ row_bound + z @ col_bound)
    obj_scale = 1.0 + abs(primal_obj)
    row_gap = np.abs(y) * np.abs(np.where(row_bad > 0, 0.0, ax - row_bound))
    col_gap = np.abs(z) * np.abs(np.where(col_bad > 0, 0.0, x - col_bound))
    slack = float(max(np.max(row_gap, initial=0.0), np.max(col_gap, initial=0.0)) / obj_scale)
    gap = abs(dual_obj - primal_obj) / obj_scale
    const = lp.constant
    return Certificate(primal, dual, slack, gap, s * primal_obj + const, s * dual_obj + const,
                       tolerance)
