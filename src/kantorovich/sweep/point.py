"""One grid point solved: the record a row of ``points.parquet`` is made of.

Columns of a record (and of ``points.parquet``, after the grid's own KEY columns):

* ``status``: the solve's status (``optimal``, ``infeasible``, ...), ``objective``;
* ``price.GOOD``: the shadow price of each good (improvement per extra unit available);
* ``rule_price.ID``: the price of each policy (improvement per unit it is loosened);
* ``rule_cost.ID``: what each policy costs at this point, exactly: the objective gained
  by dropping the rule (re-solved; 0 for a rule with slack);
* ``iterations`` and ``seconds`` of the solve.

Prices and costs are NaN at a point without an optimum. Each worker thread keeps one warm
`kantorovich.Session` per plan, so a point costs a warm re-solve from the base plan's
optimal basis, not a compile and a cold solve; its answer equals ``k.solve`` of the changed
plan (see `kantorovich.results.session`).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import numpy as np

from kantorovich.model.plan import Plan
from kantorovich.sweep.grid import changes_of

__all__ = ["plan_fingerprint", "solve_point"]

_warm = threading.local()
_KEPT = 4


def plan_fingerprint(plan: Plan) -> str:
    """A hash of the program the plan compiles to (matrix, bounds, objective, ids): two
    plans with the same fingerprint are solved alike, whatever file they came from."""
    from kantorovich.lp.compile import compile_plan

    lp = compile_plan(plan)
    digest = hashlib.sha256(lp.sense.encode())
    matrix = lp.matrix.tocsc()
    for array in (matrix.indptr, matrix.indices, matrix.data, lp.objective, lp.row_lower,
                  lp.row_upper, lp.col_lower, lp.col_upper, np.array([lp.constant])):
        digest.update(np.ascontiguousarray(array).tobytes())
    for table in (lp.rows, lp.cols):
        for column in ("kind", "id"):
            digest.update("\x1f".join(map(str, table[column])).encode())
    return digest.hexdigest()[:24]


def _session(plan: Plan) -> Any:
    """This thread's warm session of ``plan`` (a few plans are kept, the newest last)."""
    from kantorovich.results.session import Session

    kept: list[tuple[Plan, Any]] = getattr(_warm, "sessions", [])
    _warm.sessions = kept
    for held, session in kept:
        if held is plan:
            return session
    session = Session(plan)
    session.solve()                 # the base optimum: every point starts from its basis
    kept.append((plan, session))
    del kept[:-_KEPT]
    return session


def solve_point(plan: Plan, **point: float) -> dict[str, Any]:
    """Solve ``plan`` changed as the grid point says; return the point's record.

    >>> import kantorovich as k
    >>> plan = k.load_plan("examples/leningrad.yaml")
    >>> record = solve_point(plan, **{"policies.district-3-bread": 2_000_000.0})
    >>> record["status"], round(record["objective"]), round(record["rule_price.district-3-bread"], 6)
    ('optimal', 6670667, 0.03)
    >>> round(record["rule_cost.district-3-bread"])
    3500
    """
    from kantorovich.explain.policies import policy_costs

    result = _session(plan).solve(**changes_of(point, plan))
    record: dict[str, Any] = {"status": result.status.value,
                              "objective": float(result.objective),
                              "iterations": int(result.solution.iterations),
                              "seconds": float(result.solution.seconds)}
    goods = [str(g) for g in plan.goods.index]
    policies = [p.id for p in plan.policies]
    if result.is_optimal:
        prices = result.shadow_prices.to_numpy(float)
        rules = result.policy_prices["price"].to_numpy(float)
        costs = (policy_costs(result)["cost"].reindex(policies).to_numpy(float)
                 if policies else np.array([]))
    else:
        prices = np.full(len(goods), np.nan)
        rules = costs = np.full(len(policies), np.nan)
    record.update({f"price.{g}": float(v) for g, v in zip(goods, prices)})
    record.update({f"rule_price.{p}": float(v) for p, v in zip(policies, rules)})
    record.update({f"rule_cost.{p}": float(v) for p, v in zip(policies, costs)})
    return record
