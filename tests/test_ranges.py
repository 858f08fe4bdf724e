"""Sensitivity ranges and prices on objectives other than the example's, checked against a
published answer or by re-solving the changed plan."""

from __future__ import annotations

import dataclasses
import math

import pytest

import kantorovich as k
from conftest import TEXTBOOK


def _dakota_by_product() -> k.Plan:
    # Winston's Dakota Furniture with each product its own good, weighted by its price:
    # the book's cost ranges become weight ranges (desk 56..80, table up to 35, chair
    # 15..22.5).
    return k.Plan.from_dict({
        "name": "Dakota by product",
        "goods": {"lumber": {"unit": "board ft"}, "finishing": {"unit": "h"},
                  "carpentry": {"unit": "h"}, "desk": {"unit": "piece"},
                  "table": {"unit": "piece"}, "chair": {"unit": "piece"}},
        "processes": {
            "make-desk": {"inputs": {"lumber": 8, "finishing": 4, "carpentry": 2},
                          "outputs": {"desk": 1}},
            "make-table": {"inputs": {"lumber": 6, "finishing": 2, "carpentry": 1.5},
                           "outputs": {"table": 1}, "capacity": 5},
            "make-chair": {"inputs": {"lumber": 1, "finishing": 1.5, "carpentry": 0.5},
                           "outputs": {"chair": 1}}},
        "supply": {"lumber": 48, "finishing": 20, "carpentry": 8},
        "objective": {"maximize": {"desk": 60, "table": 30, "chair": 20}, "unit": "$"},
    })


def test_weight_ranges_match_winston() -> None:
    result = k.solve(_dakota_by_product())
    assert result.objective == pytest.approx(280)
    weights = result.sensitivity()["weights"]
    assert (weights.at["desk", "weight_low"], weights.at["desk", "weight_high"]) == \
        pytest.approx((56, 80))
    assert (weights.at["chair", "weight_low"], weights.at["chair", "weight_high"]) == \
        pytest.approx((15, 22.5))
    assert weights.at["table", "weight_low"] == -math.inf
    assert weights.at["table", "weight_high"] == pytest.approx(35)


def test_weight_range_ends_are_where_the_plan_changes() -> None:
    plan = _dakota_by_product()
    base = k.solve(plan).levels
    inside = plan.objective.weights.copy()
    inside["desk"] = 79.9
    beyond = plan.objective.weights.copy()
    beyond["desk"] = 80.1

    def levels(weights):
        objective = dataclasses.replace(plan.objective, weights=weights)
        return k.solve(dataclasses.replace(plan, objective=objective)).levels

    assert levels(inside).to_numpy() == pytest.approx(base.to_numpy())
    assert levels(beyond).to_numpy() != pytest.approx(base.to_numpy())


def test_rule_rhs_range_is_where_the_price_holds(leningrad: k.PlanResult) -> None:
    policies = leningrad.sensitivity()["policies"]
    low, high = policies.at["district-3-bread", "rhs_low"], policies.at[
        "district-3-bread", "rhs_high"]
    assert (low, high) == pytest.approx((1_883_333.33, 2_466_666.67), rel=1e-8)
    plan = leningrad.plan

    def solve_at(rhs: float) -> k.PlanResult:
        policies = tuple(dataclasses.replace(p, rule=dataclasses.replace(p.rule, rhs=rhs))
                         if p.id == "district-3-bread" else p for p in plan.policies)
        return k.solve(plan.with_policies(policies))

    def price_at(rhs: float) -> float:
        return solve_at(rhs).policy_prices.at["district-3-bread", "price"]

    assert price_at(low + 1) == pytest.approx(0.03)
    assert price_at(high - 1) == pytest.approx(0.03)
    assert price_at(low - 1000) != pytest.approx(0.03)     # the mill quota takes over
    # above the range District 3 cannot bake that much: Mill No. 3 at capacity plus rail
    assert solve_at(high + 1000).status is k.Status.INFEASIBLE


def test_minimise_rule_price_by_finite_difference() -> None:
    # Winston's diet with a rule capping the second food at 2: its price is the cost
    # saved per unit the cap is raised.
    plan = k.load_plan(TEXTBOOK / "winston-diet.yaml")
    first = plan.processes.index[1]
    rule = f"level({first}) <= 2"
    policy_plan = k.Plan.from_dict({**_as_dict(plan), "policies": {"cap": rule}})
    base = k.solve(policy_plan)
    looser = k.Plan.from_dict({**_as_dict(plan), "policies": {"cap": rule.replace("2", "2.5")}})
    slope = (base.objective - k.solve(looser).objective) / 0.5      # cost saved per unit
    assert base.policy_prices.at["cap", "price"] == pytest.approx(slope)
    assert slope > 0


def test_complete_sets_prices_by_finite_difference() -> None:
    plan = k.load_plan(TEXTBOOK / "kantorovich-1939-machining.yaml")
    base = k.solve(plan)
    for good in ("milling-days", "turret-days", "automatic-days"):
        supply = plan.goods.at[good, "supply"]
        bumped = k.solve(plan.with_supply(good, supply + 0.01))
        slope = (bumped.objective - base.objective) / 0.01
        assert base.shadow_prices[good] == pytest.approx(slope, rel=1e-6), good


def _as_dict(plan: k.Plan) -> dict:
    """The plan back as the mapping a plan file holds (enough for these small plans)."""
    flows = plan.flows
    processes = {}
    for pid, row in plan.processes.iterrows():
        mine = flows[flows["process"] == pid]
        processes[pid] = {
            "inputs": {g: a for g, a in zip(mine["good"], mine["input"]) if a},
            "outputs": {g: a for g, a in zip(mine["good"], mine["output"]) if a},
            **({"capacity": row["capacity"]} if math.isfinite(row["capacity"]) else {})}
    goods = plan.goods
    return {
        "name": plan.name,
        "goods": {g: {"unit": goods.at[g, "unit"]} for g in goods.index},
        "processes": processes,
        "supply": {g: v for g, v in goods["supply"].items() if v},
        "demand": {g: v for g, v in goods["demand"].items() if v},
        "objective": {plan.objective.sense: plan.objective.weights.to_dict()},
    }
