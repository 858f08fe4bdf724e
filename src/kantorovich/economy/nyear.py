"""Cockshott's n-year plan as a technology complex, from his four CSV files.

His ``planning.nyearHarmony`` (Java) and ``pasharm/harmonyplan`` (Pascal), in
``wc22m/5yearplan`` (GPL-3.0; read to learn, written again here), read

* ``flows.csv``: the flow matrix, products by products, then a ``labour`` row and an
  ``output`` row (the gross output of the column's technique at intensity 1);
* ``cap.csv``: the capital stock of each product each industry uses;
* ``dep.csv``: the depreciation rate of each such stock;
* ``targ.csv``: one row per year (``year1``, ...), the target net output of every
  product and the labour available (column ``labour``),

and build one complex of ``years x (products + labour) + years x stocks`` products:

* for each year and product, a production technique making ``output`` of it from that
  year's flows (entries > 0), labour and capital stocks (a distinct stock per non-zero
  entry of the capital matrix: means of production installed in one industry do not
  move to another);
* for each year but the last and each stock, an accumulation technique: one unit of
  the stock's product that year adds one unit to the stock the next year and
  ``(1 - d)^k`` to it ``k`` years later (joint production);
* resources handed in: each year's labour, and each stock at ``cap (1 - d)^(y-1)`` in
  year ``y`` (the first year's stocks non-produced, later years' added to by
  accumulation); labour and stocks are non-final;
* targets: the file's (a zero becomes 0.02), 0.03 for labour and stocks.

`nyear_report` gives the figures his programs print: per year the net output, the
target, their ratio and the harmony of every product, the total harmony, and each
technique's gross output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.economy.harmony import (
    Balanced, HarmonySettings, TechnologyComplex, _harmony, balance_plan)

__all__ = ["NYearPlan", "nyear_plan", "nyear_report", "read_nyear"]


@dataclass(frozen=True)
class NYearPlan:
    """His complex, with what is needed to print his report.

    Attributes
    ----------
    complex : TechnologyComplex
    targets, initial : ndarray
        Per product of the complex (targets filled as he fills them).
    years : int
    product_names : list of str
        The flow matrix's products (its columns).
    production : ndarray of int, shape (years, products)
        The technique making each product each year.
    year_targets : ndarray, shape (years, products)
        The targets as given (a zero read as 0.02).
    """

    complex: TechnologyComplex
    targets: np.ndarray
    initial: np.ndarray
    years: int
    product_names: list[str]
    production: np.ndarray
    year_targets: np.ndarray

    def flow_position(self, product: int, year: int) -> int:
        """Position in the complex of product (0-based, labour = the last) in year
        (0-based): his ``flownum``."""
        return product + year * (len(self.product_names) + 1)


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, index_col=0, skipinitialspace=True)
    frame.index = frame.index.astype(str).str.strip()
    frame.columns = frame.columns.astype(str).str.strip()
    frame = frame.loc[frame.index != "nan"]
    return frame.apply(pd.to_numeric, errors="raise").fillna(0.0)


def read_nyear(flows: str | Path, cap: str | Path, dep: str | Path, targ: str | Path,
               zero_target: float = 0.02, default_target: float = 0.03) -> NYearPlan:
    """Build his n-year complex from his four files (see the module docstring)."""
    F, K, D, T = (_read(Path(p)) for p in (flows, cap, dep, targ))
    names = list(F.columns)
    n = len(names)
    for label, frame in (("cap", K), ("dep", D)):
        if list(frame.columns) != names or list(frame.index) != names:
            raise ValueError(f"{label}: rows and columns must be the flow matrix's "
                             f"products {names}")
    if "labour" not in F.index or "output" not in F.index:
        raise ValueError("flows needs a labour row and an output row")
    if list(T.columns[:n]) != names or "labour" not in T.columns:
        raise ValueError("targ needs the flow matrix's products then labour as columns")
    T = T.loc[[r for r in T.index if r.startswith("year")]]
    T = T.mask(T == 0, zero_target)
    years = len(T)
    flow = F.loc[names, names].to_numpy(float)
    labour = F.loc["labour", names].to_numpy(float)
    output = F.loc["output", names].to_numpy(float)
    capm = K.to_numpy(float)
    depm = D.to_numpy(float)
    # stocks: the non-zero capital entries, row-major (his relativecapnum)
    s_row, s_col = np.nonzero(capm > 0)
    n_stock = len(s_row)
    stock_of = -np.ones((n, n), dtype=np.int64)
    stock_of[s_row, s_col] = np.arange(n_stock)
    per_year = n + 1
    n_products = years * per_year + years * n_stock

    def flownum(product: np.ndarray | int, year: np.ndarray | int) -> np.ndarray:
        return np.asarray(product) + np.asarray(year) * per_year

    def capnum(stock: np.ndarray | int, year: np.ndarray | int) -> np.ndarray:
        return np.asarray(stock) + np.asarray(year) * n_stock + years * per_year

    rows_p: list[np.ndarray] = []
    cols_p: list[np.ndarray] = []
    vals_p: list[np.ndarray] = []
    rows_c: list[np.ndarray] = []
    cols_c: list[np.ndarray] = []
    vals_c: list[np.ndarray] = []
    production = np.zeros((years, n), dtype=np.int64)
    tech = 0
    fi, fj = np.nonzero(flow > 0)
    lj = np.flatnonzero(labour > 0)
    for y in range(years):                               # per year, vectorised inside
        ids = tech + np.arange(n)
        production[y] = ids
        rows_p.append(flownum(np.arange(n), y))
        cols_p.append(ids)
        vals_p.append(output)
        rows_c += [flownum(fi, y), flownum(n, y) + 0 * lj, capnum(stock_of[s_row, s_col], y)]
        cols_c += [ids[fj], ids[lj], ids[s_col]]
        vals_c += [flow[fi, fj], labour[lj], capm[s_row, s_col]]
        tech += n
        if y < years - 1:                                # accumulation into later years
            ids = tech + np.arange(n_stock)
            rows_c.append(flownum(s_row, y))
            cols_c.append(ids)
            vals_c.append(np.ones(n_stock))
            for ahead in range(1, years - y):
                rows_p.append(capnum(np.arange(n_stock), y + ahead))
                cols_p.append(ids)
                vals_p.append((1 - depm[s_row, s_col]) ** (ahead - 1))
            tech += n_stock
    P = sp.csr_matrix((np.concatenate(vals_p), (np.concatenate(rows_p),
                                                 np.concatenate(cols_p))),
                      shape=(n_products, tech))
    C = sp.csr_matrix((np.concatenate(vals_c), (np.concatenate(rows_c),
                                                 np.concatenate(cols_c))),
                      shape=(n_products, tech))
    nonproduced = np.zeros(n_products, bool)
    nonfinal = np.zeros(n_products, bool)
    initial = np.zeros(n_products)
    lab = flownum(n, np.arange(years))
    initial[lab] = T["labour"].to_numpy(float)
    nonproduced[lab] = nonfinal[lab] = True
    for y in range(years):
        at = capnum(np.arange(n_stock), y)
        initial[at] = capm[s_row, s_col] * (1 - depm[s_row, s_col]) ** y
        nonfinal[at] = True
        if y == 0:
            nonproduced[at] = True
    targets = np.full(n_products, default_target)
    year_targets = T[names].to_numpy(float)
    for y in range(years):
        targets[flownum(np.arange(n), y)] = year_targets[y]
    product_names = ([f"{p}{y + 1}" for y in range(years) for p in [*names, "labour"]] +
                     [f"C[{names[i]}][{names[j]}]{y + 1}" for y in range(years)
                      for i, j in zip(s_row, s_col, strict=True)])
    cx = TechnologyComplex(P, C, nonproduced, nonfinal, products=product_names)
    return NYearPlan(complex=cx, targets=targets, initial=initial, years=years,
                     product_names=names, production=production, year_targets=year_targets)


def nyear_plan(plan: NYearPlan, settings: HarmonySettings | None = None) -> Balanced:
    """Run his harmony on his complex (his settings by default)."""
    final = np.zeros(plan.complex.shape[0], bool)
    n = len(plan.product_names)
    for y in range(plan.years):
        final[plan.flow_position(0, y):plan.flow_position(0, y) + n] = True
    return balance_plan(plan.complex, plan.targets, plan.initial, settings, targeted=final)


def nyear_report(plan: NYearPlan, run: Balanced) -> dict[str, object]:
    """The figures his programs print: ``netoutput``, ``target``, ``ratio`` and
    ``harmony`` per year (lists over the products), ``total_harmony`` and each
    technique's gross output (``technique_output``)."""
    n = len(plan.product_names)
    net, years = run.net_output, []
    total = 0.0
    for y in range(plan.years):
        at = np.arange(n) + plan.flow_position(0, y)
        t = plan.year_targets[y]
        h = _harmony(t, net[at])
        total += float(h.sum())
        years.append({"netoutput": net[at].tolist(), "target": t.tolist(),
                      "ratio": (net[at] / t).tolist(), "harmony": h.tolist()})
    gross = np.asarray(plan.complex.produces.max(axis=0).todense()).ravel()
    return {"years": years, "total_harmony": total,
            "technique_output": (gross * run.intensity).tolist()}
