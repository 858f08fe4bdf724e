"""Compile a `Plan` into a `LinearProgram`, vectorised over flows.

Columns: one per process (its level), plus ``sets`` for the assortment objective.
Rows: one per good (``supply + net output >= demand``), one per policy, and for
``maximize_sets`` one assortment row per good in the set (``net output >= count x sets``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.program import LinearProgram, repeated
from kantorovich.model.plan import Plan, Policy, codes_in
from kantorovich.model.rules import Term

__all__ = ["compile_plan", "good_bounds", "good_weights", "policy_rows", "process_bounds",
           "process_costs", "rule_bounds", "set_counts"]

INF = np.inf


class _FlowIndex:
    """Flows as integer codes, shared by the goods rows and every policy term."""

    def __init__(self, plan: Plan) -> None:
        flows = plan.flows
        self.n_proc = len(plan.processes)
        self.n_good = len(plan.goods)
        self.pcode, self.gcode = plan.flow_positions
        self.input = flows["input"].to_numpy(float)
        self.output = flows["output"].to_numpy(float)
        self.goods = plan.goods.index
        self.procs = plan.processes.index
        units = plan.processes["unit"]
        regions = plan.process_region()
        self.units = pd.Index(units.dropna().unique())
        self.regions = pd.Index(regions.dropna().unique())
        self._unit, self._region = units, regions
        self._by: dict[str, sp.csr_matrix] = {}

    @cached_property
    def flow_unit(self) -> np.ndarray:
        """Each flow's unit as a position in `units` (-1: none); only rules read it."""
        return np.asarray(codes_in(self._unit, self.units)[self.pcode])

    @cached_property
    def flow_region(self) -> np.ndarray:
        """Each flow's region as a position in `regions` (-1: none)."""
        return np.asarray(codes_in(self._region, self.regions)[self.pcode])

    def net(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.output - self.input, (self.gcode, self.pcode)),
                             shape=(self.n_good, self.n_proc))

    def amounts(self, kind: str) -> np.ndarray:
        if kind == "net":
            return np.asarray(self.output - self.input)
        return np.asarray(self.input if kind == "input" else self.output)

    def by(self, kind: str, scope: str, keys: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """The amount of ``kind`` each process has per unit of level, in one row per
        requested key: a good (scope 'all'), or a (good, unit) or (good, region) pair.
        Returns the matrix and, for each key asked, its row."""
        if scope == "all":
            if kind not in self._by:
                self._by[kind] = sp.csr_matrix(
                    (self.amounts(kind), (self.gcode, self.pcode)),
                    shape=(self.n_good, self.n_proc))
            return self._by[kind], keys
        sub = self.flow_unit if scope == "unit" else self.flow_region
        width = max(len(self.units) if scope == "unit" else len(self.regions), 1)
        flow_key = np.where(sub >= 0, self.gcode * width + sub, -1)
        wanted = np.unique(keys)
        pos = np.clip(np.searchsorted(wanted, flow_key), 0, len(wanted) - 1)
        keep = (flow_key >= 0) & (wanted[pos] == flow_key)
        matrix = sp.csr_matrix((self.amounts(kind)[keep], (pos[keep], self.pcode[keep])),
                               shape=(len(wanted), self.n_proc))
        return matrix, np.searchsorted(wanted, keys)


def _position(ids: pd.Index, key: str) -> int:
    """Where ``key`` stands in ``ids``, a unique index of the plan's ids."""
    position = ids.get_loc(key)
    if not isinstance(position, (int, np.integer)):     # a unique index gives an int
        raise KeyError(key)
    return int(position)


def _term_key(index: _FlowIndex, term: Term) -> tuple[str, str, int]:
    """Which matrix row a term reads: (kind, scope, row); -1 when it matches no flow."""
    if term.kind == "level":
        return "level", "level", _position(index.procs, term.target)
    g = _position(index.goods, term.target)
    if term.unit is not None:
        u = index.units.get_indexer([term.unit])[0]
        return term.kind, "unit", (g * max(len(index.units), 1) + u) if u >= 0 else -1
    if term.region is not None:
        r = index.regions.get_indexer([term.region])[0]
        return term.kind, "region", (g * max(len(index.regions), 1) + r) if r >= 0 else -1
    return term.kind, "all", g


def policy_rows(plan: Plan, policies: tuple[Policy, ...] | None = None,
                index: _FlowIndex | None = None
                ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Policy rows over process columns, with their lower and upper bounds.

    Terms are grouped by what they read (level, or input/output/net of a good, optionally
    within a unit or region); each group becomes one sparse selection matrix multiplied
    into the matching flow matrix, so the work does not grow with flows x policies.
    """
    policies = plan.policies if policies is None else policies
    index = index or _FlowIndex(plan)
    n_pol = len(policies)
    groups: dict[tuple[str, str], tuple[list[int], list[int], list[float]]] = {}
    for i, policy in enumerate(policies):
        rule = policy.rule
        for term, coef in rule.terms:
            kind, scope, row = _term_key(index, term)
            if row < 0:
                continue
            rows, keys, coefs = groups.setdefault((kind, scope), ([], [], []))
            rows.append(i)
            keys.append(row)
            coefs.append(coef)
    lower, upper = rule_bounds(policies)
    matrix = sp.csr_matrix((n_pol, index.n_proc))
    for (kind, scope), (rows, keys, coefs) in groups.items():
        if kind == "level":
            matrix = matrix + sp.csr_matrix((coefs, (rows, keys)), shape=(n_pol, index.n_proc))
            continue
        source, at = index.by(kind, scope, np.asarray(keys))
        select = sp.csr_matrix((coefs, (rows, at)), shape=(n_pol, source.shape[0]))
        matrix = matrix + select @ source
    return sp.csr_matrix(matrix), lower, upper


def rule_bounds(policies: tuple[Policy, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of the policies' rows: ``>=`` a lower bound, ``<=`` an upper one,
    ``==`` both, at the rule's constant."""
    lower = np.full(len(policies), -INF)
    upper = np.full(len(policies), INF)
    for i, policy in enumerate(policies):
        rule = policy.rule
        if rule.sense in (">=", "=="):
            lower[i] = rule.rhs
        if rule.sense in ("<=", "=="):
            upper[i] = rule.rhs
    return lower, upper


def good_bounds(goods: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of the goods' rows, ``supply + net output >= demand``: ``demand -
    supply`` below (none when the supply is unlimited), nothing above."""
    supply = goods["supply"].to_numpy(float)
    demand = goods["demand"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        lower = np.where(np.isinf(supply), -INF, demand - supply)
    return lower, np.full(len(goods), INF)


def process_bounds(processes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of the processes' columns: minimum level and capacity."""
    return (processes["min_level"].to_numpy(float), processes["capacity"].to_numpy(float))


def good_weights(plan: Plan) -> np.ndarray:
    """The objective's weight of each good, in the plan's order of goods (0 for goods it
    does not name)."""
    weights = plan.objective.weights
    w = np.zeros(len(plan.goods))
    w[plan.goods.index.get_indexer(weights.index)] = weights.to_numpy(float)
    return w


def set_counts(plan: Plan) -> np.ndarray:
    """The ``sets`` column's entries in the assortment rows of a ``maximize_sets`` plan:
    minus each good's count in one set, in the order of the objective's goods."""
    return -plan.objective.weights.to_numpy(float)


def process_costs(plan: Plan, weights: np.ndarray, index: _FlowIndex | None = None
                  ) -> np.ndarray:
    """The objective's coefficient of each process column when the goods are weighed
    ``weights`` (one per good): the weighted net output per unit of level, negated when
    minimising (the program keeps the plan's sense; a cost is a negative worth)."""
    index = index or _FlowIndex(plan)
    net = index.output - index.input
    c = np.bincount(index.pcode, weights=net * weights[index.gcode],
                    minlength=index.n_proc).astype(float)
    return -c if plan.objective.sense == "minimize" else c


def compile_plan(plan: Plan) -> LinearProgram:
    """The linear program of ``plan``; see the module docstring for its rows and columns.

    The matrix is assembled from its entries (goods rows from the flows, policy rows,
    assortment rows from the flows of the set's goods, the ``sets`` column) in one
    conversion to CSC, which sums repeated entries: stacking blocks would convert each.
    Without policies only the goods rows are converted (`_goods_first`).
    """
    index = _FlowIndex(plan)
    n_proc, n_good = index.n_proc, index.n_good
    goods = plan.goods
    good_lower, good_upper = good_bounds(goods)
    objective = plan.objective
    weights = objective.weights
    wpos = goods.index.get_indexer(weights.index)
    sets = objective.sense == "maximize_sets"
    gcode, pcode = index.gcode, index.pcode
    # without policies `_goods_first` forms the net amounts itself and lets them go as
    # soon as the goods rows hold them (8 bytes a flow fewer at the compile's peak)
    net = index.output - index.input if plan.policies else np.zeros(0)

    rows, cols, data = [gcode], [pcode], [net]
    lower = [good_lower]
    upper = [good_upper]
    row_kind = [repeated("good", n_good)]
    row_id = [goods.index.to_numpy(object)]
    pol, pol_lo, pol_up = policy_rows(plan, index=index)
    entries = pol.tocoo()
    rows.append(entries.row + n_good)
    cols.append(entries.col)
    data.append(entries.data)
    lower.append(pol_lo)
    upper.append(pol_up)
    row_kind.append(repeated("policy", len(plan.policies)))
    row_id.append(np.array([p.id for p in plan.policies], dtype=object))
    n_rows = n_good + len(plan.policies)

    if sets:
        in_set = np.full(n_good, -1, dtype=np.int64)
        in_set[wpos] = np.arange(len(wpos))
        if plan.policies:               # else `_goods_first` places them
            row_of = in_set[gcode]
            counted = row_of >= 0
            rows.append(row_of[counted] + n_rows)
            cols.append(pcode[counted])
            data.append(net[counted])
            rows.append(np.arange(len(wpos)) + n_rows)      # the sets column
            cols.append(np.full(len(wpos), n_proc))
            data.append(set_counts(plan))
        n_rows += len(wpos)
        lower.append(np.zeros(len(wpos)))
        upper.append(np.full(len(wpos), INF))
        row_kind.append(repeated("assortment", len(wpos)))
        row_id.append(weights.index.to_numpy(object))
        c = np.append(np.zeros(n_proc), 1.0)
        weighed = None
    else:
        weighed = good_weights(plan)
        c = process_costs(plan, weighed, index)
    n_cols = n_proc + (1 if sets else 0)
    if not plan.policies:
        matrix = _goods_first(index, n_rows, n_cols,
                              (in_set, set_counts(plan)) if sets else None)
    else:
        small = max(n_rows, n_cols) < 2**31 - 1
        kind = np.int32 if small else np.int64
        matrix = sp.csc_matrix((np.concatenate(data).astype(float, copy=False),
                                (np.concatenate([r.astype(kind, copy=False) for r in rows]),
                                 np.concatenate([k.astype(kind, copy=False) for k in cols]))),
                               shape=(n_rows, n_cols))
    col_lower, col_upper = process_bounds(plan.processes)
    col_kind = repeated("process", n_proc)
    col_id = plan.processes.index.to_numpy(object)
    if sets:
        col_lower = np.append(col_lower, 0.0)
        col_upper = np.append(col_upper, INF)
        col_kind = np.append(col_kind, "sets")
        col_id = np.append(col_id, "sets")
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return LinearProgram(
        sense="minimize" if objective.sense == "minimize" else "maximize",
        objective=c, matrix=matrix,
        row_lower=np.concatenate(lower), row_upper=np.concatenate(upper),
        col_lower=col_lower, col_upper=col_upper,
        rows=_labels(np.concatenate(row_kind), np.concatenate(row_id)),
        cols=_labels(col_kind, col_id),
        constant=objective.constant,
        good_weights=weighed if objective.sense == "maximize" else None,
    )


def _goods_first(index: _FlowIndex, n_rows: int, n_cols: int,
                 assortment: tuple[np.ndarray, np.ndarray] | None) -> sp.csc_matrix:
    """The matrix of a plan without policies, in canonical CSC, from one conversion of
    the flows (not of the flows and their assortment copies together): the goods rows,
    then, for ``maximize_sets``, each column's assortment entries (its entries of the
    set's goods again, in their assortment rows after ``n_good``) placed right after
    its goods entries by counting, and the ``sets`` column last. ``assortment`` is each
    good's assortment row (-1: not in the set) and the sets column's entries.

    Half the entries of a 10^6-product economy's 8.4e7 go through the sort, and the rest
    are copied in order: seconds fewer than converting them all."""
    n_good, n_proc = index.n_good, index.n_proc
    goods = sp.csc_matrix((index.output - index.input, (index.gcode, index.pcode)),
                          shape=(n_good, n_proc))
    goods.sum_duplicates()
    goods.eliminate_zeros()
    if assortment is None:
        return sp.csc_matrix((goods.data, goods.indices, goods.indptr),
                             shape=(n_rows, n_cols))
    in_set, sets_column = assortment
    n_sets = len(sets_column)
    indptr, data = goods.indptr, goods.data
    # per-entry arrays in int32 where the sizes allow (4 bytes an entry each, not 8)
    small = max(2 * len(data) + n_sets, n_rows, n_cols) < 2**31 - 1
    kind: type[np.signedinteger[Any]] = np.int32 if small else np.int64
    set_row = in_set.astype(kind)[goods.indices]
    counted = set_row >= 0
    # counted entries before each entry, and so before each column's first entry
    before = np.zeros(len(data) + 1, dtype=kind)
    np.cumsum(counted, out=before[1:])
    total = len(data) + int(before[-1]) + n_sets
    lengths = np.diff(indptr)
    new_indptr = np.empty(n_cols + 1, dtype=np.int64)
    new_indptr[:n_proc + 1] = indptr + before[indptr]
    new_indptr[-1] = total
    out_rows = np.empty(total, dtype=kind)
    out_data = np.empty(total, dtype=float)
    at = np.arange(len(data), dtype=kind)               # each goods entry's new place
    np.add(at, np.repeat(before[indptr[:-1]].astype(kind), lengths), out=at)
    out_rows[at] = goods.indices
    out_data[at] = data
    del at
    # an assortment entry goes after its column's goods entries, in their order
    again = np.repeat(indptr[1:].astype(kind), lengths)[counted]
    again += before[:-1][counted].astype(kind)
    out_rows[again] = set_row[counted] + (n_rows - n_sets)
    out_data[again] = data[counted]
    del again
    out_rows[total - n_sets:] = np.arange(n_rows - n_sets, n_rows)
    out_data[total - n_sets:] = sets_column
    matrix = sp.csc_matrix((out_data, out_rows, new_indptr.astype(kind, copy=False)),
                           shape=(n_rows, n_cols))
    # assortment rows follow the set's order, not the goods'; then a column is sorted
    order = in_set[in_set >= 0]
    if not (order[1:] > order[:-1]).all():
        matrix.has_sorted_indices = False
        matrix.sort_indices()
    else:
        matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


def _labels(kind: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
    """What each row or column is, as object columns: pandas would otherwise copy every
    id into an Arrow string column, a second a million."""
    return pd.DataFrame({"kind": pd.Series(kind.astype(object, copy=False), dtype=object,
                                           copy=False),
                         "id": pd.Series(ids.astype(object, copy=False), dtype=object,
                                         copy=False)}, copy=False)
