"""Plans over time: worked examples with known optima, prices and rates of return; a
one-period horizon is the plan without one; every table and JSON field of the issue's
contract; bad input located with exit code 2."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, TEXTBOOK
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.explain.analyses import analyse

RUNNER = CliRunner()

# Bread from labour, by hand (2 h a loaf) or at a bakery (1 h a loaf) that needs a set
# of tools per loaf a year; tools are forged (0.5 h a set) and join the stock a year
# later. Worked by hand: in year 1 the bakery's 4 sets bind; every spare hour forges
# tools (one set, worth 0.4 in year 2, for 0.5 h: an hour is worth 0.8); in year 2 the
# 8 sets bake 8 loaves and the other 4 h make 2 loaves by hand (an hour worth 0.8 / 2 =
# 0.4 at the year-2 discount 1/1.25). Objective 4 + 0.8 x 10 = 12. An hour is worth 0.8
# now and 0.4 next year: the plan's own rate of return is 100% (the discount is 25%).
TOOLS = """\
name: Tools for bread
period: year
horizon: 2
goods:
  labour: {unit: h}
  bread: {unit: loaf}
  tools: {unit: set}
processes:
  bake:
    inputs: {labour: 1}
    outputs: {bread: 1}
    stocks: {tools: {per_level: 1, depreciation: 0, initial: 4}}
  hand-bake:
    inputs: {labour: 2}
    outputs: {bread: 1}
  forge:
    inputs: {labour: 0.5}
    outputs: {tools: 1}
supply: {labour: [6, 12]}
objective:
  maximize: {bread: 1}
  discount: 0.25
