"""The exact structure method (non-substitution): known optima by hand, agreement with the
simplex on random productive economies, and the plans it refuses.

The hand economy: corn is made by hand (2 h of labour) or with a plough (1 h and 0.5 t
of iron); iron by a smith (1 h, 0.2 t of corn) or a forge (0.5 h, 0.6 t of corn). With
plough and smith the labour values solve ``v_c = 1 + 0.5 v_i``, ``v_i = 1 + 0.2 v_c``:
``v_c = 5/3``, ``v_i = 4/3`` h per t. Hand costs 2 > 5/3 and the forge
``0.5 + 0.6 * 5/3 = 1.5 > 4/3``, so plough and smith are cheapest whatever is demanded
(plough and forge give ``v_c = 1.25 / 0.7 = 1.79``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.leontief import NotProductive, leontief_solve
from kantorovich.lp.structure import Structure
from kantorovich.model.plan import Plan

V_CORN, V_IRON = 5 / 3, 4 / 3

PROCESSES = {
    "hand": {"inputs": {"labour": 2}, "outputs": {"corn": 1}},
    "plough": {"inputs": {"labour": 1, "iron": 0.5}, "outputs": {"corn": 1}},
    "smith": {"inputs": {"labour": 1, "corn": 0.2}, "outputs": {"iron": 1}},
    "forge": {"inputs": {"labour": 0.5, "corn": 0.6}, "outputs": {"iron": 1}},
}


def corn_iron(objective: dict, *, supply: float | None = 100.0, demand: dict | None = None,
              processes: dict | None = None, **extra: object) -> Plan:
    data = {"name": "corn-iron",
            "goods": {"corn": {"unit": "t"}, "iron": {"unit": "t"}, "labour": {"unit": "h"}},
            "processes": processes or PROCESSES, "objective": objective, **extra}
    if supply is not None:
        data["supply"] = {"labour": supply}
    if demand:
        data["demand"] = demand
    return Plan.from_dict(data)


def assert_structure(result: k.PlanResult) -> None:
    assert result.method == "structure", result.method_reason
    assert result.status is k.Status.OPTIMAL
    assert result.certificate.verified
    assert "non-substitution" in result.method_reason


def test_minimise_labour_for_a_final_demand() -> None:
    result = k.solve(corn_iron({"minimize": {"labour": 1}}, demand={"corn": 10}))
    assert_structure(result)
    assert result.objective == pytest.approx(10 * V_CORN, rel=1e-12)
    # gross outputs: corn q_c = 10 + 0.2 q_i, iron q_i = 0.5 q_c
    assert result.levels["plough"] == pytest.approx(100 / 9, rel=1e-12)
    assert result.levels["smith"] == pytest.approx(50 / 9, rel=1e-12)
    assert result.levels[["hand", "forge"]].tolist() == [0.0, 0.0]
    prices = result.shadow_prices
    assert prices["corn"] == pytest.approx(V_CORN) and prices["iron"] == pytest.approx(V_IRON)
    assert prices["labour"] == 0.0                   # the supply is not binding
    # reduced costs: the techniques not chosen lose their excess cost per level
    rc = result.reduced_costs
    assert rc["hand"] == pytest.approx(-(2 - V_CORN))
    assert rc["forge"] == pytest.approx(-(0.5 + 0.6 * V_CORN - V_IRON))
    simplex = k.solve(result.plan, method="simplex")
    assert simplex.method == "simplex"
    assert simplex.objective == pytest.approx(result.objective, rel=1e-9)
    assert np.allclose(simplex.levels, result.levels)


def test_most_complete_sets_for_the_labour_at_hand() -> None:
    result = k.solve(corn_iron({"maximize_sets": {"corn": 1, "iron": 1}}))
    assert_structure(result)
    assert result.objective == pytest.approx(100 / (V_CORN + V_IRON), rel=1e-12)
    assert result.shadow_prices["labour"] == pytest.approx(1 / 3)   # sets per hour
    assert result.assortment_prices.to_dict() == pytest.approx(
        {"corn": V_CORN / 3, "iron": V_IRON / 3})
    assert k.solve(result.plan, method="simplex").objective == pytest.approx(
        result.objective, rel=1e-9)


def test_sets_with_a_demand_above_the_basket() -> None:
    # iron demanded 40 binds the iron row: 5/3 s + 4/3 * 40 = 100, so s = 28
    result = k.solve(corn_iron({"maximize_sets": {"corn": 1, "iron": 1}},
                               demand={"iron": 40}))
    assert_structure(result)
    assert result.objective == pytest.approx(28, rel=1e-12)
    assert result.net_output.to_dict() == pytest.approx(
        {"corn": 28, "iron": 40, "labour": -100})
    assert result.shadow_prices["iron"] == pytest.approx(0.6 * V_IRON)
    assert result.assortment_prices.to_dict() == pytest.approx({"corn": 1.0, "iron": 0.0})
    assert k.solve(result.plan, method="simplex").objective == pytest.approx(28, rel=1e-9)


def test_weighted_output_goes_to_the_best_good_per_hour() -> None:
    # corn earns 2 / (5/3) = 1.2 per hour, iron 1 / (4/3) = 0.75: after the 6 t of iron
    # demanded (8 h), the other 92 h make 55.2 t of corn
    result = k.solve(corn_iron({"maximize": {"corn": 2, "iron": 1}}, demand={"iron": 6}))
    assert_structure(result)
    assert result.objective == pytest.approx(2 * 55.2 + 6, rel=1e-12)
    assert result.shadow_prices["labour"] == pytest.approx(1.2)
    assert result.shadow_prices["iron"] == pytest.approx(1.2 * V_IRON - 1)
    assert k.solve(result.plan, method="simplex").objective == pytest.approx(
        result.objective, rel=1e-9)


def test_the_basis_of_the_chosen_techniques_lets_analyses_run() -> None:
    result = k.solve(corn_iron({"maximize_sets": {"corn": 1, "iron": 1}}))
    sol = result.solution
    assert sol.has_basis
    assert sorted(result.lp.cols["id"][sol.col_basis == "basic"]) == ["plough", "sets",
                                                                      "smith"]
    assert int(np.sum(sol.col_basis == "basic") + np.sum(sol.row_basis == "basic")) == (
        result.lp.shape[0])
    warm = result.session().solve()          # HiGHS accepts the basis: no iterations
    assert warm.status is k.Status.OPTIMAL and warm.iterations == 0
    assert warm.objective == pytest.approx(result.objective, rel=1e-12)


@pytest.mark.parametrize(("change", "why"), [
    ({"processes": {**PROCESSES, "hand": {**PROCESSES["hand"], "capacity": 3}}},
     "capacity"),
    ({"policies": {"few-ploughs": "level(plough) <= 5"}}, "rules"),
    ({"processes": {**PROCESSES, "mill": {"inputs": {"labour": 1},
                                          "outputs": {"corn": 1, "iron": 0.1}}}},
     "joint production"),
])
def test_plans_without_the_structure_fall_back_with_the_reason(change: dict, why: str
                                                               ) -> None:
    plan = corn_iron({"maximize_sets": {"corn": 1, "iron": 1}}, **change)
    result = k.solve(plan)
    assert result.method == "simplex"
    assert result.method_reason.startswith("not structure:") and why in result.method_reason
    assert result.status is k.Status.OPTIMAL and result.certificate.verified
    asked = k.solve(plan, method="structure")
    assert asked.method == "simplex"
    assert asked.method_reason.startswith("structure was asked for, but")


def test_two_limited_resources_are_not_the_structure() -> None:
    procs = {**PROCESSES, "smith": {"inputs": {"labour": 1, "corn": 0.2, "coal": 1},
                                    "outputs": {"iron": 1}}}
    plan = Plan.from_dict({
        "name": "two", "goods": {"corn": {}, "iron": {}, "labour": {}, "coal": {}},
        "supply": {"labour": 100, "coal": 5}, "processes": procs,
        "objective": {"maximize_sets": {"corn": 1, "iron": 1}}})
    result = k.solve(plan)
    assert result.method == "simplex" and "2 primary resources" in result.method_reason


@pytest.mark.parametrize("objective", [{"minimize": {"labour": 1}},
                                       {"maximize_sets": {"corn": 1}}])
def test_not_enough_labour_is_left_to_the_solver_to_diagnose(objective: dict) -> None:
    result = k.solve(corn_iron(objective, supply=10, demand={"corn": 10}))
    assert result.status is k.Status.INFEASIBLE
    assert result.method == "simplex"


def test_no_labour_at_all_is_infeasible() -> None:
    result = k.solve(corn_iron({"minimize": {"labour": 1}}, supply=None,
                               demand={"corn": 3}))
    assert result.status is k.Status.INFEASIBLE
    assert "needs more of 'labour' than there is" in result.method_reason


def test_unlimited_labour_minimised() -> None:
    result = k.solve(corn_iron({"minimize": {"labour": 1}}, supply=float("inf"),
                               demand={"corn": 3, "iron": 3}))
    assert_structure(result)
    assert result.objective == pytest.approx(3 * V_CORN + 3 * V_IRON, rel=1e-12)


def test_a_failed_certificate_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    solve = Structure.solve

    def spoiled(self, lp, budget, start=None):  # noqa: ANN001, ANN202 - patched signature
        found = solve(self, lp, budget, start)
        found.solution.row_dual[:] *= 1.5       # wrong prices
        return found

    monkeypatch.setattr(Structure, "solve", spoiled)
    result = k.solve(corn_iron({"maximize_sets": {"corn": 1, "iron": 1}}))
    assert result.method == "simplex"
    assert "structure's answer failed the certificate" in result.method_reason
    assert result.objective == pytest.approx(100 / 3, rel=1e-9)


def test_leontief_solve_methods_agree() -> None:
    rng = np.random.default_rng(3)
    import scipy.sparse as sp

    n = 300
    B = sp.random(n, n, density=0.02, random_state=rng, format="csr")
    B = sp.csr_matrix(B.multiply(0.8 / max(B.sum(axis=0).max(), 1e-9)))
    rhs = rng.random(n)
    direct, how_lu = leontief_solve(B, rhs)
    iterated, how_it = leontief_solve(B, rhs, direct_up_to=0)
    assert (how_lu, how_it) == ("splu", "iteration")
    assert np.allclose(direct, iterated, rtol=1e-11, atol=0)
    assert np.allclose(direct - B @ direct, rhs, rtol=1e-12)
    with pytest.raises(NotProductive):
        leontief_solve(sp.csr_matrix(np.array([[1.0]])), np.ones(1))


# -- random productive economies: structure equals the simplex -------------------------------
@st.composite
def economies(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(2, 6))
    k_max = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    objective = draw(st.sampled_from(["minimize", "maximize_sets", "maximize"]))
    rng = np.random.default_rng(seed)
    per_good = rng.integers(1, k_max + 1, size=n)
    makes = np.repeat(np.arange(n), per_good)
    m = len(makes)
    # inputs: each technique draws some goods; per unit of output its inputs sum below
    # 0.9, so any choice of techniques is productive
    A = rng.random((n, m)) * (rng.random((n, m)) < 0.5)
    out = rng.uniform(0.5, 2.0, size=m)
    A *= rng.uniform(0.1, 0.9, size=m) * out / np.maximum(A.sum(axis=0), 1e-9)
    labour = rng.uniform(0.1, 3.0, size=m)
    goods = [f"g{i}" for i in range(n)]
    procs = [f"p{j}" for j in range(m)]
    g, j = np.nonzero(A)
    flows = pd.DataFrame({
        "process": [procs[c] for c in j] + procs + procs,
        "good": [goods[r] for r in g] + [goods[r] for r in makes] + ["labour"] * m,
        "input": list(A[g, j]) + [0.0] * m + list(labour),
        "output": [0.0] * len(g) + list(out) + [0.0] * m})
    flows = flows.groupby(["process", "good"], as_index=False).sum()
    demand = np.where(rng.random(n) < 0.5, rng.uniform(0, 5, size=n), 0.0)
    if objective == "minimize":
        obj = {"minimize": {"labour": 1}}
        supply = 1e9
        demand[0] += 1.0
    elif objective == "maximize_sets":
        basket = rng.random(n) < 0.6
        basket[0] = True
        obj = {"maximize_sets": {goods[i]: float(rng.uniform(0.5, 3)) for i in
                                 np.flatnonzero(basket)}}
        supply = 1e4
    else:
        obj = {"maximize": {goods[i]: float(rng.uniform(0, 3)) for i in range(n)}}
        supply = 1e4
    return Plan.from_frames(
        goods=pd.DataFrame({"id": [*goods, "labour"]}), processes=pd.DataFrame({"id": procs}),
        flows=flows, supply={"labour": supply},
        demand={goods[i]: float(demand[i]) for i in np.flatnonzero(demand)}, objective=obj)


@settings(max_examples=examples(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(economies())
def test_structure_equals_the_simplex_on_random_economies(plan: Plan) -> None:
    result = k.solve(plan)
    assert_structure(result)
    simplex = k.solve(plan, method="simplex")
    assert simplex.status is k.Status.OPTIMAL
    assert result.objective == pytest.approx(simplex.objective, rel=1e-9, abs=1e-12)
    lp = compile_plan(plan)
    x = result.solution.x
    activity = lp.matrix @ x
    assert np.all(activity >= lp.row_lower - 1e-9 * (1 + np.abs(lp.row_lower)))
    assert np.all(x >= 0)


def test_an_unproductive_economy_is_refused() -> None:
    plan = Plan.from_dict({
        "name": "greedy", "goods": {"corn": {}, "iron": {}, "labour": {}},
        "supply": {"labour": 100}, "demand": {"corn": 1},
        "processes": {"sow": {"inputs": {"labour": 1, "iron": 2}, "outputs": {"corn": 1}},
                      "forge": {"inputs": {"labour": 1, "corn": 1}, "outputs": {"iron": 1}}},
        "objective": {"minimize": {"labour": 1}}})
    result = k.solve(plan)
    assert result.method == "simplex" and "productive" in result.method_reason
    assert result.status is k.Status.INFEASIBLE
