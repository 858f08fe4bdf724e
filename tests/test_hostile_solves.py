"""Plans written in awkward units, end to end: every number the user wrote reaches the
solver, the answer is the plan's own optimum, and the certificate checks the plan as
written. Each case was reported optimal and "verified" with a wrong plan before (the
issue's examples); `tests/test_scaling.py` checks the scaling itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app

runner = CliRunner()
MILLS = {"mill-3-milling": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7},
                            "capacity": 2000},
         "mill-5-milling": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.721},
                            "capacity": 3000}}


def plan(**parts: object) -> dict:
    return {"name": "awkward units", "goods": {"wheat": {"unit": "t"}, "flour": {"unit": "t"}},
            "objective": {"maximize": {"flour": 1}}, **parts}


CASES = {
    # a rule in tiny numbers: level >= 1000, which HiGHS dropped (the mill ran at 800)
    "tiny-rule": (plan(processes=MILLS, supply={"wheat": 1800},
                       policies={"q": {"rule": "1e-10 * level(mill-3-milling) >= 1e-7"}}),
                  0.7 * 1000 + 0.721 * 800, {"mill-3-milling": 1000, "mill-5-milling": 800}),
    # a tiny input under a capacity: 1,000,000 before, 200,000 is right
    "tiny-input": (plan(processes={"p": {"inputs": {"wheat": 5e-10}, "outputs": {"flour": 1},
                                         "capacity": 1e6}}, supply={"wheat": 1e-4}),
                   200_000, {"p": 200_000}),
    # 1e-9 and 1e9 in one plan: 0 before, 1,000 is right
    "tiny-and-huge": (plan(processes={"p": {"inputs": {"wheat": 1e9},
                                            "outputs": {"flour": 1e-9}}},
                           supply={"wheat": 1e21}), 1000, {"p": 1e12}),
    # a supply of 1e21 and a capacity of 1e25: "unbounded" before
    "huge-bounds": (plan(processes={"mill": {"inputs": {"wheat": 1}, "outputs": {"flour": 0.7},
                                             "capacity": 1e25}}, supply={"wheat": 1e21}),
                    0.7e21, {"mill": 1e21}),
}


@pytest.mark.parametrize("name", CASES)
def test_awkward_units_reach_the_true_optimum(name: str) -> None:
    document, objective, levels = CASES[name]
    result = k.solve(k.Plan.from_dict(document))
    assert result.status is k.Status.OPTIMAL
    assert result.objective == pytest.approx(objective, rel=1e-9)
    for process, level in levels.items():
        assert result.levels[process] == pytest.approx(level, rel=1e-9)
    assert result.certificate.verified


def test_the_tiny_rule_is_priced_in_the_plans_units() -> None:
    document, _, _ = CASES["tiny-rule"]
    result = k.solve(k.Plan.from_dict(document))
    # loosening the rule by one unit of its right side (1e-7 -> 1e-7 - 1) frees 1e10
    # levels of the weaker mill: each is worth 0.721 - 0.7 t of flour
    assert result.policy_prices.at["q", "price"] == pytest.approx(0.021 * 1e10, rel=1e-9)


def test_the_certificate_refuses_the_answer_the_solver_used_to_give() -> None:
    document, _, _ = CASES["tiny-rule"]
    result = k.solve(k.Plan.from_dict(document))
    wrong = result.solution.x.copy()
    wrong[list(result.plan.processes.index).index("mill-3-milling")] = 800.0
    wrong[list(result.plan.processes.index).index("mill-5-milling")] = 1000.0
    from kantorovich.results.certificate import certify

    cert = certify(result.lp, wrong, result.solution.row_dual)
    assert not cert.verified
    assert any(f.id == "q" for f in cert.failures())


@pytest.mark.parametrize("name", CASES)
def test_the_cli_solves_awkward_units_with_exit_0(tmp_path: Path, name: str) -> None:
    document, objective, _ = CASES[name]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document))
    res = runner.invoke(app, ["solve", str(path), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["objective"] == pytest.approx(objective, rel=1e-9)
    assert data["certificate"]["verified"] is True


def test_an_unrepresentable_rule_exits_2_naming_it(tmp_path: Path) -> None:
    document = plan(processes=MILLS, supply={"wheat": 1800}, policies={
        "q": {"rule": "1e-40 * level(mill-3-milling) + 1e12 * level(mill-5-milling) <= 5"}})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document))
    res = runner.invoke(app, ["solve", str(path)])
    assert res.exit_code == 2, res.output
    assert "policy 'q'" in res.stderr and "1e-40" in res.stderr
    assert "Traceback" not in res.output
