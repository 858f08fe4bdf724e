"""Parquet tables, objective tables and blank optional cells (issue 7, section 1).

Every table a plan file may name as CSV may be Parquet (by extension, in any case); an
objective's weights or counts may be a table too; a blank or NaN in an optional column
means none. The worked example is the issue's own plan, on a three-product economy whose
optimum is computed by hand below.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.errors import PlanError
from kantorovich.model import schema
from kantorovich.model.plan import load_plan

LABOUR = 1.5e8

# Three products, one technique each, and labour. Per unit of level:
#   pa: 1 h labour + 0.1 b -> 1 a;   pb: 2 h -> 1 b;   pc: 1 h + 0.5 a -> 1 c.
# One set is a:1, b:2, c:1. For x sets: c = x, a = x + 0.5 c = 1.5 x,
# b = 2 x + 0.1 a = 2.15 x; labour a + 2 b + c = 6.8 x, so x = 1.5e8 / 6.8.
# Labour values: v_b = 2, v_a = 1 + 0.1 v_b = 1.2, v_c = 1 + 0.5 v_a = 1.6 (hours).
SETS = LABOUR / 6.8
LEVELS = {"pa": 1.5 * SETS, "pb": 2.15 * SETS, "pc": SETS}
LABOUR_VALUES = {"a": 1.2, "b": 2.0, "c": 1.6}

GOODS = pd.DataFrame({"id": ["labour", "a", "b", "c"], "unit": ["h", "t", "t", None]})
PROCESSES = pd.DataFrame({
    "id": ["pa", "pb", "pc"],
    "unit": pa.array([None, None, None], type=pa.string()).to_pandas(),
    "name": ["make a", None, ""],
    "capacity": [np.nan, 1e12, None],
    "min_level": [None, np.nan, 0.0],
})
FLOWS = pd.DataFrame({
    "process": ["pa", "pa", "pa", "pb", "pb", "pc", "pc", "pc"],
    "good": ["labour", "b", "a", "labour", "b", "labour", "a", "c"],
    "input": [1.0, 0.1, np.nan, 2.0, None, 1.0, 0.5, 0.0],
    "output": [None, np.nan, 1.0, 0.0, 1.0, None, None, 1.0],
})
BASKET = pd.DataFrame({"good": ["a", "b", "c"], "count": [1, 2, 1]})

PLAN = """\
name: An economy
period: year
goods: goods.parquet          # id, unit
processes: processes.parquet  # id[, unit, name, capacity, min_level]
flows: flows.parquet          # process, good, input, output
supply: {labour: 1.5e8}
objective:
  maximize_sets: basket.parquet
"""


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def economy(folder: Path, plan: str = PLAN, **tables: pd.DataFrame) -> Path:
    """The issue's example plan in ``folder``, its tables replaced by ``tables``."""
    given = {"goods": GOODS, "processes": PROCESSES, "flows": FLOWS, "basket": BASKET,
             **tables}
    for name, frame in given.items():
        write_parquet(folder / f"{name}.parquet", frame)
    (folder / "plan.yaml").write_text(plan)
    return folder / "plan.yaml"


def problems_of(path: Path) -> list[k.Problem]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value.problems


# -- the issue's example ------------------------------------------------------------------
def test_issue_example_loads_and_solves_to_the_hand_computed_optimum(tmp_path):
    plan = load_plan(economy(tmp_path))
    assert plan.objective.sense == "maximize_sets"
    assert plan.objective.weights.to_dict() == {"a": 1.0, "b": 2.0, "c": 1.0}
    result = k.solve(plan)
    assert result.is_optimal
    assert result.objective == pytest.approx(SETS, rel=1e-9)
    for process, level in LEVELS.items():
        assert result.levels[process] == pytest.approx(level, rel=1e-9)
    # An hour of labour is worth 1/6.8 sets; each good of the set is priced at its
    # labour value in sets (a set's labour is 6.8 h).
    assert result.shadow_prices["labour"] == pytest.approx(1 / 6.8, rel=1e-9)
    for good, value in LABOUR_VALUES.items():
        assert result.assortment_prices[good] == pytest.approx(value / 6.8, rel=1e-9)


