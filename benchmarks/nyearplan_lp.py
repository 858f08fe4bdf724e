"""The linear program Cockshott's ``nyearplan`` writes, built directly with highspy.

An independent check of ``kantorovich economy import-tns`` (its tests load this file)
and the raw-HiGHS side of ``benchmarks/horizon.py``. Written from his program's
description of its LP, variable for variable, with its own reading of the four CSV
files (no code of kantorovich's): per year ``y`` and products ``p, s``

- columns ``outputOf p``, ``flowFor p Of s``, ``capitalstockFor p MadeUpOf s``,
  ``depreciationIn p ProductionOf s``, ``accumulationFor p Of s`` (all n^2 pairs, as he
  writes them), ``labourFor p``, ``labourForYear``, ``accumulationOf p``,
  ``productiveConsumptionOf p``, ``finalConsumptionOf p`` and
  ``targetFulfillmentForYear``, all >= 0;
- rows: ``target <= consumption(i) / target(i)`` for positive targets; ``labourForYear >=
  sum labourFor``; ``labourForYear <= supply``; ``output <= output0 / C[s,p] capital``
  where ``C`` is nonzero; ``output <= output0 / F[s,p] flow`` where ``F`` is nonzero;
  ``depreciation = D[s,p] capital``; ``capital(y) <= capital(y-1) + accumulation(y-1) -
  depreciation(y-1)`` (year 1: ``capital <= C``); ``output <= output0 / labour0
  labourFor``; ``accumulationOf p >= sum accumulationFor i Of p``; ``productive
  consumption of p >= sum flowFor i Of p``; ``consumption <= output - accumulation -
  productive consumption``; maximise the sum of target fulfilment.
"""

from __future__ import annotations

import csv
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["nyearplan_lp", "read_matrix"]

INF = highspy.kHighsInf


def read_matrix(path: str | Path) -> tuple[list[str], list[str], np.ndarray]:
    """Column heads, row heads and numbers of one of his CSV files (a cell that is not
    a number reads as 0, as his reader does; blank lines are skipped)."""
    rows = [r for r in csv.reader(Path(path).read_text().splitlines())
            if any(c.strip() for c in r)]
    heads = [c.strip() for c in rows[0][1:]]
    names, values = [], []
    for r in rows[1:]:
        names.append(r[0].strip())
        numbers = []
        for c in r[1:len(heads) + 1]:
            try:
                numbers.append(float(c))
            except ValueError:
                numbers.append(0.0)
        values.append(numbers + [0.0] * (len(heads) - len(numbers)))
    return heads, names, np.asarray(values, dtype=float)


class _Columns:
    def __init__(self) -> None:
        self.n = 0
        self.upper: list[np.ndarray] = []

    def add(self, shape: tuple[int, ...], upper: float | np.ndarray = INF) -> np.ndarray:
        size = int(np.prod(shape))
        ids = np.arange(self.n, self.n + size).reshape(shape)
        self.n += size
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)).ravel())
        return ids


