"""Hostile and careless input: never a changed value without a word, never a hang.

Each test writes one bad plan and checks the located problem it gets (issue 5).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import DATA
from rich.console import Console

import kantorovich as k
from kantorovich.model.documents import MAX_YAML_VALUES
from kantorovich.model.rules import MAX_RULE_LENGTH, RuleSyntaxError, parse_rule
from kantorovich.report.terminal import print_result

TWO_MILLS = DATA / "two_mills.yaml"
JSON_PLAN = DATA / "load" / "two_mills.json"
TOML_PLAN = DATA / "load" / "two_mills.toml"
HUGE = "9" * 5000


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def problems(path: Path) -> list[k.Problem]:
    with pytest.raises(k.PlanError) as info:
        k.load_plan(path)
    assert info.value.exit_code == 2
    return info.value.problems


# -- duplicates are refused, not kept or summed -------------------------------------------
def test_duplicate_json_key_is_refused_with_its_line(write) -> None:
    text = edited(JSON_PLAN.read_text(), '"outputs": {"flour": 0.70},',
                  '"outputs": {"flour": 0.70},\n     "outputs": {"flour": 0.9},')
    (p,) = problems(write(text, "plan.json"))
    assert p.message == f"'outputs' is given twice (first on line {line_of(text, '0.70')})"
    assert (p.path, p.line) == ("processes.mill-3-milling.outputs", line_of(text, "0.9}"))


def test_flow_listed_twice_in_a_csv_is_refused(csv_dir: Path) -> None:
    flows = csv_dir / "flows.csv"
    flows.write_text(flows.read_text() + "mill-3-milling,wheat,2,0\n")
    found = problems(csv_dir / "leningrad.yaml")
    (p,) = [p for p in found if "twice" in p.message]
    assert p.message == "flow mill-3-milling, wheat is listed twice (first on line 2)"
    assert (p.file, p.line, p.path) == (str(flows), len(flows.read_text().splitlines()),
                                        "flows")


def test_flow_given_inline_and_in_a_csv_is_refused(write, tmp_path: Path) -> None:
    (tmp_path / "flows.csv").write_text("process,good,input,output\n"
                                        "mill-5-milling,flour,0,0.5\n")
    text = TWO_MILLS.read_text() + "flows: flows.csv\n"
    path = write(text)
    (p,) = problems(path)
    assert p.message == ("flow mill-5-milling, flour is also given in the plan file "
                         f"(processes.mill-5-milling.outputs.flour, line "
                         f"{line_of(text, 'outputs: {flour: 0.721}')})")
    assert (p.file, p.line) == (str(tmp_path / "flows.csv"), 2)


def test_a_good_both_used_and_made_inline_is_one_flow(write) -> None:
    text = edited(TWO_MILLS.read_text(), "outputs: {flour: 0.721}",
                  "outputs: {flour: 0.721, wheat: 0.01}")
    plan = k.load_plan(write(text))
    row = plan.flows.set_index(["process", "good"]).loc[("mill-5-milling", "wheat")]
    assert (row["input"], row["output"]) == (1.0, 0.01)


# -- booleans are not numbers -------------------------------------------------------------
def test_a_yaml_boolean_is_not_a_capacity(write) -> None:
    text = edited(TWO_MILLS.read_text(), "capacity: 1200           #", "capacity: yes #")
    path = write(text)
    (p,) = problems(path)
    assert p.message == "expected a number, got the boolean true"
    assert (p.path, p.line) == ("processes.mill-3-milling.capacity",
                                line_of(text, "capacity: yes"))
    assert p.hint == "YAML reads yes as the boolean true; write a number"


def test_a_json_boolean_is_not_an_amount(write) -> None:
    path = write(edited(JSON_PLAN.read_text(), '"supply": {"wheat": 2000}',
                        '"supply": {"wheat": true}'), "plan.json")
    (p,) = problems(path)
    assert (p.message, p.path) == ("expected a number, got the boolean true", "supply.wheat")


def test_documented_number_spellings_still_load(write) -> None:
    text = edited(TWO_MILLS.read_text(), "supply: {wheat: 2000}", "supply: {wheat: .inf}")
    text = edited(text, "capacity: 1200           #", "capacity: 1_200 #")
    plan = k.load_plan(write(text))
    assert plan.goods.at["wheat", "supply"] == float("inf")
    assert plan.processes.at["mill-3-milling", "capacity"] == 1200.0


# -- bounded work -------------------------------------------------------------------------
def _alias_bomb(levels: int) -> str:
    lines = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "name: bomb\ngoods:\n" + "\n".join(lines) + "\nobjective: {maximize: {a0: 1}}\n"


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(write) -> None:
    text = _alias_bomb(10)  # 9^10 = 3.5e9 values in under 700 bytes
    assert len(text) < 700
    path = write(text)
    (p,) = problems(path)
    assert p.message.startswith("YAML anchors and aliases here expand to ")
    assert f"more than the {MAX_YAML_VALUES:,} a plan file may stand for" in p.message
    assert (p.path, p.line) == ("goods.a6", line_of(text, "a6: &a6"))


def test_aliases_that_repeat_a_little_still_work(write) -> None:
    text = edited(TWO_MILLS.read_text(), "inputs: {wheat: 1}       #",
                  "inputs: &one-wheat {wheat: 1}       #")
    text = edited(text, "    inputs: {wheat: 1}\n", "    inputs: *one-wheat\n")
    plan = k.load_plan(write(text))
    assert sorted(plan.flows.query("good == 'wheat'")["input"]) == [1.0, 1.0]


def test_a_rule_with_thousands_of_factors_is_refused_quickly() -> None:
    text = "level(a)" + " * 1e300" * 20_000 + " >= 1"
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(text)
    assert info.value.message == (f"the rule is {len(text):,} characters long; rules may "
                                  f"have at most {MAX_RULE_LENGTH:,}")


def test_constants_that_grow_beyond_a_double_are_refused_as_they_grow() -> None:
    text = "level(a)" + " * 1e300" * 500 + " >= 1"
    assert len(text) < MAX_RULE_LENGTH
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(text)
    assert info.value.message == "a number in this rule is out of range"
    assert info.value.column == len("level(a) * 1e300 * 1e300 *")


def test_a_coefficient_too_small_for_a_double_is_not_dropped() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule("level(a) * 1e-200 * 1e-200 + level(b) >= 1")
    assert info.value.message == "a number in this rule is too small to tell from zero"


def test_deep_parentheses_are_refused_by_the_length_bound() -> None:
    text = "(" * 10_000 + "level(a)" + ")" * 10_000 + " >= 1"
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(text)
    assert "characters long" in info.value.message


def test_a_long_rule_is_named_in_the_plan_problem(write) -> None:
    rule = "level(mill-3-milling)" + " + level(mill-3-milling)" * 1000 + " >= 1"
    text = edited(TWO_MILLS.read_text(), "rule: input(wheat, mill-3) >= 1000",
                  f"rule: {rule}")
    path = write(text)
    (p,) = problems(path)
    assert p.path == "policies.mill-3-quota.rule"
    assert p.line == line_of(text, "rule: level(")
    assert f"rules may have at most {MAX_RULE_LENGTH:,}" in p.message
    assert len(p.message) < 200


# -- numbers too large for a double -------------------------------------------------------
@pytest.mark.parametrize("name, old, new", [
    ("plan.yaml", "supply: {wheat: 2000}", f"supply:\n  wheat: {HUGE}"),
    ("plan.json", '"wheat": 2000', f'"wheat": {HUGE}'),
    ("plan.toml", "wheat = 2000", f"wheat = {HUGE}"),
    ("plan.toml", "wheat = 2000", f"wheat = {HUGE[:400]}"),
    ("plan.yaml", "supply: {wheat: 2000}", "supply:\n  wheat: 1.0e+400"),
    ("plan.json", '"wheat": 2000', '"wheat": 1e400'),
    ("plan.toml", "wheat = 2000", "wheat = 1e400"),
])
def test_a_number_beyond_a_double_is_a_located_problem(write, name: str, old: str,
                                                       new: str) -> None:
    source = {".yaml": TWO_MILLS, ".json": JSON_PLAN, ".toml": TOML_PLAN}[Path(name).suffix]
    text = edited(source.read_text(), old, new)
    path = write(text, name)
    (p,) = problems(path)
    assert p.message.startswith("the number ")
    assert p.message.endswith(("is too large", "is out of range"))
    assert len(p.message) < 80
    assert (p.path, p.line) == ("supply.wheat", line_of(text, new.splitlines()[-1][:12]))


def test_an_id_written_as_a_huge_number_is_a_located_problem(write) -> None:
    text = edited(TWO_MILLS.read_text(), "supply: {wheat: 2000}",
                  f"supply:\n  wheat: 2000\n  ? {HUGE}\n  : 1")
    (p,) = problems(write(text))
    assert p.message.endswith("is too large")
    assert p.line == line_of(text, HUGE)


def test_a_huge_number_in_a_csv_is_a_located_problem(csv_dir: Path) -> None:
    supply = csv_dir / "supply.csv"
    supply.write_text(f"good,amount\nwheat,{HUGE}\nsteel,1000\n")
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message.startswith("'amount' is out of range: '99999")
    assert (p.file, p.line) == (str(supply), 2)


def test_a_huge_number_from_python_is_a_problem_not_a_crash() -> None:
    import yaml

    data = yaml.safe_load(TWO_MILLS.read_text())
    data["processes"]["mill-3-milling"]["capacity"] = 10 ** 5000
    with pytest.raises(k.PlanError) as info:
        k.Plan.from_dict(data)
    (p,) = info.value.problems
    assert p.message == "expected a number, got an integer of 5001 digits"


# -- JSON and TOML problems carry lines ---------------------------------------------------
def test_json_schema_problems_carry_lines(write) -> None:
    text = edited(JSON_PLAN.read_text(), '"outputs": {"flour": 0.70},',
                  '"outputs": {"flour": 0.70},\n     "capcity": 5,')
    (p,) = problems(write(text, "plan.json"))
    assert (p.path, p.line) == ("processes.mill-3-milling.capcity", line_of(text, "capcity"))


def test_json_unknown_reference_carries_its_line(write) -> None:
    text = edited(JSON_PLAN.read_text(), '"supply": {"wheat": 2000}',
                  '"supply": {"wheat": 2000,\n             "wheet": 1}')
    (p,) = problems(write(text, "plan.json"))
    assert (p.message, p.path, p.line) == ("unknown good 'wheet'", "supply.wheet",
                                           line_of(text, '"wheet"'))


def test_toml_problems_carry_lines(write) -> None:
    text = edited(TOML_PLAN.read_text(), "capacity = 1200\n\n[processes.mill-5",
                  "capcity = 1200\n\n[processes.mill-5")
    text = edited(text, "inputs = { wheat = 1 }\noutputs = { flour = 0.70 }",
                  "inputs = { wheet = 1 }\noutputs = { flour = 0.70 }")
    found = problems(write(text, "plan.toml"))
    assert {(p.path, p.line) for p in found} == {
        ("processes.mill-3-milling.capcity", line_of(text, "capcity")),
        ("processes.mill-3-milling.inputs.wheet", line_of(text, "wheet")),
    }


def test_toml_keys_in_inline_tables_and_table_headers(write) -> None:
    text = edited(TOML_PLAN.read_text(), 'levels = { mill-3-milling = 1000,',
                  'levels = { mill-9-milling = 1000,')
    (p,) = problems(write(text, "plan.toml"))
    assert (p.path, p.line) == ("baseline.levels.mill-9-milling",
                                line_of(text, "mill-9-milling"))


# -- ids YAML does not read as text -------------------------------------------------------
@pytest.mark.parametrize("word, reading", [("NO", "the boolean false"),
                                           ("on", "the boolean true"),
                                           ("47", "a number")])
def test_an_id_yaml_reads_as_a_boolean_or_number_gets_a_quoting_hint(
        write, word: str, reading: str) -> None:
    text = edited(TWO_MILLS.read_text(), "  flour: {unit: t}\n",
                  f"  flour: {{unit: t}}\n  {word}: {{unit: t}}\n")
    (p,) = problems(write(text))
    assert p.message.startswith("expected an id, got ")
    assert p.line == line_of(text, f"{word}: {{unit: t}}")
    assert p.hint == f'YAML reads {word} as {reading}; write "{word}" in quotes'


def test_a_reference_yaml_reads_as_a_boolean_gets_a_quoting_hint(write) -> None:
    text = edited(TWO_MILLS.read_text(), "unit: mill-5\n", "unit: off\n")
    (p,) = problems(write(text))
    assert (p.message, p.path) == ("expected an id, got False",
                                   "processes.mill-5-milling.unit")
    assert p.hint == 'YAML reads off as the boolean false; write "off" in quotes'


# -- rich markup in names never reaches rich ----------------------------------------------
def test_markup_in_names_and_ids_is_printed_as_written(write) -> None:
    text = JSON_PLAN.read_text().replace('"Two mills"', '"[bold]mills[/]"')
    text = text.replace("mill-3-milling", "m[m8/m10]").replace('"flour"', '"[/]flour"')
    text = text.replace('"unit": "t"', '"unit": "[red]t"')
    plan = k.load_plan(write(text, "plan.json"))
    out = io.StringIO()
    print_result(k.solve(plan), Console(file=out, width=200, color_system=None))
    shown = out.getvalue()
    for literal in ("[bold]mills[/]", "m[m8/m10]", "[/]flour", "[red]t"):
        assert literal in shown


# -- an amount given twice is refused, not replaced ---------------------------------------
def test_a_supply_in_the_goods_table_and_the_supply_table_is_refused(csv_dir: Path) -> None:
    goods = csv_dir / "goods.csv"
    lines = goods.read_text().splitlines()
    lines = [lines[0] + ",supply"] + [line + ("," if i > 1 else ",10")
                                       for i, line in enumerate(lines[1:], 1)]
    goods.write_text("\n".join(lines) + "\n")
    (p,) = problems(csv_dir / "leningrad.yaml")
    assert p.message == "the supply of 'wheat' is also given in goods.csv (line 2)"
    assert (p.file, p.line) == (str(csv_dir / "supply.csv"), 2)


def test_a_supply_in_the_goods_table_and_inline_is_refused(csv_dir: Path) -> None:
    goods = csv_dir / "goods.csv"
    goods.write_text(goods.read_text().replace("bread,Bread,loaf", "bread,Bread,loaf,5")
                     .replace("id,name,unit", "id,name,unit,demand"))
    plan = csv_dir / "leningrad.yaml"
    text = plan.read_text().replace("demand: demand.csv", "demand: {bread: 7}")
    plan.write_text(text)
    (p,) = problems(plan)
    line = line_of(goods.read_text(), "bread,")
    assert p.message == f"the demand of 'bread' is also given in goods.csv (line {line})"
    assert (p.path, p.line) == ("demand.bread", line_of(text, "demand: {bread: 7}"))
