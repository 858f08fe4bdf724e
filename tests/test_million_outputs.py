"""What ``solve -o`` writes for a result of more than `LARGE_FLOWS` flows (issue 7): the
flows of the processes that run, no ``by_unit`` where every process is its own unit,
and a ``left_out`` in ``summary.json`` saying so; smaller results are written whole."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import kantorovich as k
from kantorovich.economy.generate import generate_economy
from kantorovich.economy.table import load_economy
from kantorovich.model.plan import load_plan
from kantorovich.report.export import write_result
from kantorovich.report.summary import summary
from kantorovich.results import result as result_module

from test_scale_codes import US


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("economy")
    generate_economy(load_economy(US), 2_000, techniques=3, seed=5).write(folder)
    result = k.solve(load_plan(folder / "plan.yaml"))
    assert result.method == "structure" and result.certificate.verified
    return result


def _written(result, folder):
    out = write_result(result, folder, summary(result, analyses=False),
                       analyses=k.analyse(result, seconds=0.0))
    return out, json.loads((out / "summary.json").read_text())


def test_a_small_result_is_written_whole(solved, tmp_path):
    assert len(solved.plan.flows) <= result_module.LARGE_FLOWS
    assert solved.left_out == {}
    out, data = _written(solved, tmp_path / "out")
    assert "left_out" not in data
    assert len(pd.read_parquet(out / "flows.parquet")) == len(solved.plan.flows)
    assert len(pd.read_parquet(out / "by_unit.parquet")) == solved.by_unit_rows


def test_a_large_result_writes_the_flows_that_run(solved, tmp_path, monkeypatch):
    monkeypatch.setattr(result_module, "LARGE_FLOWS", 1_000)
    result = k.solve(solved.plan)            # a fresh result: left_out is computed once
    levels = result.levels
    running = levels.to_numpy() != 0
    assert 0 < running.sum() < len(levels)          # some techniques are not used
    assert set(result.left_out) == {"flows", "by_unit"}
    out, data = _written(result, tmp_path / "out")
    assert data["left_out"] == result.left_out
    assert "by_unit" not in data["tables"] and not (out / "by_unit.parquet").exists()
    assert data["by_unit"] == {"table": "flows", "rows": result.written_flow_rows}
    written = pd.read_parquet(out / "flows.parquet")
    whole = result.flows
    kept = whole[levels.reindex(whole["process"].astype(object)).to_numpy() != 0]
    assert len(written) == len(kept) == result.written_flow_rows < len(whole)
    assert written["unit"].isna().all() and kept["unit"].isna().all()   # no units here
    columns = {"process": object, "good": object, "input": float, "output": float}
    pd.testing.assert_frame_equal(written[list(columns)].astype(columns),
                                  kept[list(columns)].reset_index(drop=True).astype(columns))
    # the rows left out are all zeros: the processes' totals are unchanged
    for col in ("input", "output"):
        np.testing.assert_allclose(
            written.groupby(written["process"].astype(object))[col].sum().reindex(
                levels.index, fill_value=0.0).to_numpy(),
            whole.groupby(whole["process"].astype(object))[col].sum().reindex(
                levels.index, fill_value=0.0).to_numpy())
    # by_unit, left out, is the flows table with the process as the unit
    by_unit = result.by_unit()
    assert len(by_unit) == len(whole)
    np.testing.assert_array_equal(by_unit["input"].to_numpy(), whole["input"].to_numpy())
    assert (by_unit.index.get_level_values("unit").to_numpy(object)
            == whole["process"].to_numpy(object)).all()


def test_the_matrix_without_policies_is_the_one_of_all_its_entries(solved):
    """`compile_plan`'s direct assembly (goods rows converted, assortment entries placed
    by counting) gives the matrix of converting every entry, canonical as it claims,
    also when the set's goods are in another order than the goods."""
    from dataclasses import replace

    import scipy.sparse as sp

    from kantorovich.lp.compile import _FlowIndex, compile_plan
    from kantorovich.model.plan import Objective

    plan = solved.plan
    weights = plan.objective.weights
    for w in (weights, weights.iloc[::-1]):
        p = replace(plan, objective=Objective("maximize_sets", w, plan.objective.unit))
        matrix = compile_plan(p).matrix
        index = _FlowIndex(p)
        net = index.output - index.input
        in_set = np.full(index.n_good, -1)
        in_set[p.goods.index.get_indexer(w.index)] = np.arange(len(w))
        row, counted = in_set[index.gcode], in_set[index.gcode] >= 0
        rows = np.concatenate([index.gcode, row[counted] + index.n_good,
                               np.arange(len(w)) + index.n_good])
        cols = np.concatenate([index.pcode, index.pcode[counted],
                               np.full(len(w), index.n_proc)])
        whole = sp.csc_matrix((np.concatenate([net, net[counted], -w.to_numpy(float)]),
                               (rows, cols)), shape=matrix.shape)
        whole.sum_duplicates()
        assert matrix.has_canonical_format and matrix.nnz == whole.nnz
        np.testing.assert_array_equal(matrix.indptr, whole.indptr)
        np.testing.assert_array_equal(matrix.indices, whole.indices)
        np.testing.assert_array_equal(matrix.data, whole.data)


def test_a_large_result_with_units_keeps_by_unit(solved, tmp_path, monkeypatch):
    """Where processes have units, by_unit sums over them and is written whole; only
    the idle processes' flows are left out."""
    from dataclasses import replace

    monkeypatch.setattr(result_module, "LARGE_FLOWS", 1_000)
    plan = solved.plan
    units = pd.DataFrame({"name": ["east", "west"], "region": [None, None]},
                         index=pd.Index(["east", "west"], name="unit", dtype=object))
    unit = np.where(np.arange(len(plan.processes)) % 2 == 0, "east", "west")
    processes = plan.processes.assign(unit=pd.array(unit.astype(object), dtype=object))
    result = k.solve(replace(plan, units=units, processes=processes))
    assert result.certificate.verified
    assert set(result.left_out) == {"flows"}
    out, data = _written(result, tmp_path / "out")
    by_unit = pd.read_parquet(out / "by_unit.parquet")
    assert len(by_unit) == result.by_unit_rows == len(result.by_unit())
    assert set(by_unit["unit"].astype(str)) == {"east", "west"}
    assert set(data["by_unit"]) == {"east", "west"}      # under INLINE_ROWS: inline
    np.testing.assert_allclose(by_unit["input"].sum(), result.flows["input"].sum())
