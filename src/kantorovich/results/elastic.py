"""The elastic program of an infeasible plan, and the conflict filters built on it.

The elastic program is the plan's program plus one weighted, non-negative slack for every
supply, demand, policy side, capacity and minimum level; its optimum is the smallest
weighted relaxation. The same program, with slacks fixed at zero one statement after
another, isolates a conflicting set of statements when HiGHS has no IIS to give
(Chinneck's elastic and deletion filters). Everything here is numbers on the program's
rows and columns; `kantorovich.results.diagnosis_records` maps them to plan statements.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kantorovich.lp.budget import Budget
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan

__all__ = ["Elastic", "elastic_program", "filter_conflict", "plan_levels",
           "relaxed_program", "satisfies", "slack_amounts", "statement_sides",
           "weaken_min_levels"]

log = logging.getLogger(__name__)

#: Slack values at or below ``_ZERO * (1 + |bound|)`` are solver noise, not relaxations.
_ZERO = 1e-9
#: The deletion-filter fallback stops growing its candidate set beyond this many statements.
_MAX_FILTER = 200
#: The elastic objective is scaled by at most this factor (see `elastic_program`).
_MAX_SCALE = 1e9
#: Slack values this far (relative) past a relaxed bound fail the feasibility check.
_FEASIBLE = 1e-6


@dataclass(frozen=True)
class Elastic:
    """The elastic program: the plan's program plus one weighted slack per relaxable side.

    Slack ``k`` is column ``n + k``; ``kind[k]`` says what it relaxes, ``pos[k]`` the row
    or column of the original program, ``statement[k]`` the statement it belongs to (a row
    ``i`` is statement ``i``, a capacity ``m + j``, a minimum level ``m + n + j``).
    """

    lp: LinearProgram
    kind: np.ndarray
    pos: np.ndarray
    weight: np.ndarray
    statement: np.ndarray
    bound: np.ndarray       # the original size of the relaxed statement, in plan units


def elastic_program(lp: LinearProgram, plan: Plan) -> Elastic:
    """Add non-negative slacks for every supply, demand, policy side, capacity and minimum
    level, and minimise their weighted sum.

    Weights are ``1 / (1 + |original bound|)``, so a slack measures roughly the *fraction*
    of its statement given up: 200 t of 2,000 t counts as much as 400,000 of 4,000,000
    loaves, which makes relaxations comparable across units. Supply and demand of a good
    are separate statements; a demand can fall to zero, no further. A capacity relaxation
    is a copy of its process's column (extra level above capacity), a minimum-level one a
    negated copy, so no row is added and the matrix is assembled in a few sparse stacks.
    """
    m, n = lp.shape
    rkind = lp.rows["kind"].to_numpy(object)
    lo, up = lp.row_lower, lp.row_upper
    good = np.flatnonzero((rkind == "good") & np.isfinite(lo))
    gpos = plan.goods.index.get_indexer(pd.Index(lp.rows["id"].to_numpy(object)[good]))
    supply = plan.goods["supply"].to_numpy(float)[gpos]
    demand = plan.goods["demand"].to_numpy(float)[gpos]
    has_demand = demand > 0
    dem = good[has_demand]
    policy = rkind == "policy"
    pol_lo = np.flatnonzero(policy & np.isfinite(lo))
    pol_up = np.flatnonzero(policy & np.isfinite(up))
    process = (lp.cols["kind"] == "process").to_numpy()
    cap = np.flatnonzero(process & np.isfinite(lp.col_upper))
    mins = np.flatnonzero(process & (lp.col_lower > 0) & np.isfinite(lp.col_lower))

    row_pos = np.concatenate([good, dem, pol_lo, pol_up])
    sign = np.concatenate([np.ones(len(good) + len(dem) + len(pol_lo)), -np.ones(len(pol_up))])
    k_rows = len(row_pos)
    slack_rows = sp.csc_matrix((sign, (row_pos, np.arange(k_rows))), shape=(m, k_rows))
    A = lp.matrix.tocsc()
    matrix = sp.hstack([A, slack_rows, A[:, cap], -A[:, mins]], format="csc")

    bound = np.concatenate([supply, demand[has_demand], lo[pol_lo], up[pol_up],
                            lp.col_upper[cap], lp.col_lower[mins]])
    weight = 1.0 / (1.0 + np.abs(bound))
    k = len(weight)
    kind = np.concatenate([np.full(len(good), "supply", dtype=object),
                           np.full(len(dem), "demand", dtype=object),
                           np.full(len(pol_lo), "policy_lower", dtype=object),
                           np.full(len(pol_up), "policy_upper", dtype=object),
                           np.full(len(cap), "capacity", dtype=object),
                           np.full(len(mins), "min_level", dtype=object)])
    pos = np.concatenate([row_pos, cap, mins]).astype(int)
    statement = np.concatenate([row_pos, m + cap, m + n + mins]).astype(int)
    slack_upper = np.full(k, np.inf)
    slack_upper[len(good):len(good) + len(dem)] = demand[has_demand]
    slack_upper[k - len(mins):] = lp.col_lower[mins]
    cols = pd.DataFrame({"kind": np.concatenate([lp.cols["kind"].to_numpy(object),
                                                 "slack_" + kind.astype(str)]),
                         "id": np.concatenate([lp.cols["id"].to_numpy(object),
                                               np.concatenate([
                                                   lp.rows["id"].to_numpy(object)[row_pos],
                                                   lp.cols["id"].to_numpy(object)[cap],
                                                   lp.cols["id"].to_numpy(object)[mins]])])})
    # Weights of big statements are tiny (2.5e-7 per loaf of a 4,000,000-loaf demand), and
    # their differences would drown in HiGHS's absolute dual tolerance (1e-7): solve with
    # the weights scaled so that the smallest is 1, which changes no optimum.
    scale = min(1.0 / float(np.min(weight, initial=1.0)), _MAX_SCALE)
    elastic = LinearProgram(
        sense="minimize", objective=np.concatenate([np.zeros(n), scale * weight]),
        matrix=matrix,
        row_lower=lo.copy(), row_upper=up.copy(),
        col_lower=np.concatenate([lp.col_lower, np.zeros(k)]),
        col_upper=np.concatenate([lp.col_upper, slack_upper]),
        rows=lp.rows.copy(), cols=cols)
    return Elastic(elastic, kind, pos, weight, statement, bound)


def relaxed_program(lp: LinearProgram, el: Elastic, amount: np.ndarray) -> LinearProgram:
    """``lp`` with each slack amount applied to the bound it relaxes."""
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    for kind, target, sign in (("supply", row_lower, -1.0), ("demand", row_lower, -1.0),
                               ("policy_lower", row_lower, -1.0),
                               ("policy_upper", row_upper, 1.0),
                               ("capacity", col_upper, 1.0), ("min_level", col_lower, -1.0)):
        sel = el.kind == kind
        np.add.at(target, el.pos[sel], sign * amount[sel])
    return replace(lp, row_lower=row_lower, row_upper=row_upper,
                   col_lower=col_lower, col_upper=col_upper)
def slack_amounts(el: Elastic, x: np.ndarray) -> np.ndarray:
    """The relaxation at an elastic solution ``x``: each slack's value, with solver noise
    (at most ``_ZERO * (1 + |bound|)``) set to zero."""
    raw = x[len(x) - len(el.kind):]
    return np.where(raw > _ZERO * (1.0 + np.abs(el.bound)), raw, 0.0)


def plan_levels(el: Elastic, x: np.ndarray, n: int) -> np.ndarray:
    """The plan's levels at an elastic solution: a capacity slack is extra level of its
    process, a minimum-level slack level taken off (see `elastic_program`)."""
    levels = x[:n].copy()
    for kind, sign in (("capacity", 1.0), ("min_level", -1.0)):
        sel = el.kind == kind
        np.add.at(levels, el.pos[sel], sign * x[n:][sel])
    return levels


def satisfies(lp: LinearProgram, x: np.ndarray) -> bool:
    """Whether levels ``x`` meet every row and bound of ``lp``, to a relative 1e-6: the
    relaxed plan is feasible because here is a point of it, computed from the matrix."""
    activity = lp.matrix @ x

    def within(v: np.ndarray, lo: np.ndarray, up: np.ndarray) -> bool:
        with np.errstate(invalid="ignore"):
            return bool(np.all(v >= lo - _FEASIBLE * (1.0 + np.abs(lo))) and
                        np.all(v <= up + _FEASIBLE * (1.0 + np.abs(up))))

    return within(activity, lp.row_lower, lp.row_upper) and within(x, lp.col_lower,
                                                                   lp.col_upper)


def weaken_min_levels(lp: LinearProgram, rows: np.ndarray, row_side: np.ndarray,
                       cols: np.ndarray, col_side: np.ndarray, budget: Budget
                       ) -> np.ndarray:
    """Mark IIS lower bounds that conflict only as 'level >= 0' with side 'nonnegative'.

    HiGHS drops a bound to -inf when testing whether it is needed, so a minimum level
    shows up whenever *some* lower bound is needed, often just "processes do not run
    backwards". Each positive minimum level is lowered to 0 in the (small) subsystem; if
    it stays infeasible, the minimum level is not what conflicts. The subsystem remains
    irreducible, since removing that bound altogether made it feasible.
    """
    col_side = col_side.copy()
    candidates = [k for k, (j, side) in enumerate(zip(cols, col_side))
                  if side in ("lower", "boxed") and lp.col_lower[j] > 0]
    if not candidates:
        return col_side
    sub = _subsystem(lp, rows, row_side, cols, col_side)
    used = sub.cols["id"].to_numpy(int)
    with HighsSession(sub, budget=budget) as session:
        for k in candidates:
            j = int(np.flatnonzero(used == cols[k])[0])
            upper = sub.col_upper[j]
            session.set_col_bounds(j, 0.0, upper)
            if session.solve().status is Status.INFEASIBLE:
                col_side[k] = "nonnegative" if col_side[k] == "lower" else "nonnegative+upper"
            else:
                session.set_col_bounds(j, sub.col_lower[j], upper)
    return col_side


def _subsystem(lp: LinearProgram, rows: np.ndarray, row_side: np.ndarray,
               cols: np.ndarray, col_side: np.ndarray) -> LinearProgram:
    """The conflicting rows and bounds alone, over the columns they mention, as a
    feasibility problem; ``cols['id']`` holds each column's position in ``lp``."""
    A = lp.matrix.tocsr()[rows]
    used = np.union1d(np.unique(A.indices), cols).astype(int)
    side_lo = np.isin(row_side, ["lower", "boxed"])
    side_up = np.isin(row_side, ["upper", "boxed"])
    col_lower = np.full(len(used), -np.inf)
    col_upper = np.full(len(used), np.inf)
    where = np.searchsorted(used, cols)
    lo_side = np.isin(col_side, ["lower", "boxed"])
    up_side = np.isin(col_side, ["upper", "boxed"])
    col_lower[where[lo_side]] = lp.col_lower[cols[lo_side]]
    col_upper[where[up_side]] = lp.col_upper[cols[up_side]]
    return LinearProgram(
        sense="minimize", objective=np.zeros(len(used)), matrix=A[:, used].tocsc(),
        row_lower=np.where(side_lo, lp.row_lower[rows], -np.inf),
        row_upper=np.where(side_up, lp.row_upper[rows], np.inf),
        col_lower=col_lower, col_upper=col_upper, rows=lp.rows.iloc[rows].reset_index(
            drop=True),
        cols=pd.DataFrame({"kind": "position", "id": used}))


