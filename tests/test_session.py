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


# ---- a rule's coefficients, not only its constant ----------------------------------------

SHARE_40 = "output(bread, region='District 3') >= 0.4 * output(bread)"
SHARE_60 = "output(bread, region='District 3') >= 0.6 * output(bread)"


def _same_answer(warm: k.PlanResult, cold: k.PlanResult) -> None:
    """The warm answer is the cold one: status, objective, every price, the bakeries'
    levels. With the share rule binding the optimum has alternatives (flour in District
    5 to spare: Mill No. 5 may mill more or less of it), so the mills' levels may
    differ."""
    assert warm.status is cold.status is k.Status.OPTIMAL and warm.certificate.verified
    assert warm.objective == pytest.approx(cold.objective, rel=1e-12)
    assert np.allclose(warm.shadow_prices, cold.shadow_prices, rtol=1e-9, atol=1e-9)
    assert np.allclose(warm.policy_prices["price"], cold.policy_prices["price"],
                       rtol=1e-9, atol=1e-9)
    bakeries = ["baking-3", "baking-5"]
    assert np.allclose(warm.levels[bakeries], cold.levels[bakeries], rtol=1e-12)


def test_a_share_rule_from_40_to_60_percent_warm_as_a_cold_solve() -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    plan = plan.with_policies({**{p.id: p for p in plan.policies}, "share": SHARE_40})
    session = k.Session(plan)
    base = session.solve()
    _assert_same(base, k.solve(plan))
    coefficients = []
    live = session._highs
    original = live.set_coefficient
    live.set_coefficient = lambda *a: (coefficients.append(a), original(*a))[1]
    warm = session.solve(rules={"share": SHARE_60})
    cold = k.solve(plan.with_changes(rules={"share": SHARE_60}))
    _same_answer(warm, cold)
    assert warm.objective == pytest.approx(6_031_111.111111, rel=1e-9)
    assert warm.method_reason.endswith("a warm what-if re-solve in a Session")
    # the rule now binds: District 3 bakes 60% of the bread, and that costs bread
    bread = warm.plan.flows.query("good == 'bread'")
    made = (bread.set_index("process")["output"] * warm.levels).dropna()
    d3 = made[[p for p in made.index if p == "baking-3"]].sum()
    assert d3 == pytest.approx(0.6 * made.sum(), rel=1e-9)
    assert warm.objective < base.objective - 1
    assert warm.policy_prices.at["share", "price"] != 0
    # only the share row's coefficients were written: one per bread-making process
    row = int(session.lp.row_positions("policy")[[p.id for p in plan.policies].index("share")])
    assert {r for r, _, _ in coefficients} == {row} and len(coefficients) == 2
    # its text says what it now is, and the name is kept
    assert "0.6*output(bread)" in warm.plan.policies[-1].rule.text.replace(" ", "")
    # and back: the coefficients are put back, the base answer again
    _assert_same(session.solve(), k.solve(plan))
    both = session.solve(rules={"share": SHARE_60, "district-3-bread": 1_000_000})
    _same_answer(both, k.solve(plan.with_changes(
        rules={"share": SHARE_60, "district-3-bread": 1_000_000})))


def test_a_new_rule_is_checked_as_a_plan_files_is() -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    session = k.Session(plan)
    with pytest.raises(k.PlanError, match="unknown policy 'nope'"):
        session.solve(rules={"nope": "level(mill-3-milling) >= 1"})
    with pytest.raises(k.PlanError, match="unknown good 'bred'"):
        session.solve(rules={"district-3-bread": "output(bred) >= 1"})
    with pytest.raises(k.PlanError, match=r"rules\.district-3-bread"):
        session.solve(rules={"district-3-bread": "output(bread) >= "})


def test_with_policies_takes_every_form_from_frames_takes() -> None:
    plan = k.load_plan(examples / "leningrad.yaml")
    forms = {
        "text": {"share": SHARE_40},
        "mapping": {"share": {"rule": SHARE_40, "name": "District 3 bakes 40%"}},
        "policy": {"share": k.Policy("other-id", SHARE_40, "District 3 bakes 40%")},
        "policies": [k.Policy("share", SHARE_40, "District 3 bakes 40%")],
    }
    for form, given in forms.items():
        changed = plan.with_policies(given)
        assert [p.id for p in changed.policies] == ["share"], form
        assert changed.policies[0].rule == k.Policy("share", SHARE_40).rule, form
        made = k.Plan.from_frames(goods=plan.goods, processes=plan.processes,
                                  flows=plan.flows, objective=plan.objective,
                                  units=plan.units, policies=given if isinstance(
                                      given, dict) else {"share": given[0]})
        def read(policies: tuple[k.Policy, ...]) -> list[tuple[object, ...]]:
            return [(p.id, p.name, p.rule.terms, p.rule.sense, p.rule.rhs) for p in policies]

        assert read(made.policies) == read(changed.policies), form
        assert changed.policies[0].name == ("" if form == "text" else "District 3 bakes 40%")
        assert k.solve(changed).objective == pytest.approx(k.solve(made).objective)
    with pytest.raises(k.PlanError) as caught:
        plan.with_policies({"a": {"rule": SHARE_40, "nme": "x"}, "b": 5})
    assert "policies.a.nme" in str(caught.value) and "policies.b.rule" in str(caught.value)
    with pytest.raises(k.PlanError, match="unknown good 'bred'"):
        plan.with_policies({"a": "output(bred) >= 1"})
    with pytest.raises(k.PlanError, match="given twice"):
        plan.with_policies([k.Policy("a", SHARE_40), k.Policy("a", SHARE_60)])
