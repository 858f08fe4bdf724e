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


# -- a change of units changes nothing ---------------------------------------------------------
from conftest import examples  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_price_properties import bounded_plans  # noqa: E402


def _in_units(document: dict, good_scale: dict[str, float],
              level_scale: dict[str, float]) -> dict:
    """The same plan with each good counted in 1/good_scale of its unit (a ton written as
    1e9 milligrams) and each process's level in 1/level_scale of its own."""
    out = json.loads(json.dumps(document))
    for pid, proc in out["processes"].items():
        t = level_scale[pid]
        for side in ("inputs", "outputs"):
            proc[side] = {g: a * good_scale[g] / t for g, a in proc[side].items()}
        for bound in ("capacity", "min_level"):
            if bound in proc:
                proc[bound] = proc[bound] * t
    out["supply"] = {g: a * good_scale[g] for g, a in out["supply"].items()}
    sense, weights = next(iter(out["objective"].items()))
    out["objective"] = {sense: {g: w / good_scale[g] for g, w in weights.items()}}
    for pid, rule in out.get("policies", {}).items():
        if rule.startswith("level("):                 # level(p) <= n
            p, n = rule[len("level("):].split(") <= ")
            out["policies"][pid] = f"level({p}) <= {float(n) * level_scale[p]!r}"
        else:                                          # input(g) <= n
            g, n = rule[len("input("):].split(") <= ")
            out["policies"][pid] = f"input({g}) <= {float(n) * good_scale[g]!r}"
    return out


@settings(max_examples=examples(30), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(bounded_plans(), st.data())
def test_a_change_of_units_changes_no_optimum(document: dict, data: st.DataObject) -> None:
    base = k.solve(k.Plan.from_dict(document))
    if not base.is_optimal:
        return
    # plan numbers stay below the loader's 1e15 (larger ones are refused: rescale the unit)
    powers = st.sampled_from([-6, -3, 0, 3, 6])
    goods = {g: 10.0 ** data.draw(powers) for g in document["goods"]}
    levels = {p: 10.0 ** data.draw(powers) for p in document["processes"]}
    scaled = k.solve(k.Plan.from_dict(_in_units(document, goods, levels)))
    assert scaled.status is k.Status.OPTIMAL and scaled.certificate.verified
    assert scaled.objective == pytest.approx(base.objective, rel=1e-6, abs=1e-6)


def test_an_economy_counted_in_money_is_not_left_unplanned() -> None:
    """Amounts of 1e8..1e9 (millions of dollars) and a basket counted in units: prices of
    about 1e-9 per dollar sit under HiGHS's dual tolerance, and the solver calls "make no
    basket" optimal. The certificate must refuse that point, and the careful re-solve
    (costs scaled so prices are about 1) must find the table's own basket."""
    import numpy as np

    from kantorovich.lp.compile import compile_plan
    from kantorovich.lp.highs import HighsSession
    from kantorovich.results.certificate import certify

    rng = np.random.default_rng(1)                  # the draw that showed it
    n = 3
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.5)
    A = A / (A.sum(axis=0) + 0.4)
    labour = rng.uniform(0.1, 0.5, n)
    basket = rng.uniform(1e8, 5e9, n)
    x = np.linalg.solve(np.eye(n) - A, basket)     # the table makes exactly one basket
    goods = {f"p{i}": {"unit": "USD"} for i in range(n)} | {"labour": {"unit": "USD"}}
    processes = {f"s{j}": {"inputs": {**{f"p{i}": float(A[i, j]) for i in range(n)
                                         if A[i, j] > 0 and i != j},
                                      "labour": float(labour[j])},
                           "outputs": {f"p{j}": float(1 - A[j, j])}} for j in range(n)}
    plan = k.Plan.from_dict({
        "name": "money", "goods": goods, "processes": processes,
        "supply": {"labour": float(labour @ x)},
        "objective": {"maximize_sets": {f"p{i}": float(basket[i]) for i in range(n)}}})
    lp = compile_plan(plan)
    raw = HighsSession(lp).solve()
    assert raw.objective == pytest.approx(0.0, abs=1e-9)      # the solver's mistake
    assert not certify(lp, raw.x, raw.row_dual).verified
    result = k.solve(plan)
    assert result.status is k.Status.OPTIMAL and result.certificate.verified
    assert result.objective == pytest.approx(1.0, rel=1e-9)
