"""Technique generation (lp.generation, through the chain of results.chain) against the
simplex on the full program: same optimum, same prices, certified on the full program;
and honest when the restricted program has no optimum or the rounds or the budget run
out, handing its basis on to HiGHS when it stops short."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.budget import Budget
from kantorovich.lp.generation import (GENERATE_FROM_COLUMNS, GENERATE_FROM_ROWS, Generation,
                                       lagrangian_bound, qualifies, solve_by_generation)
from kantorovich.lp.highs import HighsSession
from kantorovich.lp.program import LinearProgram
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan
from kantorovich.results.certificate import certify
from kantorovich.results.chain import solve_program

from economies import several_resources


@pytest.fixture(scope="module")
def economy() -> Plan:
    """300 products of the US summary table, 3 techniques each, labour and capital both
    binding, one product in ten with its technique capped."""
    return several_resources(300, seed=3)


@pytest.fixture(scope="module")
def reference(economy: Plan) -> k.PlanResult:
    return k.solve(economy, method="simplex")


def _first_techniques(lp: LinearProgram) -> np.ndarray:
    """Technique 1 of every product (ids ending in .t1): a start far from the optimum."""
    ids = lp.cols["id"].astype(str).to_numpy()
    return np.flatnonzero(np.char.endswith(ids.astype(str), ".t1"))


def test_same_optimum_and_prices_as_the_simplex(economy, reference):
    lp = compile_plan(economy)
    solved = solve_program(lp, method="generation")
    found, why, cert = solved.solution, solved.reason, solved.certificate
    assert solved.method == "generation" and found.status is Status.OPTIMAL, why
    assert cert.verified and "certified on the full program" in why
    assert found.objective == pytest.approx(reference.objective, rel=1e-9)
    # both resources bind, and some capacities do: the structure method cannot apply
    rows = lp.rows["id"].to_numpy()
    for resource in ("labour", "capital"):
        i = np.flatnonzero(rows == resource)[0]
        assert found.row_dual[i] < 0
        assert found.row_dual[i] == pytest.approx(reference.solution.row_dual[i], rel=1e-6)
    procs = lp.col_positions("process")
    at_capacity = np.isclose(found.x[procs], lp.col_upper[procs], rtol=1e-9)
    assert at_capacity.sum() >= 5
    # prices of the goods: equal wherever the simplex's optimum is not degenerate
    goods = lp.row_positions("good")
    if not reference.is_degenerate:
        np.testing.assert_allclose(found.row_dual[goods], reference.solution.row_dual[goods],
                                   rtol=1e-6, atol=1e-9)
    else:
        agree = np.isclose(found.row_dual[goods], reference.solution.row_dual[goods],
                           rtol=1e-6, atol=1e-9)
        assert agree.mean() > 0.9
    assert k.solve(economy, method="structure").method != "structure"


def test_several_rounds_from_a_poor_start(economy, reference):
    lp = compile_plan(economy)
    found = solve_by_generation(lp, start=_first_techniques(lp), per_product=1)
    assert found.detail["rounds"] >= 3
    assert found.solution.status is Status.OPTIMAL
    assert found.detail["columns"] < lp.shape[1]
    assert found.solution.objective == pytest.approx(reference.objective, rel=1e-9)
    cert = certify(lp, found.solution.x, found.solution.row_dual)
    assert cert.verified
    # at the optimum's duals the Lagrangian bound is the optimum itself
    assert found.bound == pytest.approx(reference.objective, rel=1e-7)
    # the basis is one of the full program: HiGHS takes it and needs no iteration
    session = HighsSession(lp)
    assert session.set_basis(found.solution.col_basis, found.solution.row_basis)
    again = session.solve()
    assert again.objective == pytest.approx(reference.objective, rel=1e-9)
    assert again.iterations <= 5


def test_rounds_running_out_report_a_valid_bound_and_hand_on_the_basis(economy, reference):
    lp = compile_plan(economy)
    found = solve_by_generation(lp, start=_first_techniques(lp), per_product=1,
                                max_rounds=2)
    solution = found.solution
    assert solution.status is Status.ITERATION_LIMIT and not solution.status.is_ok
    assert certify(lp, solution.x, solution.row_dual).primal_infeasibility <= 1e-9
    assert solution.objective <= reference.objective * (1 + 1e-12)
    assert found.bound >= reference.objective * (1 - 1e-12)
    assert 0 < (found.bound - solution.objective) / solution.objective < 1
    # in the chain, HiGHS goes on from where generation stopped: warm from its basis
    solved = solve_program(lp, method="generation", methods={
        "generation": Generation(per_product=1, max_rounds=1)})
    assert solved.method == "simplex" and solved.certificate.verified
    assert "not generation: technique generation: stopped after 1" in solved.reason
    assert "warm from the basis of technique generation" in solved.reason
    assert solved.solution.objective == pytest.approx(reference.objective, rel=1e-9)


def test_a_spent_budget_is_never_optimal(economy):
    lp = compile_plan(economy)
    solved = solve_program(lp, method="generation", budget=1e-9)
    assert solved.solution.status is Status.TIME_LIMIT
    assert "time" in solved.reason


def test_lagrangian_bound_is_valid_for_any_duals(economy, reference):
    lp = compile_plan(economy)
    rng = np.random.default_rng(0)
    y = reference.solution.row_dual
    for _ in range(5):
        bound = lagrangian_bound(lp, y * rng.uniform(0.5, 1.5, len(y)))
        assert bound >= reference.objective * (1 - 1e-12)


def test_awkward_units_reach_the_solver_exactly(economy, reference):
    """Capital counted in units a trillion times larger: the added columns are scaled
    like the rest (`HighsSession.add_columns`), and the optimum is unchanged."""
    scaled = several_resources(300, seed=3, capital_unit=1e-12)
    assert scaled.goods.loc["capital", "supply"] == pytest.approx(
        economy.goods.loc["capital", "supply"] * 1e-12, rel=1e-12)
    lp = compile_plan(scaled)
    found = solve_by_generation(lp, start=_first_techniques(lp), per_product=1)
    assert found.solution.status is Status.OPTIMAL
    assert found.detail["rounds"] >= 2
    assert certify(lp, found.solution.x, found.solution.row_dual).verified
    assert found.solution.objective == pytest.approx(reference.objective, rel=1e-9)


def _small(*, demand: float = 0.0, free_bread: bool = False) -> Plan:
    """Bread and flour, two techniques each, labour and capital; optionally a demand
    beyond the resources (infeasible) or bread made from nothing (unbounded)."""
    processes = ["bake.hand", "bake.oven", "mill.hand", "mill.water"]
    flows = [("bake.hand", "bread", 0, 1), ("bake.hand", "flour", 0.8, 0),
             ("bake.hand", "labour", 2, 0), ("bake.hand", "capital", 0.1, 0),
             ("bake.oven", "bread", 0, 1), ("bake.oven", "flour", 0.7, 0),
             ("bake.oven", "labour", 0.5, 0), ("bake.oven", "capital", 1.0, 0),
             ("mill.hand", "flour", 0, 1), ("mill.hand", "labour", 1.5, 0),
             ("mill.hand", "capital", 0.1, 0),
             ("mill.water", "flour", 0, 1), ("mill.water", "labour", 0.2, 0),
             ("mill.water", "capital", 0.8, 0)]
    if free_bread:
        processes.append("manna")
        flows.append(("manna", "bread", 0, 1))
    return Plan.from_frames(
        goods=pd.DataFrame({"id": ["bread", "flour", "labour", "capital"]}),
        processes=pd.DataFrame({"id": processes}),
        flows=pd.DataFrame(flows, columns=["process", "good", "input", "output"]),
        supply={"labour": 100.0, "capital": 30.0}, demand={"bread": demand},
        objective={"maximize": {"bread": 1}}, name="bakery")


def test_small_plan_same_optimum():
    plan = _small()
    lp = compile_plan(plan)
    found = solve_by_generation(lp, start=np.array([0, 2]))
    assert found.solution.status is Status.OPTIMAL
    assert found.solution.objective == pytest.approx(k.solve(plan, method="simplex")
                                                     .objective, rel=1e-9)


def test_infeasible_and_unbounded_are_left_to_the_full_program():
    infeasible = _small(demand=1e6)
    found = Generation().solve(compile_plan(infeasible), Budget(None))
    assert found.solution is None and "infeasible" in found.reason
    result = k.solve(infeasible, method="generation")
    assert result.status is Status.INFEASIBLE and result.method == "simplex"
    assert "not generation: " in result.method_reason
    unbounded = _small(free_bread=True)
    found = Generation().solve(compile_plan(unbounded), Budget(None))
    assert found.solution is None and "unbounded" in found.reason
    assert k.solve(unbounded, method="generation").status is Status.UNBOUNDED


def test_qualifies_by_techniques_per_row(economy):
    assert not qualifies(compile_plan(_small()))[0]
    lp = compile_plan(economy)
    ok, why = qualifies(lp)
    techniques = len(lp.col_positions("process"))
    assert ok == (techniques >= GENERATE_FROM_COLUMNS and lp.shape[0] >= GENERATE_FROM_ROWS
                  and techniques >= 1.5 * lp.shape[0]), why


def test_auto_generates_only_where_it_pays(economy, monkeypatch):
    """Many columns over few rows (measured: generation 2.3x the simplex there) stay
    with HiGHS; a large economy of several techniques per product is generated, and
    auto's answer is the simplex's."""
    from kantorovich.model.generate import synthetic_plan

    wide = synthetic_plan(5000, seed=1)
    assert not qualifies(compile_plan(wide))[0]
    assert k.solve(wide).method == "simplex"
    import kantorovich.lp.generation as generation

    monkeypatch.setattr(generation, "GENERATE_FROM_ROWS", 100)
    monkeypatch.setattr(generation, "GENERATE_FROM_COLUMNS", 100)
    auto = k.solve(economy)
    assert auto.method == "generation" and "certified on the full program" in auto.method_reason
    exact = k.solve(economy, method="simplex")
    assert auto.objective == pytest.approx(exact.objective, rel=1e-9)


def test_add_columns_keeps_the_plan_units():
    """Columns added to a scaled session come back in the plan's units."""
    A = sp.csc_matrix(np.array([[1e-11, 2e-11], [1.0, 1.0]]))
    lp = LinearProgram("maximize", np.array([1.0, 1.5]), A, np.array([-np.inf, -np.inf]),
                       np.array([1e-9, 10.0]), np.zeros(2), np.full(2, np.inf),
                       pd.DataFrame({"kind": ["good", "good"], "id": ["tiny", "big"]}),
                       pd.DataFrame({"kind": ["process"] * 2, "id": ["a", "b"]}))
    whole = HighsSession(lp).solve()
    part = HighsSession(LinearProgram(lp.sense, lp.objective[:1], A[:, :1], lp.row_lower,
                                      lp.row_upper, lp.col_lower[:1], lp.col_upper[:1],
                                      lp.rows, lp.cols.iloc[:1]))
    assert part.solve().objective == pytest.approx(10.0)
    part.add_columns(A[:, 1:], lp.objective[1:], lp.col_lower[1:], lp.col_upper[1:],
                     lp.cols.iloc[1:].reset_index(drop=True))
    again = part.solve()
    assert again.objective == pytest.approx(whole.objective, rel=1e-12)
    np.testing.assert_allclose(again.x, whole.x, rtol=1e-12)
    np.testing.assert_allclose(again.row_dual, whole.row_dual, rtol=1e-12)


