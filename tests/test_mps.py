"""MPS in and out (:mod:`kantorovich.lp.mps`): any LP in MPS form is a plan.

Fixtures in ``tests/data``: ``wyndor.mps`` / ``wyndor-max.mps`` (Hillier & Lieberman,
*Introduction to Operations Research*, Sec. 3.1, optimum x = (2, 6), Z = 36),
``mixed.mps`` (every row and bound kind, checked against scipy's ``linprog``) and
``integer.mps`` (a MIP, refused).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

import kantorovich as k
from kantorovich.errors import KantorovichError, PlanError
from kantorovich.lp.compile import compile_plan
from kantorovich.lp.mps_io import read_mps_arrays, write_mps
from kantorovich.lp.mps import export_mps, mps_names, plan_from_mps
from kantorovich.lp.program import LinearProgram
from kantorovich.model.rules import parse_rule

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
LENINGRAD = ROOT / "examples" / "leningrad.yaml"


def solved(plan: k.Plan) -> k.PlanResult:
    result = k.solve(plan).raise_for_status()
    assert result.certificate.verified, result.certificate
    return result


# -- Wyndor Glass: objective, levels, shadow prices ---------------------------------------
@pytest.mark.parametrize(("file", "objective"), [("wyndor.mps", -36.0),
                                                 ("wyndor-max.mps", 36.0)])
def test_wyndor(file: str, objective: float) -> None:
    plan = k.load_plan(DATA / file)
    result = solved(plan)
    assert result.objective == pytest.approx(objective, rel=1e-12)
    assert result.levels.to_dict() == pytest.approx({"X1": 2.0, "X2": 6.0})
    # Improvement per extra plant hour. Minimising -Z, an extra hour in Plant 2 lowers
    # the objective by 1.5 -- an improvement of +1.5, the same sign as for max Z.
    prices = result.shadow_prices
    assert prices[["PLANT1", "PLANT2", "PLANT3"]].tolist() == pytest.approx(
        [0.0, 1.5, 1.0], abs=1e-12)
    # a <= row is a good with a supply: the plant hours
    assert plan.goods.loc[["PLANT1", "PLANT2", "PLANT3"], "supply"].tolist() == [4, 12, 18]
    assert (plan.goods.loc[["PLANT1", "PLANT2", "PLANT3"], "demand"] == 0).all()
    # the sign, checked by moving the supply itself
    again = k.solve(plan.with_supply("PLANT2", 13.0))
    improvement = (again.objective - result.objective) * (1 if objective > 0 else -1)
    assert improvement == pytest.approx(1.5, rel=1e-12)


def test_wyndor_objective_good() -> None:
    plan = k.load_plan(DATA / "wyndor.mps")
    assert plan.objective.sense == "minimize"
    assert plan.objective.weights.to_dict() == {"COST": 1.0}
    assert plan.goods.at["COST", "supply"] == np.inf
    cost = plan.flows[plan.flows["good"] == "COST"].set_index("process")
    # minimising -3 x1 - 5 x2: the processes make the cost good (negative cost)
    assert cost["output"].to_dict() == {"X1": 3.0, "X2": 5.0}
    assert (cost["input"] == 0).all()
    maxplan = k.load_plan(DATA / "wyndor-max.mps")
    assert maxplan.objective.sense == "maximize"
    profit = maxplan.flows[maxplan.flows["good"] == "PROFIT"].set_index("process")
    assert profit["output"].to_dict() == {"X1": 3.0, "X2": 5.0}


# -- every row and bound kind, against linprog --------------------------------------------
def _mixed_by_linprog() -> tuple[float, np.ndarray]:
    """The LP written out in mixed.mps's header, solved by scipy directly."""
    c = [2.0, 1.0, -1.0, 1.5]
    a_ub = [[-1, -1, 0, 0],     # DEM   x1 + x2 >= 3
            [1, 0, 2, 0],       # CAP   x1 + 2 x3 <= 8
            [0, 0, 1, 1],       # RNGL  x3 + x4 <= 6
            [0, 0, -1, -1],     #       x3 + x4 >= 2
            [1, 0, 0, -1],      # RNGE  x1 - x4 <= 0
            [-1, 0, 0, 1],      #       x1 - x4 >= -5
            [1, -1, 0, 0],      # NEG   x2 - x1 >= -4
            [0, 0, -1, 0]]      # NEGL  -x3 <= -1
    b_ub = [-3, 8, 6, -2, 0, 5, 4, -1]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=[[0, 1, -1, 1]], b_eq=[1],
                  bounds=[(-2, 5), (-3, None), (0, 4), (None, 10)], method="highs")
    assert res.status == 0
    return res.fun + 10.0, res.x


