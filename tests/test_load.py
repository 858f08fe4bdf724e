"""Reading plan files: YAML, TOML, JSON and CSV tables, and every problem located."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import CSV_PLAN, DATA, EXAMPLES

import kantorovich as k

TWO_MILLS = DATA / "two_mills.yaml"
LOAD = DATA / "load"


# -- helpers ------------------------------------------------------------------------------
def edited(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the single line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def problems(path: Path) -> list[k.Problem]:
    with pytest.raises(k.PlanError) as info:
        k.load_plan(path)
    assert info.value.problems, "a PlanError must list at least one problem"
    assert info.value.exit_code == 2
    return info.value.problems


def only(found: list[k.Problem], **expected: object) -> k.Problem:
    """The one problem whose fields equal ``expected`` (message may be a substring)."""
    def matches(p: k.Problem) -> bool:
        for key, value in expected.items():
            got = getattr(p, key)
            if key == "message" and isinstance(value, str):
                if value not in got:
                    return False
            elif got != value:
                return False
        return True

    hits = [p for p in found if matches(p)]
    assert len(hits) == 1, f"expected one problem like {expected}, got:\n" + "\n".join(
        map(repr, found))
    return hits[0]


@pytest.fixture
def two_mills_text() -> str:
    return TWO_MILLS.read_text()


def result_numbers(result: k.PlanResult) -> dict[str, object]:
    return {"status": result.status, "objective": result.objective,
            "levels": result.levels.to_dict(), "prices": result.shadow_prices.to_dict(),
            "policy": result.policy_prices["price"].to_dict(),
            "reduced": result.reduced_costs.to_dict()}


def assert_same_numbers(a: dict[str, object], b: dict[str, object]) -> None:
    assert a["status"] == b["status"] == k.Status.OPTIMAL
    assert a["objective"] == pytest.approx(b["objective"], rel=1e-12)
    for key in ("levels", "prices", "policy", "reduced"):
        assert list(a[key]) == list(b[key]), key
        assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9), key


# -- the plan from the issue ----------------------------------------------------------------
def test_two_mills_is_read_into_the_right_tables() -> None:
    """The issue's plan, exactly as written, gives these tables."""
    plan = k.load_plan(TWO_MILLS)
    assert plan.name == "Two mills" and plan.period == "week"
    assert plan.source == str(TWO_MILLS)

    assert list(plan.goods.index) == ["wheat", "flour"]
    assert list(plan.goods["unit"]) == ["t", "t"]
    assert plan.goods.loc["wheat", "supply"] == 2000
    assert plan.goods.loc["flour", "supply"] == 0
    assert (plan.goods["demand"] == 0).all()

    assert list(plan.units.index) == ["mill-3", "mill-5"]
    assert plan.units.loc["mill-3", "name"] == "Mill No. 3"
    assert plan.units["region"].to_dict() == {"mill-3": "District 3", "mill-5": "District 5"}

    procs = plan.processes
    assert list(procs.index) == ["mill-3-milling", "mill-5-milling"]
    assert procs["unit"].to_dict() == {"mill-3-milling": "mill-3", "mill-5-milling": "mill-5"}
    assert list(procs["capacity"]) == [1200, 1200]
    assert list(procs["min_level"]) == [0, 0]

    flows = {(r.process, r.good): (r.input, r.output) for r in plan.flows.itertuples()}
    assert flows == {("mill-3-milling", "wheat"): (1, 0), ("mill-3-milling", "flour"): (0, 0.70),
                     ("mill-5-milling", "wheat"): (1, 0),
                     ("mill-5-milling", "flour"): (0, 0.721)}

    assert plan.objective.sense == "maximize"
    assert plan.objective.weights.to_dict() == {"flour": 1.0}

    (policy,) = plan.policies
    assert policy.id == "mill-3-quota"
    assert policy.name == "Mill No. 3 keeps its wheat quota"
    assert policy.rule.sense == ">=" and policy.rule.rhs == 1000
    ((term, coef),) = policy.rule.terms
    assert (term.kind, term.target, term.unit, term.region, coef) == (
        "input", "wheat", "mill-3", None, 1.0)

    assert plan.baseline.to_dict() == {"mill-3-milling": 1000, "mill-5-milling": 1000}


