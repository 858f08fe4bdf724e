"""Prices are derivatives: finite differences on random feasible, bounded plans.

A shadow price is the improvement of the optimum per extra unit of a good made available,
a policy price per unit a rule is loosened, a reduced cost per unit of a process's level
forced past the bound it sits on (see tests/test_prices.py for the same on fixed plans).
Each is compared with re-solving the perturbed plan.

The optimum, as a function of a supply (or of a rule's right-hand side), is concave:
every reported price must lie between the one-sided differences, on every draw. Where the
optimum is not degenerate the price is unique and both differences equal it.

Example counts grow with ``KANTOROVICH_FUZZ_SCALE`` (see conftest); CI draws from a fixed
seed.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from conftest import examples
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import kantorovich as k
from kantorovich.model.plan import Policy

#: Step of the differences, relative to the size of the number moved.
STEP = 1e-4
#: Differences and prices agree to this, relative and absolute: HiGHS's vertex is exact to
#: rounding, so the difference quotient carries about 1e-12 / STEP of the objective.
TOL = 1e-6

COEF = st.integers(1, 40).map(lambda n: n / 4)  # 0.25 .. 10
SETTINGS = {"deadline": None, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}


@st.composite
def bounded_plans(draw: st.DrawFn, rules: bool | None = None) -> dict[str, Any]:
    """A small plan that has an optimum: every process has a finite capacity (bounded)
    and running nothing meets every statement (feasible): no demand, rules with room.
    ``rules``: give it one or two rules (True), none (False), or either (None)."""
    goods = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
    processes = {}
    for j in range(draw(st.integers(1, 4))):
        used = draw(st.lists(st.sampled_from(goods), unique=True, max_size=len(goods)))
        rest = [g for g in goods if g not in used]
        made = draw(st.lists(st.sampled_from(rest), unique=True, min_size=1,
                             max_size=len(rest))) if rest else []
        proc: dict[str, Any] = {"inputs": {g: draw(COEF) for g in used},
                                "outputs": {g: draw(COEF) for g in made},
                                "capacity": draw(st.integers(5, 80))}
        if draw(st.integers(0, 3)) == 0:
            proc["min_level"] = draw(st.integers(0, min(5, proc["capacity"])))
        processes[f"p{j}"] = proc
    supply = {g: draw(st.integers(0, 40)) for g in goods}
    sense = draw(st.sampled_from(["maximize", "maximize", "minimize"]))
    weighted = draw(st.lists(st.sampled_from(goods), unique=True, min_size=1))
    weights = {g: draw(st.sampled_from([-2, -1, 1, 2, 3, 5])) for g in weighted}
    plan: dict[str, Any] = {"name": "random bounded", "goods": {g: {"unit": "t"} for g in goods},
                            "processes": processes, "supply": supply,
                            "objective": {sense: weights}}
    policies = {}
    if rules is not False and draw(st.booleans()):
        p = draw(st.sampled_from(sorted(processes)))
        policies["cap"] = f"level({p}) <= {draw(st.integers(1, 25))}"
    if rules or (rules is None and draw(st.booleans())):
        g = draw(st.sampled_from(goods))
        policies["ration"] = f"input({g}) <= {draw(st.integers(1, 30))}"
    if policies:
        plan["policies"] = policies
    return plan


def _solved(data: dict[str, Any]) -> k.PlanResult:
    # Minimum levels can make a draw infeasible (a process that must run on a good nobody
    # supplies); those draws are not the subject here.
    result = k.solve(k.Plan.from_dict(data))
    assume(result.status is k.Status.OPTIMAL)
    assert result.certificate.verified, result.certificate
    event("degenerate" if result.is_degenerate else "unique prices")
    return result


def _improvement(base: k.PlanResult, plan: k.Plan) -> float:
    """How much better the optimum of ``plan`` is than ``base``'s; -inf if it has none."""
    moved = k.solve(plan)
    if moved.status is k.Status.INFEASIBLE:
        return -math.inf
    assert moved.status is k.Status.OPTIMAL, moved.status
    sign = 1.0 if base.plan.objective.is_maximize else -1.0
    return sign * (moved.objective - base.objective)


