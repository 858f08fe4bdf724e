"""Compile a `Plan` into a `LinearProgram`, vectorised over flows.

Columns: one per process (its level), plus ``sets`` for the assortment objective.
Rows: one per good (``supply + net output >= demand``), one per policy, and for
``maximize_sets`` one assortment row per good in the set (``net output >= count x sets``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.program import LinearProgram
from kantorovich.model.plan import Plan, Policy
from kantorovich.model.rules import Term

__all__ = ["compile_plan", "policy_rows", "net_matrix"]

INF = np.inf


class _FlowIndex:
    """Flows as integer codes, shared by the goods rows and every policy term."""

    def __init__(self, plan: Plan) -> None:
        flows = plan.flows
        self.n_proc = len(plan.processes)
        self.n_good = len(plan.goods)
        self.pcode = plan.processes.index.get_indexer(flows["process"])
        self.gcode = plan.goods.index.get_indexer(flows["good"])
        self.input = flows["input"].to_numpy(float)
        self.output = flows["output"].to_numpy(float)
        self.proc_unit = plan.processes["unit"].to_numpy(object)
        self.proc_region = plan.process_region().to_numpy(object)
        self.goods = plan.goods.index
        self.procs = plan.processes.index

    def net(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.output - self.input, (self.gcode, self.pcode)),
                             shape=(self.n_good, self.n_proc))

    def term(self, term: Term) -> tuple[np.ndarray, np.ndarray]:
        """Process positions and coefficients of one rule term."""
        if term.kind == "level":
            return np.array([self.procs.get_loc(term.target)]), np.array([1.0])
        mask = self.gcode == self.goods.get_loc(term.target)
        if term.unit is not None:
            mask &= self.proc_unit[self.pcode] == term.unit
        if term.region is not None:
            mask &= self.proc_region[self.pcode] == term.region
        amount = {"input": self.input, "output": self.output,
                  "net": self.output - self.input}[term.kind]
        return self.pcode[mask], amount[mask]


def net_matrix(plan: Plan) -> sp.csr_matrix:
    """Goods x processes: net output (outputs - inputs) per unit of level."""
    return _FlowIndex(plan).net()


def policy_rows(plan: Plan, policies: tuple[Policy, ...] | None = None,
                index: _FlowIndex | None = None
                ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Policy rows over process columns, with their lower and upper bounds."""
    policies = plan.policies if policies is None else policies
    index = index or _FlowIndex(plan)
    rows, cols, vals = [], [], []
    lower = np.full(len(policies), -INF)
    upper = np.full(len(policies), INF)
    for i, policy in enumerate(policies):
        for term, coef in policy.rule.terms:
            c, v = index.term(term)
            rows.append(np.full(len(c), i))
            cols.append(c)
            vals.append(coef * v)
        rule = policy.rule
        if rule.sense in (">=", "=="):
            lower[i] = rule.rhs
        if rule.sense in ("<=", "=="):
            upper[i] = rule.rhs
    if rows:
        r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    else:
        r = c = np.array([], dtype=int)
        v = np.array([], dtype=float)
    matrix = sp.csr_matrix((v, (r, c)), shape=(len(policies), index.n_proc))
    return matrix, lower, upper


def compile_plan(plan: Plan) -> LinearProgram:
    """The linear program of ``plan``; see the module docstring for its rows and columns."""
    index = _FlowIndex(plan)
    net = index.net()
    n_proc = index.n_proc
    goods = plan.goods
    supply = goods["supply"].to_numpy(float)
    demand = goods["demand"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        good_lower = np.where(np.isinf(supply), -INF, demand - supply)
    objective = plan.objective
    weights = objective.weights
    wpos = goods.index.get_indexer(weights.index)
    sets = objective.sense == "maximize_sets"

    blocks = [net]
    lower = [good_lower]
    upper = [np.full(len(goods), INF)]
    row_kind = [np.full(len(goods), "good", dtype=object)]
    row_id = [goods.index.to_numpy(object)]
    pol, pol_lo, pol_up = policy_rows(plan, index=index)
    blocks.append(pol)
    lower.append(pol_lo)
    upper.append(pol_up)
    row_kind.append(np.full(len(plan.policies), "policy", dtype=object))
    row_id.append(np.array([p.id for p in plan.policies], dtype=object))

    if sets:
        blocks.append(net[wpos])
        lower.append(np.zeros(len(wpos)))
        upper.append(np.full(len(wpos), INF))
        row_kind.append(np.full(len(wpos), "assortment", dtype=object))
        row_id.append(weights.index.to_numpy(object))
        c = np.zeros(n_proc)
    else:
        w = np.zeros(len(goods))
        w[wpos] = weights.to_numpy(float)
        c = np.asarray(net.T @ w).ravel()
        if objective.sense == "minimize":
            c = -c
    matrix = sp.vstack(blocks, format="csc")
    col_lower = plan.processes["min_level"].to_numpy(float)
    col_upper = plan.processes["capacity"].to_numpy(float)
    col_kind = np.full(n_proc, "process", dtype=object)
    col_id = plan.processes.index.to_numpy(object)
    if sets:
        counts = np.zeros(matrix.shape[0])
        start = matrix.shape[0] - len(wpos)
        counts[start:] = -weights.to_numpy(float)
        matrix = sp.hstack([matrix, sp.csc_matrix(counts.reshape(-1, 1))], format="csc")
        c = np.append(c, 1.0)
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
        rows=pd.DataFrame({"kind": np.concatenate(row_kind), "id": np.concatenate(row_id)}),
        cols=pd.DataFrame({"kind": col_kind, "id": col_id}),
        constant=objective.constant,
    )