def test_two_mills_solves_as_the_issue_says() -> None:
    """The quota holds Mill No. 3 at 1,000 t; it costs 0.021 t of flour per ton."""
    result = k.solve(k.load_plan(TWO_MILLS))
    assert result.status is k.Status.OPTIMAL
    assert result.objective == pytest.approx(1421.0)
    assert result.levels.to_dict() == pytest.approx({"mill-3-milling": 1000,
                                                     "mill-5-milling": 1000})
    assert result.shadow_prices["wheat"] == pytest.approx(0.721)
    assert result.policy_prices.loc["mill-3-quota", "price"] == pytest.approx(0.021)
    assert result.certificate.verified


@pytest.mark.parametrize("name", ["two_mills.toml", "two_mills.json"])
def test_toml_and_json_give_the_same_plan_and_result(name: str) -> None:
    """The same schema in another syntax: identical tables, identical solve."""
    yaml_plan = k.load_plan(TWO_MILLS)
    other = k.load_plan(LOAD / name)
    for table in ("goods", "units", "processes", "flows"):
        pd.testing.assert_frame_equal(getattr(other, table), getattr(yaml_plan, table),
                                      check_dtype=False, obj=table)
    pd.testing.assert_series_equal(other.baseline, yaml_plan.baseline)
    assert [(p.id, p.name, p.rule) for p in other.policies] == [
        (p.id, p.name, p.rule) for p in yaml_plan.policies]
    assert_same_numbers(result_numbers(k.solve(other)), result_numbers(k.solve(yaml_plan)))


def test_csv_tables_give_the_same_answer_as_the_inline_plan() -> None:
    """Leningrad with goods, units, processes, flows, supply and demand in CSV files."""
    csv_plan = k.load_plan(CSV_PLAN)
    inline = k.load_plan(EXAMPLES / "leningrad.yaml")
    assert list(csv_plan.goods.index) == list(inline.goods.index)
    assert csv_plan.goods["supply"].to_dict() == inline.goods["supply"].to_dict()
    assert csv_plan.goods["demand"].to_dict() == inline.goods["demand"].to_dict()
    assert csv_plan.goods["name"].to_dict() == inline.goods["name"].to_dict()
    assert csv_plan.units.loc["mill-5", "region"] == "District 5"
    assert pd.isna(csv_plan.units.loc["railway", "region"])
    assert csv_plan.processes["capacity"].to_dict() == inline.processes["capacity"].to_dict()
    assert csv_plan.processes["unit"].to_dict() == inline.processes["unit"].to_dict()
    assert len(csv_plan.flows) == len(inline.flows) == 14
    assert [p.id for p in csv_plan.policies] == [p.id for p in inline.policies]

    a, b = k.solve(csv_plan), k.solve(inline)
    assert_same_numbers(result_numbers(a), result_numbers(b))
    assert a.levels["mill-3-milling"] == pytest.approx(1600)
    assert a.certificate.verified


def test_csv_goods_table_may_carry_supply_and_demand(tmp_path: Path) -> None:
    """goods.csv with supply/demand columns stands in for supply.csv and demand.csv."""
    shutil.copytree(CSV_PLAN.parent, tmp_path / "p")
    d = tmp_path / "p"
    (d / "goods.csv").write_text(
        "id,name,unit,supply,demand\nwheat,Wheat,t,4000,\nflour-d3,Flour in District 3,t,,\n"
        "flour-d5,Flour in District 5,t,,\nbread,Bread,loaf,,\nsteel,Rolled steel,t,1000,\n"
        "bolts,Bolts,t,,900\n")
    text = (d / "leningrad.yaml").read_text()
    text = edited(text, "supply: supply.csv\n", "")
    (d / "leningrad.yaml").write_text(edited(text, "demand: demand.csv\n", ""))
    result = k.solve(k.load_plan(d / "leningrad.yaml"))
    assert result.objective == pytest.approx(k.solve(k.load_plan(CSV_PLAN)).objective)


