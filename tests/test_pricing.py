"""Pricing a proposed technique at the optimal plan's prices, checked by re-solving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

from kantorovich.cli import app
from kantorovich.errors import PlanError
from kantorovich.explain.innovation import process_sentence
from kantorovich.io import load_plan
from kantorovich.results.pricing import load_process, price_process, with_process
from kantorovich.results.result import solve

LENINGRAD = EXAMPLES / "leningrad.yaml"
MILL = {"id": "mill-7-milling", "name": "Mill No. 7", "unit": "mill-5",
        "inputs": {"wheat": 1}, "outputs": {"flour-d5": 0.70}, "capacity": 1000}


@pytest.fixture(scope="module")
def result():
    return solve(load_plan(LENINGRAD))


def test_reduced_cost_is_the_improvement_per_unit_of_level(result) -> None:
    # flour-d5 at 1,666.67 loaf a t, wheat at 1,201.67: 0.7 x 1666.67 - 1201.67 = -35
    priced = price_process(result, MILL)
    assert priced.reduced_cost == pytest.approx(-35.0)
    assert not priced.enters
    assert priced.break_even == pytest.approx(0.721)        # Mill No. 5's own yield
    assert priced.checked is True


def test_break_even_is_where_it_enters(result) -> None:
    proposed = load_process(MILL, result.plan)
    priced = price_process(result, proposed, check=False)
    for factor, gains in ((1.002, True), (0.998, False)):
        trial = proposed.with_coefficient("flour-d5", "output", priced.break_even * factor)
        again = solve(with_process(result.plan, trial))
        assert (again.objective > result.objective + 1e-6) is gains


def test_an_input_coefficient(result) -> None:
    priced = price_process(result, MILL, coefficient="wheat")
    assert priced.side == "input"
    assert priced.break_even == pytest.approx(0.7 * 1666.6666667 / 1201.6666667)
    with pytest.raises(PlanError):
        price_process(result, MILL, coefficient="steel")


def test_sentence(result) -> None:
    text = process_sentence(result.plan, price_process(result, MILL))
    assert "would need 0.721 t of flour-d5 per t of wheat (3% more) to enter" in text
    better = {**MILL, "outputs": {"flour-d5": 0.73}}
    text = process_sentence(result.plan, price_process(result, better))
    assert "would add 15 loaves per unit of level" in text and "would enter the plan" in text


def test_cli_price(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text("id: mill-7\nunit: mill-5\ninputs: {wheat: 1}\noutputs: {flour-d5: 0.73}\n"
                   "capacity: 1000\n")
    res = CliRunner().invoke(app, ["price", str(LENINGRAD), "--process", str(new), "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["enters"] is True and data["reduced_cost"] == pytest.approx(15)


def test_bad_proposal_exits_2_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: mill-3-milling\ninputs: {wheet: 1}\ncapacityy: 3\n")
    res = CliRunner().invoke(app, ["price", str(LENINGRAD), "-p", str(bad)])
    assert res.exit_code == 2
    err = res.stderr
    assert "3 problems" in err and "already in the plan" in err
    assert "bad.yaml:2 (inputs.wheet): unknown good 'wheet'" in err and "wheat" in err
    assert "unknown field 'capacityy'" in err
