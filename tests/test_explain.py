"""Explanations and summaries on plans other than the bundled example: minimisation,
degenerate optima, equality rules written with keywords, ids shared by a good and a rule."""

from __future__ import annotations

import math

import pytest

import kantorovich as k
from kantorovich.explain.story import explain
from kantorovich.report.summary import summary
from kantorovich.results.sensitivity import price_ranges

from conftest import degenerate_mills


def _labour_plan() -> k.Plan:
    # Two ways to make 300 chairs: A needs 2 h a chair (capacity 60), B 3 h a chair.
    return k.Plan.from_dict({
        "name": "Chairs", "period": "week",
        "goods": {"labour": {"unit": "h"}, "chair": {"unit": "piece"}},
        "units": {"shop-a": {"name": "Shop A"}, "shop-b": {"name": "Shop B"}},
        "processes": {
            "a": {"unit": "shop-a", "inputs": {"labour": 2}, "outputs": {"chair": 1},
                  "capacity": 60},
            "b": {"unit": "shop-b", "inputs": {"labour": 3}, "outputs": {"chair": 1}}},
        "supply": {"labour": math.inf},
        "demand": {"chair": 100},
        "objective": {"minimize": {"labour": 1}},
        "policies": {"a-cap": {"name": "Shop A makes at most 50",
                               "rule": "output(chair, shop-a) <= 50"}},
        "baseline": {"levels": {"b": 100}},
    })


def test_minimising_plans_speak_of_savings() -> None:
    result = k.solve(_labour_plan())
    assert result.objective == pytest.approx(250)          # 50 x 2 h + 50 x 3 h
    text = explain(result).text()
    assert "would save 1 h" in text                        # each chair moved to Shop A
    assert "dropping it altogether would save 10 h" in text
    assert "the plan saves 50 h a week" in text            # against 300 h in force
    assert "would add" not in text


def _pinned_oven() -> k.Plan:
    # Both rules hold bread at 300: a degenerate optimum with non-unique rule prices.
    return k.Plan.from_dict({
        "name": "Pinned oven",
        "goods": {"bread": {"unit": "loaf"}},
        "units": {"o": {}},
        "processes": {"magic": {"unit": "o", "outputs": {"bread": 3}}},
        "objective": {"maximize": {"bread": 1}},
        "policies": {"cap": "level(magic) <= 100", "eq": "output(bread, unit=o) == 300"},
    })


def test_equality_rule_price_range_is_one_sided() -> None:
    result = k.solve(_pinned_oven())
    assert result.is_degenerate
    ranges = price_ranges(result)
    ranges = ranges[ranges["kind"] == "policy"]
    # Raising the == rule's right side is infeasible (the cap holds), lowering it by one
    # loaf loses one loaf: any price up to 1 is valid, without a lower limit.
    assert ranges.at["eq", "low"] == -math.inf
    assert ranges.at["eq", "high"] == pytest.approx(1.0)
    # Loosening the cap gains nothing while eq pins the output; tightening it is infeasible.
    assert ranges.at["cap", "low"] == pytest.approx(0.0)
    assert ranges.at["cap", "high"] == math.inf
    text = explain(result).text()
    assert "its price is not unique" in text


def test_equality_rule_sentence_splits_at_the_comparison(leningrad_plan: k.Plan) -> None:
    from dataclasses import replace

    from kantorovich.model.rules import parse_rule

    rule = parse_rule("input(steel, unit=factory-47) == input(steel, unit=factory-92)")
    policies = tuple(replace(p, rule=rule) if p.id == "equal-steel" else p
                     for p in leningrad_plan.policies)
    text = explain(k.solve(leningrad_plan.with_policies(policies))).text()
    assert ("each t by which input(steel, unit=factory-92) were allowed to exceed "
            "input(steel, unit=factory-47) would add 40 loaves") in text


def test_summary_keeps_goods_and_rules_apart() -> None:
    # A good and a rule may share an id; the JSON must not let one overwrite the other.
    data = summary(k.solve(degenerate_mills(policies={"wheat": "level(a) <= 600"})))
    assert data["price_ranges"]["goods"]["wheat"]["unique"] is False
    assert data["price_ranges"]["goods"]["wheat"]["high"] == pytest.approx(0.70)
    assert data["price_ranges"]["policies"]["wheat"]["unique"] is True
