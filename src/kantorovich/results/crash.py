"""A starting basis for a plan over time, read off the economy: its crash basis.

From a slack basis the simplex brings every running process into the basis one pivot
at a time, period after period: thousands of pivots before it weighs anything. The
expansion of a plan over time (`model.expansion.HorizonMap`) says what each row and
column is, so a basis near the optimum can be written down at once:

- every process of the plan runs (basic) and every stock is held (``hold`` basic);
  nothing is invested or carried (``invest``, ``carry`` at 0), and each period's
  ``sets`` column, when there is one, is basic;
- the goods the processes make have slack in their goods row, and their assortment
  rows (``basket``) are tight: what is made is what the sets take;
- primary resources (goods no process makes, such as labour) bind; each stock's
  balance binds and its capacity row has slack.

For an input-output economy with one process per good and a complete-sets objective
this is square, a basis of the whole staircase. It is used where it is square, over a
few periods (`results.staircase.CRASH_PERIODS`: over longer horizons the optimum invests
first and runs only part of the economy, far from this basis), and where the supply
network stays local (`supplier_reach` at most `LOCAL_REACH` processes and
`LOCAL_SHARE` of them), so that its factors stay sparse. Elsewhere a guess cost more than it saved: 11,845 pivots against
6,506 from slacks on a Cockshott-format economy of 200 sectors x 5 years (not square:
processes that need not run), and a dense factorisation on economies whose suppliers
are drawn anywhere. It is only a start: HiGHS's simplex goes on from it to the
optimum, and the answer is certified like any other. On the sparse economies of
`benchmarks/horizon.py` (one stock per process) it took raw HiGHS's simplex from 5,975
pivots to 1,064 at 1,000 products x 5 periods, and from 12,477 to 1,820 at 2,000 x 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.program import LinearProgram
from kantorovich.model.expansion import HorizonMap

__all__ = ["LOCAL_REACH", "LOCAL_SHARE", "balanced", "crash_basis", "local_supply",
           "supplier_reach"]

LOCAL_REACH = 250
"""Most processes a process may draw on through four links of its supply chain (on
average over a sample) for the crash basis to be used: with every process in the basis
its factors are as dense as the supply network is wide. Measured
(`benchmarks/horizon.py`): clustered economies (industries of 50 products and 20 hub
products) reach 98 at 1,000 products and 128 at 10,000, and the simplex from the crash
basis took 2.9 s against interior point's 18.9 s at 1,000 x 5; economies whose suppliers
are drawn anywhere reach 902 and 6,470, and there the crash basis took 9 s to factorise
and 70 ms a pivot at 1,000 x 5 (not done in 600 s, where interior point took 85-189 s)."""

LOCAL_SHARE = 0.25
"""Most share of the economy's processes a process may draw on through four links for
the crash basis to be used: in Cockshott-format economies (`economy.tns.tns_economy`),
where nearly every process reaches every other (195 of 200), the simplex took 11,845
pivots and 46.9 s from the crash basis at 200 sectors x 5 years, against 6,506 and 4.8 s
from slacks and 4.1 s by interior point."""

_SAMPLE = 256


def crash_basis(mapping: HorizonMap, lp: LinearProgram
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """The crash basis of the program ``lp`` compiled from a plan over time whose map
    is ``mapping`` (see the module docstring), as words (``basic``, ``lower``, ...);
    None when the program's goods rows and process columns are not the map's."""
    goods, procs = mapping.goods, mapping.processes
    good_rows, process_cols = lp.row_positions("good"), lp.col_positions("process")
    if len(good_rows) != len(goods) or len(process_cols) != len(procs):
        return None
    flows = mapping.template.flows
    template = mapping.template.goods.index
    made = np.zeros(len(template), dtype=bool)
    at = template.get_indexer(pd.Index(flows["good"].astype(object)[
        flows["output"].to_numpy(float) > 0].unique()))
    made[at[at >= 0]] = True
    good_kind = goods["kind"].to_numpy()
    item = goods["item"].to_numpy()
    own = good_kind == "good"
    primary = np.zeros(len(goods), dtype=bool)
    primary[own] = ~made[item[own]]
    tight = primary | np.isin(good_kind, ["stock", "basket"])
    col_basis = np.full(lp.shape[1], "lower", dtype=object)
    col_basis[process_cols[np.isin(procs["kind"].to_numpy(), ["process", "hold",
                                                              "sets"])]] = "basic"
    row_basis = np.full(lp.shape[0], "basic", dtype=object)
    row_basis[good_rows[tight]] = "lower"
    if (col_basis == "basic").sum() + (row_basis == "basic").sum() != lp.shape[0]:
        return None         # not an economy of this shape: a guess would mislead
    if not local_supply(mapping):
        return None         # not local: interior point did better (see LOCAL_REACH)
    return balanced(lp, col_basis, row_basis)


def local_supply(mapping: HorizonMap) -> bool:
    """Whether the plan's supply network is local: a process draws on at most
    `LOCAL_REACH` processes and `LOCAL_SHARE` of them through four links, so that bases
    with most processes in them factorise sparsely."""
    local = min(LOCAL_REACH, LOCAL_SHARE * len(mapping.template.processes))
    return bool(supplier_reach(mapping.template.flows) <= local)


def supplier_reach(flows: pd.DataFrame, links: int = 4) -> float:
    """How many processes a process draws on through ``links`` links of its supply
    chain (itself included), on average over `_SAMPLE` processes spread over the plan:
    a few sparse products, not the supply network's powers."""
    processes = pd.Index(flows["process"].astype(object).unique())
    n = len(processes)
    made = flows[flows["output"].to_numpy(float) > 0]
    maker = pd.Series(processes.get_indexer(pd.Index(made["process"].astype(object))),
                      index=pd.Index(made["good"].astype(object)))
    maker = maker[~maker.index.duplicated()]
    used = flows[flows["input"].to_numpy(float) > 0]
    supplier = maker.reindex(pd.Index(used["good"].astype(object))).to_numpy(float)
    user = processes.get_indexer(pd.Index(used["process"].astype(object)))
    known = ~np.isnan(supplier)
    network = (sp.csr_matrix((np.ones(int(known.sum())), (user[known],
                                                          supplier[known].astype(np.int64))),
                             shape=(n, n)) + sp.identity(n, format="csr")).tocsr()
    start = np.linspace(0, n - 1, min(n, _SAMPLE)).astype(np.int64)
    reached = sp.csc_matrix((np.ones(len(start)), (start, np.arange(len(start)))),
                            shape=(n, len(start)))
    for _ in range(links):
        reached = sp.csc_matrix(network @ reached)
        reached.data[:] = 1.0
    return reached.nnz / max(len(start), 1)


