"""The Python API for plans: frames in, what-ifs, policies checked when made, plans out."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import EXAMPLES
from test_scale import count_calls

import kantorovich as k
from kantorovich.model.checks import plan_warnings

LENINGRAD = EXAMPLES / "leningrad.yaml"


def bakery_frames(**changes: object) -> dict[str, object]:
    frames: dict[str, object] = dict(
        goods=pd.DataFrame({"id": ["grain", "bread", "labour"], "unit": ["t", "loaf", "h"],
                            "supply": [10.0, 0.0, 100.0]}),
        processes=pd.DataFrame({"id": ["bake"], "capacity": [8.0], "level_unit": ["batch"]}),
        flows=pd.DataFrame({"process": ["bake"] * 3, "good": ["grain", "bread", "labour"],
                            "input": [1.0, 0.0, 2.0], "output": [0.0, 900.0, 0.0]}),
        objective={"maximize": {"bread": 1}})
    frames.update(changes)
    return frames


def problems_of(call) -> list[k.Problem]:
    with pytest.raises(k.PlanError) as info:
        call()
    return info.value.problems


# -- from_frames -----------------------------------------------------------------------------
def test_frames_build_the_plan_a_file_would() -> None:
    plan = k.Plan.from_frames(**bakery_frames())
    assert plan.processes.at["bake", "level_unit"] == "batch"
    assert k.solve(plan).objective == pytest.approx(7_200)


def test_a_typo_in_a_frame_is_located_by_row_and_column() -> None:
    flows = bakery_frames()["flows"]
    flows = pd.concat([flows, pd.DataFrame({"process": ["bake"], "good": ["grian"],
                                            "input": [1.0], "output": [0.0]})],
                      ignore_index=True)
    (p,) = problems_of(lambda: k.Plan.from_frames(**bakery_frames(flows=flows)))
    assert (p.path, p.message, p.hint) == ("flows[3].good", "unknown good 'grian'",
                                           "did you mean 'grain'?")


def test_frames_are_checked_as_csv_tables_are() -> None:
    goods = pd.DataFrame({"id": ["grain", "bread", "labour"], "unit": ["t", "loaf", 3],
                          "supply": [10.0, -1.0, "lots"]})
    found = problems_of(lambda: k.Plan.from_frames(**bakery_frames(goods=goods)))
    assert {(p.path, p.message) for p in found} >= {
        ("goods[2].unit", "'unit' must be text, got 3"),
        ("goods[1].supply", "'supply' cannot be negative (-1.0)"),
        ("goods[2].supply", "'supply' is not a number: 'lots'"),
    }


def test_a_plans_own_tables_build_it_again() -> None:
    plan = k.load_plan(LENINGRAD)
    again = k.Plan.from_frames(
        goods=plan.goods, units=plan.units, processes=plan.processes, flows=plan.flows,
        objective=plan.objective, policies={p.id: p for p in plan.policies},
        baseline=plan.baseline, name=plan.name, period=plan.period)
    assert again.equals(plan)


def test_from_frames_makes_no_call_per_process() -> None:
    def build(n: int) -> k.Plan:
        ids = [f"p{i}" for i in range(n)]
        return k.Plan.from_frames(
            goods=pd.DataFrame({"id": ["a", "b"], "supply": [1.0, 0.0]}),
            processes=pd.DataFrame({"id": ids, "capacity": 1.0}),
            flows=pd.DataFrame({"process": ids * 2, "good": ["a"] * n + ["b"] * n,
                                "input": [1.0] * n + [0.0] * n,
                                "output": [0.0] * n + [1.0] * n}),
            objective={"maximize": {"b": 1}})

    build(100), build(10_000)
    small, large = count_calls(lambda: build(1_000)), count_calls(lambda: build(20_000))
    assert large < small * 1.2, (small, large)


def test_direct_construction_refuses_unusable_tables_by_name() -> None:
    plan = k.load_plan(LENINGRAD)
    goods = plan.goods.drop(index="wheat")
    found = problems_of(lambda: k.Plan(name="x", goods=goods, units=plan.units,
                                       processes=plan.processes, flows=plan.flows,
                                       objective=plan.objective))
    assert any(p.message == "unknown good 'wheat'" for p in found)
    found = problems_of(lambda: k.Plan(name="x", goods=plan.goods[["unit"]], units=plan.units,
                                       processes=plan.processes, flows=plan.flows,
                                       objective=plan.objective))
    assert [(p.path, p.message) for p in found] == [
        ("goods", "missing columns name, supply, demand")]


# -- with_changes ------------------------------------------------------------------------------
def test_with_changes_returns_a_new_plan_and_leaves_the_old_one() -> None:
    plan = k.load_plan(LENINGRAD)
    changed = plan.with_changes(supply={"wheat": 5000}, capacity=pd.Series({"baking-3": 1.0}),
                                weights={"bolts": 2.0}, rules={"mill-3-quota": 1.0})
    assert changed.goods.at["wheat", "supply"] == 5000
    assert plan.goods.at["wheat", "supply"] == 4000
    assert changed.processes.at["baking-3", "capacity"] == 1.0
    assert changed.objective.weights["bolts"] == 2.0
    rule = next(p.rule for p in changed.policies if p.id == "mill-3-quota")
    assert rule.rhs == 1.0 and k.Policy("again", rule.text).rule.rhs == 1.0


@pytest.mark.parametrize("call, path, message", [
    (lambda p: p.with_supply("labour_n", 1), "supply.labour_n", "unknown good 'labour_n'"),
    (lambda p: p.with_changes(capacity={"baking3": 1}), "capacity.baking3",
     "unknown process 'baking3'"),
    (lambda p: p.without_policy("nope"), "policies.nope", "unknown policy 'nope'"),
    (lambda p: p.with_changes(rules={"mill-3-qouta": 1}), "rules.mill-3-qouta",
     "unknown policy 'mill-3-qouta'"),
    (lambda p: p.with_changes(min_level={"baking-3": 9e9}), "capacity.baking-3",
     "min_level 9e+09 is above capacity 3e+06"),
    (lambda p: p.with_changes(demand={"bread": float("nan")}), "demand.bread",
     "nan is not a valid demand"),
    (lambda p: p.with_changes(weights={"bread": "many"}), "weights.bread",
     "expected a number, got 'many'"),
])
def test_with_changes_refuses_what_a_plan_cannot_hold(call, path: str, message: str) -> None:
    (p,) = problems_of(lambda: call(k.load_plan(LENINGRAD)))
    assert (p.path, p.message) == (path, message)


def test_did_you_mean_names_the_close_id() -> None:
    (p,) = problems_of(lambda: k.load_plan(LENINGRAD).with_supply("wheet", 1))
    assert p.hint == "did you mean 'wheat'?"


def test_a_policy_with_unreadable_text_is_refused_when_made() -> None:
    (p,) = problems_of(lambda: k.Policy("cap", "level(a) <="))
    assert p.path == "policies.cap.rule" and "ends too early" in p.message


# -- writing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tables", [False, True])
def test_a_saved_plan_loads_back_equal(tmp_path, tables: bool) -> None:
    plan = k.load_plan(LENINGRAD).with_changes(rules={"mill-3-quota": 12.5})
    path = plan.save(tmp_path / "out.yaml", tables=tables)
    assert k.load_plan(path).equals(plan)
    assert (tmp_path / "out.flows.csv").exists() is tables


def test_to_yaml_round_trips_frames_and_level_units() -> None:
    plan = k.Plan.from_frames(**bakery_frames())
    text = plan.to_yaml()
    assert "level_unit: batch" in text
    import yaml

    assert k.Plan.from_dict(yaml.safe_load(text)).equals(plan)


def test_save_refuses_a_symlink(tmp_path) -> None:
    (tmp_path / "target.yaml").write_text("")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "target.yaml")
    with pytest.raises(k.KantorovichError):
        k.load_plan(LENINGRAD).save(tmp_path / "link.yaml")


# -- level units, warnings, one pass, display ----------------------------------------------------
def test_level_unit_from_yaml_and_csv(tmp_path) -> None:
    (tmp_path / "procs.csv").write_text("id,level_unit,capacity\nsow,ha,10\n")
    (tmp_path / "p.yaml").write_text(
        "name: farm\ngoods: {seed: {unit: t}, grain: {unit: t}}\nprocesses: procs.csv\n"
        "flows: flows.csv\nsupply: {seed: 5}\nobjective: {maximize: {grain: 1}}\n")
    (tmp_path / "flows.csv").write_text("process,good,input,output\nsow,seed,0.1,0\n"
                                        "sow,grain,0,3\n")
    assert k.load_plan(tmp_path / "p.yaml").processes.at["sow", "level_unit"] == "ha"
    assert (k.load_plan(LENINGRAD).processes["level_unit"] == "").all()


def test_warnings_for_plans_surely_not_meant() -> None:
    assert plan_warnings(k.load_plan(LENINGRAD)) == []
    plan = k.Plan.from_dict({
        "name": "odd", "goods": {"ore": {}, "slag": {}, "steel": {}, "gold": {}, "coal": {}},
        "units": {"mine": {}, "idle-works": {}},
        "processes": {"smelt": {"unit": "mine", "inputs": {"ore": 1, "coal": 1},
                                "outputs": {"steel": 1, "slag": 1}}},
        "supply": {"ore": 10}, "objective": {"maximize": {"steel": 1, "gold": 1}}})
    assert {(p.path, p.message) for p in plan_warnings(plan)} == {
        ("objective.maximize.gold", "the objective counts 'gold', but no process makes it"),
        ("units.idle-works", "unit 'idle-works' runs no process"),
        ("goods.slag", "'slag' is made but nothing uses, demands or values it"),
        ("goods.coal", "'coal' is used by smelt but nothing makes it and no supply "
                       "provides it"),
    }


def test_schema_problems_and_rule_problems_come_in_one_pass(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: x\ngoods: {a: {unit: t, colour: red}}\n"
                    "processes: {p: {outputs: {a: 1}}}\nobjective: {maximize: {a: 1}}\n"
                    "policies: {cap: 'level(p) <='}\n")
    found = problems_of(lambda: k.load_plan(path))
    assert {p.path for p in found} == {"goods.a.colour", "policies.cap.rule"}


def test_repr_and_html_summary_escape_user_text() -> None:
    plan = k.Plan.from_frames(**bakery_frames(name="<b>bakery</b>"))
    assert repr(plan) == ("<Plan '<b>bakery</b>': 3 goods, 0 units, 1 process, 3 flows, "
                          "0 policies, maximize bread>")
    page = plan._repr_html_()
    assert "&lt;b&gt;bakery&lt;/b&gt;" in page and "<b>bakery" not in page
