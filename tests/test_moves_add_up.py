"""Moves that compare like with like and add up to the whole gain, on plans other than
the bundled example: two outputs, a labour move between different products, moves that
need each other, supply the plan in force left unused, a baseline that breaks the rules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kantorovich as k
from kantorovich.explain.analyses import Analyses
from kantorovich.explain.baseline import compare_to_baseline
from kantorovich.explain.story import explain
from kantorovich.numbers import count, plural, quantity


def _refineries() -> k.Plan:
    # B gets more fuel from a ton of crude; the two declare their outputs in other orders,
    # so "the first output" of each is fuel at A and sulphur at B.
    return k.Plan.from_dict({
        "name": "Refineries", "period": "month",
        "goods": {"crude": {"unit": "t", "name": "Crude"}, "fuel": {"unit": "t", "name": "Fuel"},
                  "sulphur": {"unit": "kg", "name": "Sulphur"}},
        "units": {"ra": {"name": "Refinery A"}, "rb": {"name": "Refinery B"}},
        "processes": {
            "a": {"unit": "ra", "inputs": {"crude": 1}, "outputs": {"fuel": 0.8, "sulphur": 50},
                  "capacity": 100},
            "b": {"unit": "rb", "inputs": {"crude": 1}, "outputs": {"sulphur": 30, "fuel": 0.85},
                  "capacity": 100}},
        "supply": {"crude": 100},
        "objective": {"maximize": {"fuel": 1}},
        "baseline": {"levels": {"a": 50, "b": 50}},
    })


def test_a_move_compares_the_same_output_per_the_same_input() -> None:
    text = explain(k.solve(_refineries())).text()
    assert ("Refinery B makes 0.85 t of Fuel per t of Crude, Refinery A 0.8 t of Fuel "
            "(6.2% more).") in text
    assert "Sulphur per t" not in text and "1,900" not in text


def _farm_and_bakery(farm: float, bakery: float) -> dict:
    # labour makes wheat at the farm and bread at the bakery: no yield of the two compares
    return {
        "name": "Farm and bakery", "period": "week",
        "goods": {"labour": {"unit": "h", "name": "Labour"}, "wheat": {"unit": "t", "name": "Wheat"},
                  "bread": {"unit": "loaf", "name": "Bread"}},
        "units": {"farm": {"name": "The farm"}, "bakery": {"name": "The bakery"}},
        "processes": {
            "grow": {"unit": "farm", "inputs": {"labour": 1}, "outputs": {"wheat": 1}},
            "bake": {"unit": "bakery", "inputs": {"labour": 0.001, "wheat": 0.0005},
                     "outputs": {"bread": 1}}},
        "supply": {"labour": 100},
        "objective": {"maximize": {"bread": 1}},
        "baseline": {"levels": {"grow": farm, "bake": bakery}},
    }


def test_a_labour_move_between_different_products_claims_no_percentage() -> None:
    result = k.solve(k.Plan.from_dict(_farm_and_bakery(50, 50_000)))
    comparison = compare_to_baseline(result)
    (move,) = comparison.moves.itertuples()
    assert (move.good, move.sender, move.receiver) == ("labour", "farm", "bakery")
    assert move.gain == pytest.approx(comparison.gain) == pytest.approx(50_000 / 3)
    line = next(line for line in explain(result).sections["What to move"]
                if line.startswith("Move"))
    assert "% more" not in line and "makes" not in line
    assert "the plan gains 16,666.7 loaves a week" in line


def _part_plan(**policies: str) -> dict:
    # each bakery needs an hour and a ton of flour a batch; B bakes 150 loaves, A 100
    return {
        "name": "Two bakeries",
        "goods": {"flour": {"unit": "t"}, "labour": {"unit": "h"}, "bread": {"unit": "loaf"}},
        "units": {"ua": {"name": "Bakery A"}, "ub": {"name": "Bakery B"}},
        "processes": {
            "a": {"unit": "ua", "inputs": {"flour": 1, "labour": 1}, "outputs": {"bread": 100},
                  "capacity": 10},
            "b": {"unit": "ub", "inputs": {"flour": 1, "labour": 1}, "outputs": {"bread": 150},
                  "capacity": 10}},
        "supply": {"flour": 10, "labour": 10},
        "objective": {"maximize": {"bread": 1}},
        "policies": policies,
        "baseline": {"levels": {"a": 5, "b": 5}},
    }


def test_moves_that_need_each_other_add_up_to_the_whole_gain() -> None:
    result = k.solve(k.Plan.from_dict(_part_plan()))
    comparison = compare_to_baseline(result)
    moves = comparison.moves
    assert len(moves) == 2 and comparison.gain == pytest.approx(250)
    # undone alone, each move would lose all 250 loaves: 500 in all. In order, each adds
    # what it adds to those before it, and the parts make the whole.
    assert moves["gain"].sum() + comparison.unexplained == pytest.approx(comparison.gain)
    assert comparison.unexplained == pytest.approx(0, abs=1e-6)
    # each step checked by a fresh solve with the moves so far written as rules
    caps = {("flour", "ua"): 5.0, ("flour", "ub"): 5.0, ("labour", "ua"): 5.0,
            ("labour", "ub"): 5.0}
    before = 1250.0
    for mv in moves.itertuples():
        caps[(mv.good, mv.sender)] -= mv.amount
        caps[(mv.good, mv.receiver)] += mv.amount
        rules = {f"cap-{g}-{u}": f"input({g}, unit={u}) <= {c}" for (g, u), c in caps.items()}
        fresh = k.solve(k.Plan.from_dict(_part_plan(**rules)))
        assert mv.gain == pytest.approx(fresh.objective - before, abs=1e-6)
        before = fresh.objective
    data = comparison.to_dict()
    assert data["gain"] == pytest.approx(sum(moves["gain"]) + data["unexplained"])


def test_supply_the_baseline_left_unused_is_its_own_line() -> None:
    result = k.solve(k.Plan.from_dict(_farm_and_bakery(40, 40_000)))   # 20 h unused
    comparison = compare_to_baseline(result)
    assert comparison.gain == pytest.approx(80_000 / 3)
    assert comparison.moves["gain"].sum() == pytest.approx(20_000 / 3)
    assert comparison.unexplained == pytest.approx(20_000)
    data = comparison.to_dict()
    assert data["unexplained"] == pytest.approx(20_000)
    assert data["gain"] == pytest.approx(comparison.moves["gain"].sum() + data["unexplained"])
    lines = explain(result).sections["What to move"]
    assert any(line.startswith("Each move's gain is what it adds to the moves above it")
               for line in lines)
    assert any(line.startswith("What no move explains: 20,000 loaves a week") and
               "supply the plan in force left unused" in line for line in lines)


def test_moves_not_measured_count_into_what_no_move_explains() -> None:
    result = k.solve(k.Plan.from_dict(_part_plan()))
    comparison = compare_to_baseline(result, evaluate_moves=1)
    assert np.isnan(comparison.moves["gain"].iloc[1])
    assert comparison.moves["gain"].iloc[0] + comparison.unexplained == pytest.approx(250)
    tail = explain(result, Analyses(baseline=comparison)).sections["What to move"][-1]
    assert tail.startswith("What no move explains: ") and "the 1 move not measured" in tail


def test_a_baseline_that_breaks_the_rules_lists_no_moves() -> None:
    data = _part_plan()
    data["baseline"] = {"levels": {"a": 12, "b": 0}}           # over A's capacity of 10
    result = k.solve(k.Plan.from_dict(data))
    comparison = compare_to_baseline(result)
    assert not comparison.feasible and comparison.moves.empty
    assert comparison.to_dict()["moves_count"] == 0
    explanation = explain(result)
    assert "What to move" not in explanation.sections
    broken = explanation.sections["Where the plan in force breaks the rules"]
    assert broken[0].startswith("No moves are listed")
    assert any("runs outside" in line for line in broken[1:])


def test_a_move_of_a_tiny_share_reads_as_its_share_not_0_percent() -> None:
    data = _part_plan()
    data["supply"] = {"flour": 10_000, "labour": 10_000}
    data["processes"]["a"]["capacity"] = 10_000
    data["processes"]["b"]["capacity"] = 5_010
    data["baseline"] = {"levels": {"a": 5_000, "b": 5_000}}
    text = explain(k.solve(k.Plan.from_dict(data))).text()
    assert "(0.2% of Bakery A's allocation)" in text and "(0%" not in text


def test_a_capacity_is_stated_in_the_level_unit() -> None:
    base = k.Plan.from_dict(_part_plan())
    plan = dataclasses.replace(base, processes=base.processes.assign(
        level_unit=["batch", "batch"]))
    text = explain(k.solve(plan)).text()
    assert "runs at capacity (10 batches): each extra batch of capacity" in text


def test_units_read_as_a_person_writes_them() -> None:
    assert quantity(14_000, "loaf") == "14,000 loaves" and quantity(1, "loaf") == "1 loaf"
    assert quantity(80, "t") == "80 t" and quantity(2, "kWh") == "2 kWh"
    assert count(1, "policy") == "1 policy" and count(2, "policy") == "2 policies"
    assert plural("box") == "boxes" and plural("piece") == "pieces"
    assert plural("crate", plurals={"crate": "crates of twelve"}) == "crates of twelve"
