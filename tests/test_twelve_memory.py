"""What a large solve holds, counted on small plans (issue 18's twelve million).

Each saving of ``benchmarks/twelve.py`` is checked here by counting objects, copies and
bytes, never by timing: one string shared by all the rows of a label, the plan's names
as object columns over the table's own strings, the basket's ids as the goods' own, the
flows' codes read in place, the flows table and the analyses' tables written a part at
a time into the same files, and the structure method's working state let go before the
certificate. The solves are real (HiGHS or the structure method, and our certificate).
"""

from __future__ import annotations

import gc
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kantorovich
from kantorovich.cli import app
from kantorovich.economy.generate import generate_economy
from kantorovich.economy.table import load_economy
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.program import repeated

US = Path(__file__).parents[1] / "examples" / "us-2017"
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated economy of 400 products, two techniques each, as Parquet tables."""
    folder = tmp_path_factory.mktemp("economy") / "plan"
    return generate_economy(load_economy(US), 400, techniques=2, seed=3).write(folder)


@pytest.fixture(scope="module")
def plan(written: Path) -> kantorovich.Plan:
    return kantorovich.load_plan(written)


def _distinct_objects(values: object) -> int:
    return len({id(v) for v in np.asarray(values, dtype=object)})


def test_repeated_is_one_string_many_times() -> None:
    labels = repeated("process", 1000)
    assert labels.dtype == object and labels.tolist() == ["process"] * 1000
    assert _distinct_objects(labels) == 1
    # what it replaces made a string a row
    assert _distinct_objects(np.full(1000, "process", dtype=object)) == 1000


def test_program_labels_share_one_string_per_kind(plan: kantorovich.Plan) -> None:
    lp = compile_plan(plan)
    for labels in (lp.rows, lp.cols):
        kinds = labels["kind"]
        assert kinds.dtype == object
        assert _distinct_objects(kinds) == kinds.nunique()
    assert set(lp.rows["kind"]) == {"good", "assortment"}


def test_names_are_object_columns_over_the_tables_strings(plan: kantorovich.Plan) -> None:
    names = plan.processes["name"]
    assert names.dtype == object
    # 71 sectors' names x 2 techniques, each string held once however many processes
    assert _distinct_objects(names) == names.nunique() < len(names)
    assert plan.goods["name"].dtype == object
    assert _distinct_objects(plan.goods["name"]) == plan.goods["name"].nunique()
    # the goods' units stay pandas' str column (the goods table written records it)
    assert str(plan.goods["unit"].dtype) == "str"


def test_basket_ids_are_the_goods_own_strings(plan: kantorovich.Plan) -> None:
    weights = plan.objective.weights
    at = plan.goods.index.get_indexer(weights.index)
    assert (at >= 0).all()
    goods = plan.goods.index.to_numpy(object)
    assert all(a is b for a, b in zip(weights.index.to_numpy(object), goods[at],
                                      strict=True))


def test_flow_positions_are_the_flows_codes_in_place(plan: kantorovich.Plan) -> None:
    process, good = plan.flow_positions
    assert np.shares_memory(process, plan.flows["process"].array.codes)
    assert np.shares_memory(good, plan.flows["good"].array.codes)
    assert (plan.processes.index[process] == plan.flows["process"].astype(str)).all()


def test_flows_and_tables_written_in_parts_are_the_whole_files(
        written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = tmp_path / "whole"
    assert RUNNER.invoke(app, ["solve", str(written), "-o", str(whole)]).exit_code == 0
    from kantorovich.report import export

    monkeypatch.setattr(export, "ROW_GROUP", 97)
    parts = tmp_path / "parts"
    done = RUNNER.invoke(app, ["solve", str(written), "-o", str(parts)])
    assert done.exit_code == 0, done.stderr
    tables = sorted(p.name for p in whole.glob("*.parquet"))
    assert "flows.parquet" in tables and "sensitivity_processes.parquet" in tables
    assert tables == sorted(p.name for p in parts.glob("*.parquet"))
    for name in tables:
        a, b = pq.read_table(whole / name), pq.read_table(parts / name)
        assert a.schema.equals(b.schema, check_metadata=True) and a.equals(b), name
        rows = a.num_rows
        assert pq.ParquetFile(parts / name).metadata.num_row_groups == max(-(-rows // 97), 1)
    flows = pd.read_parquet(parts / "flows.parquet")
    result = kantorovich.solve(kantorovich.load_plan(written))
    expected = result.flows
    assert len(flows) == len(expected) == len(result.plan.flows)
    assert (flows["process"].astype(str).to_numpy()
            == expected["process"].astype(str).to_numpy()).all()
    np.testing.assert_array_equal(flows["input"], expected["input"])
    np.testing.assert_array_equal(flows["output"], expected["output"])


def test_flow_parts_cover_the_flows_in_order(plan: kantorovich.Plan) -> None:
    result = kantorovich.solve(plan)
    parts = list(result.flow_parts(1000))
    assert [len(p) for p in parts[:-1]] == [1000] * (len(parts) - 1)
    joined = pd.concat(parts, ignore_index=True)
    whole = result.flows
    pd.testing.assert_frame_equal(joined, whole)


def test_analyses_tables_are_made_one_at_a_time(plan: kantorovich.Plan) -> None:
    from kantorovich.explain.analyses import analyse

    result = kantorovich.solve(plan)
    found = analyse(result)
    makers = found.table_makers()
    tables = found.tables()
    assert list(makers) == list(tables) and "sensitivity_processes" in makers
    for name, make in makers.items():
        pd.testing.assert_frame_equal(make(), tables[name])
    # the result's makers hand them on, unmade
    assert set(makers) <= set(result.table_makers())


def test_structure_state_is_let_go_before_the_certificate(
        plan: kantorovich.Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    import kantorovich.results.chain as chain
    from kantorovich.lp.technology import Technology

    live: list[int] = []
    certify = chain.certify

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the real certificate
        gc.collect()
        live.append(sum(isinstance(o, Technology) for o in gc.get_objects()))
        return certify(*args, **kwargs)

    monkeypatch.setattr(chain, "certify", counted)
    result = kantorovich.solve(plan)
    assert result.method == "structure" and result.certificate.verified
    assert live == [0]


def _frames_held_by(root: object) -> int:
    """DataFrames reachable from ``root`` through containers, partials and objects."""
    seen: set[int] = set()
    stack, frames = [root], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (kantorovich.PlanResult, np.ndarray, type,
                                               types.FunctionType, types.ModuleType)):
            continue        # the result is held anyway; arrays, code and modules aside
        seen.add(id(obj))
        if isinstance(obj, pd.DataFrame):
            frames += 1
            continue
        stack.extend(gc.get_referents(obj))
    return frames


def test_sensitivity_tables_are_made_when_read_not_held(plan: kantorovich.Plan) -> None:
    from kantorovich.explain.analyses import analyse
    from kantorovich.results.lazy_tables import Tables
    from kantorovich.results.sensitivity import (basis_ranging, sensitivity,
                                                 sensitivity_tables)
    from kantorovich.results.sensitivity_report import report_tables, sensitivity_report

    result = kantorovich.solve(plan)
    found = analyse(result)
    assert isinstance(found.sensitivity, Tables) and isinstance(found.report, Tables)
    # the analyses hold no table of one row a process or a good, only their makers
    assert _frames_held_by(found.sensitivity) == 0
    assert _frames_held_by(found.report) == 0
    for tables in (found.sensitivity, found.report):
        for name in tables:
            assert tables.rows(name) == len(tables[name])
    # each read makes the table afresh: the same numbers, not the same frame
    first, second = found.sensitivity["processes"], found.sensitivity["processes"]
    assert first is not second
    pd.testing.assert_frame_equal(first, second)
    # the same tables as computed at once from the same ranging, rows counted unmade
    ranging = basis_ranging(result)
    lazy = sensitivity_tables(result, ranging=ranging)
    whole = sensitivity(result, ranging=ranging)
    assert list(lazy) == list(whole) == [
        "goods", "policies", "weights", "processes", "capacities"]
    for name, table in whole.items():
        pd.testing.assert_frame_equal(lazy[name], table)
        assert lazy.rows(name) == len(table)
    assert len(whole["processes"]) == len(plan.processes) == 800
    report, lazy_report = sensitivity_report(result, whole), report_tables(result, lazy)
    assert lazy_report is not None
    assert list(lazy_report) == list(report) == ["variable_cells", "constraints"]
    for name, table in report.items():
        pd.testing.assert_frame_equal(lazy_report[name], table)
        assert lazy_report.rows(name) == len(table)
    # the result's own `sensitivity` still hands every table over
    assert list(result.sensitivity()) == list(whole)


def test_one_category_columns_are_made_from_codes() -> None:
    from kantorovich.lp.program import repeated_category

    for n in (0, 5):
        made = repeated_category("improvement", n)
        listed = pd.Categorical(["improvement"] * n, categories=["improvement"])
        assert made.dtype == listed.dtype and made.equals(listed)
        assert made.codes.dtype == np.int8 and made.codes.nbytes == n
    assert repeated_category("excel", 3).equals(pd.Categorical(["excel"] * 3))


def test_technology_holds_no_array_an_entry_but_its_inputs(plan: kantorovich.Plan) -> None:
    from kantorovich.lp.technology import read_technology

    lp = compile_plan(plan)
    tech = read_technology(lp)
    entries = lp.matrix.nnz
    held = {name: value for name, value in vars(tech).items()
            if isinstance(value, np.ndarray)}
    # a flag a column, not a flag an entry of the whole matrix
    assert tech._is_maker.shape == (lp.matrix.shape[1],)
    assert all(len(value) < entries for value in held.values())
    assert tech._matrix is lp.matrix or tech._matrix.data is lp.matrix.data
    # the inputs are the matrix's negative entries, negated
    assert (tech.inputs.data > 0).all() and tech.inputs.nnz < entries
    before = tech.inputs.data.copy()
    chosen = np.zeros(tech.n, dtype=np.int64)
    scaled = tech.matrix(chosen)
    assert np.array_equal(tech.inputs.data, before)     # scaled in its own copy
    np.testing.assert_array_equal(
        scaled.toarray(), tech.inputs[:, chosen].toarray() / tech.gain[chosen])


def test_leontief_system_copies_a_matrix_once() -> None:
    import scipy.sparse as sp

    from kantorovich.lp.leontief import LeontiefSystem

    by_column = sp.random(50, 50, density=0.1, format="csc", random_state=1) * 0.1
    system = LeontiefSystem(by_column)
    # the conversion to rows is the one copy: its arrays are the system's own
    assert not np.shares_memory(system.A.data, by_column.data)
    by_row = by_column.tocsr()
    again = LeontiefSystem(by_row)        # given by rows: still a copy of its own
    assert not np.shares_memory(again.A.data, by_row.data)
    np.testing.assert_array_equal(system.A.toarray(), by_column.toarray())
    b = np.ones(50)
    np.testing.assert_allclose(system.solve(b), np.linalg.solve(
        np.eye(50) - by_column.toarray(), b))


def test_kept_entries_counted_a_part_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.sparse as sp

    import kantorovich.lp.technology as technology

    matrix = sp.random(30, 2000, density=0.05, format="csc", random_state=7)
    mask = np.random.default_rng(7).random(matrix.nnz) < 0.5
    whole = np.array([mask[a:b].sum() for a, b in zip(matrix.indptr[:-1],
                                                       matrix.indptr[1:])])
    assert (np.diff(matrix.indptr) == 0).any()          # empty columns among them
    for columns in (1, 7, 1 << 18):
        monkeypatch.setattr(technology, "_COUNT_COLUMNS", columns)
        counted = technology._kept(mask, matrix.indptr)
        assert counted.dtype == np.int64
        np.testing.assert_array_equal(counted, whole)
    assert not technology._kept(np.zeros(0, dtype=bool), np.zeros(4, dtype=np.int32)).any()


def test_transposed_leontief_solve_reads_a_view(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.sparse as sp

    from kantorovich.lp.leontief import LeontiefSystem

    A = sp.random(200, 200, density=0.03, format="csc", random_state=3) * 0.2
    system = LeontiefSystem(A, method="iteration")
    b = np.arange(200, dtype=float)
    u = system.solve(b, transposed=True)
    # no second copy of the matrix is kept for the transposed system
    held = [v for v in vars(system).values() if sp.issparse(v)]
    assert held == [system.A]
    # the same numbers as the transposed matrix held by rows, entry for entry
    explicit = LeontiefSystem(sp.csr_matrix(A.T), method="iteration").solve(b)
    np.testing.assert_array_equal(u, explicit)


def test_rows_cleaned_are_the_rows_of_the_whole_cleaned() -> None:
    from kantorovich.serialise import frame_cleaned, rows_cleaned

    frame = pd.DataFrame({"kind": ["good", "policy", "good", "policy"],
                          "price": [1e6, 3e-2, -2e-12, 5e-12],
                          "low": [np.inf, -0.0, 1.0, np.nan]},
                         index=pd.Index(["a", "b", "c", "d"], name="id"))
    for keep in (frame["kind"] == "policy", frame["kind"] == "good"):
        mask = keep.to_numpy(bool)
        # judged against the whole column: 5e-12 is noise beside 1e6, not beside 3e-2
        pd.testing.assert_frame_equal(rows_cleaned(frame, mask), frame_cleaned(frame)[mask])
    assert rows_cleaned(frame, (frame["kind"] == "policy").to_numpy())["price"].tolist() \
        == [3e-2, 0.0]


def test_terminal_resets_only_the_rows_it_shows(plan: kantorovich.Plan) -> None:
    from kantorovich.report import terminal

    result = kantorovich.solve(plan)
    for table in (result.processes, result.goods):
        shown = terminal._shown(table)
        assert len(shown) == terminal._MAX_ROWS < len(table)
        pd.testing.assert_frame_equal(shown, table.reset_index().head(terminal._MAX_ROWS))
