"""The merit-order method (lp.merit): capacities and two resources without a simplex.

Known answers by hand where a capacity is filled exactly (the case that makes the merit
order cycle), the simplex's optimum and prices on economies from the real US summary
table, the certificate on every answer, and honest refusals and time limits."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.merit import MERIT_FROM_ROWS, solve_by_merit
from kantorovich.lp.status import Status
from kantorovich.model.plan import Plan
from kantorovich.results.certificate import certify

from economies import several_resources


def _coal_and_steel(coal_cap: float = 10.0, labour: float = 100.0) -> Plan:
    """Coal from a cheap capped pit (labour 1, capacity 10) or a deep one (labour 3);
    steel by coke (coal 2, labour 1) or by hand (labour 4); a basket of steel.

    By hand: 5 steel by coke fill the pit exactly; more coal would come from the deep
    pit at 2*3+1 = 7 labour a steel, so the rest is by hand at 4: 85/4 = 21.25 more, 26.25
    in all. Coal is worth what makes steel by coke cost as much as by hand: 2 v + 1 = 4,
    v = 1.5 labour, between the two pits' costs (neither pit sets it)."""
    flows = pd.DataFrame({
        "process": ["pit", "pit", "deep", "deep", "coke", "coke", "coke", "hand", "hand"],
        "good": ["coal", "labour", "coal", "labour", "steel", "coal", "labour", "steel",
                 "labour"],
        "input": [0, 1, 0, 3, 0, 2, 1, 0, 4],
        "output": [1, 0, 1, 0, 1, 0, 0, 1, 0]}, dtype=object)
    flows[["input", "output"]] = flows[["input", "output"]].astype(float)
    return Plan.from_frames(
        goods=pd.DataFrame({"id": ["coal", "steel", "labour"]}),
        processes=pd.DataFrame({"id": ["pit", "deep", "coke", "hand"],
                                "capacity": [coal_cap, np.nan, np.nan, np.nan]}),
        flows=flows, supply={"labour": labour},
        objective={"maximize_sets": {"steel": 1}}, name="coal and steel")


def _levels(lp, x) -> dict[str, float]:
    procs = lp.col_positions("process")
    return dict(zip(lp.cols["id"].to_numpy()[procs], np.round(x[procs], 9), strict=True))


def test_a_capacity_filled_exactly_is_priced_by_its_users() -> None:
    plan = _coal_and_steel()
    lp = compile_plan(plan)
    found = solve_by_merit(lp, min_rows=0)
    solution = found.solution
    assert solution is not None and solution.status is Status.OPTIMAL, found.reason
    assert solution.objective == pytest.approx(26.25, rel=1e-12)
    assert _levels(lp, solution.x) == pytest.approx(
        {"pit": 10.0, "deep": 0.0, "coke": 5.0, "hand": 21.25}, rel=1e-12, abs=1e-12)
    cert = certify(lp, solution.x, solution.row_dual)
    assert cert.verified, cert.failures()
    rows = lp.rows["id"].to_numpy()
    labour = solution.row_dual[np.flatnonzero(rows == "labour")[0]]
    coal = solution.row_dual[np.flatnonzero((rows == "coal") & (
        lp.rows["kind"].to_numpy() == "good"))[0]]
    assert labour == pytest.approx(-1 / 4, rel=1e-12)       # a steel costs 4 labour
    assert coal / labour == pytest.approx(1.5, rel=1e-12)  # coal worth 1.5 labour
    # the simplex agrees
    simplex = k.solve(plan, method="simplex")
    assert simplex.objective == pytest.approx(26.25, rel=1e-12)