def filter_conflict(lp: LinearProgram, el: Elastic, session: HighsSession,
                     budget: Budget) -> tuple[np.ndarray, bool] | None:
    """A conflicting set of statements without HiGHS's IIS (Chinneck's filters).

    Elastic filter: solve the elastic program, make every statement it relaxed hard
    (its slacks fixed at zero), repeat until the elastic program is infeasible; the hard
    statements then conflict. Deletion filter: drop each of them in turn from the plan
    reduced to those statements, and keep it dropped if the rest still conflict; what
    remains is irreducible. The elastic filter goes on in ``session``, the elastic
    program's own (warm), the deletion filter in one more; both stop at ``_MAX_FILTER``
    statements or when ``budget`` is spent, returning the set found so far (then not
    irreducible), or None before any.
    """
    m, n = lp.shape
    enforced: set[int] = set()
    while True:
        sol = session.solve(budget)
        if sol.status is Status.INFEASIBLE:
            break
        if sol.status is not Status.OPTIMAL:
            return (np.array(sorted(enforced)), False) if enforced else None
        raw = sol.x[n:]
        used = raw > _ZERO * (1.0 + np.abs(el.bound))
        new = set(np.unique(el.statement[used]).tolist()) - enforced
        if not new:
            return None
        enforced |= new
        for k in np.flatnonzero(np.isin(el.statement, list(new))):
            session.set_col_bounds(n + int(k), 0.0, 0.0)
        if len(enforced) > _MAX_FILTER:
            log.info("elastic filter stopped at %d statements", len(enforced))
            return np.array(sorted(enforced)), False

    # the plan reduced to the enforced statements, as a feasibility problem
    statements = np.unique(el.statement)
    off = statements[~np.isin(statements, list(enforced))]
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    off_rows = off[off < m]
    row_lower[off_rows], row_upper[off_rows] = -np.inf, np.inf
    col_upper[off[(off >= m) & (off < m + n)] - m] = np.inf
    col_lower[off[off >= m + n] - m - n] = 0.0
    reduced = replace(lp, objective=np.zeros(n), row_lower=row_lower, row_upper=row_upper,
                      col_lower=col_lower, col_upper=col_upper)
    keep: list[int] = []
    bounds = _Bounds(reduced)
    with HighsSession(reduced, budget=budget) as session:
        for done, s in enumerate(sorted(enforced)):
            bounds.switch(session, lp, s, on=False)
            status = session.solve().status
            if status is Status.INFEASIBLE:
                continue            # the rest still conflict: s is not needed
            bounds.switch(session, lp, s, on=True)
            if status is Status.TIME_LIMIT:   # not examined: keep it and the rest
                return np.array(keep + sorted(enforced)[done:], dtype=int), False
            keep.append(s)
    return np.array(keep, dtype=int), True


