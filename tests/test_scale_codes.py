"""Ids kept as codes: a Parquet plan's flows hold their process and good ids as
categoricals over the plan's own ids, from loading through the checks, the compiled
program and the result tables, and give the same answer and tables as the same plan
read as text.

The economy is generated from the bundled US 2017 summary table (BEA, 71 industries) at
20,000 products (60,000 processes, about 5·10^5 flows): the structure method solves it,
and HiGHS's simplex on the same program is the known optimum it must match.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.economy.generate import generate_economy
from kantorovich.economy.table import load_economy
from kantorovich.errors import PlanError
from kantorovich.model.checks import pairs_repeat, positions_in
from kantorovich.model.plan import load_plan
from kantorovich.report.export import write_result
from kantorovich.report.summary import summary

US = Path(__file__).parents[1] / "examples" / "us-2017"
N = 20_000


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codes")
    generate_economy(load_economy(US), N, techniques=3, seed=3).write(out / "parquet")
    text = out / "csv"
    text.mkdir()
    for stem in ("goods", "processes", "flows", "basket"):
        pd.read_parquet(out / "parquet" / f"{stem}.parquet").astype(
            {"good": str} if stem == "basket" else {}).to_csv(text / f"{stem}.csv",
                                                               index=False)
    plan = (out / "parquet" / "plan.yaml").read_text().replace(".parquet", ".csv")
    (text / "plan.yaml").write_text(plan)
    return out


@pytest.fixture(scope="module")
def solved(folder: Path):  # noqa: ANN201 - (coded, text) results
    coded = k.solve(load_plan(folder / "parquet" / "plan.yaml"))
    text = k.solve(load_plan(folder / "csv" / "plan.yaml"))
    return coded, text


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its categorical and text columns as Python objects, a missing
    value (NaN in a categorical, None in text) as None."""
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    out = frame.astype({c: object for c in text})
    for c in text:
        out[c] = out[c].where(out[c].notna(), None)
    return out


def test_the_parquet_plan_keeps_its_ids_as_codes(solved) -> None:
    coded, text = solved
    flows = coded.plan.flows
    assert isinstance(flows["process"].dtype, pd.CategoricalDtype)
    assert flows["process"].cat.categories is coded.plan.processes.index
    assert flows["good"].cat.categories is coded.plan.goods.index
    assert text.plan.flows["process"].dtype == object      # the text path keeps strings
    assert len(flows) == len(text.plan.flows) > 20 * N


def test_codes_and_text_give_the_same_certified_optimum(solved) -> None:
    coded, text = solved
    assert coded.method == text.method == "structure"
    assert coded.certificate.verified and text.certificate.verified
    assert coded.objective == text.objective
    np.testing.assert_array_equal(coded.shadow_prices.to_numpy(),
                                  text.shadow_prices.to_numpy())


def test_coded_ids_give_the_simplex_optimum(tmp_path) -> None:
    # HiGHS's simplex takes minutes at 20,000 products; 1,500 is its known optimum here
    generate_economy(load_economy(US), 1_500, techniques=3, seed=3).write(tmp_path)
    plan = load_plan(tmp_path / "plan.yaml")
    assert isinstance(plan.flows["good"].dtype, pd.CategoricalDtype)
    coded, simplex = k.solve(plan), k.solve(plan, method="simplex")
    assert coded.method == "structure" and simplex.method == "simplex"
    assert coded.certificate.verified and simplex.is_optimal
    assert coded.objective == pytest.approx(simplex.objective, rel=1e-9)
    np.testing.assert_allclose(coded.shadow_prices.to_numpy(),
                               simplex.shadow_prices.to_numpy(), rtol=1e-6, atol=1e-9)