def _check_slopes(base: k.PlanResult, price: float, up: float, down: float | None,
                  step: float, what: str) -> None:
    """``up``/``down``: the improvement from moving the number by ``+step``/``-step``
    (``down`` None: that side is not open to a plan).

    Concavity: (gain up) / step <= price <= (loss down) / step, always; equality when the
    optimum is not degenerate."""
    right = up / step
    left = math.inf if down is None else -down / step
    tol = TOL * (1 + abs(price))
    assert right <= price + tol and price <= left + tol, (what, right, price, left)
    if not base.is_degenerate:
        assert right == pytest.approx(price, rel=TOL, abs=TOL), (what, right, price)
        if down is not None:
            assert left == pytest.approx(price, rel=TOL, abs=TOL), (what, left, price)
        event("a nonzero price equals the differences" if abs(price) > TOL else
              "a zero price equals the differences")


@settings(max_examples=examples(25), **SETTINGS)
@given(data=bounded_plans())
def test_shadow_prices_are_derivatives_of_the_optimum(data: dict[str, Any]) -> None:
    base = _solved(data)
    plan = base.plan
    for good in plan.goods.index:
        supply = float(plan.goods.at[good, "supply"])
        step = STEP * max(1.0, supply)
        up = _improvement(base, plan.with_supply(good, supply + step))
        down = _improvement(base, plan.with_supply(good, supply - step))
        _check_slopes(base, float(base.shadow_prices[good]), up, down, step, good)


def _relax(policy: Policy, amount: float) -> Policy:
    rule = policy.rule
    rhs = rule.rhs - amount if rule.sense == ">=" else rule.rhs + amount
    return dataclasses.replace(policy, rule=dataclasses.replace(rule, rhs=rhs))


@settings(max_examples=examples(25), **SETTINGS)
@given(data=bounded_plans(rules=True))
def test_policy_prices_are_derivatives_of_the_optimum(data: dict[str, Any]) -> None:
    base = _solved(data)
    plan = base.plan
    prices = base.policy_prices["price"]
    for i, policy in enumerate(plan.policies):
        step = STEP * max(1.0, abs(policy.rule.rhs))
        moved = []
        for amount in (step, -step):
            policies = list(plan.policies)
            policies[i] = _relax(policy, amount)
            moved.append(_improvement(base, plan.with_policies(tuple(policies))))
        assert prices[policy.id] >= -TOL, (policy.id, prices[policy.id])
        _check_slopes(base, float(prices[policy.id]), moved[0], moved[1], step, policy.id)


@settings(max_examples=examples(25), **SETTINGS)
@given(data=bounded_plans())
def test_reduced_costs_are_derivatives_of_the_optimum(data: dict[str, Any]) -> None:
    # A process between its bounds has no reduced cost; the bound a process sits on
    # (its minimum level or its capacity) is moved up and down.
    base = _solved(data)
    plan = base.plan
    for process, row in base.processes.iterrows():
        rc, level = float(row["reduced_cost"]), float(row["level"])
        step = STEP * max(1.0, abs(level))
        if row["position"] == "between bounds":
            assert rc == pytest.approx(0.0, abs=TOL), process
            continue
        if row["min_level"] == row["capacity"]:
            continue  # a fixed level: on both bounds, so neither difference is its price

        def moved(column: str, value: float) -> float:
            procs = plan.processes.copy()
            procs.loc[process, column] = value
            return _improvement(base, dataclasses.replace(plan, processes=procs))

        if row["position"] == "at minimum":
            column, bound = "min_level", float(row["min_level"])
        else:
            column, bound = "capacity", float(row["capacity"])
        up = moved(column, bound + step)
        # a minimum level below zero would let the process run backwards: not a plan
        down = moved(column, bound - step) if column == "capacity" or bound >= step else None
        _check_slopes(base, rc, up, down, step, process)