class _Bounds:
    """The bounds a feasibility session currently holds, so that a capacity and a minimum
    level of the same process can be dropped and restored independently."""

    def __init__(self, lp: LinearProgram) -> None:
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()

    def switch(self, session: HighsSession, lp: LinearProgram, statement: int, *,
               on: bool) -> None:
        """Enforce (``on``) or drop one statement (see `Elastic` for the codes)."""
        m, n = lp.shape
        if statement < m:
            lower, upper = ((lp.row_lower[statement], lp.row_upper[statement]) if on
                            else (-np.inf, np.inf))
            session.set_row_bounds(statement, lower, upper)
            return
        if statement < m + n:
            j = statement - m
            self.col_upper[j] = lp.col_upper[j] if on else np.inf
        else:
            j = statement - m - n
            self.col_lower[j] = lp.col_lower[j] if on else 0.0
        session.set_col_bounds(j, self.col_lower[j], self.col_upper[j])


def statement_sides(lp: LinearProgram, statements: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Statement codes as (rows, row sides, columns, column sides), like an IIS."""
    m, n = lp.shape
    rows = statements[statements < m]
    lo_ok, up_ok = np.isfinite(lp.row_lower[rows]), np.isfinite(lp.row_upper[rows])
    row_side = np.where(lo_ok & up_ok, "boxed", np.where(lo_ok, "lower", "upper"))
    caps = statements[(statements >= m) & (statements < m + n)] - m
    mins = statements[statements >= m + n] - m - n
    cols = np.concatenate([caps, mins]).astype(int)
    col_side = np.array(["upper"] * len(caps) + ["lower"] * len(mins), dtype=object)
    return rows.astype(int), row_side.astype(object), cols, col_side