# -- problems, each located ---------------------------------------------------------------
def test_unknown_field_names_the_closest_field(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "capacity: 1200           #", "capcity: 1200     #"))
    p = only(problems(path), path="processes.mill-3-milling.capcity")
    assert p.message == "unknown field 'capcity'"
    assert p.file == str(path)
    assert p.line == line_of(path.read_text(), "capcity")
    assert p.hint == "did you mean 'capacity'?"


def test_unknown_top_level_field_lists_the_allowed_ones(two_mills_text: str, write) -> None:
    path = write(two_mills_text + "colour: red\n")
    p = only(problems(path), path="colour")
    assert p.message == "unknown field 'colour'"
    assert p.line == line_of(path.read_text(), "colour")
    assert "goods" in p.hint and "processes" in p.hint


def test_unknown_good_in_inputs(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "inputs: {wheat: 1}       #", "inputs: {wheet: 1}       #"))
    (p,) = problems(path)
    assert p.message == "unknown good 'wheet'"
    assert p.path == "processes.mill-3-milling.inputs.wheet"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "wheet"))
    assert p.hint == "did you mean 'wheat'?"


def test_unknown_unit(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "unit: mill-5", "unit: mil-5"))
    (p,) = problems(path)
    assert p.message == "unknown unit 'mil-5'"
    assert p.path == "processes.mill-5-milling.unit"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "unit: mil-5"))
    assert p.hint == "did you mean 'mill-5'?"


def test_unknown_process_in_baseline(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "{mill-3-milling: 1000,", "{mill-3-miling: 1000,"))
    (p,) = problems(path)
    assert p.message == "unknown process 'mill-3-miling'"
    assert p.path == "baseline.levels.mill-3-miling"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "mill-3-miling"))
    assert p.hint == "did you mean 'mill-3-milling'?"


def test_unknown_good_in_supply(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "supply: {wheat: 2000}", "supply: {wheet: 2000}"))
    (p,) = problems(path)
    assert p.message == "unknown good 'wheet'"
    assert p.path == "supply.wheet"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "wheet"))
    assert p.hint == "did you mean 'wheat'?"


def test_negative_capacity(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "capacity: 1200           #", "capacity: -5 #"))
    p = only(problems(path), path="processes.mill-3-milling.capacity")
    assert "greater than or equal to 0" in p.message and "-5" in p.message
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "capacity: -5"))
    assert "cannot be negative" in p.hint


def test_min_level_above_capacity(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "capacity: 1200           #",
                        "capacity: 1200\n    min_level: 1500 #"))
    p = only(problems(path), path="processes.mill-3-milling")
    assert p.message == "min_level 1500 is above capacity 1200"
    assert p.file == str(path)
    assert p.line == line_of(path.read_text(), "  mill-3-milling:")


def test_bad_yaml_names_the_line(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "period: week", "period: week: again"))
    (p,) = problems(path)
    assert p.message.startswith("not valid YAML") and "mapping values" in p.message
    assert (p.file, p.line) == (str(path), 3)
    assert "indentation" in p.hint


def test_unclosed_flow_mapping_names_a_line(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "supply: {wheat: 2000}", "supply: {wheat: 2000"))
    (p,) = problems(path)
    assert p.message.startswith("not valid YAML")
    # PyYAML notices the missing brace where the next key starts.
    assert p.line in {line_of(path.read_text(), "supply:"), line_of(path.read_text(), "demand:")}


