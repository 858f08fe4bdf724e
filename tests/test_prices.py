"""The sign convention, tested by finite differences rather than restated.

A shadow price is the improvement of the optimal objective per extra unit of a good made
available; a policy price per unit the rule is loosened; a reduced cost per unit of a
process's level forced up. Each is compared with re-solving the perturbed plan.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.model.plan import Policy

from conftest import TEXTBOOK, degenerate_mills

STEP = 1e-3


def _improvement(base: k.PlanResult, other: k.PlanResult) -> float:
    assert other.status is k.Status.OPTIMAL
    sign = 1.0 if base.plan.objective.is_maximize else -1.0
    return sign * (other.objective - base.objective)


def _plans() -> list[k.Plan]:
    from conftest import EXAMPLES

    return [k.load_plan(EXAMPLES / "leningrad.yaml"),
            k.load_plan(TEXTBOOK / "wyndor-glass.yaml"),
            k.load_plan(TEXTBOOK / "winston-diet.yaml"),
            k.load_plan(TEXTBOOK / "dakota-furniture.yaml")]


@pytest.mark.parametrize("plan", _plans(), ids=lambda p: p.name)
def test_shadow_prices_match_finite_differences(plan: k.Plan) -> None:
    base = k.solve(plan)
    for good in plan.goods.index:
        supply = plan.goods.at[good, "supply"]
        if np.isinf(supply):
            continue
        step = STEP * max(1.0, abs(supply))
        bumped = k.solve(plan.with_supply(good, supply + step))
        slope = _improvement(base, bumped) / step
        assert slope == pytest.approx(base.shadow_prices[good], rel=1e-6, abs=1e-6), good


@pytest.mark.parametrize("plan", _plans(), ids=lambda p: p.name)
def test_reduced_costs_match_finite_differences(plan: k.Plan) -> None:
    # A reduced cost prices a process held at a bound: an idle process forced to run a
    # little loses it; a process at capacity given a little more capacity gains it.
    base = k.solve(plan)
    checked = 0
    for process, row in base.processes.iterrows():
        rc, level = row["reduced_cost"], row["level"]
        procs = plan.processes.copy()
        step = STEP * max(1.0, abs(level))
        if rc < -1e-9 and row["position"] == "at minimum":
            procs.loc[process, "min_level"] = level + step
        elif rc > 1e-9 and row["position"] == "at capacity":
            procs.loc[process, "capacity"] = level + step
        else:
            continue
        moved = k.solve(dataclasses.replace(plan, processes=procs))
        slope = _improvement(base, moved) / step
        assert slope == pytest.approx(rc, rel=1e-6, abs=1e-6), process
        checked += 1
    assert checked >= 1 or plan.name.startswith("Wyndor")


def _relax(policy: Policy, amount: float) -> Policy:
    rule = policy.rule
    rhs = rule.rhs - amount if rule.sense == ">=" else rule.rhs + amount
    return dataclasses.replace(policy, rule=dataclasses.replace(rule, rhs=rhs))


def test_policy_prices_match_finite_differences(leningrad: k.PlanResult) -> None:
    plan = leningrad.plan
    for i, policy in enumerate(plan.policies):
        step = 1.0
        policies = list(plan.policies)
        policies[i] = _relax(policy, step)
        relaxed = k.solve(plan.with_policies(tuple(policies)))
        slope = _improvement(leningrad, relaxed) / step
        assert slope == pytest.approx(leningrad.policy_prices.at[policy.id, "price"],
                                      rel=1e-6, abs=1e-9), policy.id


def test_prices_are_labelled_by_plan_ids(leningrad: k.PlanResult) -> None:
    assert list(leningrad.shadow_prices.index) == list(leningrad.plan.goods.index)
    assert list(leningrad.policy_prices.index) == [p.id for p in leningrad.plan.policies]
    assert (leningrad.goods["price_unit"] == ["loaf per t", "loaf per t", "loaf per t",
                                              "loaf per loaf", "loaf per t",
                                              "loaf per t"]).all()


def test_certificate_catches_a_wrong_sign(leningrad: k.PlanResult) -> None:
    from kantorovich.results.certificate import certify

    sol = leningrad.solution
    good = certify(leningrad.lp, sol.x, sol.row_dual)
    bad = certify(leningrad.lp, sol.x, -sol.row_dual)
    assert good.verified
    assert not bad.verified and bad.dual_infeasibility > 1e-3


def test_certificate_catches_an_infeasible_point(leningrad: k.PlanResult) -> None:
    from kantorovich.results.certificate import certify

    sol = leningrad.solution
    cert = certify(leningrad.lp, sol.x * 1.01, sol.row_dual)
    assert not cert.verified and cert.primal_infeasibility > 1e-4


def test_degenerate_price_is_reported_as_a_range() -> None:
    # The price of wheat is the interval [0, 0.70] (see conftest.degenerate_mills).
    result = k.solve(degenerate_mills())
    assert result.is_degenerate
    from kantorovich.results.sensitivity import price_ranges

    ranges = price_ranges(result)
    assert not ranges.at["wheat", "unique"]
    assert ranges.at["wheat", "low"] == pytest.approx(0.0, abs=1e-9)
    assert ranges.at["wheat", "high"] == pytest.approx(0.70, abs=1e-9)


def test_highs_duals_are_derivatives_for_both_senses() -> None:
    # The adapter's promise: row_dual = improvement per unit rise of the active bound.
    import scipy.sparse as sp

    from kantorovich.lp.highs import solve_lp
    from kantorovich.lp.program import LinearProgram

    def wyndor(sense: str, b3: float) -> LinearProgram:
        c = np.array([3.0, 5.0]) * (1 if sense == "maximize" else -1)
        return LinearProgram(
            sense=sense, objective=c,
            matrix=sp.csc_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 2.0]])),
            row_lower=np.full(3, -np.inf), row_upper=np.array([4.0, 12.0, b3]),
            col_lower=np.zeros(2), col_upper=np.full(2, np.inf),
            rows=pd.DataFrame({"kind": "good", "id": ["a", "b", "c"]}),
            cols=pd.DataFrame({"kind": "process", "id": ["x1", "x2"]}))

    for sense in ("maximize", "minimize"):
        base = solve_lp(wyndor(sense, 18.0))
        moved = solve_lp(wyndor(sense, 18.5))
        improves = 1.0 if sense == "maximize" else -1.0
        assert improves * (moved.objective - base.objective) / 0.5 == pytest.approx(
            base.row_dual[2])
