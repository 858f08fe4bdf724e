"""Labour named for what it is: hours and persons from a file, value added called
value-added content, and every bad labour file located (exit 2), against answers computed
independently with a dense inverse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kantorovich.economy.china_employment import CONCORDANCE, persons_by_sector
from kantorovich.economy.cli import economy_app
from kantorovich.economy.labour import with_labour_file
from kantorovich.economy.table import Economy, load_economy
from kantorovich.errors import PlanError

ROOT = Path(__file__).resolve().parents[1]
REAL = (ROOT / ".." / "shared" / "data" / "io").resolve()   # as the other real-table tests
RUNNER = CliRunner()

# a 3-sector table: Z (seller x buyer), final demand, compensation, hours
Z = np.array([[20.0, 30.0, 10.0], [40.0, 10.0, 50.0], [10.0, 20.0, 30.0]])
Y = np.array([140.0, 100.0, 140.0])
X = Z.sum(axis=1) + Y                                   # 200, 200, 200
WAGES = np.array([60.0, 70.0, 50.0])
HOURS = np.array([1000.0, 3000.0, 500.0])


def run(*args: object) -> tuple[int, str, str]:
    result = RUNNER.invoke(economy_app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def write_table(folder: Path, *, Z: np.ndarray = Z, y: np.ndarray = Y,
                x: np.ndarray | None = None, va: dict[str, np.ndarray] | None = None,
                codes: list[str] | None = None, names: list[str] | None = None,
                unit: str = "M USD") -> Path:
    """A table in the uniform format, with a README naming its unit."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(y)
    x = Z.sum(axis=1) + y if x is None else x
    pd.DataFrame({"id": range(n), "code": codes or [f"c{i}" for i in range(n)],
                  "name": names or [f"sector {i}" for i in range(n)]}).to_csv(
        folder / "sectors.csv", index=False)
    rows, cols = np.nonzero(Z)
    pd.DataFrame({"row": rows, "col": cols, "value": Z[rows, cols]}).to_csv(
        folder / "Z.csv", index=False)
    pd.DataFrame({"id": range(n), "y": y}).to_csv(folder / "y.csv", index=False)
    pd.DataFrame({"id": range(n), "x": x}).to_csv(folder / "x.csv", index=False)
    columns = va if va is not None else {"va": x - Z.sum(axis=0), "compensation": WAGES}
    pd.DataFrame({"id": range(n), **columns}).to_csv(folder / "va.csv", index=False)
    (folder / "README.md").write_text(f"| Units | {unit} |\n", encoding="utf-8")
    return folder


def dense_values(Z: np.ndarray, x: np.ndarray, totals: np.ndarray) -> np.ndarray:
    A = Z / x
    return (totals / x) @ np.linalg.inv(np.eye(len(x)) - A)


