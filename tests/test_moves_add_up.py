"""Moves that compare like with like and add up to the whole gain, on plans other than
the bundled example: two outputs, a labour move between different products, moves that
need each other, supply the plan in force left unused, a baseline that breaks the rules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import DATA

import kantorovich as k
from kantorovich.explain.analyses import Analyses
from kantorovich.explain.baseline import (LOSES_ALONE, WITH_ABOVE, _joined, _numbered,
                                         compare_to_baseline)
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
    # undone alone, each move would lose all 250 loaves: flour and labour between the same
    # two bakeries are one step, imposed at once, whose gain is on its first row
    assert list(moves["step"]) == [1, 1]
    assert moves["gain"].iloc[0] == pytest.approx(250) and moves["gain"].iloc[1] == 0
    assert moves["gain_note"].iloc[1] == WITH_ABOVE
    assert moves["gain"].sum() + comparison.unexplained == pytest.approx(comparison.gain)
    assert comparison.unexplained == pytest.approx(0, abs=1e-6)
    # each step checked by a fresh solve with the moves so far written as rules
    caps = {("flour", "ua"): 5.0, ("flour", "ub"): 5.0, ("labour", "ua"): 5.0,
            ("labour", "ub"): 5.0}
    before = 1250.0
    for _, step in moves.groupby("step", sort=False):
        for mv in step.itertuples():
            caps[(mv.good, mv.sender)] -= mv.amount
            caps[(mv.good, mv.receiver)] += mv.amount
        rules = {f"cap-{g}-{u}": f"input({g}, unit={u}) <= {c}" for (g, u), c in caps.items()}
        fresh = k.solve(k.Plan.from_dict(_part_plan(**rules)))
        assert step["gain"].sum() == pytest.approx(fresh.objective - before, abs=1e-6)
        before = fresh.objective
    data = comparison.to_dict()
    assert data["gain"] == pytest.approx(sum(moves["gain"]) + data["unexplained"])
    line = next(line for line in explain(result).sections["What to move"]
                if line.startswith("Move"))
    assert line == ("Move 5 t of flour (100% of Bakery A's allocation) and 5 h of labour "
                    "(100% of Bakery A's allocation) a period from Bakery A to Bakery B: together "
                    "the plan gains 250 loaves a period.")


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
    result = k.solve(k.Plan.from_dict(_three_shops()))
    comparison = compare_to_baseline(result, evaluate_moves=1)
    assert np.isnan(comparison.moves["gain"].iloc[1])
    assert comparison.moves["gain"].iloc[0] + comparison.unexplained == pytest.approx(1300)
    tail = explain(result, Analyses(baseline=comparison)).sections["What to move"][-1]
    assert tail.startswith("What no move explains: ") and "the 1 move not measured" in tail


def _three_shops() -> dict:
    # a workshop's labour and a mill's flour both go to the bakery, which needs both: the
    # labour (the larger move, so first) alone loses, the flour after it gains more
    return {
        "name": "Three shops", "period": "week",
        "goods": {"labour": {"unit": "h", "name": "Labour"},
                  "flour": {"unit": "t", "name": "Flour"},
                  "bread": {"unit": "loaf", "name": "Bread"}},
        "units": {"wa": {"name": "Workshop A"}, "bb": {"name": "Bakery B"},
                  "mc": {"name": "Mill C"}},
        "processes": {
            "a": {"unit": "wa", "inputs": {"labour": 1}, "outputs": {"bread": 10}},
            "b": {"unit": "bb", "inputs": {"labour": 2, "flour": 1}, "outputs": {"bread": 300},
                  "capacity": 5},
            "c": {"unit": "mc", "inputs": {"flour": 1}, "outputs": {"bread": 20}}},
        "supply": {"labour": 12, "flour": 5},
        "objective": {"maximize": {"bread": 1}},
        "baseline": {"levels": {"a": 12, "b": 0, "c": 5}},
    }


def test_a_losing_move_is_joined_with_the_move_that_makes_it_gain() -> None:
    # baseline 220 loaves; labour to the bakery alone: 120 (-100); then the flour: 1,520
    result = k.solve(k.Plan.from_dict(_three_shops()))
    comparison = compare_to_baseline(result)
    moves = comparison.moves
    assert list(moves["good"]) == ["labour", "flour"] and list(moves["step"]) == [1, 1]
    assert moves["gain"].tolist() == pytest.approx([1300, 0])
    assert comparison.gain == pytest.approx(1300)
    assert comparison.unexplained == pytest.approx(0, abs=1e-6)
    (line,) = [line for line in explain(result).sections["What to move"]
               if line.startswith("Move")]
    assert line == ("Move 10 h of Labour from Workshop A to Bakery B (83% of Workshop A's "
                    "allocation) and 5 t of Flour from Mill C to Bakery B (100% of Mill C's "
                    "allocation) a week: together the plan gains 1,300 loaves a week.")


def test_a_loss_nothing_after_makes_up_for_stays_and_says_why() -> None:
    # steps 1 (+5), 2 (-3, joined with 3: -3 + 4 = +1), 3 (+4), 4 (-2: nothing after);
    # step 5 was not measured (its note stands) and is never joined across
    steps = np.array([0, 1, 1, 2, 3, 4])
    gain = np.array([5.0, -3.0, 0.0, 4.0, -2.0, np.nan])
    note = np.array(["", "", WITH_ABOVE, "", "", "gain not measured: time budget spent"],
                    dtype=object)
    joined = _joined(steps, gain, note, 1e-9)
    assert _numbered(joined).tolist() == [1, 2, 2, 2, 3, 4]
    assert gain.tolist()[:5] == [5.0, 1.0, 0.0, 0.0, -2.0] and np.isnan(gain[5])
    assert note.tolist() == ["", "", WITH_ABOVE, WITH_ABOVE, LOSES_ALONE,
                             "gain not measured: time budget spent"]
    assert np.nansum(gain) == 4.0           # the sum is what it was: 5 - 3 + 4 - 2


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


def test_shirts_moves_read_right() -> None:
    """Issue 19's plan: labour alone to Factory No. 2 would lose (it has no cotton to work
    it), so labour and cotton move as one step that gains; most of the gain is no move's,
    and the sentences say whose: the modern line the plan in force does not run, and the
    cotton it left unused."""
    result = k.solve(k.load_plan(DATA / "shirts.yaml"))
    comparison = compare_to_baseline(result)
    # 583.333 thousand shirts in force, 916.667 at the optimum
    assert comparison.gain == pytest.approx(1000 / 3)
    moves = comparison.moves
    assert list(moves["good"]) == ["labour", "cotton"] and list(moves["step"]) == [1, 1]
    # caps at the plan in force: Factory No. 2 runs its modern line on its 100 t (357.1);
    # with Factory No. 1's labour and cotton: 500 modern + 116.7 sewn, and nothing at No. 1
    assert moves["gain"].iloc[0] == pytest.approx(616.6667 - 607.1429, abs=1e-3)
    assert moves["gain"].sum() + comparison.unexplained == pytest.approx(comparison.gain)
    lines = explain(result).sections["What to move"]
    assert lines[0] == (
        "Move 100,000 worker-hours of Labour (100% of Factory No. 1's allocation) and 75 t "
        "of Cotton (100% of Factory No. 1's allocation) a week from Factory No. 1 to "
        "Factory No. 2: together the plan gains 9.52381 thousand shirts a week.")
    assert lines[-1] == (
        "Most of the gain (97%) comes from no move: Modern line at Factory No. 2, which "
        "the plan in force does not run at all, runs at 500 thousand shirts; the optimum "
        "uses 90 t of the 125 t of Cotton the plan in force left unused.")
    text = explain(result).text()
    assert "runs at capacity (500 thousand shirts): each extra thousand shirts of " \
        "capacity" in text
    assert "A worker-hour of Labour is worth" in text
