"""The program read as techniques: the one reader, and the kernels every method shares.

The structure method (`lp.structure`), the merit order (`lp.merit`) and technique
generation (`lp.generation`) all see a compiled plan the same way: goods some process
makes, and per such good its **techniques**, the process columns that make exactly that
one good (a column that makes two is joint production, listed apart). Here, once:

* `read_technology`: the techniques, their outputs and inputs per unit of level, read off
  the matrix by masks over its entries (slicing a matrix of 10^8 entries copies it);
* `Technology.cheapest`: per good, the technique of least unit cost at given values,
  ``(resource cost + sum_i a_ij v_i) / b_j``, vectorised over every technique;
* `Technology.matrix`: the chosen techniques' input matrix ``A_T`` per unit of output;
* `Technology.start`: first values and techniques by a few steps of value iteration;
* `Technology.values` and `Technology.quantities`: ``v = c_T + v A_T`` and
  ``q = y + A_T q``, by the one Leontief solver (`lp.leontief`).

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from kantorovich.lp.program import LinearProgram
>>> A = sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [0.0, -0.5, 1.0], [-2.0, -1.0, -1.0]]))
>>> lp = LinearProgram("minimize", np.array([2.0, 1.0, 1.0]), A,
...     np.array([10.0, 0.0, -np.inf]), np.full(3, np.inf), np.zeros(3), np.full(3, np.inf),
...     pd.DataFrame({"kind": ["good"] * 3, "id": ["corn", "iron", "labour"]}),
...     pd.DataFrame({"kind": ["process"] * 3, "id": ["hand", "plough", "iron"]}))
>>> tech = read_technology(lp)
>>> tech.cols.tolist(), tech.out.tolist()
([0, 1, 2], [0, 0, 1])
>>> labour = tech.uses(np.array([2]))[0]
>>> chosen, v = tech.start(labour)
>>> chosen.tolist(), tech.values(chosen, labour).tolist()
([1, 2], [1.5, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from kantorovich.lp.leontief import TOLERANCE, LeontiefSystem
from kantorovich.lp.program import LinearProgram

__all__ = ["SWITCH", "Technology", "read_technology"]

SWITCH = 1e-12
"""A technique replaces the one chosen only when it is cheaper by this share of the unit
cost: a tie, or a difference within the values' rounding, changes nothing (so the rounds
cannot cycle on noise)."""

START_STEPS = 3
"""Value-iteration steps from zero that choose the first techniques."""


@dataclass
class Technology:
    """The program read as techniques; see the module docstring.

    Attributes
    ----------
    goods : ndarray
        The good rows read.
    lower, free, made, used : ndarray
        Per good row: its lower bound (net output needed), no lower bound at all, some
        process makes it, some process uses it.
    joint : ndarray
        Process columns that make more than one made good.
    cols : ndarray
        The techniques: process columns that make exactly one made good.
    out, gain : ndarray
        Per technique: its good (a position among the made goods) and its output of
        that good per unit of level.
    inputs : csc_matrix
        Made goods x techniques: inputs per unit of level.
    """

    goods: np.ndarray
    lower: np.ndarray
    free: np.ndarray
    made: np.ndarray
    used: np.ndarray
    joint: np.ndarray
    cols: np.ndarray
    out: np.ndarray
    gain: np.ndarray
    inputs: sp.csc_matrix
    _matrix: sp.csc_matrix = field(repr=False)
    _is_maker: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        """How many goods are made."""
        return int(self.made.sum())

    @cached_property
    def made_rows(self) -> np.ndarray:
        """The program's rows of the made goods, in order."""
        return np.asarray(self.goods[self.made])

    @cached_property
    def inputs_t(self) -> sp.csr_matrix:
        """Techniques x made goods: inputs per unit of level."""
        return self.inputs.T.tocsr()

    @cached_property
    def _grouped(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        order = np.argsort(self.out, kind="stable")
        group = self.out[order]
        return order, group, np.searchsorted(group, np.arange(self.n))

    def uses(self, rows: np.ndarray) -> np.ndarray:
        """Per row of ``rows`` (program rows), what each technique uses of it per level
        (minus its coefficient): rows x techniques."""
        A = self._matrix
        found = np.zeros((len(rows), len(self.cols)))
        # per entry, whether its column is a technique: made here, not held (a byte an
        # entry of the whole matrix, for a few calls)
        maker_entry = np.repeat(self._is_maker, np.diff(A.indptr))
        for k, row in enumerate(rows):       # a few resources: a short loop
            on = (A.indices == row) & maker_entry
            found[k, _kept(on, A.indptr)[self.cols] > 0] = -A.data[on]
        return found

    def unit_costs(self, cost: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per technique, its cost per unit of output: resources at ``cost`` (per unit
        of level) and inputs at the values ``v`` of the made goods."""
        return np.asarray((cost + self.inputs_t @ v) / self.gain, dtype=float)

    def cheapest(self, cost: np.ndarray, v: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per good: its cheapest technique (a position in `cols`; the first in column
        order among equals) and that technique's unit cost; and every technique's unit
        cost."""
        unit = self.unit_costs(cost, v)
        order, group, starts = self._grouped
        sorted_cost = unit[order]
        low = np.minimum.reduceat(sorted_cost, starts) if len(order) else np.zeros(0)
        at_min = np.flatnonzero(sorted_cost <= low[group])
        first = at_min[np.r_[True, group[at_min][1:] != group[at_min][:-1]]]
        best = np.empty(self.n, dtype=np.int64)
        best[group[first]] = order[first]
        return best, low, unit

    def ranked(self, cost: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Techniques sorted by good, cheapest first at ``cost`` and ``v``; and where each
        good's techniques start."""
        unit = self.unit_costs(cost, v)
        order = np.lexsort((unit, self.out))
        return order, np.searchsorted(self.out[order], np.arange(self.n))

    def improve(self, cost: np.ndarray, v: np.ndarray, chosen: np.ndarray,
                margin: float = SWITCH) -> tuple[np.ndarray, bool]:
        """``chosen`` with every good switched to its cheapest technique where that is
        cheaper by more than ``margin`` (relative); and whether any switched."""
        best, low, unit = self.cheapest(cost, v)
        now = unit[chosen]
        better = low < now - margin * np.maximum(np.abs(now), 1e-300)
        return np.where(better, best, chosen), bool(np.any(better))

    def matrix(self, chosen: np.ndarray) -> sp.csc_matrix:
        """``A_T``: column g holds the inputs of good g's technique ``chosen[g]`` per unit
        of its output."""
        M = self.inputs[:, chosen]
        M.data *= np.repeat(1.0 / self.gain[chosen], np.diff(M.indptr))  # in place
        return M

    def net(self, techniques: np.ndarray) -> sp.csc_matrix:
        """Net output of made goods per unit of level of ``techniques``: goods x them."""
        k = len(techniques)
        made = sp.csc_matrix((self.gain[techniques], (self.out[techniques], np.arange(k))),
                             shape=(self.n, k))
        return sp.csc_matrix(made - self.inputs[:, techniques])

    def start(self, cost: np.ndarray, steps: int = START_STEPS
              ) -> tuple[np.ndarray, np.ndarray]:
        """Techniques and values after ``steps`` steps of value iteration from zero:
        each step takes the cheapest technique per good at the values so far, and its
        unit cost as the good's new value."""
        v = np.zeros(self.n)
        chosen = np.zeros(self.n, dtype=np.int64)
        for _ in range(steps):
            chosen, v, _ = self.cheapest(cost, v)
        return chosen, v

    def system(self, chosen: np.ndarray, tol: float = TOLERANCE) -> LeontiefSystem:
        """The Leontief system of the techniques ``chosen`` (`lp.leontief`)."""
        return LeontiefSystem(self.matrix(chosen), tol=tol)

    def values(self, chosen: np.ndarray, cost: np.ndarray, start: np.ndarray | None = None,
               *, tol: float = TOLERANCE, system: LeontiefSystem | None = None
               ) -> np.ndarray:
        """Values ``v = c_T + v A_T`` of the made goods when each is made by its technique
        ``chosen`` and the resources cost ``cost`` per unit of level.

        Raises
        ------
        NotProductive
            When the techniques ``chosen`` are not productive.
        """
        system = system or self.system(chosen, tol)
        return system.solve(cost[chosen] / self.gain[chosen], transposed=True, start=start)

    def quantities(self, chosen: np.ndarray, y: np.ndarray, start: np.ndarray | None = None,
                   *, tol: float = TOLERANCE, system: LeontiefSystem | None = None
                   ) -> np.ndarray:
        """Gross outputs ``q = y + A_T q`` for net outputs ``y`` (`NotProductive` as in
        `values`)."""
        system = system or self.system(chosen, tol)
        return system.solve(y, start=start)


def read_technology(lp: LinearProgram, goods: np.ndarray | None = None,
                    procs: np.ndarray | None = None) -> Technology:
    """The techniques of ``lp`` over its good rows ``goods`` and process columns
    ``procs`` (default: every row of kind ``good``, every column of kind ``process``),
    read off the matrix by masks over its entries."""
    if goods is None:
        goods = lp.row_positions("good")
    if procs is None:
        procs = lp.col_positions("process")
    A = lp.matrix.tocsc()
    m, ncol = A.shape
    per_column = np.diff(A.indptr)
    good_row = np.zeros(m, dtype=bool)
    good_row[goods] = True
    is_proc = np.zeros(ncol, dtype=bool)
    is_proc[procs] = True
    # masks of a byte an entry, each made once (at 10^8 entries, an index an entry is
    # gigabytes): the entries at a good's row in a process's column
    base = good_row[A.indices]
    base &= np.repeat(is_proc, per_column)
    pos = base & (A.data > 0)
    lower = lp.row_lower[goods]
    free = np.isneginf(lower)
    made = (np.bincount(A.indices[pos], minlength=m)[goods] > 0) & ~free
    made_row = np.zeros(m, dtype=bool)
    made_row[goods[made]] = True
    at_made = made_row[A.indices]
    pos &= at_made                            # outputs of made goods
    per_col = _kept(pos, A.indptr)[procs]
    neg = base & (A.data < 0)
    del base
    used = np.bincount(A.indices[neg], minlength=m)[goods] > 0
    cols = procs[per_col == 1]
    is_maker = np.zeros(ncol, dtype=bool)
    is_maker[cols] = True
    maker_entry = np.repeat(is_maker, per_column)
    made_pos = (np.cumsum(made_row) - 1).astype(np.int32)  # row -> among the made goods
    del made_row
    one = pos & maker_entry                     # exactly one per maker, in column order
    del pos
    out = made_pos[A.indices[one]].astype(np.int64)
    gain = A.data[one].astype(float)
    del one
    neg &= at_made
    del at_made
    neg &= maker_entry
    del maker_entry
    # each array of the inputs' entries made once, negated in place (at 10^8 entries
    # a copy is gigabytes)
    data = A.data[neg]
    np.negative(data, out=data)
    rows = made_pos[A.indices[neg]]
    inputs = sp.csc_matrix((data, rows, np.r_[0, np.cumsum(_kept(neg, A.indptr)[cols])]),
                           shape=(int(made.sum()), len(cols)))
    del neg, data, rows
    return Technology(goods=np.asarray(goods), lower=lower, free=free, made=made, used=used,
                      joint=procs[per_col > 1], cols=cols, out=out, gain=gain,
                      inputs=inputs, _matrix=A, _is_maker=is_maker)


def _kept(mask: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per column of a CSC matrix, how many of its entries ``mask`` keeps.

    Counted `_COUNT_COLUMNS` columns at a time: ``np.add.reduceat`` casts the whole mask
    it is given to its int64 sum (8 bytes an entry: 2 GB at 2.7·10^8 entries), so it
    is given a part at a time."""
    counts = np.zeros(len(indptr) - 1, dtype=np.int64)
    full = np.flatnonzero(np.diff(indptr) > 0)
    if not mask.size or not full.size:
        return counts
    starts = indptr[full]
    for lo in range(0, len(full), _COUNT_COLUMNS):
        part, at = full[lo:lo + _COUNT_COLUMNS], starts[lo:lo + _COUNT_COLUMNS]
        entries = mask[at[0]:indptr[part[-1] + 1]].view(np.uint8)
        counts[part] = np.add.reduceat(entries, at - at[0], dtype=np.int64)
    return counts


_COUNT_COLUMNS = 1 << 18
"""Columns `_kept` counts at once (about 1.5·10^6 entries: 12 MB of int64)."""