def test_a_basis_with_a_word_highs_does_not_know_is_refused(economy):
    lp = compile_plan(economy)
    session = HighsSession(lp)
    solved = session.solve()
    cols, rows = solved.col_basis.copy(), solved.row_basis.copy()
    cols[0] = "sideways"
    assert not session.set_basis(cols, rows)
    assert not session.set_basis(solved.col_basis[:-1], rows)
    assert session.set_basis(solved.col_basis, rows)
    assert session.solve().iterations == 0


BY_PRODUCT = """
name: slag
goods: {labour: {}, iron: {}, bread: {}, slag: {}}
processes:
  smelt: {inputs: {labour: 1}, outputs: {iron: 1, slag: 0.5}}
  bake: {inputs: {labour: 1, iron: 0.2}, outputs: {bread: 1}}
  bake-with-slag: {inputs: {labour: 0.5, iron: 0.2, slag: 1}, outputs: {bread: 1}}
supply: {labour: 10}
objective: {maximize: {bread: 1}}
"""

WITH_STOCKS = """
name: mills over time
period: year
horizon: 3
goods: {labour: {}, iron: {}, bread: {}}
processes:
  make-iron:
    inputs: {labour: 1}
    outputs: {iron: 1}
    stocks: {iron: {per_level: 0.5, depreciation: 0.1, initial: 2}}
  bake:
    inputs: {labour: 1, iron: 0.2}
    outputs: {bread: 1}
    stocks: {iron: {per_level: 0.3, depreciation: 0.2, initial: 1}}
supply: {labour: [10, 11, 12]}
objective: {maximize: {bread: 1}}
"""


@pytest.mark.parametrize("text", [BY_PRODUCT, WITH_STOCKS], ids=["by-product", "stocks"])
def test_goods_only_joint_production_makes(tmp_path, text):
    """A good no single-output process makes (a by-product; a stock's expansion) has
    no technique to value it by: generation reads the techniques without it, and reaches
    the simplex's certified optimum (it once indexed past its arrays there)."""
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    plan = k.load_plan(path)
    exact = k.solve(plan, method="simplex")
    found = Generation().solve(compile_plan(plan), Budget(None))
    assert found.solution is not None and found.solution.status is Status.OPTIMAL
    assert found.solution.objective == pytest.approx(exact.objective, rel=1e-9)
    result = k.solve(plan, method="generation")
    assert result.method == "generation" and result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(exact.objective, rel=1e-9)
    assert certify(result.lp, result.solution.x, result.solution.row_dual).verified
