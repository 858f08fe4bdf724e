"""`kantorovich.Session`: warm what-ifs that answer as cold solves do.

Each what-if's result is compared with ``solve(plan.with_changes(**changes))``: status,
objective, levels and prices. Work is checked by counting what reaches the live model
(bounds and costs written, models passed), never by reading a clock.
"""

from __future__ import annotations

import numpy as np
import pytest

import kantorovich as k
from kantorovich.lp import highs
from kantorovich.model.generate import synthetic_plan

from conftest import EXAMPLES as examples


def _with_changes(plan: k.Plan, **changes: dict[str, float]) -> k.Plan:
    return plan.with_changes(**changes)


def _random_changes(plan: k.Plan, rng: np.random.Generator) -> dict[str, dict[str, float]]:
    goods = plan.goods
    procs = plan.processes
    changes: dict[str, dict[str, float]] = {}
    kinds = rng.choice(["supply", "demand", "capacity", "min_level", "weights", "rules"],
                       size=rng.integers(1, 4), replace=False)
    for kind in kinds:
        if kind == "supply":
            have = goods.index[np.isfinite(goods["supply"].to_numpy(float))
                               & (goods["supply"].to_numpy(float) > 0)]
            pick = rng.choice(have, size=min(2, len(have)), replace=False)
            changes["supply"] = {str(g): float(goods.at[g, "supply"] * rng.uniform(0.5, 1.5))
                                 for g in pick}
        elif kind == "demand":
            g = str(rng.choice(goods.index))
            changes["demand"] = {g: float(rng.uniform(0, 50))}
        elif kind == "capacity":
            finite = procs.index[np.isfinite(procs["capacity"].to_numpy(float))]
            pick = rng.choice(finite, size=min(3, len(finite)), replace=False)
            changes["capacity"] = {str(p): float(procs.at[p, "capacity"] * rng.uniform(0.3, 2))
                                   for p in pick}
        elif kind == "min_level":
            p = str(rng.choice(procs.index))
            cap = float(procs.at[p, "capacity"])
            top = cap if np.isfinite(cap) else 10.0
            changes["min_level"] = {p: float(rng.uniform(0, 0.2) * top)}
        elif kind == "weights":
            w = plan.objective.weights
            g = str(rng.choice(w.index))
            changes["weights"] = {g: float(w[g] * rng.uniform(0.5, 2.0))}
        elif plan.policies:
            policy = plan.policies[int(rng.integers(len(plan.policies)))]
            rhs = policy.rule.rhs
            changes["rules"] = {policy.id: float(rhs * rng.uniform(0.8, 1.2) if rhs else
                                                 rng.uniform(-1, 1))}
    return changes


def _assert_same(warm: k.PlanResult, cold: k.PlanResult) -> str:
    """Assert that a warm what-if answers as the cold solve; return which parts were
    compared number for number ('all', or what could differ: an optimum with
    alternatives, or a degenerate one whose prices are not unique)."""
    assert warm.status is cold.status
    if not cold.status.has_solution:
        return "all"
    scale = 1 + abs(cold.objective)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9, abs=1e-9 * scale)
    assert warm.certificate.verified and cold.certificate.verified
    compared = []
    prices = [(warm.shadow_prices, cold.shadow_prices)]
    if cold.plan.policies:
        prices.append((warm.policy_prices["price"], cold.policy_prices["price"]))
    if all(np.allclose(a, b, rtol=1e-9, atol=1e-9) for a, b in prices):
        compared.append("prices")
    else:
        # prices may differ only where they are not unique: at a degenerate optimum
        assert warm.is_degenerate or cold.is_degenerate
    level_atol = 1e-9 * (1 + np.abs(cold.levels).max())
    if np.allclose(warm.levels, cold.levels, rtol=1e-9, atol=level_atol):
        compared.append("levels")
    else:
        # levels may differ only where the optimum has alternatives: some process off
        # the basis with a reduced cost of zero
        basic = warm.solution.col_basis[warm.lp.col_positions("process")] == "basic"
        assert np.any(~basic & (np.abs(warm.reduced_costs.to_numpy()) <= 1e-9))
    return "all" if len(compared) == 2 else "+".join(compared) or "objective"