def nyearplan_lp(folder: str | Path, flows: str = "flows.csv", capital: str = "cap.csv",
                 depreciation: str = "dep.csv", targets: str = "labtarg.csv"
                 ) -> highspy.Highs:
    """A `highspy.Highs` holding his LP of the four files in ``folder`` (maximised)."""
    folder = Path(folder)
    prods, frows, F = read_matrix(folder / flows)
    _, crows, C = read_matrix(folder / capital)
    _, drows, D = read_matrix(folder / depreciation)
    theads, trows, T = read_matrix(folder / targets)
    n = len(prods)
    out0 = F[frows.index("output")]
    lab0 = F[frows.index("labour")]
    F = F[[frows.index(p) for p in prods]]           # F[s, p]: s used by industry p
    C = C[[crows.index(p) for p in prods]]
    D = D[[drows.index(p) for p in prods]]
    years = [i for i, r in enumerate(trows) if r.startswith("year")]
    target = T[years][:, :n]
    supply = T[years][:, theads.index("labour")]
    Y = len(years)
    cols = _Columns()
    out = cols.add((Y, n))
    flow = cols.add((Y, n, n))            # [y, p, s]: flowFor p Of s
    cap = cols.add((Y, n, n), np.concatenate([C.T.ravel(), np.full((Y - 1) * n * n, INF)]))
    dep = cols.add((Y, n, n))
    acc = cols.add((Y, n, n))
    labour_for = cols.add((Y, n))
    labour_year = cols.add((Y,), supply)
    acc_total = cols.add((Y, n))
    prodcons = cols.add((Y, n))
    cons = cols.add((Y, n))
    z = cols.add((Y,))
    r_i: list[np.ndarray] = []
    r_j: list[np.ndarray] = []
    r_v: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    rows = 0

    def add(k: int, pairs: list[tuple[np.ndarray, np.ndarray]], lo: float, hi: float
            ) -> None:
        """``k`` rows, each sum of coef * column over ``pairs`` (arrays of shape
        (k, terms)), between lo and hi."""
        nonlocal rows
        if k == 0:
            return
        for columns, coefs in pairs:
            columns = np.asarray(columns).reshape(k, -1)
            coefs = np.asarray(coefs, dtype=float)
            if coefs.ndim == 1:                 # one coefficient per row
                coefs = coefs[:, None]
            coefs = np.broadcast_to(coefs, columns.shape)
            r_i.append(np.repeat(np.arange(rows, rows + k), columns.shape[1]))
            r_j.append(columns.ravel())
            r_v.append(coefs.ravel())
        lower.append(np.full(k, lo))
        upper.append(np.full(k, hi))
        rows += k

    for y in range(Y):
        pos = np.flatnonzero(target[y] > 0)
        add(len(pos), [(np.full(len(pos), z[y]), 1.0),
                       (cons[y, pos], -1.0 / target[y, pos])], -INF, 0.0)
        add(1, [(labour_year[y][None], 1.0), (labour_for[y][None], -1.0)], 0.0, INF)
        s, p = np.nonzero(C.T != 0)[1], np.nonzero(C.T != 0)[0]       # pairs (p, s)
        add(len(p), [(out[y, p], 1.0), (cap[y, p, s], -out0[p] / C[s, p])], -INF, 0.0)
        p, s = np.nonzero(F.T != 0)
        add(len(p), [(out[y, p], 1.0), (flow[y, p, s], -out0[p] / F[s, p])], -INF, 0.0)
        pp, ss = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        pp, ss = pp.ravel(), ss.ravel()
        add(n * n, [(dep[y, pp, ss], 1.0), (cap[y, pp, ss], -D[ss, pp])], 0.0, 0.0)
        if y > 0:
            add(n * n, [(cap[y, pp, ss], 1.0), (cap[y - 1, pp, ss], -1.0),
                        (acc[y - 1, pp, ss], -1.0), (dep[y - 1, pp, ss], 1.0)], -INF, 0.0)
        work = np.flatnonzero((out0 != 0) & (lab0 != 0))
        add(len(work), [(out[y, work], 1.0),
                        (labour_for[y, work], -out0[work] / lab0[work])], -INF, 0.0)
        add(n, [(acc_total[y], 1.0), (acc[y].T, -1.0)], 0.0, INF)
        add(n, [(prodcons[y], 1.0), (flow[y].T, -1.0)], 0.0, INF)
        add(n, [(cons[y], 1.0), (out[y], -1.0), (acc_total[y], 1.0), (prodcons[y], 1.0)],
            -INF, 0.0)
    matrix = sp.csc_matrix((np.concatenate(r_v), (np.concatenate(r_i),
                                                   np.concatenate(r_j))),
                           shape=(rows, cols.n))
    matrix.sum_duplicates()
    cost = np.zeros(cols.n)
    cost[z] = 1.0
    lp = highspy.HighsLp()
    lp.num_col_ = cols.n
    lp.num_row_ = rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(cols.n)
    lp.col_upper_ = np.concatenate(cols.upper)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h