def test_duplicate_key(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "capacity: 1200           #",
                        "capacity: 1200\n    capacity: 1300 #"))
    (p,) = problems(path)
    first = line_of(path.read_text(), "capacity: 1300") - 1
    assert p.message == f"'capacity' is given twice (first on line {first})"
    assert p.path == "processes.mill-3-milling.capacity"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "capacity: 1300"))
    assert p.hint == "keep one of them"


def test_duplicate_top_level_key(two_mills_text: str, write) -> None:
    path = write(two_mills_text + "period: day\n")
    (p,) = problems(path)
    first = line_of(path.read_text(), "period: week")
    assert (p.message, p.path) == (f"'period' is given twice (first on line {first})",
                                   "period")
    assert p.line == line_of(path.read_text(), "period: day")


def test_rule_syntax_error_names_the_column(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "rule: input(wheat, mill-3) >= 1000",
                        "rule: input(wheat, mill-3 >= 1000"))
    (p,) = problems(path)
    assert p.message == "rule 'input(wheat, mill-3 >= 1000': unexpected '>=' at column 21"
    assert p.path == "policies.mill-3-quota.rule"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "rule:"))
    assert p.hint == "expected '=', ',' or ')'"


def test_unknown_region_in_rule(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "rule: input(wheat, mill-3) >= 1000",
                        "rule: input(wheat, region='Distrct 3') >= 1000"))
    (p,) = problems(path)
    assert p.message == "unknown region 'Distrct 3'"
    assert p.path == "policies.mill-3-quota.rule"
    assert (p.file, p.line) == (str(path), line_of(path.read_text(), "rule:"))
    assert p.hint == "did you mean 'District 3'?"


SEVERAL = """\
name: Several
goods:
  wheat: {unit: t}
  flour: {unit: t}
  flour: {unit: kg}
units:
  mill-3: {region: District 3}
processes:
  milling:
    unit: mil-3
    inputs: {wheet: 1}
    outputs: {flour: 0.7}
supply: {whaet: 10}
objective:
  maximize: {flour: 1}
policies:
  quota: input(wheat, region='Distrct 3') >= 1
  bad: input(wheat >= 1
baseline:
  levels: {miling: 3}
"""


def test_several_problems_are_reported_at_once(write) -> None:
    """Seven mistakes, seven problems, each on its own line."""
    path = write(SEVERAL)
    found = problems(path)
    assert len(found) == 7, "\n".join(map(repr, found))
    expect = {
        ("goods.flour", 5): "'flour' is given twice",
        ("processes.milling.unit", 10): "unknown unit 'mil-3'",
        ("processes.milling.inputs.wheet", 11): "unknown good 'wheet'",
        ("supply.whaet", 13): "unknown good 'whaet'",
        ("policies.quota.rule", 17): "unknown region 'Distrct 3'",
        ("policies.bad.rule", 18): "unexpected '>=' at column 13",
        ("baseline.levels.miling", 20): "unknown process 'miling'",
    }
    for (where, line), message in expect.items():
        p = only(found, path=where, message=message)
        assert (p.file, p.line) == (str(path), line)
        assert p.hint


def test_schema_and_reference_problems_are_reported_together(two_mills_text: str,
                                                             write) -> None:
    text = edited(two_mills_text, "capacity: 1200           #", "capcity: 1200 #")
    path = write(edited(text, "supply: {wheat: 2000}", "supply: {wheet: 2000}"))
    found = problems(path)
    only(found, message="unknown field 'capcity'")
    only(found, message="unknown good 'wheet'")


