"""The sensitivity report a planner knows from Excel Solver, and numbers as a person
reads them (zero as 0, infinities as "inf" in JSON)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

from kantorovich.cli import app
from kantorovich.explain.analyses import analyse
from kantorovich.io import load_plan
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
    import pandas as pd
    assert series_dict(pd.Series([1.0, -1e-14], index=["a", "b"])) == {"a": 1.0, "b": 0.0}
