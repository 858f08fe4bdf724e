"""A compiled program handed to highspy as plain arrays: the benchmarks' raw-HiGHS peer.

Shared by `peers.py` and `generation.py`, so that "raw HiGHS" is one thing in every
table: the same matrix, bounds (infinities as HiGHS's own) and sense, no scaling of ours.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def highs_model(lp: Any) -> Any:
    """The `highspy.HighsLp` of a `kantorovich.lp.program.LinearProgram`."""
    import highspy

    inf = highspy.kHighsInf
    A = lp.matrix.tocsc()
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = A.shape[1], A.shape[0]
    model.col_cost_ = np.asarray(lp.objective, float)
    model.col_lower_ = np.clip(lp.col_lower, -inf, inf)
    model.col_upper_ = np.clip(lp.col_upper, -inf, inf)
    model.row_lower_ = np.clip(lp.row_lower, -inf, inf)
    model.row_upper_ = np.clip(lp.row_upper, -inf, inf)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr
    model.a_matrix_.index_ = A.indices
    model.a_matrix_.value_ = A.data
    model.sense_ = (highspy.ObjSense.kMaximize if lp.sense == "maximize"
                    else highspy.ObjSense.kMinimize)
    model.offset_ = float(getattr(lp, "constant", 0.0))
    return model