def labour_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hours_give_labour_values_in_hours(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    hours = labour_file(tmp_path / "hours.csv",
                        "id,hours\n" + "".join(f"{i},{h:g}\n" for i, h in enumerate(HOURS)))
    code, out, _ = run("values", table, "--labour", hours, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["labour_basis"] == "hours"
    assert data["labour_unit"] == "hours per M USD of output"
    assert data["content"] == "labour values"
    expected = dense_values(Z, X, HOURS)      # hours per unit: 5, 15, 2.5 directly
    got = np.array([data["labour_values"][str(i)] for i in range(3)])
    assert got == pytest.approx(expected, rel=1e-12)
    assert list(data["output"]) == ["0", "1", "2"]
    # labour embodied in final demand is the hours worked
    assert got @ Y == pytest.approx(HOURS.sum(), rel=1e-12)


def test_persons_in_parquet_and_the_default_compensation(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    persons = tmp_path / "persons.parquet"
    pd.DataFrame({"id": [2, 0, 1], "persons": [5.0, 10.0, 30.0]}).to_parquet(persons)
    code, out, _ = run("values", table, "--labour", persons, "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "persons"
    assert data["labour_unit"] == "persons per M USD of output"
    got = np.array([data["labour_values"][str(i)] for i in range(3)])
    assert got == pytest.approx(dense_values(Z, X, np.array([10.0, 30.0, 5.0])), rel=1e-12)
    code, out, _ = run("values", table, "--json")
    data = json.loads(out)
    assert data["labour_basis"] == "compensation"
    assert data["labour_unit"] == "compensation (M USD) per M USD of output"
    got = np.array([data["labour_values"][str(i)] for i in range(3)])
    assert got == pytest.approx(dense_values(Z, X, WAGES), rel=1e-12)


def test_closed_table_by_value_added_is_one_by_construction(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t", va={"va": X - Z.sum(axis=0)})
    code, out, err = run("values", table, "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "value_added"
    assert data["content"] == "value-added content"
    assert "1.000000 by construction" in data["by_construction"]
    assert all(v == pytest.approx(1.0, abs=1e-12) for v in data["labour_values"].values())
    assert "value-added content, not labour values" in err
    # the terminal never calls these figures labour values
    code, out, _ = run("values", table)
    assert code == 0 and "value-added content" in out
    assert "labour value" not in out.replace("not labour values", "")


def test_closing_items_make_value_added_content_below_one(tmp_path: Path) -> None:
    taxes = np.array([10.0, 0.0, 20.0])
    va = X - Z.sum(axis=0) - taxes
    table = write_table(tmp_path / "t", va={"va": va, "net_product_taxes": taxes})
    code, out, _ = run("values", table, "--json")
    data = json.loads(out)
    got = np.array([data["labour_values"][str(i)] for i in range(3)])
    assert got == pytest.approx(dense_values(Z, X, va), rel=1e-12)
    assert got == pytest.approx(1 - dense_values(Z, X, taxes), rel=1e-12)
    assert "net_product_taxes" in data["by_construction"]


@pytest.mark.parametrize(("text", "needle", "line"), [
    ("id,workers\n0,1\n1,2\n2,3\n", "needs columns id and one of hours or persons", 1),
    ("id,hours\n0,1\n7,2\n1,2\n2,3\n", "id 7 is not a sector of the table", 3),
    ("id,hours\n0,1\n1,-2\n2,3\n", "hours = -2 is negative", 3),
    ("id,hours\n0,1\n1,lots\n2,3\n", "hours = 'lots' is not a number", 3),
    ("id,hours\n0,1\n2,3\n", "no row for sector sector 1 (id 1, code c1)", None),
    ("id,hours,persons\n0,1,1\n1,2,2\n2,3,3\n", "both hours and persons", 1),
    ("ID, Hours\n0,1\n1,\n2,3\n", "hours is empty", 3),
    ("id,hours\n0,1\n1,2\n1,3\n2,3\n", "appears 2 times", None),
])
def test_bad_labour_files_are_located(tmp_path: Path, text: str, needle: str,
                                      line: int | None) -> None:
    table = write_table(tmp_path / "t")
    bad = labour_file(tmp_path / "labour.csv", text)
    code, out, err = run("values", table, "--labour", bad, "--json")
    assert code == 2 and out == ""
    assert needle in err and "labour.csv" in err
    if line is not None:
        assert f"labour.csv:{line}" in err or f"line {line}" in err
    with pytest.raises(PlanError, match=needle.split("(")[0].strip()[:20]):
        with_labour_file(load_economy(table), bad)


def test_labour_word_or_file_must_exist(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    code, _, err = run("values", table, "--labour", tmp_path / "nowhere.csv")
    assert code == 2 and "neither a labour proxy nor a file" in err


def test_china_concordance_shares_a_division_by_compensation() -> None:
    """Two sectors of division C01 (012, 013) share its persons 1:3, as their wages."""
    codes = sorted(CONCORDANCE)
    n = len(codes)
    wages = np.ones(n)
    wages[codes.index("012")], wages[codes.index("013")] = 1.0, 3.0
    sectors = pd.DataFrame({"code": codes, "name": codes, "region": [""] * n})
    e = Economy.from_arrays(np.eye(n), np.ones(n), compensation=wages, sectors=sectors)
    divisions = sorted({d for ds in CONCORDANCE.values() for d in ds})
    frame = pd.DataFrame({"Code": ["TOT", *divisions, "T"], "2017": 0.0,
                          "2018": [0.0] + [2.0] * len(divisions) + [0.5]})
    persons, note = persons_by_sector(e, frame, "employment.csv")
    c01 = [k for k, ds in CONCORDANCE.items() if ds == ("C01",)]     # 012..018
    share = wages[[codes.index(k) for k in c01]] / wages[[codes.index(k) for k in c01]].sum()
    assert persons[codes.index("012")] == pytest.approx(2.0 * 1e4 * share[0])
    assert persons[codes.index("013")] == pytest.approx(2.0 * 1e4 * share[1])
    # 011 takes B06 and B07 whole; 153 five S divisions whole
    assert persons[codes.index("011")] == pytest.approx(4.0 * 1e4)
    assert persons[codes.index("153")] == pytest.approx(10.0 * 1e4)
    assert persons.sum() == pytest.approx(2.0 * 1e4 * len(divisions))
    assert "2018" in note and "in proportion to their compensation" in note
    assert "international organisations" in note


def test_china_employment_file_on_another_table_is_refused(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    bad = labour_file(tmp_path / "employment.csv", "Code,Description,2018\nA01,Farms,3\n")
    code, _, err = run("values", table, "--labour", bad)
    assert code == 2 and "NBS 153-sector table" in err


def test_china_table_in_persons() -> None:
    table = REAL / "china_nbs_2020_153"
    if not table.is_dir():
        pytest.skip(f"{table} is not here")
    employment = table / "employment_by_industry_1990_2018.csv"
    code, out, _ = run("values", table, "--labour", employment, "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "persons"
    assert data["labour_unit"].startswith("persons per 10,000 CNY")
    assert "concordance" in data["labour_note"]
    e = with_labour_file(load_economy(table), employment)
    # every person of 2018 of the divisions matched is placed in a sector, and those
    # are all but T's and a rounding of the national total (TOT)
    raw = pd.read_csv(employment).set_index("Code")["2018"]
    divisions = sorted({d for ds in CONCORDANCE.values() for d in ds})
    assert e.va["persons"].sum() == pytest.approx(raw[divisions].sum() * 1e4, rel=1e-12)
    assert e.va["persons"].sum() == pytest.approx((raw["TOT"] - raw["T"]) * 1e4, rel=1e-4)
    v = np.array([data["labour_values"][str(i)] for i in range(e.n)])
    y = e.y
    assert v @ y == pytest.approx(e.va["persons"].sum(), rel=1e-9)


@pytest.mark.parametrize(("name", "low", "high"), [("wiod2013_mrio_2011", 1.0, 1.0),
                                                   ("oecd_iot2021_jpn_2015", 0.90, 0.99)])
def test_real_value_added_tables_say_what_their_figures_are(name: str, low: float,
                                                           high: float) -> None:
    table = REAL / name
    if not table.is_dir():
        pytest.skip(f"{table} is not here")
    code, out, _ = run("values", table, "--json")
    data = json.loads(out)
    assert code == 0 and data["labour_basis"] == "value_added"
    assert data["content"] == "value-added content" and data["by_construction"]
    values = [v for v in data["labour_values"].values() if v is not None]
    assert min(values) == pytest.approx(low, abs=0.01)
    assert max(values) == pytest.approx(high, abs=0.01)


def test_hours_travel_to_pymrio_as_their_own_extension(tmp_path: Path) -> None:
    """pymrio's own multipliers of the hours extension are the labour values in hours."""
    from kantorovich.economy import to_pymrio

    table = write_table(tmp_path / "t")
    hours = labour_file(tmp_path / "hours.csv",
                        "id,hours\n" + "".join(f"{i},{h:g}\n" for i, h in enumerate(HOURS)))
    io = to_pymrio(with_labour_file(load_economy(table), hours))
    assert "hours" not in io.factor_inputs.F.index
    assert io.labour.unit.loc["hours"].iloc[0] == "hours"
    io.calc_all()
    np.testing.assert_allclose(io.labour.M.loc["hours"].to_numpy(),
                               dense_values(Z, X, HOURS), rtol=1e-12)


def test_a_sector_without_hours_is_a_finding_in_the_labour_file(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    hours = labour_file(tmp_path / "hours.csv", "id,hours\n0,1000\n1,0\n2,500\n")
    code, out, _ = run("values", table, "--labour", hours, "--json")
    data = json.loads(out)
    found = [f for f in data["checks"]["findings"] if f["code"] == "labour-not-positive"]
    assert code == 0 and len(found) == 1
    assert "hours worked" in found[0]["message"] and found[0]["file"] == str(hours)
    assert found[0]["sectors"] == [1]


def test_bad_words_for_the_shared_options_are_refused_together(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    code, out, err = run("values", table, "--imports", "smuggle", "--clean", "all",
                         "--json")
    assert code == 2 and out == ""
    assert "--imports 'smuggle' is not a rule" in err and "fixed" in err
    assert "--clean 'all' is not a clean-up rule" in err