def test_mixed_matches_linprog() -> None:
    plan = k.load_plan(DATA / "mixed.mps")
    result = solved(plan)
    objective, x = _mixed_by_linprog()
    assert result.objective == pytest.approx(objective, rel=1e-9)
    assert result.levels[["X1", "X2", "X3", "X4"]].to_numpy() == pytest.approx(x, abs=1e-9)
    assert plan.objective.constant == 10.0


def test_mixed_mapping() -> None:
    plan = k.load_plan(DATA / "mixed.mps")
    goods = plan.goods
    # ">= b" rows: demand b when b >= 0, else a supply -b; "<= b" rows the other way round
    expected = {"DEM": (0, 3), "CAP": (8, 0), "BAL": (0, 1), "RNGL": (0, 2),
                "RNGE": (5, 0), "NEG": (4, 0), "NEGL": (0, 1), "LOOSE": (np.inf, 0)}
    for good, (supply, demand) in expected.items():
        assert (goods.at[good, "supply"], goods.at[good, "demand"]) == (supply, demand), good
    assert "NOTE" not in goods.index             # HiGHS drops N rows after the first
    flows = plan.flows.set_index(["process", "good"])
    assert flows.loc[("X3", "NEGL"), "output"] == 1.0     # "<=" row: coefficients negated
    assert flows.loc[("X1", "NEG"), "input"] == 1.0
    # ranged and equality rows: the good bounds them below, a policy above
    rules = {p.id: (p.rule.sense, p.rule.rhs, p.rule.text) for p in plan.policies}
    assert rules == {"BAL-upper": ("<=", 1.0, "net(BAL) <= 1"),
                     "RNGL-upper": ("<=", 6.0, "net(RNGL) <= 6"),
                     "RNGE-upper": ("<=", 0.0, "net(RNGE) <= 0")}
    # column bounds, negative and infinite ones included, reach the compiled program
    lp = compile_plan(plan)
    assert lp.col_lower.tolist() == [-2.0, -3.0, 0.0, -np.inf]
    assert lp.col_upper.tolist() == [5.0, np.inf, 4.0, 10.0]


def test_mapping_is_exact_on_a_random_lp(tmp_path: Path) -> None:
    """The compiled program of the read plan is the file's LP, row by row (<= rows
    negated), on an LP large enough that a per-nonzero loop would show."""
    rng = np.random.default_rng(7)
    m, n = 300, 6000
    matrix = sp.random(m, n, density=0.01, random_state=rng, format="csc")
    kind = rng.integers(0, 4, m)                 # >=, <=, ranged, equality
    b = rng.uniform(-50, 50, m)
    lower = np.select([kind == 0, kind == 1, kind == 2], [b, -np.inf, b - 10], b)
    upper = np.select([kind == 0, kind == 1, kind == 2], [np.inf, b, b + 10], b)
    col_lower = np.where(rng.random(n) < 0.1, -rng.uniform(0, 5, n), 0.0)
    col_upper = np.where(rng.random(n) < 0.5, rng.uniform(5, 10, n), np.inf)
    cost = np.where(rng.random(n) < 0.8, rng.normal(size=n), 0.0)
    rows = pd.DataFrame({"kind": "good", "id": [f"r{i}" for i in range(m)]})
    cols = pd.DataFrame({"kind": "process", "id": [f"c{j}" for j in range(n)]})
    original = LinearProgram("minimize", cost, matrix, lower, upper, col_lower, col_upper,
                             rows, cols, constant=1.25)
    path = tmp_path / "random.mps"
    write_mps(original, path, mps_names(rows), mps_names(cols))

    plan = plan_from_mps(path)
    lp = compile_plan(plan)
    assert lp.sense == "minimize" and lp.constant == 1.25
    assert np.array_equal(lp.col_lower, col_lower) and np.array_equal(lp.col_upper, col_upper)
    assert np.array_equal(lp.objective, cost)
    goods = lp.row_positions("good")[:m]
    sign = np.where(kind == 1, -1.0, 1.0)
    assert abs(lp.matrix[goods] - sp.diags(sign) @ matrix).max() == 0
    assert np.array_equal(lp.row_lower[goods], np.where(kind == 1, -upper, lower))
    policies = lp.row_positions("policy")
    assert len(policies) == np.count_nonzero(kind >= 2)
    assert np.array_equal(lp.row_upper[policies], upper[kind >= 2])
    assert abs(lp.matrix[policies] - matrix[np.flatnonzero(kind >= 2)]).max() == 0