def test_a_capacity_that_does_not_bind_leaves_the_structure() -> None:
    lp = compile_plan(_coal_and_steel(coal_cap=1e6))
    found = solve_by_merit(lp, min_rows=0)
    assert found.solution.objective == pytest.approx(100 / 3, rel=1e-12)  # pit + coke
    assert "0 at capacity" in found.reason


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_same_optimum_and_resource_prices_as_the_simplex(seed: int) -> None:
    plan = several_resources(300, seed=seed)
    lp = compile_plan(plan)
    found = solve_by_merit(lp, min_rows=0)
    assert found.solution is not None and found.solution.status is Status.OPTIMAL, \
        found.reason
    assert "2 primary resources" in found.reason and "bisection" in found.reason
    cert = certify(lp, found.solution.x, found.solution.row_dual)
    assert cert.verified, cert.failures()
    reference = k.solve(plan, method="simplex")
    assert found.solution.objective == pytest.approx(reference.objective, rel=1e-9)
    rows = lp.rows["id"].to_numpy()
    for resource in ("labour", "capital"):
        i = np.flatnonzero(rows == resource)[0]
        assert found.solution.row_dual[i] < 0          # both bind
        assert found.solution.row_dual[i] == pytest.approx(
            reference.solution.row_dual[i], rel=1e-6)
    procs = lp.col_positions("process")
    at_capacity = np.isclose(found.solution.x[procs], lp.col_upper[procs], rtol=1e-9)
    assert at_capacity.sum() >= 5


def test_a_second_resource_left_over_gets_no_price() -> None:
    plan = several_resources(300, seed=1, capital_share=5.0)
    lp = compile_plan(plan)
    found = solve_by_merit(lp, min_rows=0)
    cert = certify(lp, found.solution.x, found.solution.row_dual)
    assert cert.verified
    capital = np.flatnonzero(lp.rows["id"].to_numpy() == "capital")[0]
    assert found.solution.row_dual[capital] == 0
    assert found.solution.objective == pytest.approx(
        k.solve(plan, method="simplex").objective, rel=1e-9)


def test_large_plans_take_it_through_solve() -> None:
    """From `MERIT_FROM_ROWS` rows `solve` uses it by itself, names it, says why the
    structure method did not apply, and certifies the answer."""
    plan = several_resources(5_200, seed=2)
    result = k.solve(plan)
    assert compile_plan(plan).shape[0] >= MERIT_FROM_ROWS
    assert result.status is k.Status.OPTIMAL
    assert result.method == "merit" and "merit order" in result.method_reason
    assert result.method_reason.startswith("not structure: ")
    assert result.certificate.verified
    small = k.solve(several_resources(300, seed=2))
    assert small.method == "simplex" and "not merit: " in small.method_reason


def test_refusals_say_why() -> None:
    plan = _coal_and_steel()
    assert "rows: below" in solve_by_merit(compile_plan(plan)).reason
    three = Plan.from_frames(
        goods=pd.DataFrame({"id": ["corn", "labour", "land", "water"]}),
        processes=pd.DataFrame({"id": ["farm"]}),
        flows=pd.DataFrame({"process": ["farm"] * 4, "good": ["corn", "labour", "land",
                                                               "water"],
                            "input": [0.0, 1.0, 1.0, 1.0], "output": [1.0, 0, 0, 0]}),
        supply={"labour": 10, "land": 10, "water": 10},
        objective={"maximize_sets": {"corn": 1}})
    why = solve_by_merit(compile_plan(three), min_rows=0).reason
    assert "3 primary resources" in why
    weighed = Plan.from_frames(
        goods=pd.DataFrame({"id": ["corn", "labour"]}), processes=pd.DataFrame(
            {"id": ["farm"], "capacity": [3.0]}),
        flows=pd.DataFrame({"process": ["farm", "farm"], "good": ["corn", "labour"],
                            "input": [0.0, 1.0], "output": [1.0, 0.0]}),
        supply={"labour": 10}, objective={"maximize": {"corn": 1}})
    assert "sets of a basket" in solve_by_merit(compile_plan(weighed), min_rows=0).reason


def test_a_spent_budget_is_never_optimal() -> None:
    lp = compile_plan(several_resources(300, seed=0))
    found = solve_by_merit(lp, min_rows=0, budget=1e-9)
    assert found.solution is not None and found.solution.status is Status.TIME_LIMIT
