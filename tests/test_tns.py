"""``economy import-tns``: Cockshott's nyearplan files as a plan over time, reaching the
optimum of his LP (built independently with highspy in `benchmarks/nyearplan_lp.py`) on
his demo data and on generated economies; bad files are located with exit code 2."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import highspy
import pytest
from conftest import DATA, ROOT
from typer.testing import CliRunner

import kantorovich as k
from kantorovich.cli import app
from kantorovich.economy.tns import read_tns, tns_economy

DEMO = DATA / "tns"
RUNNER = CliRunner()


def nyearplan() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "nyearplan_lp", ROOT / "benchmarks" / "nyearplan_lp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def his_optimum(folder: Path, **names: str) -> float:
    h = nyearplan().nyearplan_lp(folder, **names)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, [str(a) for a in args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def imported(folder: Path, out: Path, *options: str) -> dict:
    code, stdout, stderr = run("economy", "import-tns", folder, "-o", out, *options)
    assert code == 0, stderr
    code, stdout, stderr = run("solve", out / "plan.yaml", "--json", "--analysis-time", "0")
    assert code == 0, stderr
    return json.loads(stdout)


def test_his_demo_reaches_his_optimum(tmp_path: Path) -> None:
    data = imported(DEMO, tmp_path / "plan")
    assert data["status"] == "optimal" and data["certificate"]["verified"] is True
    assert data["horizon"] == 5 and len(data["investment_return"]) == 4
    assert data["objective"] == pytest.approx(his_optimum(DEMO), rel=1e-9)
    assert sum(data["sets"]) == pytest.approx(data["objective"], rel=1e-12)
    # the prices his LP does not give: in year 1 the stocks bind and labour is free;
    # from year 2 labour is scarce
    labour = data["shadow_prices"]["labour"]
    assert labour[0] == 0 and all(p > 0 for p in labour[1:])
    assert data["investment_return"][0] == pytest.approx(-1.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_economies_reach_his_optimum(tmp_path: Path, seed: int) -> None:
    economy = tns_economy(30, 4, seed=seed)
    folder = tmp_path / "his"
    economy.write_files(folder)
    data = imported(folder, tmp_path / "plan")
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(his_optimum(folder), rel=1e-8)


def test_other_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    folder.mkdir()
    for old, new in (("flows", "f"), ("cap", "c"), ("dep", "d"), ("labtarg", "t")):
        shutil.copy(DEMO / f"{old}.csv", folder / f"{new}.csv")
    data = imported(folder, tmp_path / "plan", "--flows", "f.csv", "--capital", "c.csv",
                    "--depreciation", "d.csv", "--targets", "t.csv")
    assert data["objective"] == pytest.approx(his_optimum(
        folder, flows="f.csv", capital="c.csv", depreciation="d.csv", targets="t.csv"),
        rel=1e-9)


def test_the_plan_means_his_program(tmp_path: Path) -> None:
    economy = read_tns(DEMO)
    plan = k.load_plan(economy.write_plan(tmp_path / "plan"))
    stocks = plan.extra["horizon"].stocks.set_index(["process", "good"])
    # cap.csv: coal industry holds 7 of iron; flows.csv: its output is 6
    assert stocks.loc[("coal", "iron"), "initial"] == 7
    assert stocks.loc[("coal", "iron"), "per_level"] == pytest.approx(7 / 6)
    assert stocks.loc[("bread", "iron"), "depreciation"] == pytest.approx(0.06)
    assert len(stocks) == 9          # the nonzero cells of cap.csv


def bad(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "bad"
    shutil.copytree(DEMO, folder)
    (folder / name).write_text(text)
    return folder


def test_a_cell_that_is_not_a_number(tmp_path: Path) -> None:
    folder = bad(tmp_path, "dep.csv", "headings,iron,coal,corn,bread\n"
                 "iron,0.07,0.07,0.07,0.06\ncoal,0.5,x,0.5,0.5\ncorn,0,0,0.5,0\n"
                 "bread,0,0,0,0\n")
    code, _, err = run("economy", "import-tns", folder, "-o", tmp_path / "out")
    assert code == 2 and f"{folder / 'dep.csv'}:3" in err and "'x'" in err
    assert not (tmp_path / "out").exists()


def test_missing_rows_and_columns(tmp_path: Path) -> None:
    folder = bad(tmp_path, "flows.csv", "headings,iron,coal,corn,bread\n"
                 "iron,0.1,0,0,0\ncoal,2,1,0.04,0.2\ncorn,0,0,1,1\nbread,0,0,0,0\n"
                 "output,10,6,10,1\n")
    code, _, err = run("economy", "import-tns", folder, "-o", tmp_path / "out")
    assert code == 2 and "no 'labour' row" in err
    folder = bad(tmp_path / "x", "cap.csv", "headings,iron,coal,bread,corn\n")
    code, _, err = run("economy", "import-tns", folder, "-o", tmp_path / "out")
    assert code == 2 and "capital file's columns" in err and "cap.csv:1" in err


@pytest.mark.parametrize("row, line, found", [
    ("coal,2,1,0.04", 3, "row 'coal' has 3 number cells where the header names 4"),
    ("coal,2,1,0.04,0.2,7", 3, "row 'coal' has 5 number cells where the header names 4"),
    ('"coal,2,1,0.04,0.2', 3, "cannot be read as CSV"),
], ids=["short", "long", "open-quote"])
def test_a_row_of_the_wrong_length(tmp_path: Path, row: str, line: int, found: str
                                   ) -> None:
    """A row with a cell too few or too many is located, not read short (a flow lost)
    or cut (a cell dropped); blank cells past the last column are allowed."""
    folder = bad(tmp_path, "flows.csv", "headings,iron,coal,corn,bread\n"
                 f"iron,0.1,0,0,0,,\n{row}\ncorn,0,0,1,1\nbread,0,0,0,0\n"
                 "labour,0.3,1,2,0.1\noutput,10,6,10,1\n")
    code, _, err = run("economy", "import-tns", folder, "-o", tmp_path / "out")
    assert code == 2 and f"flows.csv:{line}" in err and found in err, err
    assert "hint:" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_depreciation_above_one(tmp_path: Path) -> None:
    folder = bad(tmp_path, "dep.csv", "headings,iron,coal,corn,bread\n"
                 "iron,0.07,1.5,0.07,0.06\ncoal,0.5,0.5,0.5,0.5\ncorn,0,0,0.5,0\n"
                 "bread,0,0,0,0\n")
    code, _, err = run("economy", "import-tns", folder, "-o", tmp_path / "out")
    assert code == 2 and "dep.csv:2" in err and "iron held by coal is 1.5" in err


def test_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run("economy", "import-tns", DEMO, "-o", tmp_path / "out",
                       "--targets", "targets.csv")
    assert code == 2 and "targets.csv" in err and "--targets" in err


def test_a_staircase_is_solved_by_interior_point(tmp_path: Path) -> None:
    # from 10,000 nonzeros a plan over time goes to interior point with crossover,
    # which is faster on its staircase of periods (benchmarks/horizon.py); the answer
    # is the vertex the simplex finds, certified
    folder = tmp_path / "his"
    tns_economy(60, 4, seed=5).write_files(folder)
    plan = k.load_plan(read_tns(folder).write_plan(tmp_path / "plan"))
    result = k.solve(plan)
    assert result.lp.matrix.nnz >= 10_000
    assert result.method == "ipm" and "staircase" in result.method_reason
    assert result.certificate.verified
    assert result.objective == pytest.approx(his_optimum(folder), rel=1e-8)
    assert k.solve(plan, method="simplex").objective == pytest.approx(result.objective,
                                                                      rel=1e-9)


def _his_slopes(h: highspy.Highs, col: int, base: float, step: float = 1e-4
                ) -> tuple[float | None, float | None]:
    """His optimum's gain per unit of column ``col``'s upper bound raised (right) and
    lowered (left), re-solved; None where that side is infeasible."""
    lp = h.getLp()
    lower, upper = lp.col_lower_[col], lp.col_upper_[col]
    found = []
    for change in (step, -step):
        h.changeColBounds(col, lower, upper + change)
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        found.append(h.getInfo().objective_function_value if optimal else None)
    h.changeColBounds(col, lower, upper)
    up, down = found
    return (None if up is None else (up - base) / step,
            None if down is None else (base - down) / step)


def _bracketed(price: float, slopes: tuple[float | None, float | None]) -> bool:
    """``price`` lies between the one-sided derivatives; True where they agree."""
    right, left = slopes
    tol = 1e-5 * (1 + abs(price))
    assert right is None or price >= right - tol, (price, slopes)
    assert left is None or price <= left + tol, (price, slopes)
    return right is not None and left is not None and abs(right - left) <= tol


@pytest.mark.parametrize("generated", [False, True], ids=["demo", "generated"])
def test_his_program_holds_our_plan_and_prices_it_as_we_do(tmp_path: Path,
                                                           generated: bool) -> None:
    """More than the optimum: each year's gross outputs and complete sets of our plan
    are a plan of his LP (fixed in it, it stays feasible at the same optimum), and our
    prices of labour and of each year-1 capital stock are his LP's derivatives (one more
    or less hour of a year's labour supply, one more or less unit of cap.csv's cell,
    re-solved): between them always, equal where they agree."""
    folder = DEMO
    if generated:
        folder = tmp_path / "his"
        tns_economy(12, 4, seed=7).write_files(folder)
    data = imported(folder, tmp_path / "plan")
    assert data["status"] == "optimal" and data["certificate"]["verified"] is True
    h = nyearplan().nyearplan_lp(folder)
    h.run()
    best = h.getInfo().objective_function_value
    assert data["objective"] == pytest.approx(best, rel=1e-9)
    prods, _, _ = nyearplan().read_matrix(folder / "flows.csv")
    n, years = len(prods), data["horizon"]
    # his columns, in the order nyearplan_lp adds them: outputOf (Y, n), then flowFor,
    # capitalstockFor, depreciationIn, accumulationFor (each Y, n, n), labourFor (Y, n),
    # labourForYear (Y), ..., targetFulfillmentForYear (Y) last
    n_col = h.getLp().num_col_
    cap = years * n + years * n * n
    labour_year = years * n + 4 * years * n * n + years * n
    target = n_col - years
    unique = 0
    for y in range(years):
        unique += _bracketed(data["shadow_prices"]["labour"][y],
                             _his_slopes(h, labour_year + y, best))
    for p, held in data["stocks"].items():
        for s, stock in held.items():
            col = cap + prods.index(p) * n + prods.index(s)      # year 1
            unique += _bracketed(stock["shadow_value"][0], _his_slopes(h, col, best))
    assert unique >= years
    # our plan, fixed in his program: gross outputs and each year's sets
    lp = h.getLp()
    for y in range(years):
        for p in range(n):
            level = data["levels"][prods[p]][y]
            h.changeColBounds(y * n + p, max(level - 1e-7 * (1 + level), 0.0),
                              level + 1e-7 * (1 + level))
        sets = data["sets"][y]
        h.changeColBounds(target + y, max(sets - 1e-7 * (1 + sets), 0.0),
                          lp.col_upper_[target + y])
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(best, rel=1e-6)