# -- export and round trips ----------------------------------------------------------------
def test_leningrad_round_trip(tmp_path: Path) -> None:
    plan = k.load_plan(LENINGRAD)
    path = tmp_path / "leningrad.mps"
    export_mps(plan, path)
    assert [p.name for p in tmp_path.iterdir()] == ["leningrad.mps"]   # no temp file left
    text = path.read_text()
    assert "policy:equal-steel" in text and "OBJSENSE" in text

    first, again = solved(plan), solved(plan_from_mps(path))
    assert first.objective == pytest.approx(6_670_666.67, abs=0.01)
    assert again.objective == pytest.approx(first.objective, rel=1e-9)
    levels = again.levels.reindex(first.levels.index)
    assert levels.to_numpy() == pytest.approx(first.levels.to_numpy(), rel=1e-9, abs=1e-9)


def test_mps_round_trip_keeps_ranges_and_negative_bounds(tmp_path: Path) -> None:
    plan = k.load_plan(DATA / "mixed.mps")
    path = tmp_path / "again.mps"
    export_mps(plan, path)
    again = plan_from_mps(path)
    first, second = solved(plan), solved(again)
    assert second.objective == pytest.approx(first.objective, rel=1e-9)
    assert second.levels.to_dict() == pytest.approx(first.levels.to_dict(), abs=1e-9)
    assert again.processes["min_level"].to_dict() == plan.processes["min_level"].to_dict()
    assert "policy:RNGE-upper" in again.goods.index


def test_policy_text_reads_back_as_the_same_rule(tmp_path: Path) -> None:
    path = tmp_path / "leningrad.mps"
    export_mps(k.load_plan(LENINGRAD), path)
    plan = plan_from_mps(path)
    texts = {p.id: p.rule.text for p in plan.policies}
    # the equality policy becomes a good plus a "<=" policy; ':' needs quotes in rules
    assert texts == {"policy:equal-steel-upper": "net('policy:equal-steel') <= 0"}
    for policy in (*plan.policies, *k.load_plan(DATA / "mixed.mps").policies):
        assert parse_rule(policy.rule.text) == policy.rule


def test_export_names_are_sanitised_and_unique(tmp_path: Path) -> None:
    rows = pd.DataFrame({"kind": ["good", "good", "policy", "assortment", "good"],
                         "id": ["rye flour", "rye_flour", "cap", "bread", "хлеб"]})
    cols = pd.DataFrame({"kind": ["process", "process", "sets"],
                         "id": ["mill\t3", "oven", "sets"]})
    assert mps_names(rows) == ["rye_flour", "rye_flour~1", "policy:cap", "sets:bread", "хлеб"]
    assert mps_names(cols) == ["mill_3", "oven", "sets"]
    lp = LinearProgram("maximize", np.array([1.0, 2.0, 0.0]),
                       sp.csc_matrix(np.arange(15, dtype=float).reshape(5, 3)),
                       np.full(5, -np.inf), np.full(5, 100.0), np.zeros(3), np.full(3, 9.0),
                       rows, cols)
    path = tmp_path / "names.mps"
    export_mps(lp, path)
    arrays = read_mps_arrays(path)
    assert arrays.row_names == mps_names(rows)
    assert arrays.col_names == mps_names(cols)