def balanced(lp: LinearProgram, col_basis: np.ndarray, row_basis: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray] | None:
    """A guessed basis made one HiGHS can take: a variable nonbasic at an infinite
    bound moves to its finite one (or to zero when free), and the count of basic
    variables is made the number of rows, by the slacks of rows with a finite bound
    leaving (too many) or the slacks of nonbasic rows entering (too few), first rows
    first; None when that cannot be done."""
    col_basis, row_basis = col_basis.astype(object), row_basis.astype(object)
    for basis, lower, upper in ((col_basis, lp.col_lower, lp.col_upper),
                                (row_basis, lp.row_lower, lp.row_upper)):
        basis[(basis == "lower") & ~np.isfinite(lower)] = "upper"
        basis[(basis == "upper") & ~np.isfinite(upper)] = "lower"
        basis[(basis != "basic") & ~np.isfinite(lower) & ~np.isfinite(upper)] = "zero"
    excess = int((col_basis == "basic").sum() + (row_basis == "basic").sum()) - lp.shape[0]
    if excess > 0:
        basic_rows = np.flatnonzero(row_basis == "basic")
        finite = basic_rows[np.isfinite(lp.row_lower[basic_rows])
                            | np.isfinite(lp.row_upper[basic_rows])]
        if len(finite) < excess:
            return None
        drop = finite[:excess]
        row_basis[drop] = np.where(np.isfinite(lp.row_lower[drop]), "lower", "upper")
    elif excess < 0:
        rest = np.flatnonzero(row_basis != "basic")[:-excess]
        if len(rest) < -excess:
            return None
        row_basis[rest] = "basic"
    return col_basis, row_basis