"""


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> k.PlanResult:
    path = write(tmp_path_factory.mktemp("tools"), TOOLS)
    return k.solve(k.load_plan(path))


def test_worked_example_optimum_levels_and_stocks(tools: k.PlanResult) -> None:
    assert tools.status is k.Status.OPTIMAL and tools.certificate.verified
    assert tools.objective == pytest.approx(12.0)
    timed = tools.over_time
    levels = timed.levels()
    assert levels.loc["bake"].tolist() == pytest.approx([4, 8])
    assert levels.loc["forge"].tolist() == pytest.approx([4, 0])
    assert levels.loc["hand-bake"].tolist() == pytest.approx([0, 2])
    stocks = timed.stocks
    assert list(stocks.columns) == ["process", "good", "period", "stock", "investment",
                                    "shadow_value"]
    assert stocks["stock"].tolist() == pytest.approx([4, 8])
    assert stocks["investment"].tolist() == pytest.approx([4, 0])
    # one more set of tools in year 1 bakes a loaf (worth 1 - 0.8 of labour) and is
    # still there in year 2 (worth 0.4): 0.6; in year 2 only the 0.4
    assert stocks["shadow_value"].tolist() == pytest.approx([0.6, 0.4])


def test_worked_example_prices_are_unique_and_give_the_rate_of_return(
        tools: k.PlanResult) -> None:
    prices = tools.over_time.prices()
    assert prices.loc["labour"].tolist() == pytest.approx([0.8, 0.4])
    assert prices.loc["tools", 1] == pytest.approx(0.4)
    ranges = analyse(tools, seconds=float("inf")).price_ranges
    labour = ranges.loc[["labour[1]", "labour[2]", "stock:bake:tools[1]",
                         "stock:bake:tools[2]"]]
    assert labour["unique"].all() and labour["checked"].all()
    assert tools.over_time.investment_return() == pytest.approx([1.0])
    assert tools.over_time.numeraire() == "labour"
    # measured in bread, whose price is 0 in both years: no rate
    assert tools.over_time.investment_return("bread") == [None]


def test_worked_example_from_the_command_line(tmp_path: Path) -> None:
    plan = write(tmp_path, TOOLS)
    code, out, _ = run("solve", plan, "--json", "--analysis-time", "0")
    assert code == 0
    data = json.loads(out)
    assert data["horizon"] == 2 and data["investment_return"] == pytest.approx([1.0])
    assert data["status"] == "optimal" and data["objective"] == pytest.approx(12.0)
    assert data["certificate"]["verified"] is True
    assert data["levels"]["bake"] == pytest.approx([4, 8])
    assert data["shadow_prices"]["labour"] == pytest.approx([0.8, 0.4])
    assert data["stocks"]["bake"]["tools"]["shadow_value"] == pytest.approx([0.6, 0.4])
    code, out, _ = run("solve", plan, "-o", tmp_path / "out", "--format", "csv")
    assert code == 0
    stocks = pd.read_csv(tmp_path / "out" / "stocks.csv")
    assert list(stocks.columns) == ["process", "good", "period", "stock", "investment",
                                    "shadow_value"]
    goods = pd.read_csv(tmp_path / "out" / "goods.csv")
    assert {"good", "period", "shadow_price"} <= set(goods.columns)
    labour = goods[goods["good"] == "labour"].sort_values("period")
    assert labour["shadow_price"].tolist() == pytest.approx([0.8, 0.4])
    procs = pd.read_csv(tmp_path / "out" / "processes.csv")
    assert list(procs.columns[:2]) == ["process", "period"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["horizon"] == 2 and summary["investment_return"] == pytest.approx([1.0])
    assert summary["tables"]["stocks"] == "stocks.csv"
    code, out, _ = run("solve", plan, "--json", "--numeraire", "tools",
                       "--analysis-time", "0")
    assert code == 0 and json.loads(out)["investment_return"] == [None]


def test_inventories_carry_a_good_with_its_loss(tmp_path: Path) -> None:
    # labour only in period 1, bread counted only in period 2: all of it is baked in
    # period 1 and carried, a tenth lost on the way
    plan = k.load_plan(write(tmp_path, """\
        name: Store
        horizon: 2
        goods:
          labour: {unit: h}
          bread: {unit: loaf, storable: {loss: 0.1}}
        processes:
          bake: {inputs: {labour: 1}, outputs: {bread: 1}}
        supply: {labour: [10, 0]}
        objective: {maximize: {bread: [0, 1]}}
        """))
    result = k.solve(plan)
    assert result.objective == pytest.approx(9.0)
    stored = result.over_time.inventories
    assert stored["carried"].tolist() == pytest.approx([10, 0])
    assert stored["arriving"].tolist() == pytest.approx([0, 9])
    assert result.over_time.prices().loc["labour", 1] == pytest.approx(0.9)


def test_terminal_condition_keeps_the_stocks(tmp_path: Path) -> None:
    text = """\
        name: Run down
        horizon: 2
        goods:
          labour: {unit: h}
          corn: {unit: t}
        processes:
          grow:
            inputs: {labour: 1}
            outputs: {corn: 2}
            stocks: {corn: {per_level: 1, depreciation: 0.5, initial: 4}}
        supply: {labour: [10, 3]}
        objective: {maximize: {corn: 1}}
        """
    free = k.solve(k.load_plan(write(tmp_path, text)))
    # year 1 grows 4 on its stock (8 t) and invests 1 t so that 0.5 x 4 + 1 = 3 t of
    # stock grow 3 h of labour into 6 t in year 2: 13 t. To end with the initial 4 t
    # the plan invests 4 - 0.5 x 3 = 2.5 t more in year 2: 10.5 t.
    kept = k.solve(k.load_plan(write(tmp_path, text + "terminal: {stocks: initial}\n",
                                     "kept.yaml")))
    assert free.is_optimal and kept.is_optimal
    end = kept.over_time.stocks
    # after year 2 the stock is 0.5 K(2) + invest(2) >= 4
    k2, inv2 = end["stock"].iloc[1], end["investment"].iloc[1]
    assert 0.5 * k2 + inv2 == pytest.approx(4.0)
    assert free.objective == pytest.approx(13.0)
    assert kept.objective == pytest.approx(10.5)


def test_investment_in_the_last_period_is_a_use_without_a_terminal_condition(
        tmp_path: Path) -> None:
    """The issue's ``invest(p, g, t) >= 0`` is a use of g in every period t, the last
    included; without a terminal condition what is invested in period T joins no stock,
    and counts only where using the good is worth something: here a weight of -0.1 on
    what is left of ``a`` (its outputs less its inputs and investment, supply not
    counted). Worked by hand: each year ``p`` runs at its capacity 4 (its stock of 2
    holds 4 x 0.5), 4 t of b, and the 6 t of ``a`` left of the supply of 10 are
    invested, so what is left of ``a`` is -4 - 6 = -10, worth +1: 5 a year, 10 in all
    (9.4 without investment in year 2)."""
    text = """\
        name: Investment in the last year
        horizon: 2
        goods:
          a: {unit: t}
          b: {unit: t}
        processes:
          p:
            inputs: {a: 1}
            outputs: {b: 1}
            capacity: 4
            stocks: {a: {per_level: 0.5, depreciation: 0, initial: 2}}
        supply: {a: 10}
        objective: {maximize: {b: 1, a: -0.1}}
        """
    result = k.solve(k.load_plan(write(tmp_path, text)))
    assert result.is_optimal and result.certificate.verified
    assert result.objective == pytest.approx(10.0)
    invested = result.over_time.stocks.set_index("period")["investment"]
    assert invested.to_dict() == pytest.approx({1: 6.0, 2: 6.0})
    build = k.explain(result).sections["What to build, when, and what it pays back"]
    assert build[1].startswith("In period 2, invest 6 t of a in p's stock (joins no "
                               "stock within the plan: it is only a use of a)")


@pytest.mark.parametrize("plan", [EXAMPLES / "leningrad.yaml",
                                  *sorted(TEXTBOOK.glob("*.yaml"))], ids=lambda p: p.stem)
def test_one_period_horizon_is_the_plan_without_one(plan: Path, tmp_path: Path) -> None:
    text = plan.read_text()
    once = write(tmp_path, text + "\nhorizon: 1\n")
    base, timed = k.solve(k.load_plan(plan)), k.solve(k.load_plan(once))
    assert timed.status == base.status
    assert timed.objective == pytest.approx(base.objective, rel=1e-9, abs=1e-9)
    over = timed.over_time
    levels = over.processes.set_index("process")["level"]
    assert levels.to_numpy() == pytest.approx(base.levels.reindex(levels.index).to_numpy(),
                                              rel=1e-7, abs=1e-7)
    if not base.is_degenerate:
        prices = over.goods.set_index("good")["shadow_price"]
        assert prices.to_numpy() == pytest.approx(
            base.shadow_prices.reindex(prices.index).to_numpy(), rel=1e-7, abs=1e-7)


def test_one_period_horizon_of_sets(tmp_path: Path) -> None:
    text = """\
        name: Sets
        goods:
          steel: {unit: t}
          bolt: {unit: box}
          nut: {unit: box}
        processes:
          bolts: {inputs: {steel: 1}, outputs: {bolt: 3}}
          nuts: {inputs: {steel: 1}, outputs: {nut: 5}}
        supply: {steel: 100, nut: 10}
        objective: {maximize_sets: {bolt: 2, nut: 3}}
        """
    base = k.solve(k.load_plan(write(tmp_path, text)))
    timed = k.solve(k.load_plan(write(tmp_path, text + "horizon: 1\n", "t.yaml")))
    assert timed.objective == pytest.approx(base.objective)
    assert timed.over_time.sets["sets"].tolist() == pytest.approx([base.objective])
    prices = timed.over_time.goods.set_index("good")["shadow_price"]
    assert prices["steel"] == pytest.approx(base.shadow_prices["steel"])


def test_sets_per_period_with_counts_per_period(tmp_path: Path) -> None:
    result = k.solve(k.load_plan(write(tmp_path, """\
        name: Baskets
        horizon: 3
        goods:
          labour: {unit: h}
          bread: {unit: loaf}
        processes:
          bake: {inputs: {labour: 1}, outputs: {bread: 1}}
        supply: {labour: [10, 20, 30]}
        objective: {maximize_sets: {bread: [1, 2, 5]}}
        """)))
    assert result.over_time.sets["sets"].tolist() == pytest.approx([10, 10, 6])
    assert result.objective == pytest.approx(26)


def test_per_period_capacity_and_rules(tmp_path: Path) -> None:
    result = k.solve(k.load_plan(write(tmp_path, """\
        name: Quota
        horizon: 3
        goods:
          wheat: {unit: t}
          flour: {unit: t}
        processes:
          mill: {inputs: {wheat: 1}, outputs: {flour: 0.7}, capacity: [5, 10, 20]}
        supply: {wheat: 100}
        objective: {maximize: {flour: 1}}
        policies:
          cap: "level(mill) <= 8"
        """)))
    assert result.over_time.levels().loc["mill"].tolist() == pytest.approx([5, 8, 8])
    rules = result.over_time.policies
    assert rules["policy"].tolist() == ["cap"] * 3
    assert rules["period"].tolist() == [1, 2, 3]
    assert rules["price"].tolist() == pytest.approx([0, 0.7, 0.7])


def test_tables_with_a_period_column(tmp_path: Path) -> None:
    (tmp_path / "supply.csv").write_text("good,period,amount\nlabour,1,10\nlabour,2,30\n")
    (tmp_path / "stocks.csv").write_text(
        "process,good,per_level,depreciation,initial\nbake,ovens,0.5,0.1,2\n")
    result = k.solve(k.load_plan(write(tmp_path, """\
        name: Tables
        horizon: 2
        goods:
          labour: {unit: h}
          bread: {unit: loaf}
          ovens: {unit: oven}
        processes:
          bake: {inputs: {labour: 1}, outputs: {bread: 1}}
        supply: supply.csv
        stocks: stocks.csv
        objective: {maximize: {bread: 1}}
        """)))
    goods = result.over_time.goods.set_index(["good", "period"])
    assert goods.loc[("labour", 2), "supply"] == 30
    # 2 ovens bake 4 loaves in period 1; 1.8 in period 2 bake 3.6
    assert result.over_time.levels().loc["bake"].tolist() == pytest.approx([4, 3.6])


def test_located_errors(tmp_path: Path) -> None:
    plan = write(tmp_path, """\
        name: Bad
        horizon: 3
        goods:
          labour: {unit: h}
          corn: {unit: t, storable: {loss: 1}}
        processes:
          grow:
            inputs: {labour: 1}
            outputs: {corn: 1}
            stocks:
              corn: {per_level: 1, depreciation: -0.1, initial: 4}
              iron: {per_level: 1, depreciation: 0.1, initial: 4}
              labour: {per_level: 1, depreciation: 0.1, initial: 4, lag: 5}
        supply: {labour: [10, 10]}
        objective: {maximize: {corn: 1}}
        """)
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    problems = {p.path: p for p in caught.value.problems}
    assert problems["goods.corn.storable.loss"].line == 5
    assert "below 1" in problems["goods.corn.storable.loss"].message
    dep = problems["processes.grow.stocks.corn.depreciation"]
    assert dep.line == 11 and "at least 0" in dep.message and dep.hint
    assert "unknown good 'iron'" in problems["processes.grow.stocks.iron"].message
    assert problems["processes.grow.stocks.iron"].line == 12
    lag = problems["processes.grow.stocks.labour.lag"]
    assert "beyond the horizon" in lag.message and lag.line == 13
    wrong = problems["supply.labour"]
    assert "2 numbers" in wrong.message and "3 periods" in wrong.message
    assert wrong.line == 14 and wrong.file == str(plan)
    code, _, err = run("validate", plan)
    assert code == 2 and f"{plan}:11" in err and "depreciation" in err


def test_located_errors_in_a_stocks_table(tmp_path: Path) -> None:
    (tmp_path / "stocks.csv").write_text(
        "process,good,per_level,depreciation,initial\n"
        "grow,corn,1,-0.2,4\n"
        "grow,iron,1,0.1,4\n"
        "grwo,corn,1,0.1,4\n")
    plan = write(tmp_path, """\
        name: Bad table
        horizon: 2
        goods:
          labour: {unit: h}
          corn: {unit: t}
        processes:
          grow: {inputs: {labour: 1}, outputs: {corn: 1}}
        supply: {labour: 10}
        stocks: stocks.csv
        objective: {maximize: {corn: 1}}
        """)
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    lines = {(p.line, p.message) for p in caught.value.problems}
    stocks = str(tmp_path / "stocks.csv")
    assert all(p.file == stocks for p in caught.value.problems)
    assert any(line == 2 and "negative" in m for line, m in lines)
    assert any(line == 3 and "unknown good 'iron'" in m for line, m in lines)
    assert any(line == 4 and "unknown process 'grwo'" in m for line, m in lines)


def test_periods_and_lists_located_exit_2(tmp_path: Path) -> None:
    """The issue's bad input and its kin, each at its file and line, by `solve` (exit 2,
    no traceback): a period outside 1..T or not whole or empty in a table, lists of the
    wrong length (capacity, min_level, an objective weight), a lag beyond the horizon
    and a depreciation above 1 in a stocks table."""
    (tmp_path / "supply.csv").write_text(
        "good,period,amount\nlabour,1,10\nlabour,3,30\nlabour,0,5\nlabour,1.5,5\n"
        "labour,,5\n")
    (tmp_path / "stocks.csv").write_text(
        "process,good,per_level,depreciation,initial,lag\n"
        "grow,labour,1,0.1,4,3\n"
        "grow,corn,1,1.5,4,1\n")
    plan = write(tmp_path, """\
        name: Bad periods
        horizon: 2
        goods:
          labour: {unit: h}
          corn: {unit: t}
        processes:
          grow: {inputs: {labour: 1}, outputs: {corn: 1}, capacity: [1, 2, 3], min_level: [0]}
        supply: supply.csv
        stocks: stocks.csv
        objective: {maximize: {corn: [1]}}
        """)
    code, out, err = run("solve", plan)
    assert code == 2 and out == ""
    supply, stocks = tmp_path / "supply.csv", tmp_path / "stocks.csv"
    for where, said in [
            (f"{plan}:7 (processes.grow.capacity)",
             "capacity has 3 numbers, but the plan has 2 periods"),
            (f"{plan}:7 (processes.grow.min_level)",
             "min_level has 1 number, but the plan has 2 periods"),
            (f"{plan}:10 (objective.maximize.corn)",
             "weight has 1 number, but the plan has 2 periods"),
            (f"{stocks}:2 (stocks)", "lag 3 is beyond the horizon (2 periods)"),
            (f"{stocks}:3 (stocks)", "depreciation must be at least 0 and at most 1 "
                                     "(got 1.5)"),
            (f"{supply}:3 (supply)", "period 3 is not one of the plan's periods 1 to 2"),
            (f"{supply}:4 (supply)", "period 0 is not one of the plan's periods 1 to 2"),
            (f"{supply}:5 (supply)", "period 1.5 is not one of the plan's periods 1 to 2"),
            (f"{supply}:6 (supply)", "empty 'period'")]:
        assert f"{where}: {said}" in err, (where, err)
    assert err.count("hint:") == 9
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    assert len(caught.value.problems) == 9


def test_twice_given_located(tmp_path: Path) -> None:
    (tmp_path / "supply.csv").write_text("good,period,amount\nlabour,1,10\nlabour,1,30\n")
    (tmp_path / "stocks.csv").write_text(
        "process,good,per_level,depreciation,initial\ngrow,labour,1,0.1,4\n")
    plan = write(tmp_path, """\
        name: Twice
        horizon: 2
        goods:
          labour: {unit: h}
          corn: {unit: t}
        processes:
          grow:
            inputs: {labour: 1}
            outputs: {corn: 1}
            stocks: {labour: {per_level: 1, depreciation: 0.1, initial: 4}}
        supply: supply.csv
        stocks: stocks.csv
        objective: {maximize: {corn: 1}}
        """)
    code, _, err = run("solve", plan)
    assert code == 2
    assert f"{tmp_path / 'supply.csv'}:3 (supply): labour in period 1 is listed twice" in err
    assert (f"{tmp_path / 'stocks.csv'}:2 (stocks): the stock of 'labour' held by 'grow' "
            "is given twice") in err


def test_time_keys_need_a_horizon(tmp_path: Path) -> None:
    plan = write(tmp_path, """\
        name: No horizon
        goods:
          labour: {unit: h}
          corn: {unit: t, storable: {}}
        processes:
          grow: {inputs: {labour: 1}, outputs: {corn: 1}}
        supply: {labour: 10}
        objective: {maximize: {corn: 1}, discount: 0.1}
        """)
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"goods.corn.storable", "objective.discount"}
    assert all("horizon" in p.hint for p in caught.value.problems)


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "yes", "two", "[2]", "100000"])
def test_bad_horizon(tmp_path: Path, value: str) -> None:
    plan = write(tmp_path, f"""\
        name: Bad horizon
        horizon: {value}
        goods: {{corn: {{unit: t}}}}
        processes: {{grow: {{outputs: {{corn: 1}}, capacity: 1}}}}
        objective: {{maximize: {{corn: 1}}}}
        """)
    code, _, err = run("validate", plan)
    assert code == 2 and f"{plan}:2 (horizon)" in err


def test_a_result_over_time_pickles(tools: k.PlanResult) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(tools))
    assert again.over_time.investment_return() == pytest.approx([1.0])
    assert np.allclose(again.over_time.stocks["stock"], [4, 8])


def test_the_explanation_tells_the_plan_over_time(tools: k.PlanResult) -> None:
    told = k.explain(tools)
    text = told.text()
    assert told.headline == ("The optimal plan reaches 12 objective units over 2 years "
                             "(each year discounted 25.0%).")
    build = told.sections["What to build, when, and what it pays back"]
    assert build == ["In year 1, invest 4 sets of tools in bake's stock (in use from year "
                     "2): each costs 0.4 objective units, what a set of tools is worth to "
                     "the plan in year 1, and earns 0.4 objective units in year 2."]
    binds = told.sections["Which stocks bind and what a unit earns"][0]
    assert "0.2 objective units in year 1, 0.4 objective units in year 2" in binds
    assert "worth 0.6 objective units" in binds
    assert "year 1 to 2: 100.0%" in text and "discount is 25.0% a year" in text
    code, out, _ = run("explain", write_tools_plan(), "--analysis-time", "0")
    assert code == 0 and "year 1 to 2: 100.0%" in out


def write_tools_plan() -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    return write(folder, TOOLS)


def test_the_explanation_keeps_inventories(tmp_path: Path) -> None:
    plan = k.load_plan(write(tmp_path, """\
        name: Store
        horizon: 2
        goods:
          labour: {unit: h}
          bread: {unit: loaf, storable: {loss: 0.1}}
        processes:
          bake: {inputs: {labour: 1}, outputs: {bread: 1}}
        supply: {labour: [10, 0]}
        objective: {maximize: {bread: [0, 1]}}
        """))
    lines = k.explain(k.solve(plan)).sections["What is kept in store and why"]
    assert lines == ["Keep 10 loaves of bread from period 1 to period 2, 10.0% of it lost "
                     "on the way: a loaf of bread is worth 0.9 loaves in period 1 and 1 "
                     "loaf in period 2, so what arrives (0.9 loaves) is worth what it "
                     "costs to keep."]


def test_the_published_schema_has_every_field_of_a_one_period_plan() -> None:
    """The published classes of plans over time are written out in full (a list per
    period widens a field, which a subclass may not do): none may lose a field."""
    from kantorovich.model import schema

    pairs = [(schema.GoodSpec, schema.TimedGoodSpec),
             (schema.ProcessSpec, schema.TimedProcessSpec),
             (schema.ObjectiveSpec, schema.TimedObjectiveSpec),
             (schema.BaselineSpec, schema.TimedBaselineSpec),
             (schema.PlanSpec, schema.PublishedPlanSpec)]
    for one_period, over_time in pairs:
        assert set(one_period.model_fields) <= set(over_time.model_fields), one_period
    properties = schema.json_schema()["properties"]
    assert isinstance(properties, dict)
    assert set(properties) == set(schema.PlanSpec.model_fields) | {
        "horizon", "stocks", "terminal"}


@pytest.mark.parametrize(("cell", "said"), [
    ("x", "'period' is not a number: 'x'"), ("", "empty 'period'")])
def test_a_period_cell_gets_one_problem(tmp_path: Path, cell: str, said: str) -> None:
    """A period written as a word is not also called empty; a blank one is."""
    (tmp_path / "supply.csv").write_text(f"good,period,amount\nlabour,{cell},10\n"
                                         "labour,2,30\n")
    plan = write(tmp_path, """\
        name: One problem a cell
        horizon: 2
        goods: {labour: {unit: h}, bread: {unit: loaf}}
        processes: {bake: {inputs: {labour: 1}, outputs: {bread: 1}}}
        supply: supply.csv
        objective: {maximize: {bread: 1}}
        """)
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    assert [p.message for p in caught.value.problems] == [said]
    code, _, err = run("validate", plan)
    assert code == 2 and f"supply.csv:2 (supply): {said}" in err


def test_a_period_whose_sets_need_nothing(tmp_path: Path) -> None:
    """Every good counted 0 in one period leaves that period's sets without a limit:
    said of the plan's period, not as an unbounded `sets[2]` of the expansion."""
    (tmp_path / "counts.csv").write_text("good,period,count\nbread,1,1\nbread,2,0\n"
                                         "bread,3,2\n")
    for objective in ("{maximize_sets: {bread: [1, 0, 2]}}", "{maximize_sets: counts.csv}"):
        plan = write(tmp_path, f"""\
            name: Empty basket
            horizon: 3
            goods: {{labour: {{unit: h}}, bread: {{unit: loaf}}}}
            processes: {{bake: {{inputs: {{labour: 1}}, outputs: {{bread: 1}}}}}}
            supply: {{labour: 10}}
            objective: {objective}
            """)
        code, out, err = run("solve", plan)
        assert code == 2 and out == "", err
        assert (f"{plan}:6 (objective.maximize_sets): in period 2 every good of "
                "maximize_sets is counted 0") in err
        assert "hint: count at least one good in period 2" in err


