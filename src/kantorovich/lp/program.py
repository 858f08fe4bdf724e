"""The compiled linear program: sparse arrays plus tables saying what each row and column is.

``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``; optimise ``c x + constant``
in ``sense``. ``rows`` and ``cols`` carry ``kind`` and ``id`` so every solver number maps
back onto the plan by position, never by parsing a name. ``good_weights``, set by
`compile_plan` for a ``maximize`` objective, is the weight of each good row (in their
order): the structure method reads the objective per good, which the columns' costs
only hold summed over each process's flows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["LinearProgram", "repeated", "repeated_category"]


def repeated(text: str, n: int) -> np.ndarray:
    """``n`` references to the one string ``text``, as an object array.

    ``np.full(n, text, dtype=object)`` makes a new Python string for every element
    (about 55 bytes each: 1.3 GB for the 2.4·10^7 column kinds of a 12-million-product
    plan); this array holds one string and ``n`` pointers to it.
    """
    labels = np.empty(n, dtype=object)
    labels.fill(text)
    return labels


def repeated_category(text: str, n: int) -> pd.Categorical[str]:
    """``n`` rows of the one category ``text``: a byte a row.

    The same column as ``pd.Categorical([text] * n, categories=[text])`` (and, for
    ``n > 0``, as ``pd.Categorical([text] * n)``), without the list of ``n`` pointers
    and its factorisation (0.12 GB at 2·10^6 rows, freed only after).
    """
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([text]))


@dataclass(frozen=True, eq=False)
class LinearProgram:
    sense: str                 # "maximize" or "minimize"
    objective: np.ndarray      # c, one per column
    matrix: sp.csc_matrix      # rows x cols
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    rows: pd.DataFrame         # kind, id (plan id of the good or policy)
    cols: pd.DataFrame         # kind, id (plan id of the process)
    constant: float = 0.0
    good_weights: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def improves(self) -> float:
        """+1 when the objective is maximised, -1 when minimised: turns 'd objective' into
        'improvement', the convention every price in this package uses."""
        return 1.0 if self.sense == "maximize" else -1.0

    def with_row_bounds(self, index: np.ndarray | int, lower: float | np.ndarray,
                        upper: float | np.ndarray) -> LinearProgram:
        lo, up = self.row_lower.copy(), self.row_upper.copy()
        lo[index], up[index] = lower, upper
        return replace(self, row_lower=lo, row_upper=up)

    def row_positions(self, kind: str) -> np.ndarray:
        return np.flatnonzero((self.rows["kind"] == kind).to_numpy())

    def col_positions(self, kind: str) -> np.ndarray:
        return np.flatnonzero((self.cols["kind"] == kind).to_numpy())

    def __repr__(self) -> str:
        m, n = self.shape
        return f"<LinearProgram {self.sense}: {m} rows, {n} columns, {self.matrix.nnz} nonzeros>"