def test_failed_export_leaves_the_target_alone(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.mps"
    target.write_text("the previous export\n")

    def broken(lp: LinearProgram, path: Path, rows: list[str], cols: list[str]) -> None:
        Path(path).write_text("NAME half\nROWS\n")
        raise RuntimeError("solver crashed mid-write")

    monkeypatch.setattr("kantorovich.lp.mps.write_mps", broken)
    with pytest.raises(RuntimeError):
        export_mps(k.load_plan(LENINGRAD), target)
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.mps"]


def test_export_to_a_missing_folder_is_a_kantorovich_error(tmp_path: Path) -> None:
    with pytest.raises(KantorovichError, match="cannot write"):
        export_mps(k.load_plan(LENINGRAD), tmp_path / "no" / "such" / "plan.mps")
    assert list(tmp_path.iterdir()) == []


# -- what is refused -------------------------------------------------------------------------
def test_integer_columns_are_refused() -> None:
    path = DATA / "integer.mps"
    with pytest.raises(PlanError) as info:
        k.load_plan(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "integer columns are not supported: ITEM1, ITEM2;" in problem.message
    assert "linear programs" in problem.message and "SLACK" not in problem.message
    assert problem.hint


def test_quadratic_objective_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "qp.mps"
    path.write_text("NAME qp\nROWS\n N obj\n G r\nCOLUMNS\n x obj 1 r 1\nRHS\n rhs r 1\n"
                    "QUADOBJ\n x x 2\nENDATA\n")
    with pytest.raises(PlanError, match="quadratic objective is not supported"):
        plan_from_mps(path)


@pytest.mark.parametrize("content", ["hello world\nthis is not MPS\n", "", "\x00\xff" * 50])
def test_unreadable_file_is_a_plan_error(tmp_path: Path, content: str,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "garbage.mps"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(PlanError) as info:
        k.load_plan(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and "MPS" in problem.message and problem.hint
    assert info.value.__cause__ is None and info.value.__suppress_context__
    out, err = capfd.readouterr()
    assert out == "" and err == ""               # HiGHS says nothing on its own


def test_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="file not found"):
        k.load_plan(tmp_path / "nowhere.mps")


def test_cli_reports_a_bad_mps_file_without_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kantorovich.cli import app

    path = tmp_path / "garbage.mps"
    path.write_text("not an LP\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "MPS" in result.output


# -- what HiGHS's reader would misread: refused with the line (tests/data/mps) -------------
MPS = DATA / "mps"


@pytest.mark.parametrize(("file", "expected"), [
    ("marker-unquoted.mps", [(8, "integer columns are not supported: ITEM1, ITEM2; "
                                 "kantorovich solves linear programs")]),
    ("column-twice.mps", [(10, "column 'X' appears again after other columns (first on "
                               "line 8); MPS lists each column's entries together")]),
    ("duplicate-row.mps", [(6, "row 'CAP' is declared again (first on line 5)")]),
    ("duplicate-entry.mps", [(8, "column 'X' has a second entry in row 'CAP' (first on "
                                 "line 7)")]),
    ("undeclared-names.mps", [(8, "column 'X' names row 'CAPP', which ROWS does not"),
                              (11, "RHS entry names row 'NOPE'"),
                              (13, "RANGES entry names row 'NOPE2'"),
                              (15, "bound UP names column 'Z', which COLUMNS does not")]),
    ("bounds-twice.mps", [(17, "column 'X' gets a second upper bound (first on line 16)"),
                          (18, "column 'Y' has lower bound 0 above its upper bound -1")]),
    ("binary-bound.mps", [(11, "integer columns are not supported: X;")]),
    ("sos.mps", [(11, "SOS constraints are not supported (SOS section); kantorovich "
                      "solves linear programs")]),
    ("fixed-duplicates.mps", [(7, "row 'CAP ROW' is declared again (first on line 6)"),
                              (11, "column 'X 1' appears again after other columns")]),
])
def test_misread_mps_is_refused_with_its_line(file: str,
                                              expected: list[tuple[int, str]]) -> None:
    path = MPS / file
    with pytest.raises(PlanError) as info:
        k.load_plan(path)
    problems = info.value.problems
    assert [(p.line, p.file) for p in problems] == [(line, str(path)) for line, _ in expected]
    for problem, (_, text) in zip(problems, expected, strict=True):
        assert text in problem.message and problem.hint
    assert info.value.exit_code == 2


def test_integer_marker_names_its_line() -> None:
    with pytest.raises(PlanError) as info:
        plan_from_mps(DATA / "integer.mps")
    assert [p.line for p in info.value.problems] == [7]        # the MARKER INTORG line


def test_undeclared_row_gets_a_suggestion() -> None:
    with pytest.raises(PlanError) as info:
        plan_from_mps(MPS / "undeclared-names.mps")
    assert info.value.problems[0].hint == "did you mean 'CAP'?"


def test_fixed_mps_with_spaces_in_names_is_read_by_its_columns() -> None:
    plan = plan_from_mps(MPS / "fixed-spaces.mps")
    assert list(plan.goods.index) == ["CAP ROW", "COST"]
    assert plan.objective.weights.to_dict() == {"COST": 1.0}
    result = solved(plan)
    assert result.objective == pytest.approx(-8.0, rel=1e-12)
    assert result.levels.to_dict() == pytest.approx({"X 1": 3.0, "Y 2": 2.0})


def test_a_warning_no_line_explains_is_refused_in_highs_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader warning the scan cannot place still stops the read: the arrays may then
    not be the file's LP."""
    from kantorovich.lp import mps_io

    real = mps_io.read_mps_arrays

    def warned(path: Path) -> mps_io.MpsArrays:
        arrays = real(path)
        arrays.messages.append("WARNING: something new in a later HiGHS")
        return arrays

    monkeypatch.setattr("kantorovich.lp.mps.read_mps_arrays", warned)
    with pytest.raises(PlanError) as info:
        plan_from_mps(DATA / "wyndor.mps")
    (problem,) = info.value.problems
    assert problem.message == "HiGHS's MPS reader warns: something new in a later HiGHS"
    assert problem.file == str(DATA / "wyndor.mps") and problem.line is None


def test_clean_files_are_not_scanned(monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    """The line scan runs only when HiGHS's read gives a reason, so a clean file costs
    what HiGHS's reader costs."""
    calls = []
    monkeypatch.setattr("kantorovich.lp.mps.scan_mps",
                        lambda *a, **kw: calls.append(a) or [])
    path = tmp_path / "leningrad.mps"
    export_mps(k.load_plan(LENINGRAD), path)
    for file in (DATA / "wyndor.mps", DATA / "mixed.mps", path):
        plan_from_mps(file)
    assert calls == []