@pytest.mark.parametrize(("old", "new"), [
    ("capacity: 1200           #", "capcity: 1200 #"),
    ("capacity: 1200           #", "capacity: -5 #"),
    ("capacity: 1200           #", "capacity: 1200\n    min_level: 1500 #"),
    ("{unit: t}\n  flour", "{unit: t, colour: red}\n  flour"),
    ("Mill No. 3, region", "Mill No. 3, regoin"),
    ("supply: {wheat: 2000}", "supply: {wheat: -1}"),
])
def test_one_schema_mistake_is_one_problem(two_mills_text: str, write, old: str,
                                           new: str) -> None:
    found = problems(write(edited(two_mills_text, old, new)))
    assert len(found) == 1, "\n".join(map(repr, found))


def test_two_schema_mistakes_are_both_reported(two_mills_text: str, write) -> None:
    text = edited(two_mills_text, "capacity: 1200           #", "capcity: 1200 #")
    path = write(edited(text, "outputs: {flour: 0.721}", "outputs: {flour: -0.721}"))
    found = problems(path)
    only(found, message="unknown field 'capcity'")
    p = only(found, path="processes.mill-5-milling.outputs.flour")
    assert p.line == line_of(path.read_text(), "-0.721")


@pytest.mark.parametrize("key", ["str", "PolicySpec", "dict[x]"])
def test_unknown_top_level_key_that_looks_like_a_pydantic_tag(two_mills_text: str, write,
                                                             key: str) -> None:
    path = write(two_mills_text + f"'{key}': 1\n")
    p = only(problems(path), path=key)
    assert p.message == f"unknown field '{key}'"


def test_good_named_str_keeps_its_path(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "  flour: {unit: t}\n",
                        "  flour: {unit: t}\n  str: {unit: t, colour: red}\n"))
    p = only(problems(path), message="unknown field 'colour'")
    assert p.path == "goods.str.colour"
    assert p.line == line_of(path.read_text(), "colour")


@pytest.mark.parametrize(("text", "message"), [
    ("", "a plan must be a mapping"),
    ("- a\n- b\n", "a plan must be a mapping"),
    ("just words\n", "a plan must be a mapping"),
])
def test_a_plan_must_be_a_mapping(write, text: str, message: str) -> None:
    (p,) = problems(write(text))
    assert p.message.startswith(message)
    assert p.hint


def test_required_fields_are_named(write) -> None:
    found = problems(write("goods: {wheat: {unit: t}}\n"))
    only(found, path="name", message="'name' is required")
    only(found, path="objective", message="'objective' is required")


def test_missing_file() -> None:
    (p,) = problems(LOAD / "no-such-plan.yaml")
    assert p.message == "file not found"
    assert p.file == str(LOAD / "no-such-plan.yaml")
    assert p.hint


def test_unknown_suffix(write) -> None:
    (p,) = problems(write("name: x\n", "plan.txt"))
    assert p.message == "unknown plan file type '.txt'"
    assert ".yaml" in p.hint


def test_bad_json_names_the_line(write) -> None:
    path = write('{"name": "x",\n "period": }\n', "plan.json")
    (p,) = problems(path)
    assert p.message.startswith("not valid JSON")
    assert (p.file, p.line) == (str(path), 2)


def test_bad_toml_is_reported(write) -> None:
    path = write('name = "x"\nperiod = \n', "plan.toml")
    (p,) = problems(path)
    assert p.message.startswith("not valid TOML")
    assert (p.file, p.line) == (str(path), 2)


@pytest.mark.parametrize(("old", "new", "where"), [
    ("supply: {wheat: 2000}", "supply: {wheat: .nan}", "supply.wheat"),
    ("capacity: 1200 ", "capacity: .nan ", "processes.mill-3-milling.capacity"),
    ("outputs: {flour: 0.721}", "outputs: {flour: .nan}", "processes.mill-5-milling.outputs.flour"),
    ("demand: {} ", "demand: {flour: .nan} ", "demand.flour"),
    ("maximize: {flour: 1}", "maximize: {flour: .nan}", "objective.maximize"),
    ("mill-5-milling: 1000}", "mill-5-milling: .nan}", "baseline.levels.mill-5-milling"),
])
def test_nan_is_refused(two_mills_text: str, write, old: str, new: str, where: str) -> None:
    path = write(edited(two_mills_text, old, new))
    p = only(problems(path), path=where)
    assert p.line == line_of(path.read_text(), ".nan")


