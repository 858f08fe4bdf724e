"""The scene in the seed, reproduced by the bundled example.

Petrov reads: "Reduce allocation to Mill No. 3 by 20%... reallocate to Mill No. 5, gain of
14,000 additional loaves weekly", because Mill No. 5 "converts each ton of wheat into 3%
more usable output". The steel factories lose 6% and 2% of their steel.
"""

from __future__ import annotations

import pytest

import kantorovich as k
from kantorovich.explain.baseline import compare_to_baseline
from kantorovich.explain.policies import policy_costs
from kantorovich.explain.story import explain


def test_mill_5_gets_3_percent_more_flour(leningrad_plan: k.Plan) -> None:
    flows = leningrad_plan.flows.set_index(["process", "good"])
    ratio = flows.at[("mill-5-milling", "flour-d5"), "output"] / flows.at[
        ("mill-3-milling", "flour-d3"), "output"]
    assert ratio == pytest.approx(1.03)
    steel = flows.at[("bolts-47", "bolts"), "output"], flows.at[("bolts-92", "bolts"), "output"]
    assert steel == pytest.approx((0.94, 0.98))


def test_optimum_is_verified(leningrad: k.PlanResult) -> None:
    assert leningrad.status is k.Status.OPTIMAL
    assert leningrad.certificate.verified
    assert leningrad.objective == pytest.approx(6_670_666.6667, rel=1e-9)


def test_moves_20_percent_of_mill_3_wheat_for_14000_loaves(leningrad: k.PlanResult) -> None:
    comparison = compare_to_baseline(leningrad)
    assert comparison is not None and comparison.feasible
    assert comparison.gain == pytest.approx(14_000, rel=1e-9)
    moves = comparison.moves
    assert len(moves) == 1
    move = moves.iloc[0]
    assert (move["good"], move["sender"], move["receiver"]) == ("wheat", "mill-3", "mill-5")
    assert move["amount"] == pytest.approx(400)
    assert move["share_of_sender"] == pytest.approx(0.20)
    assert move["gain"] == pytest.approx(14_000, rel=1e-9)


def test_what_the_rules_cost(leningrad: k.PlanResult) -> None:
    costs = policy_costs(leningrad)
    # District 3's bread: 0.03 loaf per loaf at the margin; 3,500 loaves in all, because
    # Mill No. 3's 1,500 t quota starts to bind before the district rule is gone.
    assert costs.at["district-3-bread", "price"] == pytest.approx(0.03)
    assert costs.at["district-3-bread", "cost"] == pytest.approx(3_500, rel=1e-9)
    # Equal steel: 200 t more for Factory 92 (capacity 700) saves 4% of it: 8 t of bolts,
    # worth 2,000 loaves a ton.
    assert costs.at["equal-steel", "cost"] == pytest.approx(16_000, rel=1e-9)
    assert costs.at["equal-steel", "change_bolts"] == pytest.approx(8.0)
    assert abs(costs.at["equal-steel", "price"]) == pytest.approx(40.0)
    assert costs.at["mill-3-quota", "cost"] == pytest.approx(0.0, abs=1e-6)
    assert not costs.at["mill-3-quota", "binding"]


def test_explanation_tells_the_story(leningrad: k.PlanResult) -> None:
    text = explain(leningrad).text()
    assert "14,000 loaves (0.21%) more than the plan in force" in text
    assert ("Move 400 t of Wheat a week from Mill No. 3 to Mill No. 5 (20% of Mill No. 3's "
            "allocation): the plan gains 14,000 loaves a week") in text
    assert "(3.0% more)" in text
    assert "'District 3 bakes at least 2 million loaves a week' binds" in text
    assert "dropping it altogether would add 3,500 loaves a week" in text
    assert "dropping it altogether would add 16,000 loaves a week (8 t more Bolts)" in text
    assert "'Mill No. 3 mills at least its guaranteed 1,500 t' does not bind" in text
    assert "verified" in text
    import re

    assert not re.search(r"\b(row|col|column|constraint|variable)s? ?\d", text)
    assert "row_dual" not in text and "col_dual" not in text