def test_time_written_in_a_plan_without_a_horizon_points_to_it(tmp_path: Path) -> None:
    (tmp_path / "supply.csv").write_text("good,period,amount\nlabour,1,10\nlabour,2,30\n")
    for supply in ("{labour: [10, 30]}", "supply.csv"):
        plan = write(tmp_path, f"""\
            name: No horizon
            goods: {{labour: {{unit: h}}, bread: {{unit: loaf}}}}
            processes: {{bake: {{inputs: {{labour: 1}}, outputs: {{bread: 1}}}}}}
            supply: {supply}
            objective: {{maximize: {{bread: 1}}}}
            """)
        code, _, err = run("solve", plan)
        assert code == 2 and "horizon: " in err.split("hint:", 1)[1].splitlines()[0], err


def test_every_problem_of_a_stocks_table_has_a_fix(tmp_path: Path) -> None:
    (tmp_path / "stocks.csv").write_text(
        "process,good,per_level,depreciation,initial,lag\n"
        "grow,corn,1,,4,1\n"
        "grow,labour,1,-0.2,4,1\n"
        "grow,corn,1,0.1,-3,1\n"
        ",corn,1,0.1,3,1\n"
        "grow,labour,1,0.1,3,1.5\n")
    plan = write(tmp_path, """\
        name: Stocks table
        horizon: 2
        goods: {labour: {unit: h}, corn: {unit: t}}
        processes: {grow: {inputs: {labour: 1}, outputs: {corn: 1}}}
        supply: {labour: 10}
        stocks: stocks.csv
        objective: {maximize: {corn: 1}}
        """)
    with pytest.raises(k.PlanError) as caught:
        k.load_plan(plan)
    problems = caught.value.problems
    assert [(p.line, p.message) for p in problems] == [
        (5, "empty 'process'"), (2, "empty 'depreciation'"),
        (3, "'depreciation' cannot be negative (-0.2)"),
        (4, "'initial' cannot be negative (-3)"),
        (6, "lag must be a whole number of periods (0 or more), got 1.5")]
    assert all(p.hint for p in problems), [p for p in problems if not p.hint]