def test_nan_amount_is_called_nan(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "supply: {wheat: 2000}", "supply: {wheat: .nan}"))
    p = only(problems(path), path="supply.wheat")
    assert "nan" in p.message.lower()
    assert "negative" not in (p.hint or "")


@pytest.mark.parametrize("value", [".inf", "1e30"])
@pytest.mark.parametrize(("old", "where"), [
    ("inputs: {wheat: 1}       #", "processes.mill-3-milling.inputs.wheat"),
    ("outputs: {flour: 0.721}", "processes.mill-5-milling.outputs.flour"),
])
def test_unusable_flow_coefficient_is_refused(two_mills_text: str, write, old: str,
                                              where: str, value: str) -> None:
    new = old.replace("1}", f"{value}}}") if "wheat" in old else old.replace("0.721", value)
    path = write(edited(two_mills_text, old, new))
    p = only(problems(path), path=where)
    assert p.line == line_of(path.read_text(), new)


def test_infinite_supply_is_allowed(two_mills_text: str, write) -> None:
    """'.inf allowed' says the issue: both mills then run at capacity."""
    plan = k.load_plan(write(edited(two_mills_text, "supply: {wheat: 2000}",
                                    "supply: {wheat: .inf}")))
    assert math.isinf(plan.goods.loc["wheat", "supply"])
    result = k.solve(plan)
    assert result.objective == pytest.approx(1200 * 0.721 + 1200 * 0.70)


# -- CSV tables -----------------------------------------------------------------------------
def test_csv_amount_that_is_not_a_number(csv_dir: Path) -> None:
    (csv_dir / "supply.csv").write_text("good,amount\nwheat,4000\nsteel,lots\n")
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "'amount' is not a number: 'lots'"
    assert (p.file, p.line) == (str(csv_dir / "supply.csv"), 3)
    assert p.path == "supply"
    assert p.hint == "write a plain number such as 12.5"


def test_csv_negative_capacity(csv_dir: Path) -> None:
    text = (csv_dir / "processes.csv").read_text()
    (csv_dir / "processes.csv").write_text(edited(text, "factory-92,700", "factory-92,-700"))
    p = only(problems(csv_dir / "leningrad.yaml"), message="'capacity' cannot be negative")
    assert (p.file, p.line) == (str(csv_dir / "processes.csv"), 8)


def test_csv_missing_column(csv_dir: Path) -> None:
    text = (csv_dir / "flows.csv").read_text()
    (csv_dir / "flows.csv").write_text(edited(text, "process,good,input,output",
                                              "process,input,output"))
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "missing column good"
    assert (p.file, p.line, p.path) == (str(csv_dir / "flows.csv"), 1, "flows")
    assert p.hint == "the header must include: process, good"


def test_csv_unknown_column(csv_dir: Path) -> None:
    (csv_dir / "supply.csv").write_text("good,amont\nwheat,4000\n")
    found = problems(csv_dir / "leningrad.yaml")
    p = only(found, message="missing column amount")
    assert (p.file, p.line) == (str(csv_dir / "supply.csv"), 1)


def test_missing_csv_file(csv_dir: Path) -> None:
    (csv_dir / "units.csv").unlink()
    found = problems(csv_dir / "leningrad.yaml")
    p = found[0]
    assert p.message == "table 'units.csv' not found"
    assert p.file == str(csv_dir / "units.csv")
    assert p.path == "units"
    assert p.hint == "paths are relative to the plan file"