def test_codes_and_text_give_identical_tables(solved) -> None:
    coded, text = solved
    mine, theirs = coded.tables(), text.tables()
    assert list(mine) == list(theirs)
    for name in mine:
        pd.testing.assert_frame_equal(_plain(mine[name]), _plain(theirs[name]),
                                      check_dtype=False, obj=name)
    assert isinstance(mine["flows"]["process"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(coded.by_unit(), text.by_unit())


def test_written_tables_keep_codes_and_read_back_the_same(solved, tmp_path) -> None:
    coded, text = solved
    out = write_result(coded, tmp_path / "out", summary(coded, analyses=False),
                       analyses=k.analyse(coded, seconds=0.0))
    flows = pd.read_parquet(out / "flows.parquet")
    assert isinstance(flows["good"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(_plain(flows), _plain(text.flows), check_dtype=False)
    goods = pd.read_parquet(out / "goods.parquet")
    np.testing.assert_array_equal(goods["shadow_price"].to_numpy(),
                                  text.goods["shadow_price"].to_numpy())


def test_an_unknown_good_in_coded_flows_is_told_by_row(folder, tmp_path) -> None:
    flows = pd.read_parquet(folder / "parquet" / "flows.parquet")
    goods = flows["good"].astype(object)
    goods.iat[7] = "grian"
    bad = tmp_path / "bad"
    bad.mkdir()
    for stem in ("goods", "processes", "basket"):
        (bad / f"{stem}.parquet").write_bytes((folder / "parquet" / f"{stem}.parquet")
                                              .read_bytes())
    flows.assign(good=pd.Categorical(goods)).to_parquet(bad / "flows.parquet")
    (bad / "plan.yaml").write_text((folder / "parquet" / "plan.yaml").read_text())
    with pytest.raises(PlanError) as caught:
        load_plan(bad / "plan.yaml")
    [problem] = caught.value.problems
    assert problem.message == "unknown good 'grian'"
    assert problem.path == "flows[7].good" and problem.file.endswith("flows.parquet")


def test_a_repeated_process_id_is_told_at_its_second_row(folder, tmp_path) -> None:
    procs = pd.read_parquet(folder / "parquet" / "processes.parquet")
    ids = procs["id"].astype(object).to_numpy().copy()
    ids[5] = ids[2]
    bad = tmp_path / "twice"
    bad.mkdir()
    procs.assign(id=pd.Categorical(ids)).to_parquet(bad / "processes.parquet")
    for stem in ("goods", "flows", "basket"):
        (bad / f"{stem}.parquet").write_bytes((folder / "parquet" / f"{stem}.parquet")
                                              .read_bytes())
    (bad / "plan.yaml").write_text((folder / "parquet" / "plan.yaml").read_text())
    with pytest.raises(PlanError) as caught:
        load_plan(bad / "plan.yaml")
    messages = [(p.message, p.path) for p in caught.value.problems]
    assert (f"id '{ids[2]}' appears twice", "processes[5].id") in messages


def test_a_blank_coded_id_is_empty_at_its_row(tmp_path) -> None:
    goods = pd.DataFrame({"id": pd.Categorical(["corn", None, "labour"])})
    with pytest.raises(PlanError) as caught:
        k.Plan.from_frames(goods=goods, processes=pd.DataFrame({"id": ["grow"]}),
                           objective={"maximize": {"corn": 1}})
    assert ("empty 'id'", "goods[1].id") in [(p.message, p.path)
                                            for p in caught.value.problems]


def test_positions_come_from_codes() -> None:
    ids = pd.Index(["a", "b", "c"], dtype=object)
    same = pd.Series(pd.Categorical.from_codes([2, 0, 2], dtype=pd.CategoricalDtype(ids)))
    assert positions_in(same, ids).tolist() == [2, 0, 2]
    other = pd.Series(pd.Categorical(["c", "z", None]))
    assert positions_in(other, ids).tolist() == [2, -1, -1]
    assert not pairs_repeat(np.array([0, 0, 1, 2]), np.array([1, 0, 1, 1]), 3, 2)
    assert pairs_repeat(np.array([2, 0, 2]), np.array([1, 0, 1]), 3, 2)


def test_counting_pairs_leaves_the_codes_as_they_were() -> None:
    first, second = np.array([0, 0, 1, 1]), np.array([3, 1, 2, 0])
    second.flags.writeable = False         # as a categorical's codes are
    assert not pairs_repeat(first, second, 2, 4)
    writable = np.array([3, 1, 2, 0])
    assert not pairs_repeat(first, writable, 2, 4)
    assert writable.tolist() == [3, 1, 2, 0]