def test_a_stock_is_worth_what_it_earns_and_what_it_spares_at_the_end(tmp_path: Path
                                                                      ) -> None:
    """With half the tools worn out a year and the initial 4 sets to be left at the end,
    a set at the start of year 2 earns 0.4 that year and leaves half a set, which spares
    half a set of investment (0.2 a set in year 2): 0.5 in all, as its shadow value."""
    text = TOOLS.replace("depreciation: 0, initial: 4", "depreciation: 0.5, initial: 4")
    result = k.solve(k.load_plan(write(tmp_path, text + "terminal: {stocks: initial}\n")))
    value = result.over_time.stocks.set_index("period").at[2, "shadow_value"]
    assert value == pytest.approx(0.5)
    binds = k.explain(result).sections["Which stocks bind and what a unit earns"]
    assert binds == ["The tools held by bake binds: one more set of it would earn 0.4 "
                     "objective units in year 2; at the start of year 2 it is worth 0.5 "
                     "objective units to the plan, 0.4 objective units for what it earns "
                     "from then on and 0.1 objective units for "
                     "the investment it spares at the end, where the plan must leave its "
                     "initial stocks."]


def test_a_rate_of_return_that_is_not_defined_says_why(tmp_path: Path) -> None:
    """Labour that the objective counts (minimised) but whose supply never binds: its
    price is 0, so the rate is not defined, and the text says which worth it uses."""
    plan = k.load_plan(write(tmp_path, """\
        name: Least labour
        horizon: 2
        goods: {labour: {unit: h}, bread: {unit: loaf}}
        processes: {bake: {inputs: {labour: 1}, outputs: {bread: 1}}}
        supply: {labour: 100}
        demand: {bread: [3, 4]}
        objective: {minimize: {labour: 1}}
        """))
    result = k.solve(plan)
    assert result.over_time.investment_return() == [None]
    lines = k.explain(result).sections["The plan's rate of return on investment"]
    assert ("period 1 to 2: not defined (the price of labour in period 2 is 0: more of "
            "it would add nothing then)") in lines[0]
    assert lines[2].startswith("These rates take the price of labour's supply alone")


def test_a_baseline_over_time_holds_its_stocks(tmp_path: Path) -> None:
    """A baseline within the tools it has (3 loaves at the bakery a year, 4 sets of
    tools that never wear) is feasible: its stocks are held as they stand, not left at
    0, and its moves are listed. One that runs the bakery past the worn stock is not,
    and says so in the plan's words (no expanded ids)."""
    text = TOOLS + "baseline:\n  levels: {bake: [3, 3], hand-bake: [1, 4]}\n"
    result = k.solve(k.load_plan(write(tmp_path, text)))
    found = analyse(result).baseline
    assert found is not None and found.feasible, found.violations
    assert found.objective == pytest.approx(4 + 0.8 * 7)     # 3 + 1, then 3 + 4 loaves
    assert len(found.moves) >= 1
    worn = (text.replace("depreciation: 0, initial: 4", "depreciation: 0.5, initial: 4")
            .replace("bake: [3, 3]", "bake: [3, 3.5]"))
    result = k.solve(k.load_plan(write(tmp_path, worn, "worn.yaml")))
    found = analyse(result).baseline
    assert found is not None and not found.feasible
    assert found.violations["statement"].tolist() == [
        "tools in use at bake (year 2) falls short by 1.5 sets"]