def test_csv_duplicate_id(csv_dir: Path) -> None:
    text = (csv_dir / "units.csv").read_text()
    (csv_dir / "units.csv").write_text(edited(text, "mill-5,Mill No. 5", "mill-3,Mill No. 5"))
    p = only(problems(csv_dir / "leningrad.yaml"), message="id 'mill-3' appears twice")
    assert (p.file, p.line, p.hint) == (str(csv_dir / "units.csv"), 3, "ids must be unique")


def test_csv_unknown_good_in_supply(csv_dir: Path) -> None:
    (csv_dir / "supply.csv").write_text("good,amount\nwheat,4000\nsteel,1000\nsteal,3\n")
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "unknown good 'steal'"
    assert (p.file, p.line) == (str(csv_dir / "supply.csv"), 4)
    assert p.hint == "did you mean 'steel'?"


def test_negative_demand_is_allowed_inline_and_in_goods_csv(two_mills_text: str, write,
                                                             csv_dir: Path) -> None:
    """A negative demand lets the plan use up to that much net; the schema allows it."""
    plan = k.load_plan(write(edited(two_mills_text, "demand: {} ", "demand: {flour: -5} ")))
    assert plan.goods.loc["flour", "demand"] == -5
    (csv_dir / "goods.csv").write_text((csv_dir / "goods.csv").read_text().replace(
        "id,name,unit", "id,name,unit,demand").replace("Bolts,t", "Bolts,t,-5"))
    text = (csv_dir / "leningrad.yaml").read_text()
    (csv_dir / "leningrad.yaml").write_text(edited(text, "demand: demand.csv\n", ""))
    assert k.load_plan(csv_dir / "leningrad.yaml").goods.loc["bolts", "demand"] == -5


def test_negative_demand_in_demand_csv(csv_dir: Path) -> None:
    (csv_dir / "demand.csv").write_text("good,amount\nbolts,-5\n")
    assert k.load_plan(csv_dir / "leningrad.yaml").goods.loc["bolts", "demand"] == -5


def test_csv_good_listed_twice_in_supply(csv_dir: Path) -> None:
    (csv_dir / "supply.csv").write_text("good,amount\nwheat,4000\nsteel,1000\nwheat,5\n")
    p = only(problems(csv_dir / "leningrad.yaml"), path="supply")
    assert "wheat" in p.message
    assert (p.file, p.line) == (str(csv_dir / "supply.csv"), 4)


def test_csv_ragged_row(csv_dir: Path) -> None:
    (csv_dir / "supply.csv").write_text("good,amount\nwheat,4000\nsteel,1000,1,2\n")
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message.startswith("cannot read table")
    assert p.file == str(csv_dir / "supply.csv")


def test_csv_unknown_good_in_flows(csv_dir: Path) -> None:
    text = (csv_dir / "flows.csv").read_text()
    (csv_dir / "flows.csv").write_text(edited(text, "bolts-92,steel,", "bolts-92,steal,"))
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "unknown good 'steal'"
    assert p.hint == "did you mean 'steel'?"
    assert (p.file, p.line) == (str(csv_dir / "flows.csv"), 14)


def test_csv_unknown_unit_in_processes(csv_dir: Path) -> None:
    text = (csv_dir / "processes.csv").read_text()
    (csv_dir / "processes.csv").write_text(edited(text, "factory-92,700", "factory-93,700"))
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "unknown unit 'factory-93'"
    assert p.hint == "did you mean 'factory-92'?"
    assert (p.file, p.line) == (str(csv_dir / "processes.csv"), 8)


def test_problem_text_carries_file_line_and_hint(two_mills_text: str, write) -> None:
    path = write(edited(two_mills_text, "supply: {wheat: 2000}", "supply: {wheet: 2000}"))
    with pytest.raises(k.PlanError) as info:
        k.load_plan(path)
    text = str(info.value)
    assert f"{path}:{line_of(path.read_text(), 'wheet')} (supply.wheet)" in text
    assert "did you mean 'wheat'?" in text
    assert info.value.errors()[0]["hint"] == "did you mean 'wheat'?"