@pytest.mark.parametrize("make", [lambda: k.load_plan(examples / "leningrad.yaml"),
                                  lambda: synthetic_plan(300, seed=3, policies=3)],
                         ids=["leningrad", "synthetic"])
def test_twenty_random_what_ifs_equal_cold_solves(make) -> None:
    plan = make()
    session = k.Session(plan)
    rng = np.random.default_rng(7)
    statuses, compared = set(), []
    for _ in range(20):
        changes = _random_changes(plan, rng)
        warm = session.solve(**changes)
        cold = k.solve(_with_changes(plan, **changes))
        compared.append(_assert_same(warm, cold))
        statuses.add(warm.status)
    assert k.Status.OPTIMAL in statuses
    assert compared.count("all") >= 10, compared
    # and back to the base plan: every bound the what-ifs touched is restored
    _assert_same(session.solve(), k.solve(plan))


def test_only_bounds_and_costs_reach_the_live_model(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    passed = []
    original = highs.HighsSession.__init__
    monkeypatch.setattr(highs.HighsSession, "__init__",
                        lambda self, *a, **kw: passed.append(1) or original(self, *a, **kw))
    session = k.Session(plan)
    written: dict[str, list] = {"rows": [], "cols": [], "costs": []}
    live = session._highs
    for name, key in (("set_rows_bounds", "rows"), ("set_cols_bounds", "cols"),
                      ("set_costs", "costs")):
        method = getattr(live, name)
        monkeypatch.setattr(live, name, lambda idx, *a, _m=method, _k=key: (
            written[_k].append(list(idx)), _m(idx, *a))[1])
    session.solve(supply={"wheat": 3000})
    session.solve(capacity={"mill-3-milling": 2500})
    session.solve(weights={"bread": 1.5})
    assert passed == [1]                         # one model for the whole session
    good_row = int(session.lp.row_positions("good")[plan.goods.index.get_loc("wheat")])
    col = int(session.lp.col_positions("process")[
        plan.processes.index.get_loc("mill-3-milling")])
    # the wheat row; wheat restored while the capacity is written; the capacity restored
    # while the costs are written
    assert written["rows"] == [[good_row], [good_row], []]
    assert written["cols"] == [[], [col], [col]]
    assert written["costs"][:2] == [[], []] and written["costs"][2]


def test_unknown_ids_and_changes_are_plan_errors() -> None:
    session = k.Session(k.load_plan(examples / "leningrad.yaml"))
    with pytest.raises(k.PlanError, match="labour_n"):
        session.solve(supply={"labour_n": 1})
    with pytest.raises(k.PlanError, match="nope"):
        session.solve(rules={"nope": 1})
    with pytest.raises(k.PlanError, match="unknown change"):
        session.solve(suply={"wheat": 1})


def test_an_infeasible_what_if_reports_it_and_the_next_recovers() -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    session = k.Session(plan)
    infeasible = session.solve(demand={"bread": 1e12})
    assert infeasible.status is k.solve(_with_changes(plan, demand={"bread": 1e12})).status
    assert not infeasible.is_optimal
    _assert_same(session.solve(supply={"wheat": 4100}),
                 k.solve(_with_changes(plan, supply={"wheat": 4100})))


def test_a_what_if_result_analyses_from_its_own_basis() -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    warm = k.Session(plan).solve(supply={"wheat": 4400})
    cold = k.solve(_with_changes(plan, supply={"wheat": 4400}))
    assert warm._session is None                 # no live solver travels with it
    ours, theirs = warm.sensitivity()["goods"], cold.sensitivity()["goods"]
    np.testing.assert_allclose(ours.to_numpy(float), theirs.to_numpy(float), rtol=1e-9)