def test_blank_and_nan_optional_cells_in_parquet_mean_none(tmp_path):
    plan = load_plan(economy(tmp_path))
    procs = plan.processes
    assert procs["capacity"].to_dict() == {"pa": math.inf, "pb": 1e12, "pc": math.inf}
    assert procs["min_level"].to_dict() == {"pa": 0.0, "pb": 0.0, "pc": 0.0}
    assert procs["unit"].isna().all()
    assert procs["name"].to_dict() == {"pa": "make a", "pb": "pb", "pc": "pc"}
    assert plan.goods.loc["c", "unit"] == ""


def test_solve_writes_the_usual_tables_and_a_summary(tmp_path):
    path = economy(tmp_path)
    out = tmp_path / "out"
    ran = CliRunner().invoke(app, ["solve", str(path), "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(SETS, rel=1e-9)
    assert summary["levels"]["pb"] == pytest.approx(LEVELS["pb"], rel=1e-9)
    goods = pd.read_parquet(out / "goods.parquet").set_index("good")
    assert goods.loc["labour", "shadow_price"] == pytest.approx(1 / 6.8, rel=1e-9)
    processes = pd.read_parquet(out / "processes.parquet").set_index("process")
    assert processes.loc["pc", "level"] == pytest.approx(SETS, rel=1e-9)
    assert "reduced_cost" in processes.columns


def test_parquet_and_csv_give_the_same_plan(tmp_path):
    parquet = load_plan(economy(tmp_path))
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, frame in (("goods", GOODS), ("processes", PROCESSES), ("flows", FLOWS),
                        ("basket", BASKET)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    (folder / "plan.yaml").write_text(PLAN.replace(".parquet", ".csv"))
    csv = load_plan(folder / "plan.yaml")
    assert isinstance(parquet.flows["process"].dtype, pd.CategoricalDtype)  # as codes
    assert parquet.flows["good"].cat.categories is parquet.goods.index
    for attr in ("goods", "processes", "flows"):
        pd.testing.assert_frame_equal(getattr(parquet, attr).astype(
            {"process": object, "good": object} if attr == "flows" else {}),
            getattr(csv, attr), check_dtype=False)
    pd.testing.assert_series_equal(parquet.objective.weights, csv.objective.weights)


def test_the_extension_is_read_in_any_case(tmp_path):
    path = economy(tmp_path, PLAN.replace("flows: flows.parquet", "flows: FLOWS.Parquet"))
    (tmp_path / "flows.parquet").rename(tmp_path / "FLOWS.Parquet")
    assert k.solve(load_plan(path)).objective == pytest.approx(SETS, rel=1e-9)


# -- ids ----------------------------------------------------------------------------------
def test_integer_ids_are_read_as_their_decimal_text(tmp_path):
    goods = pd.DataFrame({"id": [0, 1, 2, 3], "unit": ["h", "t", "t", "t"]})
    flows = FLOWS.assign(good=FLOWS["good"].map({"labour": 0, "a": 1, "b": 2, "c": 3}))
    basket = pd.DataFrame({"good": [1, 2, 3], "count": [1.0, 2.0, 1.0]})
    procs = PROCESSES.assign(id=[10, 20, 30])
    flows = flows.assign(process=flows["process"].map({"pa": 10, "pb": 20, "pc": 30}))
    plan = economy(tmp_path, PLAN.replace("labour:", '"0":'), goods=goods, flows=flows,
                   basket=basket, processes=procs)
    loaded = load_plan(plan)
    assert list(loaded.goods.index) == ["0", "1", "2", "3"]
    assert list(loaded.processes.index) == ["10", "20", "30"]
    assert k.solve(loaded).levels["20"] == pytest.approx(LEVELS["pb"], rel=1e-9)


def test_a_float_id_column_is_refused_at_its_rows(tmp_path):
    goods = pd.DataFrame({"id": [0.0, 1.5], "unit": ["h", "t"]})
    found = problems_of(economy(tmp_path, goods=goods))
    ids = [p for p in found if "must be text" in p.message]
    assert [(p.path, p.file) for p in ids] == [
        ("goods[0].id", str(tmp_path / "goods.parquet")),
        ("goods[1].id", str(tmp_path / "goods.parquet"))]


# -- located errors -----------------------------------------------------------------------
def test_a_bad_row_is_located_by_file_and_row(tmp_path):
    flows = FLOWS.copy()
    flows.loc[3, "good"] = "labor"
    flows.loc[5, "input"] = -1.0
    found = problems_of(economy(tmp_path, flows=flows))
    by_path = {p.path: p for p in found}
    unknown = by_path["flows[3].good"]
    assert unknown.message == "unknown good 'labor'"
    assert unknown.file == str(tmp_path / "flows.parquet") and unknown.line is None
    assert unknown.hint and "labour" in unknown.hint
    assert str(unknown).startswith(f"{tmp_path / 'flows.parquet'} (flows[3].good): ")
    assert "cannot be negative" in by_path["flows[5].input"].message


def test_a_flow_listed_twice_is_told_by_row(tmp_path):
    flows = pd.concat([FLOWS, FLOWS.iloc[[1]]], ignore_index=True)
    found = problems_of(economy(tmp_path, flows=flows))
    twice = [p for p in found if "listed twice" in p.message]
    assert len(twice) == 1 and "(first on row 1)" in twice[0].message


def test_a_missing_parquet_file_is_a_located_problem(tmp_path):
    path = economy(tmp_path)
    (tmp_path / "processes.parquet").unlink()
    found = problems_of(path)
    assert (found[0].message, found[0].path, found[0].file) == (
        "table 'processes.parquet' not found", "processes",
        str(tmp_path / "processes.parquet"))


@pytest.mark.parametrize("content", [b"", b"not parquet at all", b"PAR1" + b"\0" * 40])
def test_an_unreadable_parquet_file_is_a_located_problem(tmp_path, content):
    path = economy(tmp_path)
    (tmp_path / "goods.parquet").write_bytes(content)
    found = problems_of(path)
    assert found and found[0].path == "goods" and found[0].file == str(
        tmp_path / "goods.parquet")
    assert found[0].message.startswith("cannot read table")


def test_a_wrong_extension_names_both_formats(tmp_path):
    path = economy(tmp_path, PLAN.replace("goods: goods.parquet", "goods: goods.xlsx"))
    found = problems_of(path)
    assert [(p.message, p.line) for p in found][:1] == [
        ("'goods' must be a mapping or a .csv or .parquet path", 3)]


# -- blanks and NaN in CSV ----------------------------------------------------------------
def test_nan_written_in_optional_csv_columns_means_none(tmp_path):
    (tmp_path / "goods.csv").write_text("id,unit,name\nlabour,h,\na,,\n")
    (tmp_path / "processes.csv").write_text(
        "id,unit,name,capacity,min_level,level_unit\n"
        "p1,,,NaN,nan,\n"
        "p2,,Two,,,\n"
        "p3,,,5,.nan,shift\n")
    (tmp_path / "flows.csv").write_text(
        "process,good,input,output\np1,labour,1,\np1,a,,1\np2,labour,2,\np2,a,,1\n"
        "p3,labour,3,\np3,a,,1\n")
    (tmp_path / "plan.yaml").write_text(
        "name: t\ngoods: goods.csv\nprocesses: processes.csv\nflows: flows.csv\n"
        "supply: {labour: 10}\nobjective: {maximize: {a: 1}}\n")
    procs = load_plan(tmp_path / "plan.yaml").processes
    assert procs["capacity"].tolist() == [math.inf, math.inf, 5.0]
    assert procs["min_level"].tolist() == [0.0, 0.0, 0.0]
    assert procs["name"].tolist() == ["p1", "Two", "p3"]
    assert procs["level_unit"].tolist() == ["", "", "shift"]
    assert procs["unit"].isna().all()


def test_nan_written_as_an_amount_is_still_refused(tmp_path):
    (tmp_path / "flows.csv").write_text("process,good,input,output\np,a,NaN,\n")
    (tmp_path / "plan.yaml").write_text(
        "name: t\ngoods: {a: {}}\nprocesses: {p: {}}\nflows: flows.csv\n"
        "objective: {maximize: {a: 1}}\n")
    found = problems_of(tmp_path / "plan.yaml")
    assert [(p.line, p.message) for p in found] == [(2, "'input' is not a number: 'NaN'")]


# -- objective tables ---------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_maximize_weights_may_be_a_table(tmp_path, suffix):
    weights = pd.DataFrame({"good": ["a", "c"], "weight": [1.0, 0.5]})
    if suffix == "csv":
        weights.to_csv(tmp_path / "weights.csv", index=False)
    else:
        write_parquet(tmp_path / "weights.parquet", weights)
    plan = load_plan(economy(tmp_path, PLAN.replace("maximize_sets: basket.parquet",
                                                    f"maximize: weights.{suffix}")))
    assert plan.objective.sense == "maximize"
    assert plan.objective.weights.to_dict() == {"a": 1.0, "c": 0.5}
    # All labour into a: a = L / 1.2 per hour of a's labour value; c yields 0.5 / 1.6.
    assert k.solve(plan).objective == pytest.approx(LABOUR / 1.2, rel=1e-9)


def test_minimize_weights_may_be_a_table(tmp_path):
    pd.DataFrame({"good": ["labour"], "weight": [1.0]}).to_csv(tmp_path / "w.csv",
                                                               index=False)
    text = PLAN.replace("supply: {labour: 1.5e8}", "supply: {labour: 100}\ndemand: {a: 10}")
    text = text.replace("maximize_sets: basket.parquet", "minimize: w.csv")
    plan = load_plan(economy(tmp_path, text))
    assert plan.objective.sense == "minimize"
    # 10 of a need 10 * 1.2 h of labour; the labour used is the cost.
    assert k.solve(plan).objective == pytest.approx(12.0, rel=1e-9)


def test_a_basket_table_is_checked_row_by_row(tmp_path):
    basket = pd.DataFrame({"good": ["a", "bb", "c", "a", "b"],
                           "count": [1.0, 2.0, 0.0, 3.0, None]})
    found = problems_of(economy(tmp_path, basket=basket))
    got = {(p.path, p.message) for p in found}
    assert got == {
        ("objective.maximize_sets[1].good", "unknown good 'bb'"),
        ("objective.maximize_sets[2].count", "'count' must be above 0"),
        ("objective.maximize_sets[3].good", "good 'a' is listed twice"),
        ("objective.maximize_sets[4].count", "empty 'count'"),
    }
    assert all(p.file == str(tmp_path / "basket.parquet") for p in found)


def test_a_basket_table_needs_its_columns(tmp_path):
    basket = pd.DataFrame({"good": ["a"], "weight": [1.0]})
    found = problems_of(economy(tmp_path, basket=basket))
    assert ("objective.maximize_sets", "missing column count") in {
        (p.path, p.message) for p in found}


def test_a_table_and_a_mapping_for_two_senses_are_refused(tmp_path):
    text = PLAN.replace("maximize_sets: basket.parquet",
                        "maximize_sets: basket.parquet\n  maximize: {a: 1}")
    found = problems_of(economy(tmp_path, text))
    assert any("exactly one of" in p.message for p in found)


def test_from_frames_takes_an_objective_table():
    plan = k.Plan.from_frames(goods=GOODS, processes=PROCESSES, flows=FLOWS,
                              supply={"labour": LABOUR},
                              objective={"maximize_sets": BASKET})
    assert k.solve(plan).objective == pytest.approx(SETS, rel=1e-9)


def test_schema_accepts_a_table_for_weights_and_counts():
    spec = schema.PlanSpec.model_validate({
        "name": "x", "goods": "goods.PARQUET", "processes": "p.parquet",
        "flows": "f.parquet", "objective": {"maximize_sets": "basket.parquet"}})
    assert spec.objective.maximize_sets == "basket.parquet"
    assert schema.ObjectiveSpec.model_validate({"maximize": "w.csv"}).maximize == "w.csv"
    with pytest.raises(ValueError):
        schema.ObjectiveSpec.model_validate({"maximize": "w.xlsx"})
