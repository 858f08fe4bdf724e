"""The sensitivity report a planner knows from Excel Solver, and numbers as a person
reads them (zero as 0, infinities as "inf" in JSON)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

from kantorovich.cli import app
from kantorovich.explain.analyses import analyse
from kantorovich.io import load_plan
from kantorovich.model.plan import Plan
from kantorovich.results.sensitivity_report import sensitivity_report
from kantorovich.results.result import solve
from kantorovich.serialise import clean, number, series_dict

LENINGRAD = EXAMPLES / "leningrad.yaml"


@pytest.fixture(scope="module")
def leningrad():
    result = solve(load_plan(LENINGRAD))
    return result, sensitivity_report(result, analyse(result).sensitivity)


def test_variable_cells_hold_every_process_with_its_cost_range(leningrad) -> None:
    result, report = leningrad
    cells = report["variable_cells"]
    assert list(cells.index) == list(result.plan.processes.index)
    # bolts-92 contributes 0.98 t of bolts at 2,000 loaf a t: c_j = 1,960
    assert cells.at["bolts-92", "objective_coefficient"] == pytest.approx(1960)
    # baking-3 may gain 0.03 loaf a loaf before the basis changes (the bread rule's price)
    assert cells.at["baking-3", "allowable_increase"] == pytest.approx(0.03)
    assert cells.at["rail-flour-5-to-3", "reduced_cost"] == pytest.approx(50)


def test_allowable_change_is_where_the_plan_changes(leningrad) -> None:
    from dataclasses import replace

    from kantorovich.lp.highs import solve_lp

    result, report = leningrad
    lp = result.lp
    for process, column, sign in (("baking-3", "allowable_increase", 1.0),
                                  ("bolts-92", "allowable_decrease", -1.0)):
        j = int(lp.col_positions("process")[result.plan.processes.index.get_loc(process)])
        width = report["variable_cells"].at[process, column]
        for step, changes in ((0.5, False), (1.5, True)):
            c = lp.objective.copy()
            c[j] += sign * step * width
            again = solve_lp(replace(lp, objective=c))
            moved = not np.allclose(again.x, result.solution.x, rtol=1e-7, atol=1e-6)
            assert moved is changes, (process, step)


def test_constraints_cover_goods_policies_and_capacities(leningrad) -> None:
    result, report = leningrad
    c = report["constraints"].set_index(["kind", "id"])
    assert c.loc[("good", "wheat"), "shadow_price"] == pytest.approx(1201.6666667)
    assert c.loc[("good", "wheat"), "rhs"] == 4000
    # Excel's sign: raising District 3's ">=" rule from 2.0 M to 2.2 M loses 6,000 loaves
    assert c.loc[("policy", "district-3-bread"), "shadow_price"] == pytest.approx(-0.03)
    assert c.loc[("policy", "district-3-bread"), "sense"] == ">="
    # goods read as a spreadsheet states them: bolts are made, 960 t >= the 900 t owed
    bolts = c.loc[("good", "bolts")]
    assert (bolts["sense"], bolts["final_value"], bolts["rhs"]) == (">=", 960, 900)
    assert c.loc[("good", "flour-d3"), "shadow_price"] == pytest.approx(-1716.6666667)
    assert (report["constraints"]["convention"] == "excel").all()
    cap = c.loc[("capacity", "rail-flour-5-to-3")]
    assert cap["shadow_price"] == pytest.approx(50) and cap["rhs"] == 80
    slack = c.loc[("capacity", "mill-3-milling")]
    assert slack["allowable_increase"] == np.inf and slack["allowable_decrease"] == 400
    goods = report["constraints"][report["constraints"]["kind"] == "good"]
    # a supply never falls below 0 in the report (a demand may: a good to be offered)
    supplied = goods[goods["sense"] == "<="]
    assert list(supplied["id"]) == ["wheat", "steel"]
    assert (supplied["rhs"] - supplied["allowable_decrease"] >= 0).all()


def test_terminal_shows_the_report_with_sensitivity() -> None:
    res = CliRunner().invoke(app, ["solve", str(LENINGRAD), "--sensitivity"])
    assert res.exit_code == 0, res.stderr
    for word in ("Variable Cells", "Constraints", "objective coefficient",
                 "allowable increase", "constraint R.H. side", "Moves from the plan"):
        assert word in res.stdout
    plain = CliRunner().invoke(app, ["solve", str(LENINGRAD)])
    assert "Variable Cells" not in plain.stdout and "Moves from the plan" in plain.stdout


def test_json_report_and_infinities() -> None:
    res = CliRunner().invoke(app, ["solve", str(LENINGRAD), "--json"])
    data = json.loads(res.stdout)
    sens = data["sensitivity"]
    assert sens["variable_cells"]["mill-3-milling"]["allowable_decrease"] == "inf"
    kinds = {r["kind"] for r in sens["constraints"]}
    assert kinds == {"good", "policy", "capacity"}
    assert sens["goods"]["bread"]["demand_low"] == "-inf"


def test_numbers_near_zero_read_as_zero() -> None:
    assert number(-2.27374e-13) == 0 and str(number(-0.0)) == "0.0"
    assert number(float("inf")) == "inf" and number(float("nan")) is None
    assert clean([4000.0, -2.27374e-13]).tolist() == [4000.0, 0.0]
    assert clean([5e-12]).tolist() == [5e-12]    # a tiny plan keeps its numbers
    assert series_dict(pd.Series([1.0, -1e-14], index=["a", "b"])) == {"a": 1.0, "b": 0.0}


def _excel_report(data: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = solve(Plan.from_dict(data), method="simplex")
    report = sensitivity_report(result, analyse(result).sensitivity)
    return report["variable_cells"], report["constraints"].set_index(["kind", "id"])


def test_excel_report_of_wyndor_by_hand() -> None:
    """Hillier and Lieberman's Wyndor Glass, whose Excel Solver report is derived here.

    max Z = 3 x1 + 5 x2 (in $1,000), doors x1 and windows x2, over plant hours:
    plant 1: x1 <= 4, plant 2: 2 x2 <= 12, plant 3: 3 x1 + 2 x2 <= 18.

    Optimum x = (2, 6), Z = 36; plants 2 and 3 bind. The duals solve y2 (0, 2) + y3 (3, 2)
    = (3, 5): y3 = 1, y2 = 1.5, y1 = 0. Excel's Constraints:

    ========  =====  ======  ===  ====  ====
    plant     final  shadow  rhs  inc.  dec.
    ========  =====  ======  ===  ====  ====
    plant 1   2      0       4    inf   2      (x1 = 2 used of 4)
    plant 2   12     1.5     12   6     6      (x1 = (18 - b2) / 3 >= 0; <= 4)
    plant 3   18     1       18   6     6      (x1 = (b3 - 12) / 3 in [0, 4])
    ========  =====  ======  ===  ====  ====

    Variable Cells: doors 2, reduced cost 0, coefficient 3, may rise 4.5 (to 7.5, where
    3/2 x 5 = 7.5 tilts the objective past the plant-3 edge) and fall 3 (to 0); windows
    6, 0, 5, up without limit, down 3 (to 2 = 2/3 x 3).
    """
    hours = {"unit": "h"}
    cells, c = _excel_report({
        "name": "Wyndor", "goods": {"plant-1": hours, "plant-2": hours, "plant-3": hours,
                                    "door": {"unit": "batch"}, "window": {"unit": "batch"}},
        "processes": {"doors": {"inputs": {"plant-1": 1, "plant-3": 3},
                                "outputs": {"door": 1}},
                      "windows": {"inputs": {"plant-2": 2, "plant-3": 2},
                                  "outputs": {"window": 1}}},
        "supply": {"plant-1": 4, "plant-2": 12, "plant-3": 18},
        "objective": {"maximize": {"door": 3, "window": 5}}})
    table = c.loc["good"].loc[["plant-1", "plant-2", "plant-3"]]
    assert list(table["sense"]) == ["<=", "<=", "<="]
    got = table[["final_value", "shadow_price", "rhs", "allowable_increase",
                 "allowable_decrease"]].to_numpy(float)
    assert got == pytest.approx(np.array([[2, 0, 4, np.inf, 2], [12, 1.5, 12, 6, 6],
                                          [18, 1, 18, 6, 6]]))
    got = cells.loc[["doors", "windows"], ["final_value", "reduced_cost",
                                           "objective_coefficient", "allowable_increase",
                                           "allowable_decrease"]].to_numpy(float)
    assert got == pytest.approx(np.array([[2, 0, 3, 4.5, 3], [6, 0, 5, np.inf, 3]]))


def test_excel_report_of_a_diet_by_hand() -> None:
    """A minimisation, whose Excel shadow prices are costs: each unit more of a required
    nutrient costs more (positive), as Excel and LINDO print them.

    min cost = 2 x + 3 y, nutrient a: x + y >= 4, nutrient b: x + 3 y >= 6.
    Both bind: x = 3, y = 1, cost 9. Duals: u + v = 2, u + 3 v = 3, so v = 0.5, u = 1.5.
    Basis {x, y}: x = (3 b_a - b_b) / 2 >= 0 and y = (b_b - b_a) / 2 >= 0, so b_a in
    [2, 6] (4 +- 2) and b_b in [4, 12] (6 + 6, 6 - 2). Costs keep the basis while
    (c_x, c_y) = u (1, 1) + v (1, 3) with u, v >= 0: c_x in [1, 3] (2 +- 1), c_y in
    [2, 6] (3 + 3, 3 - 1).

    Excel's report: nutrient a: final 4, shadow 1.5, rhs 4, +2 / -2; nutrient b: final 6,
    shadow 0.5, rhs 6, +6 / -2; x: 3, reduced cost 0, coefficient 2, +1 / -1; y: 1, 0,
    3, +3 / -1. A food forced in beyond the optimum would raise the cost: a positive
    reduced cost in a minimisation: z, like x but at 5, costs 5 - (1.5 + 0.5) = 3 more a
    unit forced in, and stays out until its cost falls by 3.
    """
    cells, c = _excel_report({
        "name": "diet", "goods": {"a": {"unit": "g"}, "b": {"unit": "g"},
                                  "money": {"unit": "$"}},
        "processes": {"x": {"inputs": {"money": 2}, "outputs": {"a": 1, "b": 1}},
                      "y": {"inputs": {"money": 3}, "outputs": {"a": 1, "b": 3}},
                      "z": {"inputs": {"money": 5}, "outputs": {"a": 1, "b": 1}}},
        "supply": {"money": float("inf")}, "demand": {"a": 4, "b": 6},
        "objective": {"minimize": {"money": 1}}})
    table = c.loc["good"].loc[["a", "b"]]
    assert list(table["sense"]) == [">=", ">="]
    got = table[["final_value", "shadow_price", "rhs", "allowable_increase",
                 "allowable_decrease"]].to_numpy(float)
    assert got == pytest.approx(np.array([[4, 1.5, 4, 2, 2], [6, 0.5, 6, 6, 2]]))
    got = cells.loc[["x", "y"], ["final_value", "reduced_cost", "objective_coefficient",
                                 "allowable_increase", "allowable_decrease"]].to_numpy(float)
    assert got == pytest.approx(np.array([[3, 0, 2, 1, 1], [1, 0, 3, 3, 1]]))
    # z, like x but at 5: forcing one unit in costs 5 - (1.5 + 0.5) = 3 more
    assert cells.at["z", "reduced_cost"] == pytest.approx(3)
    assert cells.at["z", "allowable_decrease"] == pytest.approx(3)
    assert cells.at["z", "allowable_increase"] == np.inf


def test_excel_shadow_price_is_the_change_per_unit_increase(leningrad) -> None:
    # District 3's rule from 2.0 M to 2.2 M loaves: the objective falls by 6,000 loaves,
    # the report's shadow price times the 200,000 loaves the right-hand side rose
    result, report = leningrad
    c = report["constraints"].set_index(["kind", "id"])
    raised = solve(result.plan.with_changes(rules={"district-3-bread": 2_200_000}))
    change = raised.objective - result.objective
    assert change == pytest.approx(-6_000)
    assert c.loc[("policy", "district-3-bread"), "shadow_price"] * 200_000 == \
        pytest.approx(change)
    # and the bolts owed: 900 t -> 950 t changes nothing (960 t are made)
    more = solve(result.plan.with_demand("bolts", 950))
    assert more.objective == pytest.approx(result.objective)
    assert c.loc[("good", "bolts"), "shadow_price"] == 0
